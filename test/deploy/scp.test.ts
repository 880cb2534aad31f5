// The service control policy shipped as defence in depth (deploy/scp/byok-guardrails.json,
// docs/bindings.md), judged by iam-simulate as an SCP of the account: byok:* tags on KMS keys only by
// byok's administrators (role or Identity Center permission set) and deployer, while other tags stay
// free; the bindings table written only by them; byok-* roles changed only by the deployer. Each
// denial is shown allowed without the SCP.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../deploy/package-service.ts';
import { evaluate, explain, type NamedPolicy, type PolicyDocument } from './support/iam-evaluation.ts';
import { ACCOUNT, defaultKeyPolicy, keyArn } from './support/iam-subjects.ts';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string | string[];
  Condition: Record<string, Record<string, string[]>>;
}

const document = JSON.parse(readFileSync(join(repoRoot, 'deploy/scp/byok-guardrails.json'), 'utf8')) as {
  Version: string;
  Statement: Statement[];
};
const scp: NamedPolicy = { name: 'byok-guardrails', document: document as unknown as PolicyDocument };
const bySid = (sid: string) => document.Statement.find((statement) => statement.Sid === sid) as Statement;
const fullAccess: NamedPolicy = {
  name: 'FullAWSAccess',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};
const kmsAdmin: NamedPolicy = {
  name: 'kms-admin',
  document: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['kms:TagResource', 'kms:UntagResource'], Resource: '*' }],
  },
};
const ADMINISTRATOR = `arn:aws:iam::${ACCOUNT}:role/byok-administrator`;
const SSO_ADMINISTRATOR = `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_ByokAdministrator_0123456789abcdef/alice`;
const SOMEONE = `arn:aws:iam::${ACCOUNT}:role/app-team`;

function request(principal: string, action: string, tagKeys: string[], withScp: boolean) {
  return {
    principal,
    action,
    resource: keyArn(),
    resourceAccount: ACCOUNT,
    context: {
      'aws:TagKeys': tagKeys,
      'aws:PrincipalArn': principal.replace(
        /^arn:aws:sts::(\d+):assumed-role\/([^/]+)\/.*$/,
        'arn:aws:iam::$1:role/aws-reserved/sso.amazonaws.com/eu-west-1/$2',
      ),
    },
    resourcePolicy: defaultKeyPolicy(ACCOUNT),
    serviceControlPolicies: withScp ? [fullAccess, scp] : [fullAccess],
  };
}

