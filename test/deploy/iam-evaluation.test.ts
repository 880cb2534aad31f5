// Every role and customer-managed policy of the packaged template, judged by an IAM policy
// evaluator nobody on this project wrote (@cloud-copilot/iam-simulate with its IAM data, offline;
// test/deploy/support/iam-evaluation.ts), against every AWS call the code behind it makes, found
// from that code (test/deploy/support/aws-calls.ts, iam-subjects.ts), not from a hand list:
//   allowed   each call, on the resources it really names (this stack's table, state machines,
//             activities, a byok-managed EXTERNAL key of this account, the probe's encryption
//             context), is allowed;
//   denied    the same call on what it must never reach is denied: a key not managed by byok,
//             another account's key, a key of another origin, Decrypt/Encrypt outside the byok
//             encryption context, another state machine, execution, activity, table, function,
//             secret, bus, stack, bucket or role; and no role or policy may use a managed key to
//             sign, MAC, generate data keys, re-encrypt, or change its policy, grants or tags;
//   widened   each denial is shown failing when the policy is widened (its resource made `*`, or
//             the condition that denies it dropped): the denial tests the control it names.
// A failure names the role or policy, the call, and the statement that decided it.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackagedService, packageService, repoRoot } from '../../deploy/package-service.ts';
import { awsCallsOf } from './support/aws-calls.ts';
import { evaluate, explain, type NamedPolicy, type PolicyStatement } from './support/iam-evaluation.ts';
import {
  ACCOUNT,
  anyResource,
  deployerOperations,
  FLEET_EXTERNAL_ID,
  functionSubjects,
  KMS_WITHOUT_RESOURCE,
  keyArn,
  keyTarget,
  managedPolicySubject,
  OTHER_ACCOUNT,
  PARTITION,
  type ProbeContext,
  REGION,
  ruleSubjects,
  type Subject,
  type SubjectCall,
  spokeRoleTarget,
  stackNames,
  stateMachineSubjects,
  type Target,
} from './support/iam-subjects.ts';
import { TemplateValues } from './support/template-values.ts';

const accessPolicies = createRequire(import.meta.url)('../../deploy/access-policies.cjs') as {
  PROBE_CONTEXT_KEY: string;
  PROBE_CONTEXT_VALUE: string;
};
const PROBE: ProbeContext = {
  key: accessPolicies.PROBE_CONTEXT_KEY,
  value: accessPolicies.PROBE_CONTEXT_VALUE,
};
const PIN_SECRET = `arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:byok/hsm-pin-AbCdEf`;
const DEPLOYMENT_ROLE = `arn:${PARTITION}:iam::${ACCOUNT}:role/byok-cloudformation`;
const ARTIFACT_BUCKET = 'bank-deploy-artefacts';
const BOUND_KEY_ID = '0b0b0b0b-12ab-34cd-56ef-1234567890ab';

const LAMBDA_PARAMETERS = {
  Pkcs11LayerArn: `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:layer:byok-pkcs11:1`,
  Pkcs11LibraryPath: '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so',
  HsmTokenLabel: 'hsm1',
  HsmPinSecretArn: PIN_SECRET,
  HsmSubnetIds: 'subnet-0a1b2c3d',
  HsmSecurityGroupIds: 'sg-0123456789abcdef0',
  DeploymentRoleArn: DEPLOYMENT_ROLE,
  DeploymentArtifactBucket: ARTIFACT_BUCKET,
};
/** Fleet mode (deploy/fleet.cjs): the same packaged template, deployed with FleetMode=true. */
const FLEET_PARAMETERS = {
  ...LAMBDA_PARAMETERS,
  FleetMode: 'true',
  FleetExternalId: FLEET_EXTERNAL_ID,
};
const ACTIVITY_PARAMETERS = {
  DeploymentRoleArn: DEPLOYMENT_ROLE,
  DeploymentArtifactBucket: ARTIFACT_BUCKET,
  WorkerKeyArns: keyArn({ id: BOUND_KEY_ID }),
};

/**
 * Calls the scan finds in a function's code that the function never makes in AWS, each with the
 * reason; they must be denied like any call a role must not make.
 */
