// The optional service control policy deploy/scp/byok-tags.json, judged by iam-simulate as an SCP of
// the account: nobody but byok's administrator roles may set or remove byok:* tags on a KMS key
// (which decide what byok imports where), while other tags stay free. Each denial is shown
// allowed without the SCP.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../deploy/package-service.ts';
import { evaluate, explain, type NamedPolicy, type PolicyDocument } from './support/iam-evaluation.ts';
import { ACCOUNT, defaultKeyPolicy, keyArn } from './support/iam-subjects.ts';

const scp: NamedPolicy = {
  name: 'byok-tags',
  document: JSON.parse(readFileSync(join(repoRoot, 'deploy/scp/byok-tags.json'), 'utf8')) as PolicyDocument,
};
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

describe('the byok:* tag SCP (deploy/scp/byok-tags.json)', () => {
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
});
