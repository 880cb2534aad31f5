// The shared options (issue 19): one set of names for every command, the old names still accepted
// as aliases that reach the action under the new name, --json as a synonym of --output json, and
// each conflict refused by commander by name before anything runs.
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { addAwsOptions, addOutputOptions } from '../../../../src/onprem/cli/aws-options.ts';
import { addImportRequestOptions } from '../../../../src/onprem/cli/import-request-options.ts';

/** A command declared with the shared helpers; resolves with the options its action received. */
async function parse(args: string[]): Promise<Record<string, unknown>> {
  let received: Record<string, unknown> = {};
  const program = new Command('byok').exitOverride().configureOutput({ writeErr: () => undefined });
  const command = program
    .command('try')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined })
    .action((options: Record<string, unknown>) => {
      received = options;
    });
  addImportRequestOptions(command);
  addAwsOptions(command);
  addOutputOptions(command);
  await program.parseAsync(['try', ...args], { from: 'user' });
  return Object.fromEntries(Object.entries(received).filter(([, value]) => value !== undefined));
}

describe('shared option names and their aliases', () => {
  it.each([
    [['--hsm-key', 'payments'], { hsmKey: 'payments' }],
    [['--hsm-key-label', 'payments'], { hsmKey: 'payments' }],
    [['--valid-for', '90d'], { validFor: 90 }],
    [['--valid-for', '90'], { validFor: 90 }],
    [['--valid-for-days', '90'], { validFor: 90 }],
    [['--endpoint-url', 'http://127.0.0.1:4599'], { endpoint: 'http://127.0.0.1:4599' }],
    [['--profile', 'bank-prod', '--region', 'eu-west-1'], { profile: 'bank-prod', region: 'eu-west-1' }],
    [[], { output: 'table' }],
    [['--output', 'json'], { output: 'json' }],
    [['--json'], { output: 'json' }],
    [['--json', '--output', 'json'], { output: 'json' }],
  ])('byok try %j gives the action %j', async (args, expected) => {
    // Act
    const options = await parse(args);

    // Assess
    expect(options).toMatchObject(expected);
    expect(options).not.toHaveProperty('hsmKeyLabel');
    expect(options).not.toHaveProperty('validForDays');
    expect(options).not.toHaveProperty('endpointUrl');
  });

  it.each([
    [
      ['--hsm-key', 'a', '--hsm-key-label', 'b'],
      "option '--hsm-key-label <label>' cannot be used with option '--hsm-key <label>'",
    ],
    [
      ['--valid-for-days', '9', '--no-expiry'],
      "option '--valid-for-days <days>' cannot be used with option '--no-expiry'",
    ],
    [
      ['--valid-for-days', '9', '--valid-to', '2027-06-30T00:00:00Z'],
      "option '--valid-for-days <days>' cannot be used with option '--valid-to <iso>'",
    ],
    [
      ['--valid-for-days', '0'],
      "option '--valid-for-days <days>' argument '0' is invalid. expected whole days 1..365",
    ],
    [['--json', '--output', 'table'], "option '--json' cannot be used with option '--output table'"],
    [['--output', 'yaml'], "argument 'yaml' is invalid. expected table or json"],
    [['--profile', ' bank'], "option '--profile <name>' argument ' bank' is invalid"],
    [['--region', 'Europe'], "option '--region <region>' argument 'Europe' is invalid"],
  ])('byok try %j is refused: %s', async (args, message) => {
    // Act
    const parsing = parse(args);

    // Assess
    await expect(parsing).rejects.toThrow(CommanderError);
    await expect(parsing).rejects.toThrow(message);
  });

  it('lists each old name in --help as an alias of the new one', () => {
    // Prepare
    const command = new Command('try');
    addImportRequestOptions(command);
    addAwsOptions(command);
    addOutputOptions(command);

    // Act
    const help = command.helpInformation();

    // Assess
    expect(help).toMatch(/--hsm-key-label <label>\s+old name of --hsm-key, still accepted/);
    expect(help).toMatch(/--valid-for-days <days>\s+old name of --valid-for, still accepted/);
    expect(help).toMatch(/--endpoint-url <url>\s+the AWS CLI name of --endpoint/);
    expect(help).toMatch(/--json\s+same as --output json/);
  });
});
