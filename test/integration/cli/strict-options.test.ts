// Every user-given value is parsed strictly, by the real CLI process: a date that does not exist
// or an empty value where one is required is refused by the option's name before anything runs
// (issue 13: `--valid-to 2027-02-30T00:00:00Z` imported with ValidTo 2027-03-02 and
// `--hsm-key ""` silently fell back to the tag's label, both exiting 0).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
// An empty BYOK_HOME: if a value slipped through, the command would go on to look for a token.
const home = mkdtempSync(join(tmpdir(), 'byok-strict-'));

async function cli(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [byok, ...args], {
      env: { ...process.env, BYOK_HOME: home, BYOK_DEBUG: '', AWS_REGION: 'us-east-1' },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('strict option parsing (real CLI process)', () => {
  it.each([
    [
      ['import', '--key-id', KEY, '--valid-to', '2027-02-30T00:00:00Z'],
      "--valid-to <iso>' argument '2027-02-30T00:00:00Z' is invalid. 2027-02-30 does not exist",
    ],
    [['import', '--key-id', KEY, '--hsm-key', ''], "--hsm-key <label>' argument '' is invalid. is empty"],
    [['import', '--key-id', KEY, '--hsm-key', 'pay '], 'starts or ends with whitespace'],
    [['import', '--key-id', KEY, '--reason', ''], "--reason <text>' argument '' is invalid. is empty"],
    [['import', '--key-id', '', '--no-expiry'], "--key-id <id>' argument '' is invalid. is empty"],
    [['import', '--key-id', KEY, '--region', ''], "--region <region>' argument '' is invalid"],
    [
      ['start', '--key-id', KEY, '--valid-to', '2027-04-31T00:00:00Z'],
      "--valid-to <iso>' argument '2027-04-31T00:00:00Z' is invalid. 2027-04-31 does not exist",
    ],
    [['start', '--key-id', KEY, '--hsm-key-label', ''], "--hsm-key-label <label>' argument '' is invalid"],
    [['start', '--key-id', KEY, '--name', 'two words'], "--name <name>' argument 'two words' is invalid"],
    [['start', '--key-id', KEY, '--poll-interval', '1e3'], "--poll-interval <ms>' argument '1e3' is invalid"],
    [
      ['start', '--key-id', KEY, '--state-machine-arn', ''],
      "--state-machine-arn <arn>' argument '' is invalid",
    ],
    [['hsm', 'create-key', '--label', '', '--type', 'AES_256'], "--label <label>' argument '' is invalid"],
    [
      ['hsm', 'import-key', '--label', 'k', '--type', 'AES_256', '--file', ''],
      "--file <file>' argument '' is invalid",
    ],
    [['local', 'up', '--port', ''], "--port <n>' argument '' is invalid"],
    [['local', 'up', '--state-dir', ''], "--state-dir <dir>' argument '' is invalid"],
    [['local', 'clock', 'set', '2027-02-29T00:00:00Z'], '2027-02-29 does not exist'],
    [['local', 'clock', 'show', '--endpoint', ''], "--endpoint <url>' argument '' is invalid"],
    [['status', '--region', ''], "--region <region>' argument '' is invalid"],
    [['status', '--profile', ''], "--profile <name>' argument '' is invalid"],
    [['status', '--output', 'yaml'], "--output <format>' argument 'yaml' is invalid. expected table or json"],
    [
      ['import', '--key-id', KEY, '--json', '--output', 'table'],
      "option '--json' cannot be used with option '--output table'",
    ],
    [
      ['start', '--key-id', KEY, '--hsm-key', 'a', '--hsm-key-label', 'b'],
      "option '--hsm-key-label <label>' cannot be used with option '--hsm-key <label>'",
    ],
    [['simulate', '--days', ''], "--days <n>' argument '' is invalid"],
    [
      ['import', '--key-id', KEY, '--hsm-key', 'pay\u001b[2K\rforged'],
      'byok: UnprintableOptionValueError: an option value must be printable text (no control or bidirectional-override characters): "pay\\u{001b}[2K\\u{000d}forged"',
    ],
  ])('byok %j is refused by name', async (args, problem) => {
    // Act
    const result = await cli(args);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(problem);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain('\u001b');
  });
});
