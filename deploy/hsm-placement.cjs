// The deploy side of `hsmPlacement: lambda | activity` (one deploy parameter, --param
// hsmPlacement=activity; default lambda). statemachines/hsm-placement.json names the HSM steps.
//   lambda:   the HSM step functions (wrap, create/retire rotation material: PKCS#11 layer, VPC,
//             PIN secret) and the CloudFormation parameters that configure them, exactly as before.
//   activity: nothing HSM-related in Lambda: one AWS::StepFunctions::Activity per HSM step
//             (`<service>-<stage>-<activity>`, polled by `byok worker` beside the HSM), a rule that
//             routes the worker's refused-task alerts to the alert topic, and the sweep paced for
//             the worker's own GetParametersForImport (two requests per import).
// deploy/state-machines.cjs resolves the ASL with the same choice. Used from serverless.yml as
// ${file(./deploy/hsm-placement.cjs):functions|stackParameters|resources|findExpiringKeysEnvironment}.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const PLACEMENT_FILE = path.join(__dirname, '..', 'statemachines', 'hsm-placement.json');
const PLACEMENTS = ['lambda', 'activity'];

function readPlacementFile(file = PLACEMENT_FILE) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

async function placementOf({ resolveVariable }) {
  const placement = await resolveVariable("param:hsmPlacement, 'lambda'");
  if (!PLACEMENTS.includes(placement)) {
    throw new Error(`hsmPlacement must be one of ${PLACEMENTS.join(', ')}, not "${placement}"`);
  }
  return placement;
}

function pascalFromKebab(name) {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase());
}

/** The logical id of an HSM step's activity: `WrapKeyMaterialActivity`. */
function activityLogicalId(step) {
  return `${pascalFromKebab(step)}Activity`;
}

/**
 * One HSM step as a Lambda (lambda placement): the PKCS#11 layer, the HSM's VPC, the token and its
 * PIN secret, and deliberately no KMS permission (these functions only talk to the HSM). The PIN
 * secret must be encrypted with the AWS managed key aws/secretsmanager (or a key whose policy
 * grants the role kms:Decrypt via Secrets Manager), see docs/deploy.md.
 */
function hsmFunction(handler, description, extraStatements = []) {
  return {
    handler,
    description,
    timeout: 60,
    layers: [{ Ref: 'Pkcs11LayerArn' }],
    // The schema accepts a Split, not a Ref to a List parameter: split the joined list.
    vpc: {
      subnetIds: { 'Fn::Split': [',', { 'Fn::Join': [',', { Ref: 'HsmSubnetIds' }] }] },
      securityGroupIds: { 'Fn::Split': [',', { 'Fn::Join': [',', { Ref: 'HsmSecurityGroupIds' }] }] },
    },
    environment: {
      BYOK_PKCS11_LIBRARY: { Ref: 'Pkcs11LibraryPath' },
      BYOK_HSM_TOKEN_LABEL: { Ref: 'HsmTokenLabel' },
      BYOK_PIN_SECRET_ARN: { Ref: 'HsmPinSecretArn' },
    },
    iamRoleStatements: [
      {
        Sid: 'ReadHsmPin',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: 'HsmPinSecretArn' },
      },
      ...extraStatements,
    ],
  };
}

/**
 * RetireRotationMaterial destroys an HSM key only once KMS proves no material of the key, in any of
 * its Regions, came from it (src/core/rotation/material-absence.ts): read-only KMS access to managed
 * keys of any Region of the account. The HSM's subnets must reach KMS (an interface VPC endpoint).
 */