const REACHED_NOT_MADE: Record<string, Record<string, string>> = {
  // The bindings store class brings reads and writes along; byok only reads, administrators write.
  GetParametersForImportIamRoleLambdaExecution: {
    'dynamodb:Scan': 'it reads the one binding of the label (get); it never lists bindings',
    'dynamodb:PutItem': "it reads the binding (get); recording bindings is the administrators' only",
    'dynamodb:DeleteItem': "it reads the binding (get); removing bindings is the administrators' only",
  },
  FindExpiringKeysIamRoleLambdaExecution: {
    'dynamodb:GetItem': 'it lists the bindings once per sweep (scan)',
    'dynamodb:PutItem': "it lists the bindings (scan); recording bindings is the administrators' only",
    'dynamodb:DeleteItem': "it lists the bindings (scan); removing bindings is the administrators' only",
  },
  ValidateRotationIamRoleLambdaExecution: {
    'dynamodb:PutItem':
      'it reads the recorded request (ApprovalsStore.get); the store class brings put and list along',
    'dynamodb:Scan':
      'it reads the recorded request (ApprovalsStore.get); the store class brings put and list along',
  },
  OpenApprovalIamRoleLambdaExecution: {
    'dynamodb:Scan': 'it records the task token on its own request (get, put); it never lists requests',
  },
  RecheckApprovalIamRoleLambdaExecution: {
    'dynamodb:PutItem': 'it recounts the stored votes (ApprovalsStore.get) and writes nothing',
    'dynamodb:Scan': 'it recounts the stored votes (ApprovalsStore.get) and writes nothing',
  },
  AbandonRotationIamRoleLambdaExecution: {
    'dynamodb:Scan': 'it closes its own request (get, put); it never lists requests',
  },
  OperatorPolicy: {
    'dynamodb:PutItem':
      "byok import reads the binding (get); recording bindings is the administrators' (BindingsAdministratorArns), the store class brings add and remove along",
    'dynamodb:DeleteItem':
      "byok import reads the binding (get); removing bindings is the administrators' (BindingsAdministratorArns)",
    'lambda:InvokeFunctionUrl':
      "the console's approvals page calls the approvals API for approvers: the approver policy grants it",
    'secretsmanager:GetSecretValue':
      "BYOK_PIN_SECRET_ARN is the Lambda wrap step's PIN source; on premises the PIN stays on the host ($BYOK_HOME/hsm)",
    'dynamodb:CreateTable':
      "the import-runs table is the stack's (serverless.yml); only the local stack creates one (ensureImportRunsTable)",
    'sts:AssumeRole':
      "the fleet's spoke roles are assumed by the hub's workflows only; byok import works in the operator's own account",
  },
  WorkerPolicy: {
    'secretsmanager:GetSecretValue':
      'the worker reads the PIN on its host ($BYOK_HOME/hsm); the PIN is never kept in AWS in this placement',
  },
};

/** Read-only discovery of keys not yet known to be managed (the sweep, byok status/console). */
const DISCOVERS_ANY_KEY: Record<string, string[]> = {
  FindExpiringKeysIamRoleLambdaExecution: ['kms:DescribeKey', 'kms:ListKeyRotations', 'kms:ListResourceTags'],
  OperatorPolicy: ['kms:DescribeKey', 'kms:ListKeyRotations', 'kms:ListResourceTags'],
  // byok bindings add describes the key it is asked to bind, to refuse one that is not EXTERNAL
  // (BindingKeyNotEligibleError) and to tell a key not tagged for byok by name.
  BindingsAdministratorPolicy: ['kms:DescribeKey'],
};

/** Uses of a managed key no role or policy of byok may make. */
const NEVER_ON_A_MANAGED_KEY = [
  'kms:Sign',
  'kms:GenerateMac',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:CreateGrant',
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:DisableKey',
];

// ---- the subjects --------------------------------------------------------------------------------

interface Evaluated {
  placement: string;
  packaged: PackagedService;
  subjects: Subject[];
  /** The resources this deployment creates (its conditions evaluated). */
  deployed: Set<string>;
}

const placements: Record<string, Evaluated> = {};

function logicalIdOf(subject: Subject): string {
  return subject.id.split(' ')[1] as string;
}

