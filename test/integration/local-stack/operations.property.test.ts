// Issue 17 acceptance: random sequences of clock advances (across the daily sweep), rotations left
// pending, approved or rejected, imports and rule firings on the local stack (composed as `byok
// local up` composes it: rules start executions through the Step Functions API). Every operation
// returns within a bound, and at the end every material of the key is imported and the key Enabled.
// Restarts are covered by test/integration/local-stack/state-dir.test.ts and bench/reliability.ts.
import { DescribeKeyCommand, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExecution } from '../../../src/onprem/runner/run-execution.ts';
import { createStepFunctionsApiTargetHandler } from '../../../src/onprem/runner/state-machine-targets.ts';
import { fuzzParameters, fuzzTimeoutMs, reportFuzz } from '../../helpers/fuzz.ts';
import { type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

const HOUR = 3_600_000;
const BOUND_MS = 30_000;
let world: RotationWorld;
let keyId: string;

function within<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not return within ${BOUND_MS} ms`)), BOUND_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

type Operation =
  | { kind: 'advance'; hours: number }
  | { kind: 'rotate'; decision: 'pending' | 'approve' | 'reject' }
  | { kind: 'import' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 30 }) }),
  fc.record({
    kind: fc.constant('rotate' as const),
    decision: fc.constantFrom('pending' as const, 'approve' as const, 'reject' as const),
  }),
  fc.record({ kind: fc.constant('import' as const) }),
);

beforeAll(async () => {
  world = await startRotationWorld();
  world.stack.events.bus.addTargetHandler(createStepFunctionsApiTargetHandler(world.stepFunctions.service));
  keyId = await world.newImportedKey({ hsmKeyLabel: 'property-key', approvalsRequired: 1 });
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

async function apply(op: Operation, pending: string[]): Promise<void> {
  if (op.kind === 'advance') {
    await within(`clock advance ${op.hours}h`, world.stack.clock.advance(op.hours * HOUR));
    return;
  }
  if (op.kind === 'import') {
    const result = await within(
      'import',
      runExecution({ stateMachine: 'import-key-material', input: { keyId }, deps: world.deps }),
    );
    // A rotation in progress may hold the key's materials (KeyMaterialNotIdentifiedError is a named
    // refusal, not a stall); anything else must succeed.
    if (result.status !== 'SUCCEEDED') expect(result.error).toMatch(/Error$|Exception$/);
    return;
  }
  if (pending.length > 0 && op.decision !== 'pending') {
    // Decide the oldest pending request instead of opening another one (one rotation at a time).
    const requestId = pending.shift() as string;
    const request = await world.waitForStatus(requestId, 'PENDING');
    await within('vote', world.as('bob').vote(requestId, { decision: op.decision, reason: 'property' }));
    const ended = await within('the rotation', world.waitForExecution(request.executionArn as string));
    expect(ended.status).toBe(op.decision === 'approve' ? 'SUCCEEDED' : 'FAILED');
    return;
  }
  if (pending.length > 0) return;
  const asked = await within('rotate', world.as('alice').requestRotation({ keyId, reason: 'property' }));
  await within('the request opening', world.waitForStatus(asked.request.requestId, 'PENDING'));
  pending.push(asked.request.requestId);
}

describe('operations on the local stack never stall and keep every material imported', () => {
  it(
    'random advances, rotations (pending, approved, rejected), imports and rule firings',
    async () => {
      const counts = { runs: 0, operations: 0 };
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 6 }), async (operations) => {
          counts.runs += 1;
          const pending: string[] = [];
          for (const op of operations) {
            counts.operations += 1;
            await apply(op, pending);
          }
          // Close what this run left open, so the next one starts from a quiet key.
          for (const requestId of pending.splice(0))
            await apply({ kind: 'rotate', decision: 'reject' }, [requestId]);
          const rotations = await world.kms.send(
            new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
          );
          const described = await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
          expect(described.KeyMetadata?.KeyState).toBe('Enabled');
          for (const material of rotations.Rotations ?? []) expect(material.ImportState).toBe('IMPORTED');
        }),
        fuzzParameters({ bounded: 4, long: 40 }),
      );
      reportFuzz('local-stack operations', counts);
    },
    fuzzTimeoutMs(600_000),
  );
});
