import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { executionInputFrom, parseValidFor } from '../../../../../src/cli/commands/import/options.ts';
import { registerImportCommand } from '../../../../../src/cli/commands/import/register.ts';

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
