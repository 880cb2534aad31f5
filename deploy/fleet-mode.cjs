// Serverless plugin for fleet mode (deploy/fleet.cjs, docs/fleet.md). Once the template is compiled:
//   - every resource of the fleet (the fleet functions, reimport-fleet, and whatever refers to
//     them: versions, log groups, roles, the schedule) gets the FleetMode condition, so a
//     single-account stack creates none of them;
//   - reimport-fleet's role gets what a Distributed Map needs (read its items and write its
//     results in the fleet bucket, start and follow its own child executions);
//   - the functions that reach KMS for the sweep and the imports learn the spoke role and the
//     external id, and may assume `<FleetSpokeRoleName>` in other accounts, only under FleetMode
//     (Fn::If ... AWS::NoValue: nothing at all in a single-account stack).
'use strict';

const FLEET_PREFIXES = ['DiscoverFleetTargets', 'SummarizeFleet', 'ReimportFleet'];
/** Functions that call KMS about a key of the sweep or an import: in fleet mode, any account's. */
const SPOKE_FUNCTIONS = [
  'FindExpiringKeysLambdaFunction',
  'GetParametersForImportLambdaFunction',
  'ImportKeyMaterialLambdaFunction',
  'VerifyImportLambdaFunction',
];
const CONDITION = 'FleetMode';
const NO_VALUE = { Ref: 'AWS::NoValue' };

function whenFleet(value) {
  return { 'Fn::If': [CONDITION, value, NO_VALUE] };
}

function references(resource, id) {
  const text = JSON.stringify(resource);
  return (
    text.includes(`"Ref":"${id}"`) ||
    text.includes(`["${id}",`) ||
    text.includes(`\${${id}.`) ||
    text.includes(`\${${id}}`) ||
    text.includes(`"DependsOn":"${id}"`) ||
    (Array.isArray(resource.DependsOn) && resource.DependsOn.includes(id))
  );
}

/** The fleet's resources and, until nothing changes, every resource that refers to one. */
function conditionFleetResources(resources) {
  const conditional = new Set(
    Object.keys(resources).filter((id) => FLEET_PREFIXES.some((prefix) => id.startsWith(prefix))),
  );
  for (let changed = true; changed; ) {
    changed = false;
    for (const [id, resource] of Object.entries(resources)) {
      if (conditional.has(id) || resource.Condition) continue;
      if ([...conditional].some((other) => references(resource, other))) {
        conditional.add(id);
        changed = true;
      }
    }
  }
  for (const id of conditional) {
    if (!resources[id].Condition) resources[id].Condition = CONDITION;
  }
  return conditional;
}

function roleOf(resources, resourceId, property) {
  const arn = resources[resourceId]?.Properties?.[property];
  const roleId = arn?.['Fn::GetAtt']?.[0];
  return roleId && resources[roleId]?.Type === 'AWS::IAM::Role' ? resources[roleId] : undefined;
}

function addPolicy(role, policy) {
  role.Properties.Policies = [...(role.Properties.Policies ?? []), policy];
}

/** serverless-step-functions grants a Distributed Map's S3 reader and writer on `*`: drop that. */
function dropS3OnAnyResource(role) {
  for (const policy of role.Properties.Policies ?? []) {
    const statements = policy.PolicyDocument?.Statement ?? [];
    for (const statement of statements) {
      if (statement.Resource !== '*' || !Array.isArray(statement.Action)) continue;
      statement.Action = statement.Action.filter((action) => !action.startsWith('s3:'));
    }
    policy.PolicyDocument.Statement = statements.filter(
      (statement) => !Array.isArray(statement.Action) || statement.Action.length > 0,
    );
  }
}

function grantDistributedMap(resources, stateMachineName) {
  const role = roleOf(resources, 'ReimportFleet', 'RoleArn');
  if (!role) throw new Error('fleet mode: reimport-fleet has no role of its own in the template');
  dropS3OnAnyResource(role);
  const machine = {
    'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${stateMachineName}`,
  };
  const executions = {
    'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:${stateMachineName}/*`,
  };
  addPolicy(role, {
    PolicyName: 'byok-fleet-distributed-map',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadItemsWriteResults',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: { 'Fn::Sub': '${FleetBucket.Arn}/*' },
        },
        {
          Sid: 'ListResults',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: { 'Fn::GetAtt': ['FleetBucket', 'Arn'] },
        },
        { Sid: 'RunChildExecutions', Effect: 'Allow', Action: 'states:StartExecution', Resource: machine },
        {
          Sid: 'FollowChildExecutions',
          Effect: 'Allow',
          Action: ['states:DescribeExecution', 'states:StopExecution'],
          Resource: executions,
        },
      ],
    },
  });
}

function reachSpokes(resources) {
  const roles = [];
  for (const id of SPOKE_FUNCTIONS) {
    const fn = resources[id];
    if (!fn) continue;
    fn.Properties.Environment ??= { Variables: {} };
    fn.Properties.Environment.Variables ??= {};
    Object.assign(fn.Properties.Environment.Variables, {
      BYOK_SPOKE_ROLE_NAME: whenFleet({ Ref: 'FleetSpokeRoleName' }),
      BYOK_HUB_ACCOUNT_ID: whenFleet({ Ref: 'AWS::AccountId' }),
      BYOK_FLEET_EXTERNAL_ID: whenFleet({ Ref: 'FleetExternalId' }),
    });
    const roleId = fn.Properties.Role?.['Fn::GetAtt']?.[0];
    if (!roleId || resources[roleId]?.Type !== 'AWS::IAM::Role') {
      throw new Error(`fleet mode: ${id} has no role of its own in the template`);
    }
    roles.push({ Ref: roleId });
  }
  // A policy of its own, attached to those roles only in fleet mode: the roles themselves are unchanged.
  resources.FleetSpokeRolesPolicy = {
    Type: 'AWS::IAM::Policy',
    Condition: CONDITION,
    Properties: {
      PolicyName: 'byok-fleet-spoke-roles',
      Roles: roles,
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AssumeSpokeRoles',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/${FleetSpokeRoleName}' },
          },
        ],
      },
    },
  };
}

class FleetMode {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.apply() };
  }

  apply() {
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    if (!resources.ReimportFleet) return;
    conditionFleetResources(resources);
    grantDistributedMap(resources, resources.ReimportFleet.Properties.StateMachineName);
    reachSpokes(resources);
  }
}

module.exports = FleetMode;
module.exports.conditionFleetResources = conditionFleetResources;
