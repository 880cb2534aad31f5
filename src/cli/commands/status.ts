import type { Command } from 'commander';

// Placeholder registration: the owning issue fills this in.
export function registerStatusCommand(_program: Command): void {}