async function operatorCalls(values: TemplateValues, root: string): Promise<SubjectCall[]> {
  const names = stackNames(values);
  // byok import runs the import workflow in-process: the command's own code (without the step
  // registry, which reaches every workflow's steps, nor the runner's Distributed Map, which only
  // the fleet's workflow has) plus the steps of the import workflow.
  const definition = JSON.parse(
    readFileSync(join(root, 'statemachines/import-key-material.asl.json'), 'utf8'),
  ) as {
    States: Record<string, { Type: string; Resource?: string }>;
  };
  const steps = Object.values(definition.States)
    .map((state) => /^\$\{([A-Za-z]+)FunctionArn\}$/.exec(state.Resource ?? '')?.[1])
    .filter((name): name is string => name !== undefined)
    .map((name) => `functions/${name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`);
  const commands = ['import', 'start', 'status', 'console'].map(
    (name) => `src/onprem/cli/commands/${name}/action.ts`,
  );
  const found = await awsCallsOf(
    [...commands, ...steps].map((entry) => join(root, entry)),
    root,
    {
      exclude: /^src\/local\//,
      cut: /^src\/(core\/)?steps\/registry\.ts$|^src\/onprem\/runner\/distributed-map\.ts$/,
    },
  );
  const importMachine = names.stateMachine('ImportKeyMaterial');
  const sweepMachine = names.stateMachine('ReimportExpiringKeys');
  const machine = (label: string, arn: string): Target => ({ label, arn, account: ACCOUNT, context: {} });
  return found.map((call) => {
    const targetsOf = (): Target[] => {
      switch (call.action) {
        case 'states:StartExecution':
        case 'states:DescribeStateMachine':
          return [machine('import state machine', importMachine)];
        case 'states:ListExecutions':
          return [
            machine('import state machine', importMachine),
            machine('sweep state machine', sweepMachine),
          ];
        case 'states:DescribeExecution':
        case 'states:GetExecutionHistory':
          return [
            machine('import execution', names.execution('ImportKeyMaterial')),
            machine('sweep execution', names.execution('ReimportExpiringKeys')),
          ];
        case 'events:PutEvents':
          return [
            {
              label: 'default bus, source byok',
              arn: names.defaultBus,
              account: ACCOUNT,
              context: { 'events:source': 'byok' },
            },
          ];
        case 'lambda:InvokeFunctionUrl':
          return [approvalsUrlTarget(values)];
        case 'secretsmanager:GetSecretValue':
          return [{ label: 'HSM PIN secret', arn: PIN_SECRET, account: ACCOUNT, context: {} }];
        case 'dynamodb:ListTables':
          return [anyResource()];
        case 'dynamodb:GetItem':
        case 'dynamodb:Scan':
        case 'dynamodb:PutItem':
        case 'dynamodb:DeleteItem':
        case 'dynamodb:CreateTable':
          // Two tables: the administrators' bindings (src/core/bindings) and the import runs.
          return [
            call.files.some((file) => file.startsWith('src/core/bindings/'))
              ? {
                  label: 'bindings table',
                  arn: `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/byok-dev-bindings`,
                  account: ACCOUNT,
                  context: {},
                }
              : {
                  label: 'the import-runs table',
                  arn: values.getAtt('ImportRunsTable', 'Arn'),
                  account: ACCOUNT,
                  context: {},
                },
          ];
        case 'sts:AssumeRole':
          // The spoke's trust policy lets this account in: only the operator's policy decides.
          return [spokeRoleTarget('byok-spoke', FLEET_EXTERNAL_ID)];
        default:
          if (
            KMS_WITHOUT_RESOURCE.has(call.action) ||
            call.action.startsWith('states:List') ||
            call.action.startsWith('sts:')
          )
            return [anyResource()];
          if (call.action.startsWith('kms:')) return [keyTarget(call.action, PROBE)];
          throw new Error(`operator: no target model for ${call.action}`);
      }
    };
    return { action: call.action, source: call.files.join(', '), targets: targetsOf() };
  });
}

function approvalsUrlTarget(values: TemplateValues): Target {
  return {
    label: 'the approvals API function URL',
    arn: values.getAtt('ApprovalsApiLambdaFunction', 'Arn'),
    account: ACCOUNT,
    context: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' },
  };
}

async function approvalsCallerCalls(
  values: TemplateValues,
  root: string,
  commands: string[],
): Promise<SubjectCall[]> {
  const found = await awsCallsOf(
    commands.map((name) => join(root, `src/onprem/cli/commands/${name}/action.ts`)),
    root,
  );
  return found.map((call) => {
    if (call.action !== 'lambda:InvokeFunctionUrl')
      throw new Error(`approvals caller: ${call.action} not modelled`);
    return { action: call.action, source: call.files.join(', '), targets: [approvalsUrlTarget(values)] };
  });
}

