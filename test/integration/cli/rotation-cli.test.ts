// `byok rotate`, `byok approvals`, `byok approve` and `byok reject` as a user runs them: the real
// binary in its own process against a local world's stack (the approvals API found through
// /_byok/approvals), each identity taken from AWS_ACCESS_KEY_ID, refusals as one named line.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arnOf, type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/byok.js');
let world: RotationWorld;

function byok(accessKeyId: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('BYOK_') && !name.startsWith('AWS_')),
    );
    execFile(
      process.execPath,
      [BIN, ...args, '--endpoint', world.stack.url],
      {
        env: {
          ...clean,
          AWS_ACCESS_KEY_ID: accessKeyId,
          AWS_SECRET_ACCESS_KEY: `${accessKeyId}-secret`,
          AWS_REGION: 'us-east-1',
        },
      },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  world = await startRotationWorld();
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('the approvals commands', () => {
  it('rotate prints the request id; approvals lists it; approve and reject vote; refusals are one named line', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'cli-key', approvalsRequired: 1 });

    // Act
    const rotate = await byok('alice', ['rotate', '--key-id', keyId, '--reason', 'yearly', '--json']);
    const { requestId } = JSON.parse(rotate.stdout) as { requestId: string };
    const pending = await world.waitForStatus(requestId, 'PENDING');
    const listed = await byok('bob', ['approvals', '--json']);
    const table = await byok('bob', ['approvals']);
    const self = await byok('alice', ['approve', requestId, '--reason', 'mine']);
    const unknown = await byok('bob', ['approve', '00000000-0000-4000-8000-000000000000', '--reason', 'x']);
    const approved = await byok('bob', ['approve', requestId, '--reason', 'checked the KCV']);
    const twice = await byok('bob', ['approve', requestId, '--reason', 'again']);
    const ended = await byok('carol', ['reject', requestId, '--reason', 'late']);
    const execution = await world.waitForExecution(pending.executionArn as string);
    const notManaged = await byok('alice', [
      'rotate',
      '--key-id',
      '11111111-2222-3333-4444-555555555555',
      '--reason',
      'x',
    ]);

    // Assess
    expect(rotate.code).toBe(0);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const open = JSON.parse(listed.stdout) as Array<{
      requestId: string;
      requester: string;
      checkValue: string;
    }>;
    expect(open.find((request) => request.requestId === requestId)).toMatchObject({
      requester: arnOf('alice'),
      checkValue: pending.checkValue,
    });
    expect(table.stdout).toContain(requestId);
    expect(table.stdout).toContain(pending.checkValue);
    expect(table.stdout).toContain('0/1');
    expect([self.code, self.stderr.split('\n')[0]]).toEqual([
      1,
      expect.stringMatching(/^byok: SelfApprovalError: /),
    ]);
    expect(unknown.stderr).toMatch(/^byok: ApprovalRequestNotFoundError: /);
    // The API's hint, completed to run where this call went, runs as printed.
    expect(unknown.stderr).toContain(
      `hint: list the pending requests with: byok approvals --endpoint ${world.stack.url}\n`,
    );
    const printed = await byok('bob', ['approvals', '--endpoint', world.stack.url]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(approved.stdout).toContain('approved');
    expect(twice.stderr).toMatch(/^byok: RequestEndedError: /);
    expect(ended.stderr).toMatch(/^byok: RequestEndedError: /);
    expect(notManaged.stderr).toMatch(/^byok: KeyNotEligibleError: /);
    for (const run of [self, unknown, twice, ended, notManaged]) expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(execution.status).toBe('SUCCEEDED');
  }, 180_000);

  it('a second vote by the same identity is DuplicateVoteError, and reject ends the request', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'cli-key-2', approvalsRequired: 2 });
    const rotate = await byok('alice', ['rotate', '--key-id', keyId, '--reason', 'yearly']);
    const requestId = rotate.stdout.trim();
    const pending = await world.waitForStatus(requestId, 'PENDING');

    // Act
    const first = await byok('bob', ['approve', requestId, '--reason', 'ok']);
    const duplicate = await byok('bob', ['approve', requestId, '--reason', 'ok again']);
    const rejected = await byok('carol', ['reject', requestId, '--reason', 'not now', '--json']);
    const execution = await world.waitForExecution(pending.executionArn as string);

    // Assess
    expect(rotate.stderr).toContain(`rotation requested by ${arnOf('alice')}`);
    expect(first.stdout).toContain('vote recorded (1/2 approvals)');
    expect(duplicate.stderr).toMatch(/^byok: DuplicateVoteError: /);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ outcome: 'rejected' });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'ApprovalRejectedError' });
  }, 180_000);

  it('rotate --wait follows the request until the approval, then exits 0', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'cli-key-3' });

    // Act
    const waiting = byok('alice', [
      'rotate',
      '--key-id',
      keyId,
      '--reason',
      'yearly',
      '--wait',
      '--json',
      '--poll-interval',
      '100',
    ]);
    let requestId: string | undefined;
    while (!requestId) {
      const { requests } = await world.as('observer').listRequests();
      requestId = requests.find(
        (request) => request.keyId === keyId && request.status === 'PENDING',
      )?.requestId;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await world.as('bob').vote(requestId, { decision: 'approve', reason: 'ok' });
    const done = await waiting;

    // Assess
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ requestId, request: { status: 'APPROVED' } });
  }, 180_000);
});
