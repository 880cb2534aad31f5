import type { Command } from 'commander';

// Placeholder registration: the owning issue fills this in.
export function registerImportCommand(_program: Command): void {}
