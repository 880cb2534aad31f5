// Issue 16 item 5: approvals by people, not strings, through the real local approvals API over
// HTTP with SigV4 identities. The team file names each member with the principals that
// authenticate them (an IAM user, an IAM Identity Center session, a role whose session name the
// trust policy enforces); locally each access key id stands for a principal (localAccessKeys).
// Also `byok local up --approval-team FILE` in its own process: a valid team serves, an invalid
// one is refused by name before anything starts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalsApiError, ApprovalsClient } from '../../../src/core/approvals/client.ts';
import { parseLocalApprovalTeamFile } from '../../../src/core/approvals/team.ts';
import { spawnLocalUp } from '../../helpers/local-up.ts';
import { type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

const ACCOUNT = '111122223333';
const SSO = (user: string) =>
  `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_KeyApprover_0a1b2c3d/${user}`;
const TEAM = {
  approvalsRequired: 2,
  enforcedSessionNameRoles: [`arn:aws:iam::${ACCOUNT}:role/Ops`],
  members: [
    {
      name: 'alice',
      principals: [
        `arn:aws:iam::${ACCOUNT}:user/alice`,
        `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_*/alice`,
        `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/alice`,
      ],
    },
    { name: 'bob', principals: [`arn:aws:iam::${ACCOUNT}:user/bob`, SSO('bob')] },
    { name: 'carol', principals: [SSO('carol')] },
    // The test helpers read requests as "observer".
    { name: 'observer', principals: [`arn:aws:iam::${ACCOUNT}:user/observer`] },
  ],
  localAccessKeys: {
    'alice-sso': SSO('alice'),
    'alice-ops': `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/alice`,
    'alice-2': `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/alice-2`,
    'bob-sso': SSO('bob'),
    'carol-sso': SSO('carol'),
  },
};

let world: RotationWorld;

beforeAll(async () => {
  const { team, principalFor } = parseLocalApprovalTeamFile(JSON.stringify(TEAM), 'team.json');
  world = await startRotationWorld({ team, principalFor });
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

async function refusal(call: Promise<unknown>): Promise<string | undefined> {
  return call.then(
    () => undefined,
    (error: unknown) => (error instanceof ApprovalsApiError ? error.code : String(error)),
  );
}

describe('an approval team over the local approvals API', () => {
  it('counts members, not principals: alice cannot approve her own request through her Identity Center session', async () => {
    // Prepare: alice asks as her IAM user.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'team-key' });
    const { request } = await world.as('alice').requestRotation({ keyId, reason: 'yearly' });
    await world.waitForStatus(request.requestId, 'PENDING');

    // Act
    const throughSso = await refusal(
      world.as('alice-sso').vote(request.requestId, { decision: 'approve', reason: 'me' }),
    );
    const throughRole = await refusal(
      world.as('alice-ops').vote(request.requestId, { decision: 'approve', reason: 'me' }),
    );
    const chosenSession = await refusal(
      world.as('alice-2').vote(request.requestId, { decision: 'approve', reason: 'me' }),
    );
    const stranger = await refusal(
      world.as('mallory').vote(request.requestId, { decision: 'approve', reason: 'hi' }),
    );
    const strangerReads = await refusal(world.as('mallory').listRequests());
    const bob = await world.as('bob').vote(request.requestId, { decision: 'approve', reason: 'KCV checked' });
    const bobAgain = await refusal(
      world.as('bob-sso').vote(request.requestId, { decision: 'approve', reason: 'again' }),
    );
    const carol = await world.as('carol-sso').vote(request.requestId, { decision: 'approve', reason: 'ok' });
    const execution = await world.waitForExecution(request.executionArn as string);

    // Assess
    expect(request).toMatchObject({ requesterMember: 'alice', approvalsRequired: 2 });
    expect(throughSso).toBe('SelfApprovalError');
    expect(throughRole).toBe('SelfApprovalError');
    expect(chosenSession).toBe('NotATeamMemberError');
    expect(stranger).toBe('NotATeamMemberError');
    expect(strangerReads).toBe('NotATeamMemberError');
    expect(bob.outcome).toBe('recorded');
    expect(bobAgain).toBe('DuplicateVoteError');
    expect(carol.outcome).toBe('approved');
    expect(carol.request.votes.map((vote) => [vote.identity, vote.principal])).toEqual([
      ['bob', `arn:aws:iam::${ACCOUNT}:user/bob`],
      ['carol', SSO('carol')],
    ]);
    expect(execution.status).toBe('SUCCEEDED');
  }, 120_000);

  it('refuses a request from someone who is no member (NotATeamMemberError)', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'team-stranger' });

    // Act
    const refused = await refusal(world.as('alice-2').requestRotation({ keyId, reason: 'x' }));

    // Assess
    expect(refused).toBe('NotATeamMemberError');
  }, 60_000);
});

describe('byok local up --approval-team FILE', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'byok-team-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the team: a member reads, an unknown principal is refused by name', async () => {
    // Prepare
    const file = join(dir, 'team.json');
    await writeFile(file, JSON.stringify(TEAM));
    const server = spawnLocalUp(['--port', '0', '--memory', '--approval-team', file]);
    try {
      const endpoint = await server.url;
      const advertised = (await (await fetch(`${endpoint}/_byok/approvals`)).json()) as { url: string };
      const client = (accessKeyId: string) =>
        new ApprovalsClient({
          endpoint: advertised.url,
          region: 'us-east-1',
          credentials: { accessKeyId, secretAccessKey: `${accessKeyId}-secret` },
        });

      // Act
      const listed = await client('carol-sso').listRequests();
      const refused = await refusal(client('mallory').listRequests());

      // Assess
      expect(listed.requests).toEqual([]);
      expect(refused).toBe('NotATeamMemberError');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);

  it('refuses a team whose role pattern lets the caller choose the session name (ApprovalTeamInvalidError)', async () => {
    // Prepare
    const file = join(dir, 'free-session.json');
    await writeFile(
      file,
      JSON.stringify({
        members: [
          { name: 'alice', principals: [`arn:aws:sts::${ACCOUNT}:assumed-role/Dev/alice`] },
          { name: 'bob', principals: [`arn:aws:iam::${ACCOUNT}:user/bob`] },
        ],
      }),
    );

    // Act
    const server = spawnLocalUp(['--port', '0', '--memory', '--approval-team', file]);
    const started = await server.url.then(
      () => 'started',
      (error: Error) => error.message,
    );
    const code = await server.stop();

    // Assess
    expect(started).toContain('ApprovalTeamInvalidError');
    expect(started).toContain('enforcedSessionNameRoles');
    expect(code).not.toBe(0);
  }, 60_000);
});
