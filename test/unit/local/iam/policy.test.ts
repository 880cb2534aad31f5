import { describe, expect, it } from 'vitest';
import { evaluatePolicies, type PolicyDocument } from '../../../../src/local/iam/policy.ts';
import { rolesOfTemplate } from '../../../../src/local/iam/roles.ts';

const managedOnly: PolicyDocument = {
  Statement: [
    {
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: 'arn:aws:kms:*:222233334444:key/*',
      Condition: { StringEquals: { 'aws:ResourceTag/byok:managed': 'true' } },
    },
    {
      Effect: 'Deny',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/frozen': 'yes' } },
    },
  ],
};

describe('evaluatePolicies', () => {
  it.each([
    [
      'allows a matching action on a managed key',
      'kms:Encrypt',
      { 'aws:ResourceTag/byok:managed': 'true' },
      'Allow',
    ],
    [
      'matches actions without regard to case',
      'KMS:encrypt',
      { 'aws:ResourceTag/byok:managed': 'true' },
      'Allow',
    ],
    ['denies implicitly when the tag is missing', 'kms:Encrypt', {}, 'ImplicitDeny'],
    [
      'denies implicitly when the tag has another value',
      'kms:Encrypt',
      { 'aws:ResourceTag/byok:managed': 'false' },
      'ImplicitDeny',
    ],
    [
      'denies implicitly an action not listed',
      'kms:ImportKeyMaterial',
      { 'aws:ResourceTag/byok:managed': 'true' },
      'ImplicitDeny',
    ],
    [
      'lets an explicit Deny win',
      'kms:Decrypt',
      { 'aws:ResourceTag/byok:managed': 'true', 'aws:ResourceTag/frozen': 'yes' },
      'Deny',
    ],
  ])('%s', (_case, action, context, expected) => {
    // Act
    const decision = evaluatePolicies([managedOnly], {
      action,
      resource: 'arn:aws:kms:us-east-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      context,
    });

    // Assess
    expect(decision).toBe(expected);
  });

  it('refuses a resource of another account', () => {
    // Act
    const decision = evaluatePolicies([managedOnly], {
      action: 'kms:Encrypt',
      resource: 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      context: { 'aws:ResourceTag/byok:managed': 'true' },
    });

    // Assess
    expect(decision).toBe('ImplicitDeny');
  });

  it('matches a trust policy on principal account and external id', () => {
    // Prepare
    const trust: PolicyDocument = {
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'secret-id' } },
      },
    };
    const ask = (accountId: string, externalId: string | undefined) =>
      evaluatePolicies([trust], {
        action: 'sts:AssumeRole',
        resource: 'arn:aws:iam::222233334444:role/byok-spoke',
        principal: { arn: `arn:aws:iam::${accountId}:root`, accountId },
        context: { 'sts:ExternalId': externalId },
      });

    // Act + Assess
    expect(ask('111122223333', 'secret-id')).toBe('Allow');
    expect(ask('111122223333', undefined)).toBe('ImplicitDeny');
    expect(ask('333344445555', 'secret-id')).toBe('ImplicitDeny');
  });
});

describe('rolesOfTemplate', () => {
  it('resolves Ref, Fn::Sub and conditions for the account it deploys to', () => {
    // Prepare
    const template = {
      Parameters: { Hub: { Type: 'String' }, Name: { Type: 'String', Default: 'byok-spoke' } },
      Conditions: { Here: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } },
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Condition: 'Here',
          Properties: {
            RoleName: { Ref: 'Name' },
            AssumeRolePolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { AWS: { 'Fn::Sub': 'arn:aws:iam::${Hub}:root' } },
                  Action: 'sts:AssumeRole',
                },
              ],
            },
            Policies: [
              {
                PolicyName: 'p',
                PolicyDocument: {
                  Statement: [
                    {
                      Effect: 'Allow',
                      Action: 'kms:ListKeys',
                      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*' },
                    },
                  ],
                },
              },
            ],
          },
        },
      },
    };

    // Act
    const here = rolesOfTemplate(template, '222233334444', {
      region: 'us-east-1',
      parameters: { Hub: '111122223333' },
    });
    const elsewhere = rolesOfTemplate(template, '222233334444', {
      region: 'eu-west-1',
      parameters: { Hub: '111122223333' },
    });

    // Assess
    expect(here).toEqual([
      {
        accountId: '222233334444',
        roleName: 'byok-spoke',
        trustPolicy: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::111122223333:root' },
              Action: 'sts:AssumeRole',
            },
          ],
        },
        policies: [
          {
            Statement: [
              { Effect: 'Allow', Action: 'kms:ListKeys', Resource: 'arn:aws:kms:*:222233334444:key/*' },
            ],
          },
        ],
      },
    ]);
    expect(elsewhere).toEqual([]);
  });
});