async function workerCalls(values: TemplateValues, root: string): Promise<SubjectCall[]> {
  const found = await awsCallsOf([join(root, 'src/onprem/cli/commands/worker/action.ts')], root);
  const names = stackNames(values);
  const activities = [
    'WrapKeyMaterialActivity',
    'CreateRotationMaterialActivity',
    'RetireRotationMaterialActivity',
  ];
  return found.map((call) => {
    const targetsOf = (): Target[] => {
      switch (call.action) {
        case 'states:GetActivityTask':
          return activities.map((id) => ({
            label: `activity ${id}`,
            arn: names.activity(id),
            account: ACCOUNT,
            context: {},
          }));
        case 'states:DescribeStateMachine':
          return ['ImportKeyMaterial', 'RotateKeyMaterial', 'ReimportExpiringKeys'].map((id) => ({
            label: `state machine ${id}`,
            arn: names.stateMachine(id),
            account: ACCOUNT,
            context: {},
          }));
        case 'kms:GetParametersForImport':
        case 'kms:DescribeKey':
        case 'kms:ListKeyRotations':
          return [keyTarget(call.action, PROBE, { id: BOUND_KEY_ID })];
        case 'events:PutEvents':
          return [
            {
              label: 'default bus, source byok',
              arn: names.defaultBus,
              account: ACCOUNT,
              context: { 'events:source': 'byok' },
            },
          ];
        case 'secretsmanager:GetSecretValue':
          return [{ label: 'a PIN secret', arn: PIN_SECRET, account: ACCOUNT, context: {} }];
        default:
          if (/^states:(List|SendTask)/.test(call.action)) return [anyResource()];
          throw new Error(`worker: no target model for ${call.action}`);
      }
    };
    return { action: call.action, source: call.files.join(', '), targets: targetsOf() };
  });
}

async function bindingsAdministratorCalls(root: string): Promise<SubjectCall[]> {
  // byok bindings and byok key create without --import (with it, the import is the operator's: the
  // policy says so, and byok import is evaluated under OperatorPolicy).
  const found = await awsCallsOf(
    ['bindings', 'key'].map((name) => join(root, `src/onprem/cli/commands/${name}/action.ts`)),
    root,
    {
      exclude: /^src\/local\//,
      cut: /^src\/onprem\/cli\/commands\/import\/action\.ts$|^src\/core\/hsm\//,
    },
  );
  const bindingsTable: Target = {
    label: 'bindings table',
    arn: `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/byok-dev-bindings`,
    account: ACCOUNT,
    context: {},
  };
  return found.map((call) => {
    const targetsOf = (): Target[] => {
      switch (call.action) {
        case 'dynamodb:ListTables':
        case 'sts:GetCallerIdentity':
          return [anyResource()];
        case 'dynamodb:GetItem':
        case 'dynamodb:Scan':
        case 'dynamodb:PutItem':
        case 'dynamodb:DeleteItem':
          return [bindingsTable];
        case 'kms:CreateKey':
          return [
            {
              label: 'a new EXTERNAL key tagged byok:managed=true',
              arn: '*',
              account: ACCOUNT,
              context: {
                'kms:KeyOrigin': 'EXTERNAL',
                'aws:RequestTag/byok:managed': 'true',
                'aws:TagKeys': ['byok:managed', 'byok:hsm-key-label'],
              },
            },
          ];
        case 'kms:CreateAlias':
          return [
            keyTarget(call.action, PROBE),
            {
              label: 'the new alias',
              arn: `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:alias/payments`,
              account: ACCOUNT,
              context: {},
            },
          ];
        default:
          if (call.action.startsWith('kms:')) return [keyTarget(call.action, PROBE)];
          throw new Error(`bindings administrator: no target model for ${call.action}`);
      }
    };
    return { action: call.action, source: call.files.join(', '), targets: targetsOf() };
  });
}

