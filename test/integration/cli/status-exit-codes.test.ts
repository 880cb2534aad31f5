// `byok status` as cron and monitoring use it (issue 19: it exited 0 while a key had NO MATERIAL):
// the real CLI against the local stack, the virtual clock moved through one key's life with no
// sweep to rescue it. Exit 0 while all is well, 2 once its material is due within the lead window
// and no reimport has succeeded, 0 again after a successful reimport, 3 once material has expired
// or a managed key has none; 4 while a managed key cannot be read (nothing known of it). The codes are documented in docs/scheduling.md and `byok status --help`.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG_MANAGED, TAG_VALID_FOR_DAYS } from '../../../src/core/import/tags.ts';
import { runExecution } from '../../../src/onprem/runner/run-execution.ts';
import { type SweepWorld, startSweepWorld } from '../../../src/onprem/simulation/local-world.ts';

const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
const DAY = 86_400_000;
let world: SweepWorld;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function status(...args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [byok, 'status', '--endpoint', world.stack.url, ...args],
      { env: { ...process.env, BYOK_DEBUG: '' }, timeout: 60_000 },
      (error, stdout, stderr) =>
        done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  world = await startSweepWorld({ disabledRules: ['reimport-sweep', 'reimport-on-expiration'] });
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('byok status exit codes', () => {
  let shortLived: string;

  it('exits 0 when every managed key holds material that is not due', async () => {
    // Prepare
    const healthy = await world.createManagedKey({
      keySpec: 'HMAC_256',
      validForDays: 365,
      hsmKeyLabel: 'healthy',
    });
    shortLived = await world.createManagedKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      validForDays: 30,
      hsmKeyLabel: 'short-lived',
    });
    await world.importKey(healthy);
    await world.importKey(shortLived);

    // Act
    const result = await status();

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(shortLived);
    expect(result.stderr).toBe('');
  });

  it('exits 2 when material is due within the lead window and no reimport has succeeded since', async () => {
    // Prepare: 30-day material, 14-day window: due from day 16.
    await world.clock.advance(20 * DAY);

    // Act
    const table = await status();
    const json = await status('--output', 'json');

    // Assess
    expect(table.code).toBe(2);
    expect(table.stderr).toContain(`${shortLived}: material expires at`);
    expect(table.stderr).toContain('exit 2');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      exitCode: 2,
      problems: [{ keyId: shortLived, problem: 'due-without-reimport' }],
    });
  });

  it('exits 0 again once the due key was reimported successfully', async () => {
    // Prepare: the import workflow run again, as the sweep or `byok import` would run it.
    const reimported = await runExecution({
      stateMachine: 'import-key-material',
      name: `reimport-${shortLived}`,
      input: { keyId: shortLived, reason: 'due' },
      deps: world.deps,
    });

    // Act
    const result = await status();

    // Assess
    expect(reimported.status).toBe('SUCCEEDED');
    expect(result.code, result.stderr).toBe(0);
  });

  it('exits 4, not 0, while a managed key cannot be read, and names it', async () => {
    // Prepare: a managed key whose byok:valid-for-days tag no import can read; every other key is well.
    const unreadable = await world.createManagedKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      validForDays: 30,
      hsmKeyLabel: 'unreadable-tag',
    });
    await world.deps.kms.send(
      new TagResourceCommand({
        KeyId: unreadable,
        Tags: [{ TagKey: TAG_VALID_FOR_DAYS, TagValue: 'ninety' }],
      }),
    );

    // Act
    const table = await status();
    const json = await status('--json');
    // No longer managed: the later cases see only their own keys.
    await world.deps.kms.send(new UntagResourceCommand({ KeyId: unreadable, TagKeys: [TAG_MANAGED] }));

    // Assess
    expect(table.code, table.stderr).toBe(4);
    expect(table.stdout).toContain(`${unreadable}: could not be read: InvalidKeyTagError`);
    expect(table.stderr).toContain(`${unreadable}: could not be read (InvalidKeyTagError`);
    expect(table.stderr).toContain('exit 4');
    expect(JSON.parse(json.stdout)).toMatchObject({
      exitCode: 4,
      problems: [{ keyId: unreadable, problem: 'unreadable' }],
    });
  });

  it('exits 3 once the material has expired and KMS holds none', async () => {
    // Prepare: past the reimported material's 30 days, with no sweep.
    await world.clock.advance(31 * DAY);

    // Act
    const result = await status('--json');

    // Assess
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({
      exitCode: 3,
      problems: [{ keyId: shortLived, problem: expect.stringMatching(/^(no-material|expired)$/) }],
    });
  });

  it('exits 3 for a managed key that never got material, before the due keys', async () => {
    // Prepare
    const never = await world.createManagedKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      validForDays: 30,
      hsmKeyLabel: 'never-imported',
    });

    // Act
    const result = await status('--output', 'json');

    // Assess
    expect(result.code).toBe(3);
    const problems = (JSON.parse(result.stdout) as { problems: { keyId: string; problem: string }[] })
      .problems;
    expect(problems).toContainEqual(expect.objectContaining({ keyId: never, problem: 'no-material' }));
  });

  it('exits 1, as every byok command, when it could not check at all', async () => {
    // Act
    const result = await new Promise<CliResult>((done) => {
      execFile(
        process.execPath,
        [byok, 'status', '--endpoint', 'http://127.0.0.1:9'],
        { env: { ...process.env, BYOK_DEBUG: '' } },
        (error, stdout, stderr) =>
          done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^byok: \w+Error: /);
  });
});
