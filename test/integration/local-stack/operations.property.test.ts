// Issue 17 acceptance: random sequences of clock advances (across the daily sweep), rotations left
// pending, approved or rejected, imports, restarts (a pending rotation must still wait after one)
// and rule firings on the local stack (composed as `byok
// local up` composes it: rules start executions through the Step Functions API). Every operation
// returns within a bound, and at the end every material of the key is imported and the key Enabled.
// The world keeps its state in a state dir (as `byok local up` does), and a scenario restarts it
// with a rotation waiting for its vote: the rotation is still waiting after the restart, the vote
// completes it, and its history survives (issue 17, "approvals, votes and execution histories
// persisted in the state directory and reloaded").
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
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
let dir: string;

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
  | { kind: 'import' }
  | { kind: 'restart' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 30 }) }),
  fc.record({
    kind: fc.constant('rotate' as const),
    decision: fc.constantFrom('pending' as const, 'approve' as const, 'reject' as const),
  }),
  fc.record({ kind: fc.constant('import' as const) }),
  fc.record({ kind: fc.constant('restart' as const) }),
);

/** The rules start their executions through the Step Functions API, as `byok local up` wires them. */
function wireRuleTargets(): void {
  world.stack.events.bus.addTargetHandler(createStepFunctionsApiTargetHandler(world.stepFunctions.service));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-operations-'));
  world = await startRotationWorld({ stateDir: join(dir, 'local') });
  wireRuleTargets();
  keyId = await world.newImportedKey({ hsmKeyLabel: 'property-key', approvalsRequired: 1 });
}, 120_000);

afterAll(async () => {
  await world?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function historyOf(executionArn: string): Promise<HistoryEvent[]> {
  return (
    (await world.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? []
  );
}

async function apply(
  op: Operation,
  pending: string[],
  counts: { restarts: number; waitingAcrossRestarts: number },
): Promise<void> {
  if (op.kind === 'restart') {
    // The stack stops and starts again on its state dir (as `byok local up` restarted): a rotation
    // waiting for its vote is still waiting (nothing lost), and the rules fire as before.
    await within('restart', world.restart());
    wireRuleTargets();
    counts.restarts += 1;
    for (const requestId of pending) {
      const request = await world.waitForStatus(requestId, 'PENDING');
      const described = await world.sfn.send(
        new DescribeExecutionCommand({ executionArn: request.executionArn as string }),
      );
      expect(described.status).toBe('RUNNING');
      counts.waitingAcrossRestarts += 1;
    }
    return;
  }
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
    'random advances, rotations (pending, approved, rejected), imports, restarts and rule firings',
    async () => {
      const counts = { runs: 0, operations: 0, restarts: 0, waitingAcrossRestarts: 0 };
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 6 }), async (operations) => {
          counts.runs += 1;
          const pending: string[] = [];
          for (const op of operations) {
            counts.operations += 1;
            await apply(op, pending, counts);
          }
          // Close what this run left open, so the next one starts from a quiet key.
          for (const requestId of pending.splice(0))
            await apply({ kind: 'rotate', decision: 'reject' }, [requestId], counts);
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

describe('a restart of the local stack with a rotation waiting for its vote', () => {
  it('keeps the rotation waiting over two quick restarts (token sealed on disk); the vote after them completes it; its history survives the next restart', async () => {
    // Prepare
    const asked = await world.as('alice').requestRotation({ keyId, reason: 'restart' });
    const pending = await world.waitForStatus(asked.request.requestId, 'PENDING');
    const executionArn = pending.executionArn as string;
    const before = await historyOf(executionArn);
    const token = world.tasks.resumableTasks(executionArn)[0]?.token as string;
    const journal = join(dir, 'local', 'stepfunctions');
    const kept = await Promise.all(
      (await readdir(journal)).map((file) => readFile(join(journal, file), 'utf8')),
    );

    // Act: two restarts in a row (the second before the resumed run is back in its state)
    await world.restart();
    await world.restart();
    wireRuleTargets();
    const afterRestart = await world.sfn.send(new DescribeExecutionCommand({ executionArn }));
    await world.as('bob').vote(asked.request.requestId, { decision: 'approve', reason: 'after restart' });
    const ended = await world.waitForExecution(executionArn);
    const history = await historyOf(executionArn);
    await world.restart();
    wireRuleTargets();
    const described = await world.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const historyAfter = await historyOf(executionArn);
    const listed = await world.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: described.stateMachineArn as string }),
    );

    // Assess
    expect(token).toMatch(/^byok1\./);
    expect(kept.join('\n')).toContain('"sealedToken"');
    expect(kept.join('\n')).not.toContain(token);
    expect(afterRestart.status).toBe('RUNNING');
    expect(ended.status).toBe('SUCCEEDED');
    const rotations = await world.kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    for (const material of rotations.Rotations ?? []) expect(material.ImportState).toBe('IMPORTED');
    expect(rotations.Rotations?.some((material) => material.KeyMaterialState === 'CURRENT')).toBe(true);
    // One history: what happened before the restart, then the rest, numbered on.
    expect(history.slice(0, before.length)).toEqual(before);
    expect(history.filter((event) => event.type === 'ExecutionStarted')).toHaveLength(1);
    expect(
      history.filter(
        (event) =>
          event.type === 'TaskStateEntered' && event.stateEnteredEventDetails?.name === 'AwaitApproval',
      ),
    ).toHaveLength(1);
    expect(history.map((event) => event.id)).toEqual(history.map((_, index) => index + 1));
    expect(history.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(described.status).toBe('SUCCEEDED');
    expect(described.output).toBe(ended.output);
    expect(historyAfter).toEqual(history);
    expect(listed.executions?.map((execution) => execution.executionArn)).toContain(executionArn);
  }, 60_000);
});
