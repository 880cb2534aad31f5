// Issue 17: with a rotation waiting days for its approval, the daily sweep's rule must not make the
// virtual clock wait for that rotation. The rule's target waits only for the execution it started,
// and not for a task token or an activity: `clock advance 20h` then `clock advance 1h` both return.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStepFunctionsApiTargetHandler } from '../../../src/onprem/runner/state-machine-targets.ts';
import { type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

const HOUR = 3_600_000;
let world: RotationWorld;

/** Rejects when `work` takes longer than `ms` (the stall the issue reports never ends). */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not return within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  world = await startRotationWorld();
  // As `byok local up` composes it: byok's rules start their executions through the API.
  world.stack.events.bus.addTargetHandler(createStepFunctionsApiTargetHandler(world.stepFunctions.service));
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('the local stack never stalls on a pending approval', () => {
  it('advances 20h then 1h past the daily sweep while a rotation waits for its vote, then completes it when approved', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'stall-key', approvalsRequired: 1 });
    const { request } = await world.as('alice').requestRotation({ keyId, reason: 'yearly' });
    const pending = await world.waitForStatus(request.requestId, 'PENDING');

    // Act
    await within(20_000, 'clock advance 20h', world.stack.clock.advance(20 * HOUR));
    await within(20_000, 'clock advance 1h', world.stack.clock.advance(HOUR));
    await world.as('bob').vote(request.requestId, { decision: 'approve', reason: 'checked' });
    const execution = await within(
      30_000,
      'the approved rotation',
      world.waitForExecution(pending.executionArn as string),
    );
    await within(20_000, 'clock advance 1h after the rotation', world.stack.clock.advance(HOUR));

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
  });
});