function deployerCalls(): SubjectCall[] {
  const stack = `arn:${PARTITION}:cloudformation:${REGION}:${ACCOUNT}:stack/byok-dev/0f1e2d3c-0000-4000-8000-000000000002`;
  return deployerOperations(readFileSync(join(repoRoot, 'docs/deploy.md'), 'utf8')).map(
    ({ action, source }) => {
      if (action.startsWith('s3:')) {
        return {
          action,
          source,
          targets: [
            {
              label: 'an artefact',
              arn: `arn:${PARTITION}:s3:::${ARTIFACT_BUCKET}/byok-dev/0123abcd.zip`,
              account: ACCOUNT,
              context: {},
            },
          ],
        };
      }
      const withRole = [
        'cloudformation:CreateChangeSet',
        'cloudformation:DeleteStack',
        'cloudformation:ContinueUpdateRollback',
        'cloudformation:RollbackStack',
      ];
      return {
        action,
        source,
        targets: [
          {
            label: 'the byok stack',
            arn: stack,
            account: ACCOUNT,
            context: (withRole.includes(action)
              ? { 'cloudformation:RoleArn': DEPLOYMENT_ROLE }
              : {}) as Record<string, string>,
          },
        ],
      };
    },
  );
}

function passRoleCall(): SubjectCall {
  return {
    action: 'iam:PassRole',
    source: 'aws cloudformation deploy --role-arn (docs/deploy.md)',
    targets: [
      {
        label: 'the CloudFormation service role',
        arn: DEPLOYMENT_ROLE,
        account: ACCOUNT,
        context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
      },
    ],
  };
}

async function subjectsOf(packaged: PackagedService, parameters: Record<string, string>): Promise<Subject[]> {
  const template = packaged.template;
  const values = new TemplateValues(template, {
    partition: PARTITION,
    region: REGION,
    account: ACCOUNT,
    parameters,
  });
  const root = packaged.serviceDir;
  const subjects = [
    ...(await functionSubjects(template, values, root, PROBE)),
    ...stateMachineSubjects(template, values),
    ...ruleSubjects(template, values),
    managedPolicySubject(template, values, 'OperatorPolicy', await operatorCalls(values, root)),
    managedPolicySubject(
      template,
      values,
      'RotationRequesterPolicy',
      await approvalsCallerCalls(values, root, ['rotate']),
    ),
    managedPolicySubject(
      template,
      values,
      'ApproverPolicy',
      await approvalsCallerCalls(values, root, ['approvals', 'approve', 'reject']),
    ),
    managedPolicySubject(template, values, 'DeployerPolicy', [...deployerCalls(), passRoleCall()]),
    managedPolicySubject(
      template,
      values,
      'BindingsAdministratorPolicy',
      await bindingsAdministratorCalls(root),
    ),
  ];
  if (template.Resources.WorkerPolicy) {
    subjects.push(managedPolicySubject(template, values, 'WorkerPolicy', await workerCalls(values, root)));
  }
  return subjects;
}

beforeAll(async () => {
  const packages = new Map<string, PackagedService>();
  for (const [placement, parameters, args] of [
    ['lambda', LAMBDA_PARAMETERS, []],
    ['activity', ACTIVITY_PARAMETERS, ['--param', 'hsmPlacement=activity']],
    // Fleet mode is a stack parameter: the lambda package, deployed with FleetMode=true.
    ['lambda, fleetMode=true', FLEET_PARAMETERS, []],
  ] as const) {
    const key = args.join(' ');
    const packaged =
      packages.get(key) ?? packageService(repoRoot, [...args], { region: REGION, cache: true });
    packages.set(key, packaged);
    const values = new TemplateValues(packaged.template, {
      partition: PARTITION,
      region: REGION,
      account: ACCOUNT,
      parameters,
    });
    const deployed = new Set(
      Object.entries(packaged.template.Resources)
        .filter(([, resource]) => values.exists(resource))
        .map(([id]) => id),
    );
    placements[placement] = {
      placement,
      packaged,
      subjects: await subjectsOf(packaged, parameters),
      deployed,
    };
  }
}, 480_000);

afterAll(() => {
  for (const packaged of new Set(Object.values(placements).map((placement) => placement.packaged)))
    packaged.cleanup();
});

// ---- denials and their widenings -----------------------------------------------------------------

interface Denial {
  subject: Subject;
  action: string;
  target: Target;
  /** What makes it a call that must be denied. */
  why: string;
  /** The subject's policies widened so that exactly this control no longer holds. */
  widened: NamedPolicy[];
}

