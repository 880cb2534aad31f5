// The customer-managed IAM policies for the people and machines around byok, created with the stack
// for an administrator to attach (to IAM Identity Center permission sets, roles or groups):
//   Operator            byok import / start / status / console against this stack
//   RotationRequester   byok rotate: invoke the approvals API's function URL
//   Approver            byok approvals / approve / reject: invoke the approvals API's function URL
//   Worker              byok worker beside the HSM (hsmPlacement=activity only): poll this stack's
//                       HSM activities, GetParametersForImport on the keys it binds
//   BindingsAdministrator  byok bindings add/list/remove and byok key create: write the bindings
//                       table (its resource policy also demands BindingsAdministratorArns), create
//                       EXTERNAL keys tagged byok:*, their aliases and replicas
//   Deployer            aws cloudformation deploy/delete of this stack through a CloudFormation
//                       service role (when DeploymentRoleArn is given)
// Every KMS statement is limited to this account's keys tagged byok:managed=true whose origin is
// EXTERNAL; every Step Functions statement to this stack's state machines and activities by name.
// test/deploy/iam-evaluation.test.ts evaluates each against the AWS calls its commands' code makes.
'use strict';

const { activityLogicalId, placementOf, readPlacementFile } = require('./hsm-placement.cjs');

/** The byok encryption context of verification probes (src/core/import/probe-context.ts). */
const PROBE_CONTEXT_KEY = 'byok:purpose';
const PROBE_CONTEXT_VALUE = 'key-material-verification';

const MANAGED_EXTERNAL = {
  'aws:ResourceTag/byok:managed': 'true',
  'kms:KeyOrigin': 'EXTERNAL',
};

/** IAM conditions for Encrypt/Decrypt: exactly the probe context, nothing else. */
function probeContextCondition(extra = {}) {
  return {
    StringEquals: {
      ...MANAGED_EXTERNAL,
      [`kms:EncryptionContext:${PROBE_CONTEXT_KEY}`]: PROBE_CONTEXT_VALUE,
      ...extra,
    },
    'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [PROBE_CONTEXT_KEY] },
  };
}

const sub = (text) => ({ 'Fn::Sub': text });
const KEYS_OF_ANY_REGION = sub('arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*');
const DEFAULT_EVENT_BUS = sub(
  'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default',
);

function stackNames(service, stage) {
  const prefix = `${service}-${stage}`;
  const stateMachine = (name) =>
    sub(`arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${prefix}-${name}`);
  const executions = (name) =>
    sub(`arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:${prefix}-${name}:*`);
  return {
    prefix,
    stateMachine,
    executions,
    approvalsFunction: sub(
      `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${prefix}-approvalsApi`,
    ),
    policyName: (role) => sub(`${prefix}-\${AWS::Region}-${role}`),
  };
}

function managedPolicy(names, role, description, statements) {
  return {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      ManagedPolicyName: names.policyName(role),
      Description: description,
      PolicyDocument: { Version: '2012-10-17', Statement: statements },
    },
  };
}

const wrappingAlgorithms = {
  'Fn::If': [
    'Sha1WrappingAllowed',
    ['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1'],
    ['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256'],
  ],
};
const expirationModels = {
  'Fn::If': [
    'NonExpiringKeyMaterialAllowed',
    ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'],
    ['KEY_MATERIAL_EXPIRES'],
  ],
};