describe('the guardrails SCP (deploy/scp/byok-guardrails.json)', () => {
  it('only denies (an SCP never grants), in the current policy language', () => {
    // Assess
    expect(document.Version).toBe('2012-10-17');
    expect(document.Statement.map((statement) => statement.Effect)).toEqual(['Deny', 'Deny', 'Deny', 'Deny']);
  });

  it.each([
    ['kms:TagResource', ['byok:managed']],
    ['kms:TagResource', ['owner', 'byok:hsm-key-label']],
    ['kms:UntagResource', ['byok:managed']],
  ])(
    'denies %s of %j to anyone but byok administrators, which the SCP alone decides',
    async (action, tagKeys) => {
      // Act
      const denied = await evaluate(request(SOMEONE, action, tagKeys, true), [kmsAdmin]);
      const withoutScp = await evaluate(request(SOMEONE, action, tagKeys, false), [kmsAdmin]);

      // Assess
      expect(denied.decision, explain(request(SOMEONE, action, tagKeys, true), [kmsAdmin], denied)).toBe(
        'ExplicitlyDenied',
      );
      expect(withoutScp.decision).toBe('Allowed');
    },
  );

  it.each([
    ['the byok administrator role', ADMINISTRATOR, ['byok:managed']],
    ['a byok administrator through IAM Identity Center', SSO_ADMINISTRATOR, ['byok:managed']],
    ['anyone, for tags that are not byok:*', SOMEONE, ['owner', 'cost-centre']],
  ])('allows %s', async (_who, principal, tagKeys) => {
    // Act
    const judgement = await evaluate(request(principal, 'kms:TagResource', tagKeys, true), [kmsAdmin]);

    // Assess
    expect(
      judgement.decision,
      explain(request(principal, 'kms:TagResource', tagKeys, true), [kmsAdmin], judgement),
    ).toBe('Allowed');
  });

  it('covers creating and replicating keys with byok:* tags, not only tagging', () => {
    // Assess
    expect(bySid('ByokTagsOnlyByByokAndItsAdministrators').Action.sort()).toEqual([
      'kms:CreateKey',
      'kms:ReplicateKey',
      'kms:TagResource',
      'kms:UntagResource',
    ]);
  });

  it('denies every write path into the bindings table to everyone but the administrators and the deployer', () => {
    // Prepare
    const statement = bySid('BindingsOnlyByAdministrators');

    // Assess
    for (const action of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:PartiQLInsert',
      'dynamodb:PartiQLUpdate',
      'dynamodb:PartiQLDelete',
      'dynamodb:PutResourcePolicy',
      'dynamodb:DeleteResourcePolicy',
      'dynamodb:RestoreTableToPointInTime',
    ]) {
      expect(statement.Action).toContain(action);
    }
    expect(statement.Resource).toBe('arn:aws:dynamodb:*:*:table/byok-*-bindings');
    expect(statement.Condition.ArnNotLike?.['aws:PrincipalArn']).not.toContain('arn:aws:iam::*:role/byok-*');
  });

  // docs/security.md, "Account principals": a principal who takes a wrap task before the worker
  // answers it with a blob of its own bytes, which the workflow then imports (hsmPlacement=activity).
  const WRAP_ACTIVITY = `arn:aws:states:eu-west-1:${ACCOUNT}:activity:byok-prod-wrap-key-material`;
  const WORKER = `arn:aws:iam::${ACCOUNT}:role/byok-worker`;
  const stepFunctionsUser: NamedPolicy = {
    name: 'step-functions-user',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'states:GetActivityTask', Resource: '*' }],
    },
  };
  const activityRequest = (principal: string, resource: string, withScp: boolean) => ({
    principal,
    action: 'states:GetActivityTask',
    resource,
    resourceAccount: ACCOUNT,
    context: { 'aws:PrincipalArn': principal },
    serviceControlPolicies: withScp ? [fullAccess, scp] : [fullAccess],
  });

  it.each([
    ['the wrap activity', WRAP_ACTIVITY],
    [
      'the rotation material activity',
      WRAP_ACTIVITY.replace('wrap-key-material', 'create-rotation-material'),
    ],
  ])(
    'denies taking tasks of %s to anyone but the worker, which the SCP alone decides',
    async (_which, resource) => {
      // Act
      const denied = await evaluate(activityRequest(SOMEONE, resource, true), [stepFunctionsUser]);
      const withoutScp = await evaluate(activityRequest(SOMEONE, resource, false), [stepFunctionsUser]);
      const worker = await evaluate(activityRequest(WORKER, resource, true), [stepFunctionsUser]);

      // Assess
      expect(
        denied.decision,
        explain(activityRequest(SOMEONE, resource, true), [stepFunctionsUser], denied),
      ).toBe('ExplicitlyDenied');
      expect(withoutScp.decision).toBe('Allowed');
      expect(worker.decision).toBe('Allowed');
    },
  );

  it("leaves other teams' activities alone", async () => {
    // Act
    const other = `arn:aws:states:eu-west-1:${ACCOUNT}:activity:payments-approve`;
    const judgement = await evaluate(activityRequest(SOMEONE, other, true), [stepFunctionsUser]);

    // Assess
    expect(judgement.decision).toBe('Allowed');
  });

  it('keeps the exempted role names to the deployer', () => {
    // Prepare
    const statement = bySid('ByokRoleNamesOnlyByTheDeployer');

    // Assess
    expect(statement.Action).toEqual(
      expect.arrayContaining(['iam:CreateRole', 'iam:UpdateAssumeRolePolicy']),
    );
    expect(statement.Resource).toEqual(['arn:aws:iam::*:role/byok-*']);
    expect(statement.Condition.ArnNotLike).toEqual({
      'aws:PrincipalArn': ['arn:aws:iam::*:role/byok-deployer'],
    });
  });
});
