import type { Command } from 'commander';

// Placeholder registration: the owning issue fills this in.
export function registerLocalCommands(_program: Command): void {}
