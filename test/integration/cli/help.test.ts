// The real `byok` process, as a newcomer meets it: every command explains itself with --help (the
// main ones with examples), and bad input ends in one named error line, exit 1, no stack trace
// and no AWS SDK notice on stderr.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../../bin/byok.js');
let byokHome: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function byok(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, BYOK_HOME: byokHome, BYOK_DEBUG: '' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  byokHome = await mkdtemp(join(tmpdir(), 'byok-cli-help-'));
});

afterAll(async () => {
  await rm(byokHome, { recursive: true, force: true });
});

describe('byok --help', () => {
  it('lists every command with a one-line summary', async () => {
    // Act
    const run = await byok('--help');

    // Assess
    expect(run.code).toBe(0);
    for (const command of ['local', 'hsm', 'import', 'demo', 'start', 'status', 'simulate', 'worker']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    expect(run.stderr).toBe('');
  });

  it.each([
    ['import'],
    ['demo'],
    ['local', 'up'],
    ['hsm', 'init'],
    ['simulate'],
    ['start'],
    ['status'],
    ['worker'],
  ])('shows examples for byok %s', async (...command) => {
    // Act
    const run = await byok(...command, '--help');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Examples?:\n {2}byok /);
    expect(run.stderr).toBe('');
  });
});

describe('the same options everywhere (issue 19)', () => {
  const AWS_FACING = [
    ['import'],
    ['start'],
    ['status'],
    ['console'],
    ['worker'],
    ['rotate'],
    ['approvals'],
    ['approve'],
    ['reject'],
  ];
  const PRINTING = [
    ['import'],
    ['start'],
    ['status'],
    ['hsm', 'list'],
    ['simulate'],
    ['rotate'],
    ['approvals'],
    ['approve'],
    ['reject'],
  ];

  it.each(AWS_FACING)(
    'byok %s takes --region, --profile and --endpoint (alias --endpoint-url)',
    async (...command) => {
      // Act
      const run = await byok(...command, '--help');

      // Assess
      expect(run.code).toBe(0);
      for (const option of [
        '--region <region>',
        '--profile <name>',
        '--endpoint <url>',
        '--endpoint-url <url>',
      ]) {
        expect(run.stdout).toContain(option);
      }
    },
  );

  it.each(PRINTING)('byok %s takes --output json|table and --json as its synonym', async (...command) => {
    // Act
    const run = await byok(...command, '--help');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--output <format> +table or json/);
    expect(run.stdout).toMatch(/--json +same as --output json/);
  });

  it('byok import and byok start take one set of import options, the old names listed as aliases', async () => {
    // Act
    const importHelp = await byok('import', '--help');
    const startHelp = await byok('start', '--help');

    // Assess
    const importOptions = (help: string) =>
      [
        ...help.matchAll(
          /^ {2}(--(?:hsm-key|valid-for|valid-to|no-expiry|wrapping|reason)[^ ]*(?: <[a-z-]+>)?)/gm,
        ),
      ].map((match) => match[1]);
    expect(importOptions(importHelp.stdout)).toEqual([
      '--hsm-key <label>',
      '--hsm-key-label <label>',
      '--valid-for <days>',
      '--valid-for-days <days>',
      '--valid-to <iso>',
      '--no-expiry',
      '--wrapping-algorithm <algorithm>',
      '--wrapping-key-spec <spec>',
      '--reason <text>',
    ]);
    expect(importOptions(startHelp.stdout)).toEqual(importOptions(importHelp.stdout));
    expect(startHelp.stdout).toMatch(/--hsm-key-label <label> +old name of --hsm-key, still accepted/);
    expect(startHelp.stdout).toMatch(/--valid-for-days <days> +old name of --valid-for, still accepted/);
  });

  it('byok status --help documents its exit codes', async () => {
    // Act
    const run = await byok('status', '--help');

    // Assess
    expect(run.stdout).toMatch(
      /Exit codes[^\n]*\n {2}0 .*\n {2}1 .*\n {2}2 .*lead window.*\n {2}3 .*no material/,
    );
  });
});

describe('bad input', () => {
  it.each([
    [['import'], "error: required option '--key-id <id>' not specified"],
    [['import', '--key-id', 'k', '--valid-for', '2y'], 'expected whole days 1..365, e.g. 90d'],
    [['import', '--key-id', 'k', '--valid-to', 'tomorrow'], 'expected an ISO 8601 date and time'],
    [['start', '--key-id', 'k', '--valid-to', '2027-06-30'], 'expected an ISO 8601 date and time'],
    [['import', '--key-id', 'k', '--wrapping-algorithm', 'RSA_OAEP'], 'Allowed choices are'],
    [['import', '--key-id', 'k', '--endpoint', 'notaurl'], 'expected a URL such as http://127.0.0.1:4599'],
    [['local', 'clock', 'advance', '3x'], "byok: InvalidDurationError: '3x' is not a duration"],
    [['local', 'clock', 'set', 'nope'], 'expected an ISO 8601 date and time, e.g. 2027-06-30T00:00:00Z'],
  ])('byok %j fails with one named line', async (args, expected) => {
    // Act
    const run = await byok(...args);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toContain(expected);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
    expect(run.stdout).toBe('');
  });

  it('names an endpoint where nothing answers, with a hint and no SDK notice', async () => {
    // Prepare
    const token = await byok('hsm', 'init');

    // Act
    const run = await byok(
      'import',
      '--endpoint',
      'http://127.0.0.1:9',
      '--key-id',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
    );

    // Assess
    expect(token.code).toBe(0);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^byok: LocalEndpointUnreachableError: nothing answers at http:\/\/127\.0\.0\.1:9\n/,
    );
    expect(run.stderr).toMatch(/\nhint: .*byok local up/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain('NodeVersionSupportWarning');
  });

  it('names a Step Functions endpoint where nothing answers, without the SDK Node version notice', async () => {
    // Act: the SDK client sends (and would print its notice) before the connection fails
    const run = await byok(
      'start',
      '--endpoint',
      'http://127.0.0.1:9',
      '--key-id',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
    );

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'byok: StepFunctionsUnreachableError: no Step Functions API answers at http://127.0.0.1:9\n' +
        'hint: start the local stack with: byok local up\n',
    );
  });

  it('still prints the SDK notice when the user asked for it', async () => {
    // Prepare
    const previous = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'false';

    // Act
    const run = await byok(
      'start',
      '--endpoint',
      'http://127.0.0.1:9',
      '--key-id',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
    ).finally(() => {
      if (previous === undefined) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
      else process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = previous;
    });

    // Assess: the SDK warns only below Node 22
    const sdkWarnsHere = Number(process.versions.node.split('.')[0]) < 22;
    expect(run.code).toBe(1);
    expect(run.stderr.includes(`You are running node ${process.version}`)).toBe(sdkWarnsHere);
    expect(run.stderr).toContain('byok: StepFunctionsUnreachableError');
  });
});
