// Every wait has a deadline (operations must never stall): the real CLI pointed at an endpoint that
// accepts connections and never answers (a stalled stack, a black-holed proxy) ends by itself,
// exit 1, with a named error saying what did not answer. Before, `byok start` and `byok bindings`
// waited forever: the SDK clients had no deadline (and @smithy's requestTimeout alone only logs a
// warning), the local bindings store's fetch none at all. BYOK_AWS_REQUEST_TIMEOUT_MS shortens the
// per-attempt deadline (default 60 s) so that this file runs in seconds.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SilentServer, startSilentServer } from '../../helpers/silent-server.ts';

const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

let silent: SilentServer;
let endpoint: string;
let home: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(...args: string[]): Promise<CliResult> {
  const started = performance.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [byok, ...args],
      {
        env: { ...process.env, BYOK_DEBUG: '', BYOK_HOME: home, BYOK_AWS_REQUEST_TIMEOUT_MS: '300' },
        timeout: 20_000,
      },
      (error, stdout, stderr) =>
        done({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
          ms: performance.now() - started,
        }),
    );
  });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'byok-no-answer-'));
  silent = await startSilentServer();
  endpoint = silent.endpoint;
});

afterAll(async () => {
  await silent?.close();
  await rm(home, { recursive: true, force: true });
});

describe('an endpoint that never answers', () => {
  it('byok start ends with StepFunctionsUnreachableError, not a wait without end', async () => {
    // Act
    const result = await run('start', '--key-id', KEY_ID, '--endpoint', endpoint);

    // Assess
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^byok: StepFunctionsUnreachableError: the Step Functions API at ${endpoint} did not answer in time`,
        'm',
      ),
    );
    expect(result.stderr).not.toContain('[WARN]');
    expect(result.ms).toBeLessThan(15_000);
  }, 25_000);

  it('byok fleet targets ends with NoAnswerError naming the deadline', async () => {
    // Prepare
    const targets = join(home, 'targets.json');
    await writeFile(targets, JSON.stringify({ regions: ['us-east-1'], accounts: ['111122223333'] }));

    // Act
    const result = await run('fleet', 'targets', '--targets', targets, '--endpoint', endpoint);

    // Assess
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^byok: NoAnswerError: no answer in time: .*300 ms/m);
    expect(result.stderr).toContain('BYOK_AWS_REQUEST_TIMEOUT_MS');
  }, 25_000);

  it('byok bindings list ends with BindingsStoreUnavailableError saying it did not answer', async () => {
    // Act
    const result = await run('bindings', 'list', '--endpoint', endpoint);

    // Assess
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(
      `byok: BindingsStoreUnavailableError: the local stack at ${endpoint} did not answer within 300 ms`,
    );
  }, 25_000);
});