const READ_MANAGED_KEY_MATERIALS = {
  Sid: 'ProveRetiredMaterialUnused',
  Effect: 'Allow',
  Action: ['kms:DescribeKey', 'kms:ListKeyRotations'],
  Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:kms:*:\${AWS::AccountId}:key/*` },
  Condition: { StringEquals: { 'aws:ResourceTag/byok:managed': 'true', 'kms:KeyOrigin': 'EXTERNAL' } },
};

/** The HSM steps' functions (statemachines/hsm-placement.json), deployed in lambda placement only. */
const HSM_FUNCTIONS = {
  wrapKeyMaterial: hsmFunction(
    'functions/wrap-key-material.handler',
    'byok step 2: wrap the HSM key with the KMS wrapping key inside the token (no KMS access)',
  ),
  createRotationMaterial: hsmFunction(
    'functions/create-rotation-material.handler',
    'byok rotation: generate the new key inside the HSM (no KMS access)',
  ),
  retireRotationMaterial: hsmFunction(
    'functions/retire-rotation-material.handler',
    'byok rotation: destroy the unused new HSM key once KMS proves it unused (KMS read only)',
    [READ_MANAGED_KEY_MATERIALS],
  ),
};

const LAMBDA_PARAMETERS = {
  Pkcs11LayerArn: {
    Type: 'String',
    Description: 'ARN (with version) of the Lambda layer holding pkcs11js and the vendor PKCS#11 library',
    AllowedPattern: '^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$',
    ConstraintDescription:
      'must be a versioned Lambda layer ARN (build it with scripts/build-pkcs11-layer.sh)',
  },
  Pkcs11LibraryPath: {
    Type: 'String',
    Description: 'Path of the vendor PKCS#11 library inside the layer',
    AllowedPattern: '^/opt/.+\\.so(\\.[0-9]+)*$',
    ConstraintDescription: 'must be a shared library under /opt (where layers are mounted)',
  },
  HsmTokenLabel: {
    Type: 'String',
    Description: 'Label of the PKCS#11 token that holds the key material',
    MinLength: 1,
    MaxLength: 32,
  },
  HsmPinSecretArn: {
    Type: 'String',
    Description: "ARN of the Secrets Manager secret holding the crypto user's PIN",
    AllowedPattern: '^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$',
    ConstraintDescription: 'must be a Secrets Manager secret ARN',
  },
  HsmSubnetIds: {
    Type: 'List<AWS::EC2::Subnet::Id>',
    Description: 'Subnets from which the wrap function reaches the HSM',
  },
  HsmSecurityGroupIds: {
    Type: 'List<AWS::EC2::SecurityGroup::Id>',
    Description: 'Security groups of the wrap function (allowed to reach the HSM)',
  },
};

/** The Lambda-only stack parameters and the `--param` each comes from (with its default). */
const LAMBDA_STACK_PARAMETERS = [
  ['Pkcs11LayerArn', "param:pkcs11LayerArn, ''"],
  ['Pkcs11LibraryPath', "param:pkcs11LibraryPath, '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so'"],
  ['HsmTokenLabel', "param:hsmTokenLabel, ''"],
  ['HsmPinSecretArn', "param:hsmPinSecretArn, ''"],
  ['HsmSubnetIds', "param:hsmSubnetIds, ''"],
  ['HsmSecurityGroupIds', "param:hsmSecurityGroupIds, ''"],
];
const COMMON_STACK_PARAMETERS = [
  ['TokenWrappingAlgorithms', "param:tokenWrappingAlgorithms, ''"],
  ['AllowSha1Wrapping', "param:allowSha1Wrapping, 'false'"],
  ['ExpiryAlarmSeconds', "param:expiryAlarmSeconds, '604800'"],
  ['AllowNonExpiringKeyMaterial', "param:allowNonExpiringKeyMaterial, 'true'"],
  // Who may write the bindings table (docs/bindings.md); empty: nobody, until they are named.
  ['BindingsAdministratorArns', "param:bindingsAdministratorArns, ''"],
  ['AlertEmail', "param:alertEmail, ''"],
  ['ExpiryAlarmRegions', "param:expiryAlarmRegions, ''"],
  ['ApprovalTeam', "param:approvalTeam, ''"],
  // Fleet mode (deploy/fleet.cjs): off unless --param="fleetMode=true".
  ...require('./fleet.cjs').stackParameterVariables,
];

async function functions(context) {
  return (await placementOf(context)) === 'lambda' ? HSM_FUNCTIONS : {};
}

async function stackParameters(context) {
  const placement = await placementOf(context);
  const list =
    placement === 'lambda'
      ? [...LAMBDA_STACK_PARAMETERS, ...COMMON_STACK_PARAMETERS]
      : COMMON_STACK_PARAMETERS;
  const resolved = [];
  for (const [key, variable] of list) {
    resolved.push({ ParameterKey: key, ParameterValue: await context.resolveVariable(variable) });
  }
  return resolved;
}

/** The activities (activity placement), keyed by logical id, with their deployed names. */
function activities(service, stage, file = readPlacementFile()) {
  return Object.fromEntries(
    Object.entries(file.steps).map(([step, { activity }]) => [
      activityLogicalId(step),
      { step, name: `${service}-${stage}-${activity}` },
    ]),
  );
}

async function resources(context) {
  const placement = await placementOf(context);
  if (placement === 'lambda') return { Parameters: LAMBDA_PARAMETERS };
  const service = await context.resolveVariable('self:service');
  const stage = await context.resolveVariable('sls:stage');
  const Resources = {};
  const Outputs = {};
  for (const [logicalId, { name }] of Object.entries(activities(service, stage))) {
    Resources[logicalId] = { Type: 'AWS::StepFunctions::Activity', Properties: { Name: name } };
    Outputs[`${logicalId}Arn`] = {
      Description: 'byok worker polls this activity (byok worker --activity-arn ...)',
      Value: { Ref: logicalId },
    };
  }
  // The worker's alert: a task paired an HSM key with a KMS key the worker does not bind.
  Resources.WorkerAlertRule = {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: `${service}-${stage}-worker-alerts`,
      Description:
        'Routes byok worker refusals (a task asked for an HSM key the worker does not bind to that KMS key) to the alert topic',
      EventPattern: { source: ['byok'], 'detail-type': ['byok Worker Refused Task'] },
      State: 'ENABLED',
      Targets: [{ Id: 'AlertTopic', Arn: { Ref: 'AlertTopic' } }],
    },
  };
  return { Resources, Outputs };
}

/** The sweep paces two GetParametersForImport per import when the worker asks KMS itself. */
async function findExpiringKeysEnvironment(context) {
  // The administrators' bindings: due materials whose HSM key is not bound to the key are refused.
  const bindings = { BYOK_BINDINGS_TABLE: { Ref: 'BindingsTable' } };
  return (await placementOf(context)) === 'activity'
    ? { ...bindings, BYOK_GET_PARAMETERS_PER_IMPORT: '2' }
    : bindings;
}

module.exports = {
  functions,
  stackParameters,
  resources,
  findExpiringKeysEnvironment,
  placementOf,
  activityLogicalId,
  readPlacementFile,
};
