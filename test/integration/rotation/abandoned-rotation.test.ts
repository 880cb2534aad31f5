// Issue 9 acceptance 2: a rejection, a timeout (the virtual clock past the deadline) and a failure
// after the new material was imported but before RotateKeyOnDemand leave nothing permanent in KMS
// (the pending material deleted by its KeyMaterialId), destroy the HSM key made for the rotation,
// close the request, and publish an event naming the outcome. Real HTTP, real token, real ASL.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { DescribeKeyCommand, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalsApiError } from '../../../src/core/approvals/client.ts';
import { HsmKeyNotFoundError } from '../../../src/core/hsm/errors.ts';
import { rotationKeyFacts } from '../../../src/core/rotation/orphan-facts.ts';
import { reportRotationKeys } from '../../../src/core/rotation/orphans.ts';
import { arnOf, type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

let world: RotationWorld;

beforeAll(async () => {
  world = await startRotationWorld();
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

async function materialsOf(keyId: string) {
  const rotations = (
    await world.kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    )
  ).Rotations;
  return (rotations ?? []).map((entry) => ({ id: entry.KeyMaterialId, state: entry.KeyMaterialState }));
}

async function currentMaterial(keyId: string) {
  return (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId;
}

function abandonedEvent(requestId: string) {
  return world.stack.events.bus
    .log({ source: 'byok' })
    .events.find(
      (event) =>
        event['detail-type'] === 'byok Key Material Rotation Abandoned' &&
        (event.detail as { requestId?: string }).requestId === requestId,
    )?.detail;
}

async function hsmKeyGone(label: string): Promise<boolean> {
  try {
    await world.token.hsm?.describeKey(label);
    return false;
  } catch (error) {
    return error instanceof HsmKeyNotFoundError;
  }
}

describe('a rotation that does not happen', () => {
  it('on a rejection: the key is unchanged, the HSM key destroyed, the event says REJECTED', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'rejected-key' });
    const before = await materialsOf(keyId);
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    const pending = await world.waitForStatus(request.requestId, 'PENDING');

    // Act
    const vote = await world.as('carol').vote(request.requestId, { decision: 'reject', reason: 'not now' });
    const execution = await world.waitForExecution(request.executionArn as string);

    // Assess
    expect(vote.outcome).toBe('rejected');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'ApprovalRejectedError' });
    expect(await materialsOf(keyId)).toEqual(before);
    expect(await hsmKeyGone(pending.newMaterialHsmKey as string)).toBe(true);
    expect(abandonedEvent(request.requestId)).toMatchObject({
      outcome: 'REJECTED',
      error: 'ApprovalRejectedError',
      keyId: request.keyArn,
      hsmKeyLabel: pending.newMaterialHsmKey,
    });
    expect((abandonedEvent(request.requestId) as { cause: string }).cause).toContain(arnOf('carol'));
  }, 120_000);

  it('on a timeout: past the deadline on the virtual clock the request is EXPIRED and nothing changed', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'expiring-key' });
    const before = await materialsOf(keyId);
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    const pending = await world.waitForStatus(request.requestId, 'PENDING');

    // Act
    await world.stack.clock.advance(73 * 3_600_000);
    const execution = await world.waitForExecution(request.executionArn as string);
    const late = await world
      .as('dave')
      .vote(request.requestId, { decision: 'approve', reason: 'too late' })
      .then(
        () => undefined,
        (error: { code?: string }) => error.code,
      );

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(await materialsOf(keyId)).toEqual(before);
    expect(await hsmKeyGone(pending.newMaterialHsmKey as string)).toBe(true);
    expect((await world.waitForStatus(request.requestId, 'EXPIRED')).status).toBe('EXPIRED');
    expect(late).toBe('RequestEndedError');
    expect(abandonedEvent(request.requestId)).toMatchObject({ outcome: 'EXPIRED', error: 'States.Timeout' });
  }, 120_000);

  it('on a failure after the import: the pending material is deleted by its id, the key unchanged', async () => {
    // Prepare: RotateKeyOnDemand refuses (after the new material was imported as pending).
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'failing-key' });
    const before = await materialsOf(keyId);
    const current = await currentMaterial(keyId);
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    const pending = await world.waitForStatus(request.requestId, 'PENDING');
    await fetch(`${world.stack.url}/_byok/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        faults: [{ operation: 'RotateKeyOnDemand', exception: 'KMSInvalidStateException', count: 1 }],
      }),
    });

    // Act
    await world.as('erin').vote(request.requestId, { decision: 'approve', reason: 'ok' });
    const execution = await world.waitForExecution(request.executionArn as string);
    await fetch(`${world.stack.url}/_byok/faults`, { method: 'DELETE' });

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'KMSInvalidStateException' });
    const event = abandonedEvent(request.requestId) as {
      deletedKeyMaterialId: string | null;
      outcome: string;
    };
    expect(event.outcome).toBe('FAILED');
    expect(event.deletedKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(await materialsOf(keyId)).toEqual(before);
    expect(await currentMaterial(keyId)).toBe(current);
    expect(await hsmKeyGone(pending.newMaterialHsmKey as string)).toBe(true);
    // The approved request does not stay APPROVED: it records what came of it (issue 22).
    const closed = await world.waitForStatus(request.requestId, 'CANCELLED');
    expect(closed.outcome).toMatchObject({ outcome: 'FAILED', error: 'KMSInvalidStateException' });
  }, 120_000);

  it('abandoned by a stopped execution: `byok hsm list --endpoint` marks its HSM key ORPHAN with the request id; the next rotation destroys it', async () => {
    // Prepare: a rotation stopped while it waits for its vote (no abandon path runs), as one cut
    // off by a stack that stopped before its executions were kept.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'orphaned-key' });
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    const abandoned = await world.waitForStatus(request.requestId, 'PENDING');
    await world.sfn.send(new StopExecutionCommand({ executionArn: abandoned.executionArn as string }));
    const label = abandoned.newMaterialHsmKey as string;
    const facts = rotationKeyFacts(world.approvals.store, world.sfn);
    const hsm = world.token.hsm;
    if (!hsm) throw new Error('the token is not open');

    // Act
    const report = await reportRotationKeys(await hsm.listKeys(), facts);
    const listed = await byokHsmList(['--json']);
    const table = await byokHsmList([]);
    const next = await world.as('requester').requestRotation({ keyId, reason: 'again' });
    const nextPending = await world.waitForStatus(next.request.requestId, 'PENDING');
    const after = await reportRotationKeys(await hsm.listKeys(), facts);

    // Assess
    expect(report.find((entry) => entry.hsmKeyLabel === label)).toMatchObject({
      requestId: request.requestId,
      state: 'orphan',
      reason: 'its rotation ended ABORTED without retiring it',
      keyArn: request.keyArn,
    });
    expect(listed.code).toBe(0);
    const rows = (JSON.parse(listed.stdout) as { keys: Array<{ label: string; rotation?: unknown }> }).keys;
    expect(rows.find((row) => row.label === label)?.rotation).toMatchObject({
      requestId: request.requestId,
      state: 'orphan',
    });
    expect(table.stdout).toContain(`ORPHAN: rotation material of abandoned request ${request.requestId}`);
    expect(await hsmKeyGone(label)).toBe(true);
    expect(after.find((entry) => entry.requestId === request.requestId)).toBeUndefined();
    expect(after.find((entry) => entry.requestId === next.request.requestId)).toMatchObject({
      state: 'in-use',
      hsmKeyLabel: nextPending.newMaterialHsmKey,
    });
    await world.as('carol').vote(next.request.requestId, { decision: 'reject', reason: 'done' });
    await world.waitForExecution(nextPending.executionArn as string);
  }, 120_000);
});

/** `byok hsm list --endpoint <the world's stack>` on the world's token, as a user runs it. */
function byokHsmList(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('BYOK_') && !name.startsWith('AWS_')),
  );
  return new Promise((done) => {
    execFile(
      process.execPath,
      [
        resolve(import.meta.dirname, '../../../bin/byok.js'),
        'hsm',
        'list',
        '--endpoint',
        world.stack.url,
        ...args,
      ],
      {
        env: {
          ...clean,
          BYOK_HOME: world.token.byokHome,
          AWS_ACCESS_KEY_ID: 'auditor',
          AWS_SECRET_ACCESS_KEY: 'auditor-secret',
          AWS_REGION: 'us-east-1',
        },
      },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('a rotation of a key whose HSM key is not bound to it', () => {
  /** A key whose material was imported while bound, then the administrator removed the binding. */
  async function unboundKey(hsmKeyLabel: string): Promise<{ keyId: string; keyArn: string }> {
    const keyId = await world.newImportedKey({ hsmKeyLabel });
    const keyArn = (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
      ?.Arn as string;
    expect(await world.deps.bindings.remove(hsmKeyLabel, keyArn)).toEqual({ removed: true });
    return { keyId, keyArn };
  }

  async function rotationKeysOf(hsmKeyLabel: string): Promise<string[]> {
    const keys = (await world.token.hsm?.listKeys()) ?? [];
    return keys.map((key) => key.label).filter((label) => label.startsWith(`${hsmKeyLabel}-r`));
  }

  it('is refused where it is asked: HsmKeyNotBoundError with the byok bindings add hint, no request recorded', async () => {
    // Prepare
    const { keyId, keyArn } = await unboundKey('unbound-asked');

    // Act
    const refusal = await world
      .as('requester')
      .requestRotation({ keyId, reason: 'rotate' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const { requests } = await world.as('observer').listRequests();

    // Assess
    expect(refusal).toBeInstanceOf(ApprovalsApiError);
    expect(refusal).toMatchObject({ code: 'HsmKeyNotBoundError', status: 400 });
    expect((refusal as ApprovalsApiError).hint).toContain(
      `byok bindings add --hsm-key unbound-asked --key-id ${keyArn}`,
    );
    expect(requests.filter((request) => request.keyArn === keyArn)).toEqual([]);
    expect(await rotationKeysOf('unbound-asked')).toEqual([]);
  }, 60_000);

  it('recorded anyway (the binding removed after the request), is refused in ValidateRotation: no HSM key made, no vote asked', async () => {
    // Prepare: the request as the approvals API records it, its execution as the API starts it.
    const { keyId, keyArn } = await unboundKey('unbound-validated');
    const before = await materialsOf(keyId);
    const request = await world.approvals.store.create({
      keyId,
      keyArn,
      requester: arnOf('requester'),
      reason: 'rotate',
      approvalsRequired: 1,
      deadline: new Date(world.stack.clock.now().getTime() + 72 * 3_600_000),
    });

    // Act
    const { executionArn } = await world.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: `arn:aws:states:${world.stack.region}:${world.stack.accountId}:stateMachine:rotate-key-material`,
        name: request.requestId,
        input: JSON.stringify({ requestId: request.requestId, keyId: keyArn }),
      }),
    );
    // Until it ends or waits for votes (without the early check it waits, its HSM key made).
    let status = 'RUNNING';
    let stored = request;
    for (
      let attempt = 0;
      attempt < 400 && status === 'RUNNING' && stored.status !== 'PENDING';
      attempt += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await world.sfn.send(new DescribeExecutionCommand({ executionArn }))).status ?? 'UNKNOWN';
      stored = await world.approvals.store.get(request.requestId);
    }
    const execution = await world.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const entered = (
      (await world.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? []
    ).flatMap((event) => (event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : []));

    // Assess
    expect(stored.status).not.toBe('PENDING');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'HsmKeyNotBoundError' });
    expect(execution.cause).toContain(`byok bindings add --hsm-key unbound-validated --key-id ${keyArn}`);
    expect(entered).toContain('ValidateRotation');
    expect(entered).not.toContain('CreateRotationMaterial');
    expect(entered).not.toContain('AwaitApproval');
    expect(await rotationKeysOf('unbound-validated')).toEqual([]);
    expect((await world.approvals.store.get(request.requestId)).status).toBe('CANCELLED');
    expect(await materialsOf(keyId)).toEqual(before);
  }, 60_000);
});
