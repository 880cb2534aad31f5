// Issue 17: a sweep that could not read some managed keys (KMS kept throttling ListKeyRotations)
// ends with the named outcome PARTIAL in its output and its event, counting and naming those keys,
// never a plain success with due 0; `byok status` and the console's Keys page show that last sweep and why.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepReport } from '../../../src/core/sweep/contracts.ts';
import { createConsoleBackend } from '../../../src/onprem/console/backend.ts';
import { readKeys } from '../../../src/onprem/console/keys.ts';
import { lastSweepWords } from '../../../src/onprem/console/ui/key-status.ts';
import { type SweepWorld, startSweepWorld } from '../../../src/onprem/simulation/local-world.ts';

const run = promisify(execFile);
let world: SweepWorld;
const keyIds: string[] = [];

beforeAll(async () => {
  world = await startSweepWorld({ disabledRules: ['reimport-sweep'] });
  for (let i = 0; i < 3; i++) {
    const keyId = await world.createManagedKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      validForDays: 90,
      hsmKeyLabel: `partial-${i}`,
    });
    const imported = await world.importKey(keyId);
    if (imported.status !== 'SUCCEEDED') throw new Error(`initial import failed: ${imported.cause}`);
    keyIds.push(keyId);
  }
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

async function injectFaults(faults: unknown[]): Promise<void> {
  const response = await fetch(`${world.stack.url}/_byok/faults`, {
    method: 'POST',
    body: JSON.stringify({ faults }),
  });
  expect(response.ok).toBe(true);
}

describe('a sweep that cannot read every key', () => {
  it('reports PARTIAL with the unread keys and why, in its output and its event, and byok status shows it', async () => {
    // Prepare: KMS throttles every ListKeyRotations (the SDK's retries and the sweep give up)
    await injectFaults([
      { operation: 'ListKeyRotations', exception: 'ThrottlingException', message: 'Rate exceeded' },
    ]);

    // Act
    const sweep = await world.runSweep();
    await injectFaults([]);
    const { stdout } = await run('node', ['bin/byok.js', 'status', '--endpoint', world.stack.url, '--json']);
    const { stdout: table } = await run('node', ['bin/byok.js', 'status', '--endpoint', world.stack.url]);

    // Assess
    const report = sweep.output as SweepReport;
    expect(sweep.status).toBe('SUCCEEDED');
    expect(report).toMatchObject({
      due: 0,
      outcome: 'PARTIAL',
      unread: 3,
      outcomeReason: '3 keys could not be read (ThrottlingException)',
    });
    expect(report.skipped.map((key) => key.keyId).sort()).toEqual([...keyIds].sort());
    const event = sweep.publishedEvents.find((each) => each.detailType === 'byok Reimport Sweep Completed');
    expect(event?.detail).toMatchObject({ outcome: 'PARTIAL', unread: 3 });
    const status = JSON.parse(stdout) as { lastSweep?: Record<string, unknown> };
    expect(status.lastSweep).toMatchObject({
      outcome: 'PARTIAL',
      unread: 3,
      outcomeReason: '3 keys could not be read (ThrottlingException)',
    });
    expect(table).toContain('last sweep');
    expect(table).toContain('PARTIAL: 3 keys could not be read (ThrottlingException)');
  });

  it("shows that PARTIAL sweep on the console's Keys page as a warning, never as fine", async () => {
    // Prepare: the console's own backend against this stack (what GET /api/keys serves).
    const backend = createConsoleBackend({ endpoint: world.stack.url });

    // Act
    const view = await readKeys(backend, 14).finally(() => backend.close());
    const words = lastSweepWords(view.lastSweep);

    // Assess
    expect(view.lastSweep).toMatchObject({ outcome: 'PARTIAL', unread: 3 });
    expect(words.tone).toBe('warn');
    expect(words.text).toContain('PARTIAL: 3 keys could not be read (ThrottlingException)');
  });
});
