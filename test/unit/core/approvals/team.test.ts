// Issue 16 item 5: approvals count people, not principal strings. The team definition names each
// member with the principal patterns that authenticate them; patterns that let the caller choose
// who they are (a role's every session, a wildcard or unenforced session name) are refused.
import { describe, expect, it } from 'vitest';
import {
  AmbiguousApproverError,
  ApprovalTeamInvalidError,
  NotATeamMemberError,
} from '../../../../src/core/approvals/errors.ts';
import { parseApprovalTeam } from '../../../../src/core/approvals/team.ts';

const ACCOUNT = '111122223333';
const ALICE_USER = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ALICE_SSO = `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_KeyApprover_0123abcd/alice`;
const OPS = `arn:aws:iam::${ACCOUNT}:role/Ops`;

const team = () =>
  parseApprovalTeam({
    enforcedSessionNameRoles: [OPS],
    approvalsRequired: 2,
    members: [
      {
        name: 'alice',
        principals: [
          ALICE_USER,
          `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_*/alice`,
          `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/alice`,
        ],
      },
      { name: 'bob', principals: [`arn:aws:iam::${ACCOUNT}:user/bob`] },
      {
        name: 'carol',
        principals: [`arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_KeyApprover_0123abcd/carol`],
      },
    ],
  });

describe('the approval team', () => {
  it('names one member for her IAM user, her Identity Center session and her enforced role session', () => {
    // Prepare
    const approvalTeam = team();

    // Act
    const members = [ALICE_USER, ALICE_SSO, `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/alice`].map((arn) =>
      approvalTeam.memberOf(arn),
    );

    // Assess
    expect(members).toEqual(['alice', 'alice', 'alice']);
    expect(approvalTeam.approvalsRequired).toBe(2);
  });

  it.each([
    ['a session name the caller chose', `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/alice-2`],
    ['an unknown IAM user', `arn:aws:iam::${ACCOUNT}:user/mallory`],
    ['another account', 'arn:aws:iam::444455556666:user/alice'],
    [
      'an Identity Center session of another user',
      `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_X_1/alic`,
    ],
    ['a role that is not enforced', `arn:aws:sts::${ACCOUNT}:assumed-role/Dev/alice`],
  ])('refuses %s (NotATeamMemberError)', (_case, arn) => {
    // Prepare
    const approvalTeam = team();

    // Act
    const act = () => approvalTeam.memberOf(arn);

    // Assess
    expect(act).toThrow(NotATeamMemberError);
  });

  it('refuses a caller that matches several members (AmbiguousApproverError) rather than guess', () => {
    // Prepare
    const approvalTeam = parseApprovalTeam({
      members: [
        { name: 'alice', principals: [`arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_*/alice`] },
        { name: 'alice2', principals: [`arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_*/alice`] },
      ],
    });

    // Act
    const act = () =>
      approvalTeam.memberOf(`arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_9/alice`);

    // Assess
    expect(act).toThrow(AmbiguousApproverError);
  });

  it.each([
    ['a role ARN (every session)', OPS, /role ARN/],
    ['a wildcard session name', `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/*`, /wildcard session name/],
    [
      'a session of a role whose session name is free',
      `arn:aws:sts::${ACCOUNT}:assumed-role/Dev/alice`,
      /enforcedSessionNameRoles/,
    ],
    [
      'a wildcard role that is not Identity Center',
      `arn:aws:sts::${ACCOUNT}:assumed-role/Op*/alice`,
      /wildcard role/,
    ],
    ['text that is no principal', 'alice', /not an IAM user ARN/],
  ])('refuses %s in the definition (ApprovalTeamInvalidError)', (_case, principal, message) => {
    // Prepare
    const definition = {
      members: [
        { name: 'alice', principals: [principal] },
        { name: 'bob', principals: [`arn:aws:iam::${ACCOUNT}:user/bob`] },
      ],
    };

    // Act
    const act = () => parseApprovalTeam(definition, 'team.json');

    // Assess
    expect(act).toThrow(ApprovalTeamInvalidError);
    expect(act).toThrow(message);
    expect(act).toThrow(/team\.json/);
  });

  it.each([
    ['an unknown field', { members: [{ name: 'a', principals: [ALICE_USER] }], admins: [] }],
    [
      'a member twice',
      {
        members: [
          { name: 'a', principals: [ALICE_USER] },
          { name: 'a', principals: [`arn:aws:iam::${ACCOUNT}:user/x`] },
        ],
      },
    ],
    [
      'one principal for two members',
      {
        members: [
          { name: 'a', principals: [ALICE_USER] },
          { name: 'b', principals: [ALICE_USER] },
        ],
      },
    ],
    [
      'more approvals than members can give',
      {
        approvalsRequired: 2,
        members: [
          { name: 'a', principals: [ALICE_USER] },
          { name: 'b', principals: [`arn:aws:iam::${ACCOUNT}:user/b`] },
        ],
      },
    ],
    ['a name that is not a person', { members: [{ name: '', principals: [ALICE_USER] }] }],
    ['no members', { members: [] }],
  ])('refuses %s (ApprovalTeamInvalidError)', (_case, definition) => {
    // Act
    const act = () => parseApprovalTeam(definition);

    // Assess
    expect(act).toThrow(ApprovalTeamInvalidError);
  });
});