function namesAction(statement: PolicyStatement, action: string): boolean {
  return [statement.Action ?? []].flat().some((name) => name.toLowerCase() === action.toLowerCase());
}

function widen(
  policies: readonly NamedPolicy[],
  action: string,
  change: (statement: PolicyStatement) => PolicyStatement,
): NamedPolicy[] {
  return policies.map((policy) => ({
    name: policy.name,
    document: {
      ...policy.document,
      Statement: policy.document.Statement.map((statement) =>
        statement.Effect === 'Allow' && namesAction(statement, action) ? change(statement) : statement,
      ),
    },
  }));
}

const anyResourceWidening = (statement: PolicyStatement): PolicyStatement => ({
  ...statement,
  Resource: '*',
});

function withoutConditionKeys(pattern: RegExp) {
  return (statement: PolicyStatement): PolicyStatement => {
    if (!statement.Condition) return statement;
    const condition = Object.fromEntries(
      Object.entries(statement.Condition)
        .map(([operator, keys]) => [
          operator,
          Object.fromEntries(Object.entries(keys).filter(([key]) => !pattern.test(key))),
        ])
        .filter(([, keys]) => Object.keys(keys as object).length > 0),
    );
    const { Condition: _dropped, ...rest } = statement;
    return Object.keys(condition).length > 0 ? { ...rest, Condition: condition } : rest;
  };
}

function addAllow(policies: readonly NamedPolicy[], action: string): NamedPolicy[] {
  const [first, ...rest] = policies;
  if (!first)
    return [
      {
        name: 'widened',
        document: {
          Version: '2012-10-17',
          Statement: [{ Sid: 'Widened', Effect: 'Allow', Action: action, Resource: '*' }],
        },
      },
    ];
  return [
    {
      name: first.name,
      document: {
        ...first.document,
        Statement: [
          ...first.document.Statement,
          { Sid: 'Widened', Effect: 'Allow', Action: action, Resource: '*' },
        ],
      },
    },
    ...rest,
  ];
}