function operatorPolicy(names) {
  const imports = 'import-key-material';
  const sweep = 'reimport-expiring-keys';
  return managedPolicy(
    names,
    'operator',
    'byok operator: byok import/start/status/console against this stack (imports run in-process with the operator HSM, or as executions of the import workflow)',
    [
      // byok start/status/console find the stack's state machines by name: no resource-level permission.
      { Sid: 'FindStateMachines', Effect: 'Allow', Action: 'states:ListStateMachines', Resource: '*' },
      {
        Sid: 'StartImports',
        Effect: 'Allow',
        Action: ['states:StartExecution', 'states:DescribeStateMachine'],
        Resource: names.stateMachine(imports),
      },
      {
        Sid: 'ListImportAndSweepRuns',
        Effect: 'Allow',
        Action: 'states:ListExecutions',
        Resource: [names.stateMachine(imports), names.stateMachine(sweep)],
      },
      {
        Sid: 'FollowImportAndSweepRuns',
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        Resource: [names.executions(imports), names.executions(sweep)],
      },
      // byok status/console find the managed keys by their tags, as the sweep does: reading the
      // metadata and tags of keys not yet known to be managed. Read-only; no key use.
      {
        Sid: 'ListKeysAndAliases',
        Effect: 'Allow',
        Action: ['kms:ListKeys', 'kms:ListAliases'],
        Resource: '*',
      },
      {
        Sid: 'ReadKeyMetadataAndTags',
        Effect: 'Allow',
        Action: ['kms:DescribeKey', 'kms:ListKeyRotations', 'kms:ListResourceTags'],
        Resource: KEYS_OF_ANY_REGION,
      },
      // byok import without --endpoint runs the import workflow in-process with the operator's HSM.
      {
        Sid: 'GetImportParametersWithApprovedWrapping',
        Effect: 'Allow',
        Action: 'kms:GetParametersForImport',
        Resource: KEYS_OF_ANY_REGION,
        Condition: { StringEquals: { ...MANAGED_EXTERNAL, 'kms:WrappingAlgorithm': wrappingAlgorithms } },
      },
      {
        Sid: 'ImportIntoManagedKeys',
        Effect: 'Allow',
        Action: 'kms:ImportKeyMaterial',
        Resource: KEYS_OF_ANY_REGION,
        Condition: { StringEquals: { ...MANAGED_EXTERNAL, 'kms:ExpirationModel': expirationModels } },
      },
      {
        Sid: 'VerifyWithoutKeyUse',
        Effect: 'Allow',
        Action: ['kms:GetPublicKey', 'kms:VerifyMac'],
        Resource: KEYS_OF_ANY_REGION,
        Condition: { StringEquals: MANAGED_EXTERNAL },
      },
      {
        Sid: 'VerifyProbesOnlyUnderTheByokContext',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt'],
        Resource: KEYS_OF_ANY_REGION,
        Condition: probeContextCondition(),
      },
      // byok import records each run in the stack's import-runs table (src/onprem/import-runs/);
      // byok status and the console list them. The table is found by name: ListTables has no
      // resource-level permission.
      { Sid: 'FindTheImportRunsTable', Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' },
      {
        Sid: 'RecordAndListImportRuns',
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:Scan'],
        Resource: { 'Fn::GetAtt': ['ImportRunsTable', 'Arn'] },
      },
      {
        Sid: 'PublishByokEvents',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: DEFAULT_EVENT_BUS,
        Condition: { StringEquals: { 'events:source': 'byok' } },
      },
      // byok import checks the administrators' binding (docs/bindings.md); the console lists them to
      // show which HSM keys each key may receive. Only the administrators may write them.
      {
        Sid: 'ReadBindings',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Scan'],
        Resource: { 'Fn::GetAtt': ['BindingsTable', 'Arn'] },
      },
      { Sid: 'FindTheBindingsTable', Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' },
    ],
  );
}

function bindingsAdministratorPolicy(names) {
  const bindingsTable = { 'Fn::GetAtt': ['BindingsTable', 'Arn'] };
  const newManagedKey = {
    StringEquals: { 'aws:RequestTag/byok:managed': 'true' },
  };
  return managedPolicy(
    names,
    'bindings-administrator',
    "byok administrator: byok bindings add/list/remove (the bindings table's resource policy also requires BindingsAdministratorArns) and byok key create (EXTERNAL keys tagged byok:*, aliases, replicas); byok key create --import also needs the operator policy",
    [
      { Sid: 'FindTheBindingsTable', Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' },
      {
        Sid: 'ReadAndWriteBindings',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Resource: bindingsTable,
      },
      // byok bindings add resolves the KMS key it binds; key create checks the alias is free.
      {
        Sid: 'ReadKeysToBind',
        Effect: 'Allow',
        Action: 'kms:DescribeKey',
        Resource: KEYS_OF_ANY_REGION,
      },
      // CreateKey has no key to scope to: the request must make an EXTERNAL key tagged
      // byok:managed=true (kms:TagResource is checked for the tags given to CreateKey/ReplicateKey).
      {
        Sid: 'CreateManagedExternalKeys',
        Effect: 'Allow',
        Action: 'kms:CreateKey',
        Resource: '*',
        Condition: { StringEquals: { ...newManagedKey.StringEquals, 'kms:KeyOrigin': 'EXTERNAL' } },
      },
      {
        Sid: 'TagNewManagedKeys',
        Effect: 'Allow',
        Action: 'kms:TagResource',
        Resource: KEYS_OF_ANY_REGION,
        Condition: newManagedKey,
      },
      {
        Sid: 'ReplicateManagedKeys',
        Effect: 'Allow',
        Action: 'kms:ReplicateKey',
        Resource: KEYS_OF_ANY_REGION,
        Condition: { StringEquals: MANAGED_EXTERNAL },
      },
      // CreateAlias is authorised on the alias and on the key.
      {
        Sid: 'AliasManagedKeys',
        Effect: 'Allow',
        Action: 'kms:CreateAlias',
        Resource: KEYS_OF_ANY_REGION,
        Condition: { StringEquals: MANAGED_EXTERNAL },
      },
      {
        Sid: 'CreateAliases',
        Effect: 'Allow',
        Action: 'kms:CreateAlias',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:*:${AWS::AccountId}:alias/*' },
      },
    ],
  );
}

function approvalsCallerPolicy(names, role, description) {
  return managedPolicy(names, role, description, [
    {
      Sid: 'InvokeTheApprovalsApiOnly',
      Effect: 'Allow',
      Action: 'lambda:InvokeFunctionUrl',
      Resource: names.approvalsFunction,
      Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
    },
  ]);
}

function workerPolicy(names, activityIds) {
  return managedPolicy(
    names,
    'worker',
    'byok worker beside the HSM: poll this stack HSM activities, GetParametersForImport on the keys it binds',
    [
      // byok worker without --activity-arn finds the activities by name, and reads the deployed
      // HeartbeatSeconds of the states that use them: List* have no resource-level permission.
      {
        Sid: 'FindHsmActivitiesAndStateMachines',
        Effect: 'Allow',
        Action: ['states:ListActivities', 'states:ListStateMachines'],
        Resource: '*',
      },
      {
        Sid: 'ReadTheHeartbeatOfThisStacksWorkflows',
        Effect: 'Allow',
        Action: 'states:DescribeStateMachine',
        Resource: ['import-key-material', 'rotate-key-material', 'reimport-expiring-keys'].map(
          names.stateMachine,
        ),
      },
      {
        Sid: 'PollThisStacksHsmActivities',
        Effect: 'Allow',
        Action: 'states:GetActivityTask',
        Resource: activityIds.map((id) => ({ Ref: id })),
      },
      // Task results name a task token, not a resource; a token is only ever handed to a poller of
      // the activities above.
      {
        Sid: 'AnswerTasks',
        Effect: 'Allow',
        Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        Resource: '*',
      },
      {
        Sid: 'OwnWrappingKeyForBoundKeysOnly',
        Effect: 'Allow',
        Action: 'kms:GetParametersForImport',
        Resource: { 'Fn::If': ['WorkerKeysGiven', { Ref: 'WorkerKeyArns' }, KEYS_OF_ANY_REGION] },
        Condition: { StringEquals: { ...MANAGED_EXTERNAL, 'kms:WrappingAlgorithm': wrappingAlgorithms } },
      },
      // Before destroying a rotation's unused HSM key the worker proves from KMS that no material of
      // the bound key, in any of its Regions, came from it (src/core/rotation/material-absence.ts).
      {
        Sid: 'ProveRetiredMaterialUnused',
        Effect: 'Allow',
        Action: ['kms:DescribeKey', 'kms:ListKeyRotations'],
        Resource: KEYS_OF_ANY_REGION,
        Condition: { StringEquals: MANAGED_EXTERNAL },
      },
      {
        Sid: 'RefusedTaskAlerts',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: DEFAULT_EVENT_BUS,
        Condition: { StringEquals: { 'events:source': 'byok' } },
      },
    ],
  );
}

function deployerPolicy(names) {
  const stack = sub(
    `arn:\${AWS::Partition}:cloudformation:\${AWS::Region}:\${AWS::AccountId}:stack/${names.prefix}/*`,
  );
  const throughTheServiceRole = { StringEquals: { 'cloudformation:RoleArn': { Ref: 'DeploymentRoleArn' } } };
  const policy = managedPolicy(
    names,
    'deployer',
    'byok deployer: aws cloudformation package/deploy/delete of this stack, only through the CloudFormation service role DeploymentRoleArn',
    [
      {
        Sid: 'ChangeTheStackThroughTheServiceRole',
        Effect: 'Allow',
        Action: [
          'cloudformation:CreateChangeSet',
          'cloudformation:DeleteStack',
          'cloudformation:ContinueUpdateRollback',
          'cloudformation:RollbackStack',
        ],
        Resource: stack,
        Condition: throughTheServiceRole,
      },
      {
        Sid: 'RunAndWatchChangeSets',
        Effect: 'Allow',
        Action: [
          'cloudformation:DescribeChangeSet',
          'cloudformation:ExecuteChangeSet',
          'cloudformation:DeleteChangeSet',
          'cloudformation:DescribeStacks',
          'cloudformation:DescribeStackEvents',
          'cloudformation:GetTemplateSummary',
          'cloudformation:CancelUpdateStack',
        ],
        Resource: stack,
      },
      {
        Sid: 'PassOnlyTheServiceRoleToCloudFormation',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { Ref: 'DeploymentRoleArn' },
        Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      },
      {
        Sid: 'UploadArtefacts',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject'],
        Resource: sub(`arn:\${AWS::Partition}:s3:::\${DeploymentArtifactBucket}/${names.prefix}/*`),
      },
    ],
  );
  return { ...policy, Condition: 'DeployerPolicyWanted' };
}

const PARAMETERS = {
  DeploymentRoleArn: {
    Type: 'String',
    Description:
      'The CloudFormation service role that deploys this stack (aws cloudformation deploy --role-arn); with DeploymentArtifactBucket, creates the deployer policy. Empty: no deployer policy.',
    AllowedPattern: '^(arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+)?$',
    Default: '',
  },
  DeploymentArtifactBucket: {
    Type: 'String',
    Description:
      'The S3 bucket aws cloudformation package uploads the function zips to (prefix <service>-<stage>/)',
    AllowedPattern: '^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?$',
    Default: '',
  },
};
const WORKER_PARAMETERS = {
  WorkerKeyArns: {
    Type: 'CommaDelimitedList',
    Description:
      'The KMS key ARNs byok worker binds (its --bind/--bindings): its GetParametersForImport is limited to them. Empty: every managed EXTERNAL key of the account.',
    Default: '',
  },
};

async function resources(context) {
  const service = await context.resolveVariable('self:service');
  const stage = await context.resolveVariable('sls:stage');
  const placement = await placementOf(context);
  const names = stackNames(service, stage);
  const Resources = {
    OperatorPolicy: operatorPolicy(names),
    RotationRequesterPolicy: approvalsCallerPolicy(
      names,
      'rotation-requester',
      'byok rotation requester: byok rotate (invoke the approvals API; the API checks the approval team)',
    ),
    ApproverPolicy: approvalsCallerPolicy(
      names,
      'approver',
      'byok approver: byok approvals/approve/reject (invoke the approvals API only; the API checks the approval team)',
    ),
    BindingsAdministratorPolicy: bindingsAdministratorPolicy(names),
    DeployerPolicy: deployerPolicy(names),
  };
  const Parameters = { ...PARAMETERS };
  const Conditions = {
    DeployerPolicyWanted: {
      'Fn::And': [
        { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'DeploymentRoleArn' }, ''] }] },
        { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'DeploymentArtifactBucket' }, ''] }] },
      ],
    },
  };
  const Outputs = {
    OperatorPolicyArn: { Description: 'Attach to byok operators', Value: { Ref: 'OperatorPolicy' } },
    RotationRequesterPolicyArn: {
      Description: 'Attach to those who request rotations',
      Value: { Ref: 'RotationRequesterPolicy' },
    },
    ApproverPolicyArn: { Description: 'Attach to rotation approvers', Value: { Ref: 'ApproverPolicy' } },
    BindingsAdministratorPolicyArn: {
      Description: 'Attach to the byok administrators named in BindingsAdministratorArns',
      Value: { Ref: 'BindingsAdministratorPolicy' },
    },
    DeployerPolicyArn: {
      Condition: 'DeployerPolicyWanted',
      Description: 'Attach to the pipeline or people that deploy this stack',
      Value: { Ref: 'DeployerPolicy' },
    },
  };
  if (placement === 'activity') {
    const activityIds = Object.keys(readPlacementFile().steps).map(activityLogicalId);
    Resources.WorkerPolicy = workerPolicy(names, activityIds);
    Object.assign(Parameters, WORKER_PARAMETERS);
    Conditions.WorkerKeysGiven = {
      'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': [',', { Ref: 'WorkerKeyArns' }] }, ''] }],
    };
    Outputs.WorkerPolicyArn = { Description: "Attach to byok worker's role", Value: { Ref: 'WorkerPolicy' } };
  }
  return { Parameters, Conditions, Resources, Outputs };
}

module.exports = {
  resources,
  PROBE_CONTEXT_KEY,
  PROBE_CONTEXT_VALUE,
  probeContextCondition,
  MANAGED_EXTERNAL,
};
