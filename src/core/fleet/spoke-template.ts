// The spoke template: plain CloudFormation an operator deploys in every account of the fleet (by
// StackSets or one stack per account). It holds
//   - role `byok-spoke` (created once, in the role's Region: IAM is global), assumable only by
//     principals of the hub account that present the fleet's external id (the confused-deputy
//     guard), with KMS permissions scoped as the hub's own roles are: list and read key metadata
//     (the sweep must find the managed keys), and use, import into or read materials of keys tagged
//     byok:managed=true only, with the same wrapping-algorithm and expiration-model conditions;
//   - in every Region it is deployed to, an EventBridge rule forwarding KMS's expiry and deletion
//     events to the hub's event bus (one hop), with the role EventBridge needs for that.
// No Fn:: beyond Ref, Sub, If, Equals, Not and Select, so the local stack can deploy its roles too.

export interface SpokeTemplateOptions {
  /** The hub's account (default: a parameter without default, asked at deploy time). */
  hubAccountId?: string | undefined;
  /** The Regions it will be deployed to: the first holds the role. */
  regions?: readonly string[] | undefined;
  /** The hub's Region (its event bus); default the first of `regions`, else us-east-1. */
  hubRegion?: string | undefined;
  roleName?: string | undefined;
  /** Allow SHA-1 wrapping (only if the hub allows it too). */
  allowSha1Wrapping?: boolean | undefined;
  /** Allow imports without expiry (only if the hub allows them too). */
  allowNonExpiringKeyMaterial?: boolean | undefined;
}

const MANAGED = { 'aws:ResourceTag/byok:managed': 'true' };

export function spokeTemplate(options: SpokeTemplateOptions = {}): Record<string, unknown> {
  const regions = options.regions ?? [];
  const roleRegion = regions[0] ?? 'us-east-1';
  const hubRegion = options.hubRegion ?? regions[0] ?? 'us-east-1';
  const wrapping = options.allowSha1Wrapping
    ? ['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1']
    : ['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256'];
  const expiration = options.allowNonExpiringKeyMaterial
    ? ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE']
    : ['KEY_MATERIAL_EXPIRES'];
  const keysOfThisAccount = { 'Fn::Sub': 'arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*' };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'byok spoke: the role the byok hub assumes to keep byok-managed KMS keys imported in this account, and the forwarding of KMS expiry events to the hub (docs/fleet.md)',
    Parameters: {
      HubAccountId: {
        Type: 'String',
        AllowedPattern: '^\\d{12}$',
        Description: 'The account of the byok hub (the stack deployed with fleetMode=true)',
        ...(options.hubAccountId ? { Default: options.hubAccountId } : {}),
      },
      ExternalId: {
        Type: 'String',
        MinLength: 16,
        NoEcho: true,
        AllowedPattern: '^[\\w+=,.@:/-]+$',
        Description: "The hub's fleetExternalId: the hub must present it to assume the spoke role",
      },
      RoleName: { Type: 'String', Default: options.roleName ?? 'byok-spoke' },
      RoleRegion: {
        Type: 'String',
        Default: roleRegion,
        Description: 'The one Region whose stack creates the (global) IAM role',
      },
      HubEventBusArn: {
        Type: 'String',
        Default: '',
        Description: "The hub's event bus; empty: the default bus of the hub account in HubRegion",
      },
      HubRegion: { Type: 'String', Default: hubRegion },
    },
    Conditions: {
      CreateRole: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'RoleRegion' }] },
      DefaultHubBus: { 'Fn::Equals': [{ Ref: 'HubEventBusArn' }, ''] },
    },
    Resources: {
      SpokeRole: {
        Type: 'AWS::IAM::Role',
        Condition: 'CreateRole',
        Properties: {
          RoleName: { Ref: 'RoleName' },
          Description:
            'byok hub access to byok-managed KMS keys (keeps their imported material from expiring)',
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'OnlyTheHubWithTheExternalId',
                Effect: 'Allow',
                Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${HubAccountId}:root' } },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'byok-managed-keys',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Sid: 'ListKeys', Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' },
                  {
                    Sid: 'FindManagedKeys',
                    Effect: 'Allow',
                    Action: ['kms:DescribeKey', 'kms:ListKeyRotations', 'kms:ListResourceTags'],
                    Resource: keysOfThisAccount,
                  },
                  {
                    Sid: 'GetImportParametersWithApprovedWrapping',
                    Effect: 'Allow',
                    Action: 'kms:GetParametersForImport',
                    Resource: keysOfThisAccount,
                    Condition: { StringEquals: { ...MANAGED, 'kms:WrappingAlgorithm': wrapping } },
                  },
                  {
                    Sid: 'ImportIntoManagedKeys',
                    Effect: 'Allow',
                    Action: 'kms:ImportKeyMaterial',
                    Resource: keysOfThisAccount,
                    Condition: { StringEquals: { ...MANAGED, 'kms:ExpirationModel': expiration } },
                  },
                  {
                    Sid: 'VerifyManagedKeys',
                    Effect: 'Allow',
                    Action: ['kms:GetPublicKey', 'kms:VerifyMac'],
                    Resource: keysOfThisAccount,
                    Condition: { StringEquals: MANAGED },
                  },
                  {
                    // As the hub's own verify step: Encrypt and Decrypt only under byok's probe
                    // encryption context, so the role can neither read the bank's data nor forge it.
                    Sid: 'RoundTripProbesUnderTheByokContext',
                    Effect: 'Allow',
                    Action: ['kms:Encrypt', 'kms:Decrypt'],
                    Resource: keysOfThisAccount,
                    Condition: {
                      StringEquals: {
                        ...MANAGED,
                        'kms:KeyOrigin': 'EXTERNAL',
                        'kms:EncryptionContext:byok:purpose': 'key-material-verification',
                      },
                      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['byok:purpose'] },
                    },
                  },
                ],
              },
            },
          ],
        },
      },
      ForwardKmsEventsRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: "EventBridge: put this Region's KMS expiry events on the byok hub's bus",
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'put-on-hub-bus',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: hubBusArn() }],
              },
            },
          ],
        },
      },
      ForwardKmsEventsRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Description:
            "byok: KMS expiry and deletion events of this account and Region, to the byok hub's bus",
          EventPattern: {
            source: ['aws.kms'],
            'detail-type': ['KMS Imported Key Material Expiration', 'KMS CMK Deletion'],
          },
          State: 'ENABLED',
          Targets: [
            {
              Id: 'ByokHubBus',
              Arn: hubBusArn(),
              RoleArn: { 'Fn::GetAtt': ['ForwardKmsEventsRole', 'Arn'] },
            },
          ],
        },
      },
    },
    Outputs: {
      SpokeRoleArn: {
        Condition: 'CreateRole',
        Value: { 'Fn::GetAtt': ['SpokeRole', 'Arn'] },
      },
    },
  };
}

function hubBusArn(): unknown {
  return {
    'Fn::If': [
      'DefaultHubBus',
      { 'Fn::Sub': 'arn:${AWS::Partition}:events:${HubRegion}:${HubAccountId}:event-bus/default' },
      { Ref: 'HubEventBusArn' },
    ],
  };
}