function otherResource(target: Target, action: string): Target | undefined {
  const arn = target.arn;
  if (arn === '*') return undefined;
  const replace = (label: string, from: RegExp, to: string): Target => ({
    ...target,
    label,
    arn: arn.replace(from, to),
  });
  if (action.startsWith('states:')) {
    if (arn.includes(':stateMachine:'))
      return replace('another state machine', /:stateMachine:.*$/, ':stateMachine:forged-by-someone-else');
    if (arn.includes(':execution:'))
      return replace(
        'an execution of another state machine',
        /:execution:[^:]+:/,
        ':execution:forged-by-someone-else:',
      );
    if (arn.includes(':activity:'))
      return replace('another activity', /:activity:.*$/, ':activity:forged-by-someone-else');
  }
  if (action.startsWith('dynamodb:'))
    return replace('another table', /:table\/.*$/, ':table/someone-elses-table');
  if (action.startsWith('lambda:'))
    return replace('another function', /:function:.*$/, ':function:someone-elses-function');
  if (action.startsWith('secretsmanager:'))
    return replace('another secret', /:secret:.*$/, ':secret:someone-elses-secret-AbCdEf');
  if (action === 'events:PutEvents')
    return replace('another event bus', /event-bus\/.*$/, 'event-bus/someone-elses-bus');
  if (action.startsWith('events:')) return replace('another rule', /rule\/.*$/, 'rule/someone-elses-rule');
  if (action.startsWith('cloudformation:'))
    return replace('another stack', /stack\/[^/]+\//, 'stack/someone-elses-stack/');
  if (action === 's3:ListBucket') return replace('another bucket', /:::[^/]+$/, ':::someone-elses-bucket');
  if (action.startsWith('s3:')) return replace('another bucket', /:::[^/]+\//, ':::someone-elses-bucket/');
  if (action === 'iam:PassRole') return replace('another role', /role\/.*$/, 'role/someone-elses-admin-role');
  if (action === 'sts:AssumeRole')
    return {
      ...replace("another role of the spoke's account", /role\/.*$/, 'role/OrganizationAccountAccessRole'),
      // Its owner trusts the hub as much as the spoke role does: only the hub role's policy decides.
      resourcePolicy: target.resourcePolicy,
    };
  return undefined;
}

function denialsOf(subject: Subject): Denial[] {
  const denials: Denial[] = [];
  const logicalId = logicalIdOf(subject);
  for (const call of subject.calls) {
    if (call.notMade) {
      for (const target of call.targets)
        denials.push({
          subject,
          action: call.action,
          target,
          why: `reached in the code but not made: ${call.notMade}`,
          widened: addAllow(subject.policies, call.action),
        });
      continue;
    }
    if (REACHED_NOT_MADE[logicalId]?.[call.action]) continue;
    for (const target of call.targets) {
      if (call.action.startsWith('kms:') && target.arn !== '*') {
        const keyId = /key\/(.*)$/.exec(target.arn)?.[1];
        denials.push({
          subject,
          action: call.action,
          target: keyTarget(call.action, PROBE, { account: OTHER_ACCOUNT, id: keyId }),
          why: 'another account',
          widened: widen(subject.policies, call.action, anyResourceWidening),
        });
        if (!DISCOVERS_ANY_KEY[logicalId]?.includes(call.action)) {
          denials.push(
            {
              subject,
              action: call.action,
              target: keyTarget(call.action, PROBE, { managed: false, id: keyId }),
              why: 'not managed by byok',
              widened: widen(
                subject.policies,
                call.action,
                withoutConditionKeys(/^aws:ResourceTag\/byok:managed$/),
              ),
            },
            {
              subject,
              action: call.action,
              target: keyTarget(call.action, PROBE, { origin: 'AWS_KMS', id: keyId }),
              why: 'origin AWS_KMS',
              widened: widen(subject.policies, call.action, withoutConditionKeys(/^kms:KeyOrigin$/)),
            },
          );
        }
        if (call.action === 'kms:Encrypt' || call.action === 'kms:Decrypt') {
          const dropContext = widen(
            subject.policies,
            call.action,
            withoutConditionKeys(/^kms:EncryptionContext/),
          );
          const base = keyTarget(call.action, PROBE, { id: keyId });
          const tagsOnly = Object.fromEntries(
            Object.entries(base.context).filter(([key]) => !key.startsWith('kms:EncryptionContext')),
          );
          denials.push(
            {
              subject,
              action: call.action,
              target: { ...base, label: 'no encryption context', context: tagsOnly },
              why: 'no encryption context',
              widened: dropContext,
            },
            {
              subject,
              action: call.action,
              target: {
                ...base,
                label: "the bank's own encryption context",
                context: {
                  ...tagsOnly,
                  'kms:EncryptionContext:app': 'payments',
                  'kms:EncryptionContextKeys': ['app'],
                },
              },
              why: "another application's encryption context",
              widened: dropContext,
            },
            {
              subject,
              action: call.action,
              target: {
                ...base,
                label: 'the byok context plus another key',
                context: {
                  ...tagsOnly,
                  [`kms:EncryptionContext:${PROBE.key}`]: PROBE.value,
                  'kms:EncryptionContext:app': 'payments',
                  'kms:EncryptionContextKeys': [PROBE.key, 'app'],
                },
              },
              why: 'an encryption context with more than the byok key',
              widened: dropContext,
            },
          );
        }
        if (logicalId === 'WorkerPolicy' && call.action === 'kms:GetParametersForImport') {
          denials.push({
            subject,
            action: call.action,
            target: keyTarget(call.action, PROBE),
            why: 'a managed key the worker does not bind (not in WorkerKeyArns)',
            widened: widen(subject.policies, call.action, (statement) => ({
              ...statement,
              Resource: `arn:${PARTITION}:kms:*:${ACCOUNT}:key/*`,
            })),
          });
        }
        continue;
      }
      const other = otherResource(target, call.action);
      if (other)
        denials.push({
          subject,
          action: call.action,
          target: other,
          why: other.label,
          widened: widen(subject.policies, call.action, anyResourceWidening),
        });
      if (call.action === 'events:PutEvents' && target.context['events:source'] === 'byok') {
        const statementLimitsSource = subject.policies.some((policy) =>
          policy.document.Statement.some(
            (statement) =>
              namesAction(statement, call.action) &&
              JSON.stringify(statement.Condition ?? {}).includes('events:source'),
          ),
        );
        if (statementLimitsSource)
          denials.push({
            subject,
            action: call.action,
            target: { ...target, label: 'events of another source', context: { 'events:source': 'aws.kms' } },
            why: 'an event claiming another source',
            widened: widen(subject.policies, call.action, withoutConditionKeys(/^events:source$/)),
          });
      }
    }
  }
  for (const [action, reason] of Object.entries(REACHED_NOT_MADE[logicalId] ?? {})) {
    const call = subject.calls.find((candidate) => candidate.action === action);
    for (const target of call?.targets ?? []) {
      denials.push({
        subject,
        action,
        target,
        why: `reached in the code but not made: ${reason}`,
        widened: addAllow(subject.policies, action),
      });
    }
  }
  for (const action of NEVER_ON_A_MANAGED_KEY) {
    denials.push({
      subject,
      action,
      target: keyTarget(action, PROBE),
      why: 'a use of a managed key byok never makes',
      widened: addAllow(subject.policies, action),
    });
  }
  return denials;
}

// ---- the tests -----------------------------------------------------------------------------------

describe.each(['lambda', 'activity', 'lambda, fleetMode=true'])(
  'IAM of the packaged template, hsmPlacement=%s',
  (placement) => {
    const evaluated = () => placements[placement] as Evaluated;

    it('has a subject for every role and every customer-managed policy, each with the calls of its code', () => {
      // Prepare
      const { packaged, subjects, deployed } = evaluated();
      const roles = Object.entries(packaged.template.Resources)
        .filter(
          ([, resource]) => resource.Type === 'AWS::IAM::Role' || resource.Type === 'AWS::IAM::ManagedPolicy',
        )
        // Fleet mode's roles exist only with FleetMode=true.
        .filter(([id]) => deployed.has(id))
        .map(([id]) => id)
        .sort();

      // Assess
      expect(subjects.map(logicalIdOf).sort()).toEqual(roles);
      expect(roles.some((id) => /Fleet/.test(id))).toBe(placement.includes('fleetMode=true'));
      for (const subject of subjects) {
        if (subject.id.includes('summarize-sweep')) expect(subject.calls, subject.id).toEqual([]);
        else expect(subject.calls.length, `${subject.id} makes no AWS call?`).toBeGreaterThan(0);
      }
    });

    it('allows every call the code behind each role or policy makes, on the resources it names', async () => {
      // Prepare
      const failures: string[] = [];

      // Act
      for (const subject of evaluated().subjects) {
        for (const call of subject.calls) {
          const reason = call.notMade ?? REACHED_NOT_MADE[logicalIdOf(subject)]?.[call.action];
          if (reason || call.action === 'sts:GetCallerIdentity') continue;
          for (const target of call.targets) {
            const request = {
              principal: subject.principal,
              action: call.action,
              resource: target.arn,
              resourceAccount: target.account,
              context: target.context,
              ...(target.resourcePolicy ? { resourcePolicy: target.resourcePolicy } : {}),
            };
            const judgement = await evaluate(request, subject.policies);
            if (judgement.decision !== 'Allowed')
              failures.push(
                `${subject.id}: ${call.action} (${call.source}) on ${target.label}: ${explain(request, subject.policies, judgement)}`,
              );
          }
        }
      }

      // Assess
      expect(failures).toEqual([]);
    });

    it('denies the calls each role or policy must not make, and each denial fails once its control is widened', async () => {
      // Prepare
      const failures: string[] = [];
      let count = 0;

      // Act
      for (const subject of evaluated().subjects) {
        for (const denial of denialsOf(subject)) {
          count += 1;
          const request = {
            principal: subject.principal,
            action: denial.action,
            resource: denial.target.arn,
            resourceAccount: denial.target.account,
            context: denial.target.context,
            ...(denial.target.resourcePolicy ? { resourcePolicy: denial.target.resourcePolicy } : {}),
          };
          const judgement = await evaluate(request, subject.policies);
          if (judgement.decision === 'Allowed')
            failures.push(
              `${subject.id} may ${denial.action} on ${denial.why}: ${explain(request, subject.policies, judgement)}`,
            );
          const widened = await evaluate(request, denial.widened);
          if (widened.decision !== 'Allowed')
            failures.push(
              `${subject.id}: ${denial.action} on ${denial.why} stays denied when its control is widened, so the denial does not test that control: ${explain(request, denial.widened, widened)}`,
            );
        }
      }

      // Assess
      expect(count).toBeGreaterThan(100);
      expect(failures).toEqual([]);
    });
  },
);
