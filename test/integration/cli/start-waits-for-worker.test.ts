// `byok start` against a stack whose HSM step is an activity (`byok local up --hsm-placement
// activity`) with no `byok worker` running: the execution waits in WrapKeyMaterial for a worker to
// take the task. Following it said only "> WrapKeyMaterial" and then nothing; it now says what it
// waits for (a byok worker beside the HSM, which activity, the command to start one) and how long
// until the state gives up. Ctrl-C then stops following, says the execution goes on, exit 130.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
let local: LocalUpProcess;
let url: string;

beforeAll(async () => {
  local = spawnLocalUp(['--port', '0', '--memory', '--hsm-placement', 'activity']);
  url = await local.url;
}, 60_000);

afterAll(async () => {
  await local?.stop();
});

describe('byok start while no worker takes the activity', () => {
  it('says it waits for a byok worker, which activity and for how long; Ctrl-C stops following', async () => {
    // Prepare
    const kms = createKmsClient({ endpoint: url });
    const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'no-worker' });
    kms.destroy();
    const child = spawn(
      process.execPath,
      [byok, 'start', '--endpoint', url, '--key-id', keyId, '--poll-interval', '100'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BYOK_DEBUG: '' } },
    );
    let stderr = '';
    const waiting = new Promise<void>((seen, failed) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('waits for a byok worker')) seen();
      });
      child.once('exit', () => failed(new Error(`byok start exited first: ${stderr}`)));
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

    // Act
    let code: number | null;
    try {
      await waiting;
      child.kill('SIGINT');
      code = await exited;
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }

    // Assess
    expect(stderr).toMatch(
      new RegExp(
        `… WrapKeyMaterial waits for a byok worker beside the HSM to take its task from arn:aws:states:[^ ]+:activity:[^ ]*wrap-key-material \\(none running\\? start one: byok worker --endpoint ${url}\\); if no worker answers within 120 s the state fails with States.Timeout`,
      ),
    );
    expect(stderr).toContain('SIGINT: stopped following; the execution continues in Step Functions');
    expect(code).toBe(130);
  }, 20_000);
});
