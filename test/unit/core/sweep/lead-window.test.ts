// The lead window's default and bounds are one set of constants: the sweep's input, every command
// that takes --lead-window-days, and the console agree because they read the same ones.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { SweepInputSchema } from '../../../../src/core/sweep/contracts.ts';
import {
  DEFAULT_LEAD_WINDOW_DAYS,
  MAX_LEAD_WINDOW_DAYS,
  MIN_LEAD_WINDOW_DAYS,
} from '../../../../src/core/sweep/lead-window.ts';
import { buildProgram } from '../../../../src/onprem/cli/program.ts';

function commandAt(program: Command, path: string[]): Command {
  let current = program;
  for (const name of path) {
    const next = current.commands.find((command) => command.name() === name);
    if (!next) throw new Error(`no command ${path.join(' ')}`);
    current = next;
  }
  return current;
}

describe('lead window defaults', () => {
  it('the sweep input defaults to DEFAULT_LEAD_WINDOW_DAYS and refuses outside the bounds', () => {
    // Act
    const parsed = SweepInputSchema.parse({});

    // Assess
    expect(parsed.leadWindowDays).toBe(DEFAULT_LEAD_WINDOW_DAYS);
    expect(SweepInputSchema.safeParse({ leadWindowDays: MIN_LEAD_WINDOW_DAYS - 1 }).success).toBe(false);
    expect(SweepInputSchema.safeParse({ leadWindowDays: MAX_LEAD_WINDOW_DAYS + 1 }).success).toBe(false);
  });

  it.each([[['status']], [['simulate']], [['fleet', 'status']]])(
    'byok %s --lead-window-days defaults to the same constant',
    (path) => {
      // Prepare
      const program = buildProgram();

      // Act
      const option = commandAt(program, path).options.find((o) => o.long === '--lead-window-days');

      // Assess
      expect(option?.defaultValue).toBe(DEFAULT_LEAD_WINDOW_DAYS);
    },
  );
});
