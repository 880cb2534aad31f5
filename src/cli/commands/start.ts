import type { Command } from 'commander';

// Placeholder registration: the owning issue fills this in.
export function registerStartCommand(_program: Command): void {}
