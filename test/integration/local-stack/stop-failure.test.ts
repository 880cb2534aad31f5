// `byok local up` stopped while it cannot write its state must not say it saved it: it said
// "stopping (state saved in …)" before saving, and "stopped" with exit 0 even after "stop failed".
// Here an import waits in its activity state (no worker) when SIGTERM comes, so the stack must
// journal it, and the journal's folder has been replaced by a file: the write fails. The stack now
// stops every other part anyway, names what could not be stopped, says the state may be incomplete,
// and exits 1.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

let local: LocalUpProcess | undefined;
let stateDir: string | undefined;

afterAll(async () => {
  if (local && local.child.exitCode === null && local.child.signalCode === null) local.child.kill('SIGKILL');
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('byok local up stopping when its state cannot be written', () => {
  it('names what could not be stopped, never says the state was saved, and exits 1', async () => {
    // Prepare: an import waiting in WrapKeyMaterial for a worker that never comes.
    stateDir = await mkdtemp(join(tmpdir(), 'byok-stop-failure-'));
    local = spawnLocalUp(['--port', '0', '--state-dir', stateDir, '--hsm-placement', 'activity']);
    let stderr = '';
    local.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((done) => local?.child.once('exit', (code) => done(code)));
    const url = await local.url;
    const kms = createKmsClient({ endpoint: url });
    const sfn = createSfnClient({ endpoint: url });
    const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'stop-failure' });
    const machine = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines?.find(
      (candidate) => candidate.name === 'import-key-material',
    );
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machine?.stateMachineArn,
        input: JSON.stringify({ keyId }),
      }),
    );
    for (let tries = 0; tries < 100; tries += 1) {
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      if (history.events?.some((event) => event.stateEnteredEventDetails?.name === 'WrapKeyMaterial')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    kms.destroy();
    sfn.destroy();
    await rm(join(stateDir, 'stepfunctions'), { recursive: true, force: true });
    await writeFile(join(stateDir, 'stepfunctions'), 'not a folder');

    // Act
    local.child.kill('SIGTERM');
    const code = await exited;

    // Assess
    expect(stderr).toContain(`SIGTERM, stopping (saving the state in ${stateDir})`);
    expect(stderr).toMatch(
      /could not stop the Step Functions API \(running executions kept or failed\): \w+/,
    );
    expect(stderr).toContain(`stopped with 1 error(s); the state in ${stateDir} may be incomplete`);
    expect(stderr).not.toContain('state saved');
    expect(code).toBe(1);
  }, 30_000);
});
