// `byok status` names the last sweep as it ended: after a sweep whose execution FAILED, it said
// "last sweep <the one before>: COMPLETE" (it read the newest SUCCEEDED execution only), so a
// broken sweep looked like yesterday's good one. The real CLI against `byok local up`, whose
// Step Functions API runs the sweep state machine.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeExecutionCommand,
  ListStateMachinesCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSfnClient } from '../../../src/core/aws/clients.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';

const run = promisify(execFile);
const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
let local: LocalUpProcess;
let url: string;
let sfn: SFNClient;

async function sweep(input: unknown): Promise<string | undefined> {
  const machine = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines?.find(
    (candidate) => candidate.name === 'reimport-expiring-keys',
  );
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: machine?.stateMachineArn, input: JSON.stringify(input) }),
  );
  for (let tries = 0; tries < 200; tries += 1) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described.status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 'RUNNING';
}

async function status(): Promise<{ stdout: string; lastSweep: { outcome: string; outcomeReason: string } }> {
  const table = await run(process.execPath, [byok, 'status', '--endpoint', url]);
  const json = await run(process.execPath, [byok, 'status', '--endpoint', url, '--json']);
  return { stdout: table.stdout, lastSweep: JSON.parse(json.stdout).lastSweep };
}

beforeAll(async () => {
  // Its HSM steps as activities: no token is needed to sweep an account without due keys.
  local = spawnLocalUp(['--port', '0', '--memory', '--hsm-placement', 'activity']);
  url = await local.url;
  sfn = createSfnClient({ endpoint: url });
}, 60_000);

afterAll(async () => {
  sfn?.destroy();
  await local?.stop();
});

describe('byok status and the last sweep', () => {
  it('shows a sweep that failed as FAILED, not the complete one before it', async () => {
    // Prepare: a sweep that completes (no managed keys), then one that fails (input it refuses).
    const good = await sweep({});
    const before = await status();
    const bad = await sweep({ leadWindowDays: 'fourteen' });

    // Act
    const after = await status();

    // Assess
    expect([good, bad]).toEqual(['SUCCEEDED', 'FAILED']);
    expect(before.lastSweep.outcome).toBe('COMPLETE');
    expect(after.lastSweep).toMatchObject({
      outcome: 'FAILED',
      outcomeReason: expect.stringMatching(/^the sweep's execution ended FAILED \(\w+/),
    });
    expect(after.stdout).toMatch(/last sweep \S+: FAILED: the sweep's execution ended FAILED/);
    expect(after.stdout).not.toContain('COMPLETE');
  }, 30_000);
});
