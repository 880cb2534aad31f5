import type { Command } from 'commander';

// Placeholder registration: the owning issue fills this in.
export function registerHsmCommands(_program: Command): void {}
