// Issue 17: Ctrl-C during `byok import` says what KMS holds now (here: the material reached KMS
// but was not verified) and the command that finishes it, exits 130, and records the interrupted
// run in the import-runs record that `byok status` and the console list. Every run is recorded.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { locateImportRunRecord } from '../../../src/onprem/import-runs/locate.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
let token: TestToken;
let server: LocalUpProcess;
let endpoint: string;

beforeAll(async () => {
  token = await createTestToken('nss', { keys: [{ label: 'aes-interrupt', type: 'AES_256' }] });
  await token.hsm?.close();
  server = spawnLocalUp(['--port', '0', '--memory'], { BYOK_HOME: token.byokHome });
  endpoint = await server.url;
});

afterAll(async () => {
  await server?.stop();
  await token?.cleanup();
});

function importRun(keyId: string, interruptIn?: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [byok, 'import', '--endpoint', endpoint, '--key-id', keyId, '--valid-for', '30d'],
      {
        env: { ...process.env, BYOK_HOME: token.byokHome },
      },
    );
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (interruptIn && !sent && stderr.includes(interruptIn)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('byok import interrupted', () => {
  it('says the material reached KMS unverified, how to finish, exits 130 and records the run', async () => {
    // Prepare: VerifyImport's Encrypt is slow, so the run is interrupted while verifying
    const kms = createKmsClient({ endpoint });
    const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'aes-interrupt' });
    await fetch(`${endpoint}/_byok/faults`, {
      method: 'POST',
      body: JSON.stringify({ faults: [{ operation: 'Encrypt', latencyMs: 4000 }] }),
    });

    // Act
    const interrupted = await importRun(keyId, 'VerifyImport');
    await fetch(`${endpoint}/_byok/faults`, { method: 'DELETE' });
    const status = await new Promise<string>((resolve) => {
      execFile(process.execPath, [byok, 'status', '--endpoint', endpoint, '--json'], (_error, stdout) =>
        resolve(stdout),
      );
    });
    const finished = await importRun(keyId);
    const record = await locateImportRunRecord({ endpoint });
    const runs = (await record?.list({ keyId })) ?? [];
    record?.close();
    kms.destroy();

    // Assess
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('interrupted by SIGINT in VerifyImport');
    expect(interrupted.stderr).toContain(`key ${keyId}: UNVERIFIED`);
    expect(interrupted.stderr).toContain(
      `next: run the import again to import and verify it: byok import --key-id ${keyId} --endpoint ${endpoint}`,
    );
    const shown = (JSON.parse(status) as { keys: { keyId: string; lastRun: unknown }[] }).keys.find(
      (key) => key.keyId === keyId,
    );
    expect(shown?.lastRun).toMatchObject({
      result: 'FAILED',
      error: 'interrupted by SIGINT, KMS unverified',
    });
    expect(finished.code, finished.stderr).toBe(0);
    expect(runs.map((run) => run.outcome)).toEqual(['SUCCEEDED', 'INTERRUPTED']);
    expect(runs[1]).toMatchObject({
      keyId,
      target: endpoint,
      outcome: 'INTERRUPTED',
      error: 'SIGINT',
      kms: 'unverified',
      lastState: 'VerifyImport',
    });
    expect(runs[0]).toMatchObject({ outcome: 'SUCCEEDED', kms: 'changed' });
  }, 90_000);
});
