import { Command, CommanderError } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  executionInputFrom,
  type ImportOptions,
  parseValidFor,
} from '../../../../../../src/onprem/cli/commands/import/options.ts';
import { registerImportCommand } from '../../../../../../src/onprem/cli/commands/import/register.ts';

function program(): Command {
  const root = new Command('byok').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerImportCommand(root);
  for (const command of root.commands) {
    command.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  }
  return root;
}

describe('byok import options', () => {
  it.each([
    ['90d', 90],
    ['1', 1],
    ['365d', 365],
  ])('reads --valid-for %s as %i days', (text, days) => {
    // Act
    const parsed = parseValidFor(text);

    // Assess
    expect(parsed).toBe(days);
  });

  it.each(['0d', '366d', '12h', 'soon'])('refuses --valid-for %s', (text) => {
    // Act
    const parse = () => parseValidFor(text);

    // Assess
    expect(parse).toThrow('expected whole days 1..365');
  });

  it('builds the execution input from the options, with noExpiry only for --no-expiry', () => {
    // Act
    const withExpiry = executionInputFrom({
      keyId: 'k',
      hsmKey: 'payments',
      validFor: 30,
      expiry: true,
      reason: 'test',
    });
    const withoutExpiry = executionInputFrom({
      keyId: 'k',
      expiry: false,
      wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
    });

    // Assess
    expect(withExpiry).toEqual({ keyId: 'k', hsmKeyLabel: 'payments', validForDays: 30, reason: 'test' });
    expect(withoutExpiry).toEqual({ keyId: 'k', noExpiry: true, wrappingAlgorithm: 'RSAES_OAEP_SHA_256' });
  });

  it.each([
    [['--valid-for', '30d', '--no-expiry'], "cannot be used with option '--no-expiry'"],
    [['--valid-for', '30d', '--valid-to', '2027-06-30T00:00:00Z'], "cannot be used with option '--valid-to"],
    [['--wrapping-algorithm', 'RSAES_PKCS1_V1_5'], 'Allowed choices are'],
    [['--valid-to', '2027-06-30'], 'expected an ISO 8601 date and time'],
  ])('refuses %j before doing anything', async (args, message) => {
    // Act
    const act = program().parseAsync(['node', 'byok', 'import', '--key-id', 'k', ...args]);

    // Assess
    await expect(act).rejects.toBeInstanceOf(CommanderError);
    await expect(act).rejects.toThrow(message);
  });
});

describe('byok import options, any string (fast-check, seeded)', () => {
  const settings = {
    numRuns: Number(process.env.BYOK_FUZZ_RUNS ?? 300),
    seed: Number(process.env.BYOK_FUZZ_SEED ?? 13),
  };

  /** The options commander hands the action for these arguments, or the refusal. */
  async function parsed(args: string[]): Promise<ImportOptions | Error> {
    const root = program();
    let captured: ImportOptions | undefined;
    root.commands
      .find((command) => command.name() === 'import')
      ?.action((options: ImportOptions) => {
        captured = options;
      });
    try {
      await root.parseAsync(['node', 'byok', 'import', '--key-id', 'k', ...args]);
      return captured as ImportOptions;
    } catch (error) {
      return error as Error;
    }
  }

  it('takes --hsm-key only if the label reaches the execution input exactly as typed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 140 }), fc.constantFrom('', ' ', 'a ', ' a', 'a\tb', 'pay\u001b')),
        async (text) => {
          const options = await parsed(['--hsm-key', text]);
          if (options instanceof Error) return;
          expect(executionInputFrom(options).hsmKeyLabel).toBe(text);
        },
      ),
      settings,
    );
    expect(await parsed(['--hsm-key', ''])).toBeInstanceOf(Error);
  });

  it('takes --valid-to only if the instant it yields is the one typed, field for field', async () => {
    const dates = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc
        .tuple(
          fc.integer({ min: 2026, max: 2028 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
        )
        .map(
          ([year, month, day]) =>
            `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T12:00:00Z`,
        ),
    );
    await fc.assert(
      fc.asyncProperty(dates, async (text) => {
        const options = await parsed(['--valid-to', text]);
        if (options instanceof Error) return;
        const validTo = executionInputFrom(options).validTo as string;
        // Z-dated input: the instant written back in UTC has the typed fields (no rollover).
        if (text.endsWith('Z')) expect(validTo.slice(0, 19)).toBe(text.slice(0, 19));
        expect(new Date(validTo).getTime()).toBe(new Date(text).getTime());
      }),
      settings,
    );
  });
});
