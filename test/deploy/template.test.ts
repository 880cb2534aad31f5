// Packages the stack offline once (osls, no AWS credentials) and checks the generated
// CloudFormation template: the workflows are wired to this stack's functions, the ASL is valid,
// the rules start the right workflows, alerts reach an encrypted topic, and every role is least
// privilege. Change serverless.yml and these tests tell you what you broke.

import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { StateMachine } from 'aws-local-stepfunctions';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnResource,
  type CfnTemplate,
  type PackagedService,
  packageService,
  repoRoot,
} from '../../deploy/package-service.ts';
import {
  createDynamoDbDocumentClient,
  createKmsClient,
  LOCAL_CREDENTIALS,
} from '../../src/core/aws/clients.ts';
import { bindingsTableDefinition, DynamoDbBindingsStore } from '../../src/core/bindings/dynamodb-store.ts';
import {
  PROBE_ENCRYPTION_CONTEXT_KEY,
  PROBE_ENCRYPTION_CONTEXT_VALUE,
} from '../../src/core/import/probe-context.ts';
import { TAG_MANAGED, TAG_MANAGED_VALUE } from '../../src/core/import/tags.ts';
import { loadEventRules } from '../../src/core/sweep/event-rules.ts';
import { DEFAULT_LEAD_WINDOW_DAYS } from '../../src/core/sweep/lead-window.ts';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../src/local/dynamodb/server.ts';
import { matchesEventPattern, parseEventPattern } from '../../src/local/events/event-pattern.ts';
import { type LocalStack, startLocalStack } from '../../src/local/stack.ts';
import type { JsonValue } from '../../src/onprem/runner/types.ts';
import { createTestToken, type TestToken } from '../helpers/hsm.ts';
import { createManagedExternalKey } from '../helpers/managed-key.ts';

interface AslValidation {
  isValid: boolean;
  errorsText(separator?: string): string;
}
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options?: { checkPaths: boolean; checkArn: boolean },
) => AslValidation;

const PARTITION = 'aws';
const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const PSEUDO: Record<string, string> = {
  'AWS::Partition': PARTITION,
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
};
const STATE_MACHINES = {
  importKeyMaterial: 'ImportKeyMaterial',
  reimportExpiringKeys: 'ReimportExpiringKeys',
  rotateKeyMaterial: 'RotateKeyMaterial',
  // Fleet mode only (Condition FleetMode, deploy/fleet-mode.cjs; see describe('fleet mode')).
  reimportFleet: 'ReimportFleet',
};
/** Functions that load pkcs11js from the layer: the wrap, and the rotation's HSM steps. */
const HSM_HANDLERS = new Set([
  'functions/wrap-key-material.handler',
  'functions/create-rotation-material.handler',
  'functions/retire-rotation-material.handler',
]);
/** Functions no state machine calls: the approvals API behind its function URL. */
const NOT_IN_A_WORKFLOW = new Set(['byok-dev-approvalsApi']);

let packaged: PackagedService;
let template: CfnTemplate;

beforeAll(() => {
  packaged = packageService(repoRoot, [], { cache: true });
  template = packaged.template;
}, 250_000);

afterAll(() => packaged?.cleanup());

// ---- reading the template ----------------------------------------------------------------------

function resourcesOfType(type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function property<T = unknown>(resource: CfnResource | undefined, name: string): T {
  return resource?.Properties?.[name] as T;
}

function functionNames(): Map<string, string> {
  return new Map(
    resourcesOfType('AWS::Lambda::Function').map(([id, resource]) => [
      property<string>(resource, 'FunctionName'),
      id,
    ]),
  );
}

function stateMachineArn(logicalId: string): string {
  const name = property<string>(template.Resources[logicalId], 'StateMachineName');
  return `arn:${PARTITION}:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
}

function substitute(text: string, variables: Record<string, unknown>): string {
  return text.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => {
    if (name in PSEUDO) return PSEUDO[name] as string;
    if (name in variables) return evaluate(variables[name]);
    throw new Error(`unresolved \${${name}} in a Fn::Sub`);
  });
}

/** Evaluates the intrinsics a state machine definition may use into concrete strings. */
function evaluate(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Fn::Sub' in object) {
    const sub = object['Fn::Sub'];
    return Array.isArray(sub)
      ? substitute(sub[0] as string, sub[1] as Record<string, unknown>)
      : substitute(sub as string, {});
  }
  if ('Fn::GetAtt' in object) {
    const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
    const target = template.Resources[logicalId];
    if (target?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') {
      return `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${property<string>(target, 'FunctionName')}`;
    }
    throw new Error(`Fn::GetAtt ${logicalId}.${attribute} is not a function of the stack`);
  }
  if ('Ref' in object) {
    const logicalId = object.Ref as string;
    if (template.Resources[logicalId]?.Type === 'AWS::StepFunctions::StateMachine')
      return stateMachineArn(logicalId);
    throw new Error(`Ref ${logicalId} is not a state machine of the stack`);
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

type State = Record<string, unknown> & { Type: string };
type Definition = { States: Record<string, State> };

function definitionOf(logicalId: string): Definition {
  const definitionString = property(template.Resources[logicalId], 'DefinitionString');
  return JSON.parse(evaluate(definitionString)) as Definition;
}

/** Every state, including those inside Map and Parallel states. */
function allStates(definition: Definition): [string, State][] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const nested: Definition[] = [];
    for (const key of ['ItemProcessor', 'Iterator']) if (state[key]) nested.push(state[key] as Definition);
    for (const branch of (state.Branches as Definition[] | undefined) ?? []) nested.push(branch);
    return [[name, state] as [string, State], ...nested.flatMap(allStates)];
  });
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function statementsOf(role: CfnResource): Statement[] {
  const policies =
    property<{ PolicyDocument: { Statement: Statement[] } }[] | undefined>(role, 'Policies') ?? [];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

function roleOfFunction(functionKey: string): CfnResource {
  const logicalId = `${functionKey.charAt(0).toUpperCase()}${functionKey.slice(1)}LambdaFunction`;
  const roleArn = property<{ 'Fn::GetAtt': [string, string] }>(template.Resources[logicalId], 'Role');
  const role = template.Resources[roleArn['Fn::GetAtt'][0]];
  if (!role) throw new Error(`no role for ${functionKey}`);
  return role;
}

function kmsActionsOf(role: CfnResource): string[] {
  return statementsOf(role)
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap(actionsOf)
    .filter((action) => action.toLowerCase().startsWith('kms:'))
    .sort();
}

/** Each function of src/core/aws/paginate-kms.ts -> the KMS operation its paginator calls. */
function kmsPaginatedOperations(root: string): Map<string, string> {
  const text = readFileSync(join(root, 'src/core/aws/paginate-kms.ts'), 'utf8');
  const operations = new Map<string, string>();
  for (const part of text.split(/^export async function /m).slice(1)) {
    const name = /^(\w+)/.exec(part)?.[1];
    const operation = /\bpaginate(\w+)\(/.exec(part)?.[1];
    if (name && operation) operations.set(name, operation);
  }
  return operations;
}

/**
 * `kms:<Operation>` for every `<Operation>Command` value-imported from @aws-sdk/client-kms by the
 * project files an entry reaches, and for each function imported from src/core/aws/paginate-kms.ts
 * the operation its paginator calls (esbuild's resolution, before tree shaking: a superset of what
 * runs, so an action the code needs can never be missing from this list).
 */
async function kmsCommandsReachedFrom(entry: string, root: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    external: ['pkcs11js'],
    logLevel: 'silent',
  });
  const actions = new Set<string>();
  const paginated = kmsPaginatedOperations(root);
  for (const file of Object.keys(result.metafile.inputs)) {
    if (file.includes('node_modules')) continue;
    const text = readFileSync(join(root, file), 'utf8');
    // The KMS list calls through src/core/aws/paginate-kms.ts: the operation of each function imported.
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'[^']*\/paginate-kms\.ts'/g)) {
      for (const member of (match[1] ?? '').split(',')) {
        const operation = paginated.get(member.trim());
        if (operation) actions.add(`kms:${operation}`);
      }
    }
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-kms'/g)) {
      for (const member of (match[1] ?? '').split(',')) {
        const name = member.trim();
        if (name.endsWith('Command') && !name.startsWith('type '))
          actions.add(`kms:${name.slice(0, -'Command'.length)}`);
      }
    }
  }
  return [...actions].sort();
}

const KEYS_OF_THIS_ACCOUNT = {
  'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*',
};
/** Multi-Region keys: the replicas are keys of this account in other Regions. */
const KEYS_OF_THIS_ACCOUNT_ANY_REGION = {
  'Fn::Sub': 'arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*',
};
/** byok's own approvals keys (seals and task tokens): not managed keys, used by named roles only. */
const APPROVALS_KEYS = ['ApprovalsSealKey', 'ApprovalsTokenKey'].map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
const onApprovalsKey = (statement: Statement) =>
  resourcesOf(statement).every((resource) =>
    APPROVALS_KEYS.some((key) => JSON.stringify(key) === JSON.stringify(resource)),
  );

const MANAGED_ONLY = { [`aws:ResourceTag/${TAG_MANAGED}`]: TAG_MANAGED_VALUE, 'kms:KeyOrigin': 'EXTERNAL' };

// ---- the tests ---------------------------------------------------------------------------------

describe('packaging (osls, offline)', () => {
  it('writes the template with the three state machines, the child under its fixed logical id', () => {
    // Assess
    expect(packaged.output).toContain('Service packaged');
    for (const logicalId of Object.values(STATE_MACHINES)) {
      expect(template.Resources[logicalId]?.Type).toBe('AWS::StepFunctions::StateMachine');
    }
    expect(resourcesOfType('AWS::StepFunctions::StateMachine')).toHaveLength(4);
  });

  it('bundles every function as one minified ESM file with the AWS SDK inside and pkcs11js left to the layer', () => {
    // Prepare
    const handlers = resourcesOfType('AWS::Lambda::Function').map(([, resource]) =>
      property<string>(resource, 'Handler'),
    );
    // A module load, not a mention in an SDK error message.
    const loadsSdkClient = /(from\s*|require\(|import\()["']@aws-sdk\/client-/;
    const loadsPkcs11 = /(from\s*|require\(|import\()["']pkcs11js["']/;

    // Assess
    expect(handlers.length).toBeGreaterThanOrEqual(4);
    for (const handler of handlers) {
      const bundle = readFileSync(join(packaged.bundleDir, handler.replace(/\.handler$/, '.mjs')), 'utf8');
      expect(loadsSdkClient.test(bundle), `${handler} loads an SDK client from node_modules`).toBe(false);
      expect(loadsPkcs11.test(bundle), `${handler} loads pkcs11js`).toBe(HSM_HANDLERS.has(handler));
    }
    // The SDK in the import bundle is the pinned one, which knows ImportKeyMaterial's ImportType.
    const importBundle = readFileSync(join(packaged.bundleDir, 'functions/import-key-material.mjs'), 'utf8');
    expect(importBundle.includes('"ImportType"')).toBe(true);
  });
});

describe('state machines', () => {
  it('resolve every Task to a function or a state machine of this stack, and every function is used', () => {
    // Prepare
    const names = functionNames();
    const used = new Set<string>();
    const childArns = Object.values(STATE_MACHINES).map(stateMachineArn);

    // Act
    for (const logicalId of Object.values(STATE_MACHINES)) {
      for (const [stateName, state] of allStates(definitionOf(logicalId))) {
        if (state.Type !== 'Task') continue;
        const resource = state.Resource as string;
        const lambda = /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:([^:]+)$/.exec(resource);
        if (lambda) {
          expect(names.has(lambda[1] as string), `${stateName} -> ${resource}`).toBe(true);
          used.add(lambda[1] as string);
        } else if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
          const functionArn = ((state.Parameters as Record<string, unknown>).FunctionName ?? '') as string;
          const name = /:function:([^:]+)$/.exec(functionArn)?.[1] as string;
          expect(names.has(name), `${stateName} -> ${functionArn}`).toBe(true);
          used.add(name);
        } else if (resource.startsWith('arn:aws:states:::states:startExecution')) {
          const parameters = state.Parameters as Record<string, unknown>;
          expect(childArns, stateName).toContain(parameters.StateMachineArn);
        } else {
          expect(resource, `${stateName} uses an integration this test does not know`).toBe(
            'arn:aws:states:::events:putEvents',
          );
        }
      }
    }

    // Assess
    expect([...used].sort()).toEqual([...names.keys()].filter((name) => !NOT_IN_A_WORKFLOW.has(name)).sort());
  });

  it.each(Object.entries(STATE_MACHINES))(
    '%s passes asl-validator with paths and ARNs checked',
    (_key, logicalId) => {
      // Act
      const validation = aslValidator(definitionOf(logicalId), { checkPaths: true, checkArn: true });

      // Assess
      expect(validation.errorsText('\n')).toBe('');
      expect(validation.isValid).toBe(true);
    },
  );

  it('never log execution data and are traced', () => {
    for (const logicalId of Object.values(STATE_MACHINES)) {
      const resource = template.Resources[logicalId];
      expect(property(resource, 'LoggingConfiguration')).toMatchObject({ IncludeExecutionData: false });
      expect(property(resource, 'TracingConfiguration')).toEqual({ Enabled: true });
    }
  });
});

describe('EventBridge rules', () => {
  interface RuleTarget {
    Arn: unknown;
    Input?: string;
    InputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string };
  }
  const targetResource: Record<string, string> = {
    ImportKeyMaterial: 'ImportKeyMaterial',
    ReimportExpiringKeys: 'ReimportExpiringKeys',
    AlertTopic: 'AlertTopic',
  };

  function ruleNamed(name: string): CfnResource | undefined {
    return resourcesOfType('AWS::Events::Rule').find(([, rule]) => property(rule, 'Name') === name)?.[1];
  }

  it('deploys every rule of deploy/event-rules.json with its schedule or pattern, input and target', () => {
    // Prepare
    const rules = loadEventRules();

    // Assess
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      const deployed = ruleNamed(`byok-dev-${rule.name}`);
      expect(deployed, rule.name).toBeDefined();
      expect(property(deployed, 'ScheduleExpression')).toEqual(rule.scheduleExpression);
      expect(property(deployed, 'EventPattern')).toEqual(rule.eventPattern);
      const targets = property<RuleTarget[]>(deployed, 'Targets');
      expect(targets).toHaveLength(1);
      const [target] = targets as [RuleTarget];
      expect(target.Arn).toEqual({ Ref: targetResource[rule.target] });
      expect(target.Input === undefined ? undefined : JSON.parse(target.Input)).toEqual(rule.input);
      if (rule.inputTransformer) {
        expect(target.InputTransformer?.InputPathsMap).toEqual(rule.inputTransformer.inputPathsMap);
        expect(target.InputTransformer?.InputTemplate).toBe(rule.inputTransformer.inputTemplate);
      } else {
        expect(target.InputTransformer).toBeUndefined();
      }
    }
  });

  it('start the sweep on a schedule and the import when KMS reports expired material', () => {
    // Prepare
    const rules = resourcesOfType('AWS::Events::Rule').map(([, rule]) => rule);
    const targetsOf = (rule: CfnResource) =>
      property<RuleTarget[]>(rule, 'Targets').map((target) => target.Arn);

    // Act
    // reimport-fleet's schedule exists only in fleet mode (describe('fleet mode')).
    const scheduled = rules.filter(
      (rule) => property(rule, 'ScheduleExpression') !== undefined && rule.Condition === undefined,
    );
    const onKmsEvents = rules.filter((rule) =>
      property<{ source?: string[] } | undefined>(rule, 'EventPattern')?.source?.includes('aws.kms'),
    );

    // Assess
    expect(scheduled.flatMap(targetsOf)).toEqual([{ Ref: 'ReimportExpiringKeys' }]);
    expect(onKmsEvents.flatMap(targetsOf)).toContainEqual({ Ref: 'ImportKeyMaterial' });
    expect(onKmsEvents.flatMap(targetsOf)).not.toContainEqual({ Ref: 'ReimportExpiringKeys' });
  });
});

describe('alerts', () => {
  function event(source: string, detailType: string, detail: Record<string, unknown> = {}) {
    return {
      version: '0',
      id: 'e1',
      'detail-type': detailType,
      source,
      account: ACCOUNT,
      time: '2026-11-27T21:00:00Z',
      region: REGION,
      resources: [],
      detail,
    };
  }

  /** Whether some rule of the stack would deliver this event to the alert topic. */
  function alerts(candidate: ReturnType<typeof event>): boolean {
    return resourcesOfType('AWS::Events::Rule')
      .map(([, rule]) => rule)
      .filter((rule) =>
        property<{ Arn: unknown }[]>(rule, 'Targets').some(
          (target) => JSON.stringify(target.Arn) === '{"Ref":"AlertTopic"}',
        ),
      )
      .some((rule) =>
        matchesEventPattern(parseEventPattern(JSON.stringify(property(rule, 'EventPattern'))), candidate),
      );
  }

  it("go to a topic encrypted with a key of the stack that rotates, published only by this stack's rules", () => {
    // Prepare
    const [, topic] = resourcesOfType('AWS::SNS::Topic')[0] ?? [];
    const keyRef = property<{ Ref: string }>(topic, 'KmsMasterKeyId');
    const [, topicPolicy] = resourcesOfType('AWS::SNS::TopicPolicy')[0] ?? [];
    const thisStacksAlarms = {
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:byok-dev-*',
        },
      },
    };
    const thisStacksRules = {
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/byok-dev-*',
        },
      },
    };

    // Assess
    expect(template.Resources[keyRef.Ref]?.Type).toBe('AWS::KMS::Key');
    expect(property(template.Resources[keyRef.Ref], 'EnableKeyRotation')).toBe(true);
    const keyStatements = property<{ Statement: Statement[] }>(
      template.Resources[keyRef.Ref],
      'KeyPolicy',
    ).Statement;
    expect(keyStatements).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Condition: thisStacksRules }),
    );
    const statements = property<{ Statement: Statement[] }>(topicPolicy, 'PolicyDocument').Statement;
    expect(statements).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: thisStacksRules,
      }),
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: thisStacksAlarms,
      }),
    ]);
    expect(keyStatements).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Condition: thisStacksAlarms,
      }),
    );
  });

  it("also come from AWS's own expiry metric, when some material is about to expire anyway", () => {
    // Prepare
    const [, alarm] = resourcesOfType('AWS::CloudWatch::Alarm')[0] ?? [];
    const [query] = property<{ Expression: string; ReturnData: boolean }[]>(alarm, 'Metrics');

    // Assess
    expect(query?.Expression).toBe(
      'SELECT MIN(SecondsUntilKeyMaterialExpiration) FROM SCHEMA("AWS/KMS", KeyId)',
    );
    expect(property(alarm, 'ComparisonOperator')).toBe('LessThanThreshold');
    expect(property(alarm, 'Threshold')).toEqual({ Ref: 'ExpiryAlarmSeconds' });
    expect(template.Parameters?.ExpiryAlarmSeconds?.Default).toBe(7 * 86_400);
    expect(property(alarm, 'AlarmActions')).toEqual([{ Ref: 'AlertTopic' }]);
    expect(property(alarm, 'AlarmName')).toBe('byok-dev-key-material-expiring');
  });

  it('the expiry alarm fires inside the lead window the deployed sweep uses, and its description states no other', () => {
    // Prepare: the lead window the daily sweep runs with (its rule's input, else byok's default).
    const sweepRule = loadEventRules().find((rule) => rule.name === 'reimport-sweep');
    const leadWindowDays = Number(sweepRule?.input?.leadWindowDays ?? DEFAULT_LEAD_WINDOW_DAYS);
    const parameter = template.Parameters?.ExpiryAlarmSeconds as { Default: number; Description: string };

    // Assess: the default threshold is below the lead window, and the words name no day count
    // other than the one configured.
    expect(parameter.Default).toBeLessThan(leadWindowDays * 86_400);
    for (const [, days] of parameter.Description.matchAll(/(\d+)[- ]day lead window/g))
      expect(Number(days)).toBe(leadWindowDays);
    expect(parameter.Description).toContain('lead window');
  });

  it('cover every failure the workflows publish, sweeps with failures and expired material, nothing else', () => {
    // Prepare
    const published = Object.values(STATE_MACHINES)
      .flatMap((logicalId) => allStates(definitionOf(logicalId)))
      .filter(([, state]) => state.Resource === 'arn:aws:states:::events:putEvents')
      .flatMap(
        ([, state]) => (state.Parameters as { Entries: { Source: string; DetailType: string }[] }).Entries,
      );
    const failureTypes = published.filter((entry) => /fail/i.test(entry.DetailType)).map((e) => e.DetailType);

    // Assess
    expect(failureTypes.length).toBeGreaterThan(0);
    for (const detailType of failureTypes) expect(alerts(event('byok', detailType)), detailType).toBe(true);
    expect(alerts(event('byok', 'byok Reimport Sweep Completed', { failed: 2 }))).toBe(true);
    expect(alerts(event('byok', 'byok Reimport Sweep Completed', { failed: 0 }))).toBe(false);
    // A sweep that could not read some keys (issue 17) alerts even with nothing failed.
    expect(
      alerts(event('byok', 'byok Reimport Sweep Completed', { failed: 0, outcome: 'PARTIAL', unread: 217 })),
    ).toBe(true);
    expect(alerts(event('byok', 'byok Reimport Sweep Completed', { failed: 0, outcome: 'COMPLETE' }))).toBe(
      false,
    );
    expect(alerts(event('aws.kms', 'KMS Imported Key Material Expiration', { 'key-id': 'k' }))).toBe(true);
    expect(alerts(event('byok', 'byok Key Material Imported'))).toBe(false);
    expect(alerts(event('other', 'byok Key Material Import Failed'))).toBe(false);
  });
});

describe('least privilege', () => {
  const allRoles = () => resourcesOfType('AWS::IAM::Role');

  it('no role allows kms:*, a wildcard action, or an action with a wildcard', () => {
    // Prepare
    const roles = allRoles();

    // Assess
    expect(roles.length).toBeGreaterThan(5);
    // The one separate policy: fleet mode's spoke AssumeRole, attached only under FleetMode
    // (describe('fleet mode')); its actions are checked here like every role's.
    expect(resourcesOfType('AWS::IAM::Policy').map(([id]) => id)).toEqual(['FleetSpokeRolesPolicy']);
    const fleetPolicy = template.Resources.FleetSpokeRolesPolicy as CfnResource;
    for (const statement of [
      property<{ Statement: { Action: string | string[] }[] }>(fleetPolicy, 'PolicyDocument').Statement,
    ].flat()) {
      for (const action of [statement.Action].flat())
        expect(action, `FleetSpokeRolesPolicy allows ${action}`).not.toContain('*');
    }
    // The customer-managed policies for people and machines around byok (deploy/access-policies.cjs,
    // evaluated in iam-evaluation.test.ts; the bindings administrators' in serverless.yml); none is
    // attached to a role of the stack.
    expect(
      resourcesOfType('AWS::IAM::ManagedPolicy')
        .map(([id]) => id)
        .sort(),
    ).toEqual([
      'ApproverPolicy',
      'BindingsAdministratorPolicy',
      'DeployerPolicy',
      'OperatorPolicy',
      'RotationRequesterPolicy',
    ]);
    for (const [id, policy] of resourcesOfType('AWS::IAM::ManagedPolicy')) {
      for (const statement of property<{ Statement: Statement[] }>(policy, 'PolicyDocument').Statement) {
        for (const action of actionsOf(statement))
          expect(action, `${id} allows ${action}`).not.toContain('*');
      }
    }
    for (const [id, role] of roles)
      expect(property(role, 'ManagedPolicyArns') ?? [], id).not.toContainEqual({
        Ref: expect.stringMatching(/Policy$/),
      });
    for (const [id, role] of roles) {
      for (const statement of statementsOf(role)) {
        for (const action of actionsOf(statement)) {
          expect(action, `${id} allows ${action}`).not.toContain('*');
        }
      }
    }
  });

  it('has no wildcard action in any KMS key policy, and the alert key cannot be used by the account', () => {
    // Prepare
    const keys = resourcesOfType('AWS::KMS::Key');

    // Assess
    expect(keys.length).toBeGreaterThan(0);
    for (const [id, key] of keys) {
      const statements = property<{ Statement: Statement[] }>(key, 'KeyPolicy').Statement;
      for (const action of statements.flatMap(actionsOf))
        expect(action, `${id} allows ${action}`).not.toContain('*');
      const account = statements.find((statement) => statement.Sid === 'AccountAdministers') as Statement;
      expect(actionsOf(account)).toContain('kms:PutKeyPolicy');
      for (const use of ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom']) {
        expect(actionsOf(account)).not.toContain(use);
      }
    }
  });

  it('allows actions on * only where AWS offers no resource-level permission', () => {
    // Prepare
    const allowedOnAnyResource = new Set([
      // Fleet mode's DiscoverFleetTargets (Organizations has no resource-level permission for it).
      'organizations:ListAccounts',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
      'kms:ListKeys',
      // Task results name a task token, not a resource (the approvals API's role only, below).
      'states:SendTaskSuccess',
      'states:SendTaskFailure',
    ]);

    // Assess
    for (const [id, role] of allRoles()) {
      for (const statement of statementsOf(role)) {
        if (!resourcesOf(statement).includes('*')) continue;
        for (const action of actionsOf(statement)) {
          expect(allowedOnAnyResource.has(action), `${id} allows ${action} on *`).toBe(true);
        }
      }
    }
  });

  it.each([
    [
      'getParametersForImport',
      ['kms:DescribeKey', 'kms:GetParametersForImport', 'kms:ListKeyRotations', 'kms:ListResourceTags'],
    ],
    ['wrapKeyMaterial', []],
    ['importKeyMaterial', ['kms:ImportKeyMaterial']],
    [
      'verifyImport',
      [
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GetPublicKey',
        'kms:ListKeyRotations',
        'kms:VerifyMac',
      ],
    ],
    ['findExpiringKeys', ['kms:DescribeKey', 'kms:ListKeyRotations', 'kms:ListKeys', 'kms:ListResourceTags']],
    ['summarizeSweep', []],
  ])('gives %s exactly the KMS actions of its step', (functionKey, expected) => {
    // Act
    const actions = kmsActionsOf(roleOfFunction(functionKey));

    // Assess
    expect(actions).toEqual(expected);
  });

  it.each(['getParametersForImport', 'importKeyMaterial', 'verifyImport'])(
    'limits every KMS action of %s to keys of this account (in any Region: replicas) tagged as managed by byok',
    (functionKey) => {
      // Prepare
      const kmsStatements = statementsOf(roleOfFunction(functionKey)).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('kms:')),
      );

      // Assess
      expect(kmsStatements.length).toBeGreaterThan(0);
      for (const statement of kmsStatements) {
        expect(statement.Resource).toEqual(KEYS_OF_THIS_ACCOUNT_ANY_REGION);
        expect(statement.Condition?.StringEquals).toMatchObject(MANAGED_ONLY);
      }
    },
  );

  it('lets the sweep read metadata and tags of keys not yet known as managed, and nothing more', () => {
    // Prepare
    const readOnly = new Set([
      'kms:ListKeys',
      'kms:DescribeKey',
      'kms:ListKeyRotations',
      'kms:ListResourceTags',
    ]);
    const unconditioned = allRoles().flatMap(([id, role]) =>
      statementsOf(role)
        .filter((statement) => !statement.Condition)
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('kms:'))
        .map((action) => ({ id, action })),
    );

    // Assess
    expect(unconditioned.length).toBeGreaterThan(0);
    for (const { id, action } of unconditioned) {
      expect(id).toBe('FindExpiringKeysIamRoleLambdaExecution');
      expect(readOnly.has(action), action).toBe(true);
    }
  });

  it("conditions every statement that may Decrypt or Encrypt on byok's probe encryption context, and nothing else", () => {
    // Prepare
    const probeContext = {
      StringEquals: {
        [`aws:ResourceTag/${TAG_MANAGED}`]: TAG_MANAGED_VALUE,
        'kms:KeyOrigin': 'EXTERNAL',
        [`kms:EncryptionContext:${PROBE_ENCRYPTION_CONTEXT_KEY}`]: PROBE_ENCRYPTION_CONTEXT_VALUE,
      },
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [PROBE_ENCRYPTION_CONTEXT_KEY] },
    };
    const usesKeys = allRoles().flatMap(([id, role]) =>
      statementsOf(role)
        .filter((statement) => statement.Effect === 'Allow')
        // The approvals token key is byok's own (checked in "rotation and approvals").
        .filter((statement) => !onApprovalsKey(statement))
        .filter((statement) =>
          actionsOf(statement).some((action) => action === 'kms:Decrypt' || action === 'kms:Encrypt'),
        )
        .map((statement) => ({ id, statement })),
    );

    // Assess
    expect(usesKeys.map(({ id }) => id).sort()).toEqual([
      'ValidateRotationIamRoleLambdaExecution',
      'VerifyImportIamRoleLambdaExecution',
      'VerifyRotationIamRoleLambdaExecution',
    ]);
    for (const { id, statement } of usesKeys) {
      expect(statement.Condition, `${id} ${statement.Sid}`).toEqual(probeContext);
      expect(
        actionsOf(statement)
          .filter((action) => action.startsWith('kms:'))
          .sort(),
        `${id} ${statement.Sid}: only Encrypt/Decrypt under the probe context`,
      ).toEqual(
        actionsOf(statement).includes('kms:Decrypt') ? ['kms:Decrypt', 'kms:Encrypt'] : ['kms:Encrypt'],
      );
    }
  });

  it('lets no role sign, generate a MAC, generate data keys or re-encrypt with any key', () => {
    // Prepare
    const oracles = [
      'kms:Sign',
      'kms:GenerateMac',
      'kms:GenerateDataKey',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
    ];

    // Assess
    for (const [id, role] of allRoles()) {
      for (const statement of statementsOf(role)) {
        // The approvals API seals with byok's own HMAC key (checked in "rotation and approvals").
        if (onApprovalsKey(statement)) continue;
        for (const action of actionsOf(statement))
          expect(oracles, `${id} allows ${action}`).not.toContain(action);
      }
    }
  });

  it('refuses SHA-1 wrapping unless the stack is deployed with AllowSha1Wrapping=true', () => {
    // Prepare
    const statement = statementsOf(roleOfFunction('getParametersForImport')).find((s) =>
      actionsOf(s).includes('kms:GetParametersForImport'),
    );
    const condition = statement?.Condition?.StringEquals?.['kms:WrappingAlgorithm'] as {
      'Fn::If': [string, string[], string[]];
    };

    // Assess
    const [conditionName, whenAllowed, otherwise] = condition['Fn::If'];
    expect(template.Conditions?.[conditionName]).toEqual({
      'Fn::Equals': [{ Ref: 'AllowSha1Wrapping' }, 'true'],
    });
    expect(template.Parameters?.AllowSha1Wrapping?.Default).toBe('false');
    expect(otherwise.sort()).toEqual(['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256']);
    expect(whenAllowed).toEqual(expect.arrayContaining(['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1']));
  });

  it('lets the import step set only the expiration models the stack allows', () => {
    // Prepare
    const statement = statementsOf(roleOfFunction('importKeyMaterial')).find((s) =>
      actionsOf(s).includes('kms:ImportKeyMaterial'),
    );

    // Assess
    expect(statement?.Condition?.StringEquals?.['kms:ExpirationModel']).toEqual({
      'Fn::If': [
        'NonExpiringKeyMaterialAllowed',
        ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'],
        ['KEY_MATERIAL_EXPIRES'],
      ],
    });
  });

  it('gives the wrap function no KMS access at all, only the HSM PIN secret, inside the HSM VPC', () => {
    // Prepare
    const role = roleOfFunction('wrapKeyMaterial');
    const ownStatements = statementsOf(role).filter(
      (statement) => !actionsOf(statement).every((action) => /^(logs|xray):/.test(action)),
    );

    // Assess
    expect(kmsActionsOf(role)).toEqual([]);
    expect(ownStatements).toEqual([
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue'],
        Resource: { Ref: 'HsmPinSecretArn' },
      }),
    ]);
    const wrap = template.Resources.WrapKeyMaterialLambdaFunction;
    expect(property(wrap, 'Layers')).toEqual([{ Ref: 'Pkcs11LayerArn' }]);
    expect(JSON.stringify(property(wrap, 'VpcConfig'))).toContain('HsmSubnetIds');
  });

  it.each([
    'getParametersForImport',
    'wrapKeyMaterial',
    'importKeyMaterial',
    'verifyImport',
    'findExpiringKeys',
    'summarizeSweep',
  ])('allows %s exactly the KMS commands its code imports', async (functionKey) => {
    // Prepare
    const logicalId = `${functionKey.charAt(0).toUpperCase()}${functionKey.slice(1)}LambdaFunction`;
    const handler = property<string>(template.Resources[logicalId], 'Handler');
    const entry = join(packaged.serviceDir, handler.replace(/\.handler$/, '.ts'));

    // Act
    const used = await kmsCommandsReachedFrom(entry, packaged.serviceDir);

    // Assess
    expect(kmsActionsOf(roleOfFunction(functionKey))).toEqual(used);
  });

  it('lets the sweep start only the import state machine, and watch or stop only its executions', () => {
    // Prepare
    const roleArn = property<{ 'Fn::GetAtt': [string] }>(template.Resources.ReimportExpiringKeys, 'RoleArn');
    const statements = statementsOf(template.Resources[roleArn['Fn::GetAtt'][0]] as CfnResource);
    const resourcesFor = (action: string) =>
      statements.filter((statement) => actionsOf(statement).includes(action)).flatMap(resourcesOf);
    const child =
      'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:byok-dev-import-key-material';

    // Assess
    expect(resourcesFor('states:StartExecution')).toEqual([{ 'Fn::Sub': child }]);
    expect(resourcesFor('states:DescribeExecution')).toEqual([
      { 'Fn::Sub': `${child.replace(':stateMachine:', ':execution:')}:*` },
    ]);
    expect(resourcesFor('states:StopExecution')).toEqual(resourcesFor('states:DescribeExecution'));
  });

  it('lets the functions that import, delete or rotate material or open approvals read only the history of the executions that invoke them', () => {
    // Prepare: docs/security.md, "Account principals": each acts only on what such an execution scheduled.
    const invokedBy: Record<string, string> = {
      importKeyMaterial: 'import-key-material',
      importNewMaterial: 'rotate-key-material',
      importReplicaMaterial: 'rotate-key-material',
      abandonRotation: 'rotate-key-material',
      openApproval: 'rotate-key-material',
      rotateKeyOnDemand: 'rotate-key-material',
    };
    const base = 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}';
    const readers = allRoles().filter(([, role]) =>
      statementsOf(role).some((statement) => actionsOf(statement).includes('states:GetExecutionHistory')),
    );

    // Assess
    for (const [functionKey, machine] of Object.entries(invokedBy)) {
      const logicalId = `${functionKey.charAt(0).toUpperCase()}${functionKey.slice(1)}LambdaFunction`;
      const environment = property<{ Variables: Record<string, unknown> }>(
        template.Resources[logicalId],
        'Environment',
      ).Variables;
      expect(environment.BYOK_SCHEDULING_STATE_MACHINES).toEqual({
        'Fn::Sub': `${base}:stateMachine:byok-dev-${machine}`,
      });
      const resources = statementsOf(roleOfFunction(functionKey))
        .filter((statement) => actionsOf(statement).includes('states:GetExecutionHistory'))
        .flatMap(resourcesOf);
      expect(resources).toEqual([{ 'Fn::Sub': `${base}:execution:byok-dev-${machine}:*` }]);
    }
    expect(readers).toHaveLength(6);
  });

  it('has no role that nothing uses', () => {
    // Prepare
    const roles = allRoles().map(([id]) => id);

    // Act
    const unused = roles.filter((id) =>
      Object.entries(template.Resources).every(
        ([other, resource]) => other === id || !JSON.stringify(resource.Properties ?? {}).includes(`"${id}"`),
      ),
    );

    // Assess
    expect(roles).not.toContain('IamRoleLambdaExecution');
    expect(unused).toEqual([]);
  });

  it('gives each function its own role', () => {
    // Prepare
    const roleIds = resourcesOfType('AWS::Lambda::Function').map(
      ([, resource]) => property<{ 'Fn::GetAtt': [string] }>(resource, 'Role')['Fn::GetAtt'][0],
    );

    // Assess
    expect(new Set(roleIds).size).toBe(roleIds.length);
  });
});

describe('rotation and approvals (least privilege)', () => {
  const ROTATION_FUNCTIONS = [
    'validateRotation',
    'createRotationMaterial',
    'openApproval',
    'recheckApproval',
    'importNewMaterial',
    'getReplicaImportParameters',
    'importReplicaMaterial',
    'rotateKeyOnDemand',
    'checkKeyRotation',
    'confirmRotationStarted',
    'verifyRotation',
    'abandonRotation',
    'retireRotationMaterial',
    'approvalsApi',
  ];
  const rolesAllowing = (action: string) =>
    resourcesOfType('AWS::IAM::Role')
      .filter(([, role]) => statementsOf(role).some((statement) => actionsOf(statement).includes(action)))
      .map(([id]) => id);
  // The Fn::Sub text, its placeholders built so they read as CloudFormation's, not as a template.
  const pseudo = (name: string) => ['$', '{', name, '}'].join('');
  const rotationArn = {
    'Fn::Sub': `arn:${pseudo('AWS::Partition')}:states:${pseudo('AWS::Region')}:${pseudo('AWS::AccountId')}:stateMachine:byok-dev-rotate-key-material`,
  };

  it('serves the approvals API only through a function URL with AuthType AWS_IAM', () => {
    // Prepare
    const urls = resourcesOfType('AWS::Lambda::Url');
    const publicPermissions = resourcesOfType('AWS::Lambda::Permission').filter(
      ([, permission]) => property(permission, 'FunctionUrlAuthType') === 'NONE',
    );

    // Assess
    expect(urls).toHaveLength(1);
    expect(property(urls[0]?.[1], 'AuthType')).toBe('AWS_IAM');
    expect(property(urls[0]?.[1], 'TargetFunctionArn')).toEqual({
      'Fn::GetAtt': ['ApprovalsApiLambdaFunction', 'Arn'],
    });
    expect(publicPermissions).toEqual([]);
  });

  it("lets only the approvals API's role send task results and start rotations", () => {
    // Prepare
    const startsRotations = resourcesOfType('AWS::IAM::Role')
      .filter(([, role]) =>
        statementsOf(role).some(
          (statement) =>
            actionsOf(statement).includes('states:StartExecution') &&
            JSON.stringify(resourcesOf(statement)).includes('rotate-key-material'),
        ),
      )
      .map(([id]) => id);

    // Assess
    for (const action of ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']) {
      expect(rolesAllowing(action), action).toEqual(
        action === 'states:SendTaskHeartbeat' ? [] : ['ApprovalsApiIamRoleLambdaExecution'],
      );
    }
    expect(startsRotations).toEqual(['ApprovalsApiIamRoleLambdaExecution']);
    const start = statementsOf(roleOfFunction('approvalsApi')).find((statement) =>
      actionsOf(statement).includes('states:StartExecution'),
    );
    expect(resourcesOf(start as Statement)).toEqual([rotationArn]);
  });

  it('allows kms:RotateKeyOnDemand to one role, on managed keys of this account only', () => {
    // Prepare
    const statement = statementsOf(roleOfFunction('rotateKeyOnDemand')).find((candidate) =>
      actionsOf(candidate).includes('kms:RotateKeyOnDemand'),
    );

    // Assess
    expect(rolesAllowing('kms:RotateKeyOnDemand')).toEqual(['RotateKeyOnDemandIamRoleLambdaExecution']);
    expect(statement?.Resource).toEqual(KEYS_OF_THIS_ACCOUNT);
    expect(statement?.Condition?.StringEquals).toMatchObject(MANAGED_ONLY);
  });

  it('tags every KMS permission of the rotation functions with byok:managed (the approvals keys apart)', () => {
    for (const functionKey of ROTATION_FUNCTIONS) {
      for (const statement of statementsOf(roleOfFunction(functionKey))) {
        if (!actionsOf(statement).some((action) => action.startsWith('kms:'))) continue;
        if (onApprovalsKey(statement)) continue;
        expect(statement.Condition?.StringEquals, functionKey).toMatchObject(MANAGED_ONLY);
      }
    }
  });

  it('lets only the approvals API seal votes and unlock task tokens (issue 22 item 6)', () => {
    // Prepare
    const rolesUsing = (action: string) =>
      resourcesOfType('AWS::IAM::Role')
        .filter(([, role]) =>
          statementsOf(role).some(
            (statement) => actionsOf(statement).includes(action) && onApprovalsKey(statement),
          ),
        )
        .map(([id]) => id)
        .sort();

    // Assess
    expect(rolesUsing('kms:GenerateMac')).toEqual(['ApprovalsApiIamRoleLambdaExecution']);
    expect(rolesUsing('kms:Decrypt')).toEqual(['ApprovalsApiIamRoleLambdaExecution']);
    expect(rolesUsing('kms:Encrypt')).toEqual(['OpenApprovalIamRoleLambdaExecution']);
    expect(rolesUsing('kms:VerifyMac')).toEqual([
      'AbandonRotationIamRoleLambdaExecution',
      'RecheckApprovalIamRoleLambdaExecution',
      'ValidateRotationIamRoleLambdaExecution',
    ]);
    const tokenKeyUse = property<{ Statement: Statement[] }>(
      template.Resources.ApprovalsTokenKey,
      'KeyPolicy',
    ).Statement.filter((statement) => statement.Sid !== 'AccountAdministers');
    expect(tokenKeyUse.map((statement) => [statement.Sid, actionsOf(statement)])).toEqual([
      ['OpenApprovalLocksTokens', ['kms:Encrypt']],
      ['ApprovalsApiUnlocksTokens', ['kms:Decrypt']],
    ]);
  });

  it('allows DynamoDB actions on the approvals table only, and to no import or sweep function', () => {
    // Prepare
    const dynamoStatements = resourcesOfType('AWS::IAM::Role').flatMap(([id, role]) =>
      statementsOf(role)
        .filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')))
        .map((statement) => ({ id, statement })),
    );

    // Assess (the bindings table's readers: see "bindings" below)
    expect(dynamoStatements.length).toBeGreaterThan(0);
    for (const { id, statement } of dynamoStatements) {
      if (statement.Sid === 'ReadBindings') continue;
      expect(resourcesOf(statement), id).toEqual([{ 'Fn::GetAtt': ['ApprovalsTable', 'Arn'] }]);
      expect(
        ['ValidateRotation', 'OpenApproval', 'RecheckApproval', 'AbandonRotation', 'ApprovalsApi'].some(
          (name) => id.startsWith(name),
        ),
        id,
      ).toBe(true);
    }
    expect(template.Resources.ApprovalsTable?.Type).toBe('AWS::DynamoDB::Table');
  });

  it.each(ROTATION_FUNCTIONS)('allows %s exactly the KMS commands its code imports', async (functionKey) => {
    // Prepare
    const logicalId = `${functionKey.charAt(0).toUpperCase()}${functionKey.slice(1)}LambdaFunction`;
    const handler = property<string>(template.Resources[logicalId], 'Handler');
    const entry = join(packaged.serviceDir, handler.replace(/\.handler$/, '.ts'));

    // Act
    const used = await kmsCommandsReachedFrom(entry, packaged.serviceDir);

    // Assess
    expect(kmsActionsOf(roleOfFunction(functionKey))).toEqual(used);
  });

  it('sends the approval request and the outcomes to the alert topic', () => {
    // Prepare
    const rule = template.Resources.RotationNotificationRule;
    const pattern = property<{ 'detail-type': string[] }>(rule, 'EventPattern');

    // Assess
    expect(pattern['detail-type']).toEqual(
      expect.arrayContaining([
        'byok Key Material Rotation Approval Requested',
        'byok Key Material Rotation Abandoned',
        'byok Key Material Rotation Failed',
      ]),
    );
    expect(property(rule, 'Targets')).toEqual([{ Id: 'AlertTopic', Arn: { Ref: 'AlertTopic' } }]);
  });
});

describe('bindings (issue 16 item 2): only administrators write them, byok only reads them', () => {
  const BINDINGS_ARN = { 'Fn::GetAtt': ['BindingsTable', 'Arn'] };
  const WRITES = [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:PartiQLInsert',
    'dynamodb:PartiQLUpdate',
    'dynamodb:PartiQLDelete',
  ];

  it('keeps the bindings in a retained, recoverable table keyed by the HSM key label', () => {
    // Prepare
    const table = template.Resources.BindingsTable;

    // Assess
    expect(table?.Type).toBe('AWS::DynamoDB::Table');
    expect((table as { DeletionPolicy?: string } | undefined)?.DeletionPolicy).toBe('Retain');
    expect(property(table, 'TableName')).toBe('byok-dev-bindings');
    expect(property(table, 'KeySchema')).toEqual([{ AttributeName: 'hsmKeyLabel', KeyType: 'HASH' }]);
    expect(property(table, 'PointInTimeRecoverySpecification')).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(property(table, 'DeletionProtectionEnabled')).toBe(true);
  });

  it("denies every write to anyone not named in BindingsAdministratorArns, in the table's own policy", () => {
    // Prepare
    const policy = property<{ PolicyDocument: { Statement: (Statement & { Principal: unknown })[] } }>(
      template.Resources.BindingsTable,
      'ResourcePolicy',
    );
    const [deny] = policy.PolicyDocument.Statement;

    // Assess
    expect(policy.PolicyDocument.Statement).toHaveLength(1);
    expect(deny?.Effect).toBe('Deny');
    expect(deny?.Principal).toBe('*');
    expect(actionsOf(deny as Statement).sort()).toEqual([...WRITES].sort());
    expect(deny?.Condition).toEqual({
      ArnNotLike: { 'aws:PrincipalArn': { Ref: 'BindingsAdministratorArns' } },
    });
    expect(template.Parameters?.BindingsAdministratorArns).toMatchObject({
      Type: 'CommaDelimitedList',
      Default: '',
    });
  });

  it('lets byok read the bindings only where it decides: GetParametersForImport, ValidateRotation and the approvals API (GetItem), the sweep (Scan)', () => {
    // Prepare
    const readers = resourcesOfType('AWS::IAM::Role').flatMap(([id, role]) =>
      statementsOf(role)
        .filter((statement) => JSON.stringify(statement.Resource).includes('BindingsTable'))
        .map((statement) => ({ id, actions: actionsOf(statement), resources: resourcesOf(statement) })),
    );

    // Assess: no role of the stack may write the table, and only these read it.
    expect(readers.map(({ id }) => id.replace(/IamRoleLambdaExecution$/, '')).sort()).toEqual([
      'ApprovalsApi',
      'FindExpiringKeys',
      'GetParametersForImport',
      'ValidateRotation',
    ]);
    for (const { id, actions, resources } of readers) {
      expect(resources, id).toEqual([BINDINGS_ARN]);
      expect(actions, id).toEqual([id.startsWith('FindExpiringKeys') ? 'dynamodb:Scan' : 'dynamodb:GetItem']);
    }
    for (const functionKey of [
      'getParametersForImport',
      'findExpiringKeys',
      'validateRotation',
      'approvalsApi',
    ]) {
      const fn =
        template.Resources[`${functionKey.charAt(0).toUpperCase()}${functionKey.slice(1)}LambdaFunction`];
      expect(
        property<{ Variables: Record<string, unknown> }>(fn, 'Environment').Variables.BYOK_BINDINGS_TABLE,
      ).toEqual({
        Ref: 'BindingsTable',
      });
    }
  });

  it('names the bindings table in an output, for byok bindings --bindings-table', () => {
    // Assess
    expect((template.Outputs?.BindingsTableName as { Value?: unknown } | undefined)?.Value).toEqual({
      Ref: 'BindingsTable',
    });
  });

  it('passes the import execution input to GetParametersForImport under request, where importType cannot reach the step', () => {
    // Prepare
    const importStep = definitionOf('ImportKeyMaterial').States.GetParametersForImport as unknown as {
      Parameters: Record<string, unknown>;
    };
    const rotationStep = definitionOf('RotateKeyMaterial').States.GetParametersForImport as unknown as {
      Parameters: Record<string, unknown>;
    };

    // Assess: only the rotation's definition asks for new material, beside the request.
    expect(importStep.Parameters).not.toHaveProperty('importType');
    expect(rotationStep.Parameters.importType).toBe('NEW_KEY_MATERIAL');
    expect(rotationStep.Parameters.request).not.toHaveProperty('importType');
  });
});

describe('fleet mode (issue 18, deploy/fleet.cjs, deploy/fleet-mode.cjs)', () => {
  const FLEET_IDS = /^(DiscoverFleetTargets|SummarizeFleet|ReimportFleet|Fleet|AlertOnFleetAlarm)/;

  it('exists only under the FleetMode condition, off by default: a single-account stack has none of it', () => {
    // Act
    const conditional = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Condition === 'FleetMode')
      .map(([id]) => id);

    // Assess
    expect(conditional.length).toBeGreaterThanOrEqual(15);
    for (const id of conditional) expect(id, 'only fleet resources carry FleetMode').toMatch(FLEET_IDS);
    for (const id of Object.keys(template.Resources).filter((name) => FLEET_IDS.test(name))) {
      expect(template.Resources[id]?.Condition, id).toBe('FleetMode');
    }
    expect(
      (template as unknown as { Parameters: Record<string, { Default?: unknown }> }).Parameters.FleetMode
        ?.Default,
    ).toBe('false');
  });

  it('leaves every existing role as it was: the spoke AssumeRole is a separate policy, attached in fleet mode only', () => {
    // Prepare
    const roles = resourcesOfType('AWS::IAM::Role').filter(([id]) => !FLEET_IDS.test(id));

    // Act
    const mentionsAssumeRole = roles.filter(([, role]) =>
      statementsOf(role).some((statement) => actionsOf(statement).includes('sts:AssumeRole')),
    );
    const policy = template.Resources.FleetSpokeRolesPolicy;

    // Assess
    expect(mentionsAssumeRole.map(([id]) => id)).toEqual([]);
    expect(policy?.Condition).toBe('FleetMode');
    const attached = (property<{ Ref: string }[]>(policy, 'Roles') ?? []).map((role) => role.Ref).sort();
    expect(attached).toEqual(
      ['FindExpiringKeys', 'GetParametersForImport', 'ImportKeyMaterial', 'VerifyImport'].map(
        (name) => `${name}IamRoleLambdaExecution`,
      ),
    );
    expect(JSON.stringify(property(policy, 'PolicyDocument'))).toContain('role/${FleetSpokeRoleName}');
  });

  it("lets only the fleet's accounts put KMS events on the hub's bus: the organization, else the listed accounts, never anyone", () => {
    // Prepare: the bus policy's statement as CloudFormation resolves it, for each way of deploying.
    const policy = template.Resources.FleetEventBusPolicy;
    const parameters = template.Parameters as Record<string, { Default?: unknown }>;
    const holds = (name: string, values: Record<string, string>): boolean => {
      const condition = JSON.stringify(template.Conditions?.[name]);
      const [, ref] = /^\{"Fn::Not":\[\{"Fn::Equals":\[\{"Ref":"(\w+)"\},""\]\}\]\}$/.exec(condition) ?? [];
      if (!ref) throw new Error(`${name} is not a "parameter given" condition: ${condition}`);
      return (values[ref] ?? String(parameters[ref]?.Default ?? '')) !== '';
    };
    const resolve = (value: unknown, values: Record<string, string>): unknown => {
      if (Array.isArray(value)) return value.map((item) => resolve(item, values));
      if (value === null || typeof value !== 'object') return value;
      const branch = (value as { 'Fn::If'?: [string, unknown, unknown] })['Fn::If'];
      if (branch) return resolve(holds(branch[0], values) ? branch[1] : branch[2], values);
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, values)]));
    };
    type BusStatement = { Principal: unknown; Condition: { StringEquals: Record<string, unknown> } };

    // Act
    const byOrganization = resolve(property(policy, 'Statement'), {
      FleetOrganizationId: 'o-a1b2c3d4e5',
    }) as BusStatement;
    const byAccounts = resolve(property(policy, 'Statement'), {
      FleetIncludeAccounts: '222233334444,333344445555',
    }) as BusStatement;
    const byDefault = resolve(property(policy, 'Statement'), {}) as BusStatement;

    // Assess
    expect(policy?.Condition).toBe('FleetMode');
    expect(parameters.FleetOrganizationId?.Default).toBe('');
    expect(byOrganization.Condition.StringEquals).toEqual({
      'events:source': 'aws.kms',
      'aws:PrincipalOrgID': { Ref: 'FleetOrganizationId' },
    });
    expect(byAccounts.Principal).toEqual({ AWS: { 'Fn::Split': [',', { Ref: 'FleetIncludeAccounts' }] } });
    expect(byDefault.Principal).toEqual({ AWS: { Ref: 'AWS::AccountId' } });
    for (const statement of [byOrganization, byAccounts, byDefault]) {
      expect(statement.Condition.StringEquals['events:source']).toBe('aws.kms');
      // Anyone (Principal "*") only with the organization condition.
      if (statement.Principal === '*')
        expect(statement.Condition.StringEquals['aws:PrincipalOrgID']).toBeDefined();
    }
  });

  it('gives reimport-fleet S3 on the fleet bucket only, and its Map Run children on itself only', () => {
    // Prepare
    const roleId = property<{ 'Fn::GetAtt': [string] }>(template.Resources.ReimportFleet, 'RoleArn')[
      'Fn::GetAtt'
    ][0];
    const statements = (
      property<{ PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }[]>(
        template.Resources[roleId],
        'Policies',
      ) ?? []
    ).flatMap((policy) => policy.PolicyDocument.Statement);

    // Act
    const s3 = statements.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('s3:')),
    );

    // Assess
    expect(s3.length).toBeGreaterThan(0);
    for (const statement of s3) expect(JSON.stringify(statement.Resource)).toContain('FleetBucket');
  });
});

describe('the bundles that ship', () => {
  // The bundled Lambdas, not the TypeScript sources, run the real import ASL against the local
  // KMS endpoint and a real SoftHSM2 token, configured only through the environment variables
  // serverless.yml sets (plus AWS_ENDPOINT_URL): what a deployed function would do. The bindings
  // table is DynamoDB's (dynalite, AWS_ENDPOINT_URL_DYNAMODB), as deployed, not the local stack's.
  let stack: LocalStack;
  let token: TestToken;
  let dynamo: LocalDynamoDb;
  const savedEnv = { ...process.env };
  // This test plays Step Functions: it also serves the history of what its interpreter scheduled,
  // which the import function reads (GetExecutionHistory, the real SDK over HTTP) before it imports.
  const scheduledEvents: Array<{ resource: string; input: string }> = [];
  let history: Server;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    dynamo = await startLocalDynamoDb();
    const control = new DynamoDBClient({
      endpoint: dynamo.url,
      region: stack.region,
      credentials: LOCAL_CREDENTIALS,
    });
    await control.send(new CreateTableCommand(bindingsTableDefinition('byok-dev-bindings')));
    control.destroy();
    history = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        const events = scheduledEvents
          .map((event, index) => ({
            id: index + 2,
            type: 'LambdaFunctionScheduled',
            timestamp: Date.now() / 1000,
            lambdaFunctionScheduledEventDetails: { ...event, inputDetails: { truncated: false } },
          }))
          .reverse();
        response.setHeader('content-type', 'application/x-amz-json-1.0');
        response.end(
          JSON.stringify({
            events: [...events, { id: 1, type: 'ExecutionStarted', timestamp: Date.now() / 1000 }],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => history.listen(0, '127.0.0.1', resolve));
    token = await createTestToken('softhsm', { keys: [{ label: 'aes-bundle', type: 'AES_256' }] });
    await token.hsm?.close(); // the bundled wrap function opens the token itself
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      BYOK_BINDINGS_TABLE: 'byok-dev-bindings',
      AWS_ENDPOINT_URL: stack.url,
      AWS_REGION: stack.region,
      AWS_ACCESS_KEY_ID: 'byoklocal',
      AWS_SECRET_ACCESS_KEY: 'byoklocal',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      BYOK_PKCS11_LIBRARY: token.config.library,
      BYOK_HSM_TOKEN_LABEL: token.config.tokenLabel,
      BYOK_PIN_FILE: token.config.pinFile,
      SOFTHSM2_CONF: token.config.softhsm2Conf,
      // SoftHSM2 wraps with SHA-1 OAEP only; the deployed stack's parameter tokenWrappingAlgorithms.
      BYOK_TOKEN_WRAPPING_ALGORITHMS: 'RSAES_OAEP_SHA_1,RSA_AES_KEY_WRAP_SHA_1',
      AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${(history.address() as AddressInfo).port}`,
      BYOK_SCHEDULING_STATE_MACHINES: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:bundle`,
    });
  });

  afterAll(async () => {
    process.env = savedEnv;
    await stack?.stop();
    await dynamo?.stop();
    await new Promise((resolve) => (history ? history.close(resolve) : resolve(undefined)));
    await rm(token?.byokHome ?? '', { recursive: true, force: true });
  });

  it('import key material end to end through the real ASL', async () => {
    // Prepare: the key, and its binding in the deployed store's table, as an administrator records it.
    const kms = createKmsClient({ endpoint: stack.url, region: stack.region });
    const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'aes-bundle', unbound: true });
    const keyArn = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn as string;
    const bindings = new DynamoDbBindingsStore({
      client: createDynamoDbDocumentClient({ endpoint: dynamo.url, region: stack.region }),
      tableName: 'byok-dev-bindings',
    });
    await bindings.add({ hsmKeyLabel: 'aes-bundle', keyArn, createdAt: new Date().toISOString() });
    const definition = JSON.parse(
      readFileSync(join(packaged.serviceDir, 'statemachines/import-key-material.asl.json'), 'utf8'),
    ) as Definition;
    const published: unknown[] = [];
    const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const [stateName, state] of allStates(definition)) {
      if (state.Type !== 'Task') continue;
      const placeholder = /^\$\{([A-Za-z]+)FunctionArn\}$/.exec(String(state.Resource));
      if (placeholder?.[1]) {
        const file = placeholder[1].replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
        const bundle = (await import(
          pathToFileURL(join(packaged.bundleDir, `functions/${file}.mjs`)).href
        )) as {
          handler: (event: unknown, context: unknown) => Promise<unknown>;
        };
        const resource = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:byok-dev-${file}`;
        handlers[stateName] = async (input) => {
          scheduledEvents.push({ resource, input: JSON.stringify(input) });
          process.env.AWS_LAMBDA_FUNCTION_NAME = `byok-dev-${file}`;
          return JSON.parse(
            JSON.stringify(await bundle.handler(structuredClone(input), lambdaContext(file))),
          ) as JsonValue;
        };
        state.Resource = resource;
      } else {
        handlers[stateName] = async (input) => {
          published.push(...((input as { Entries: unknown[] }).Entries ?? []));
          return { Entries: [{ EventId: 'local' }], FailedEntryCount: 0 };
        };
      }
    }
    const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });

    // Act
    const input = { keyId, validForDays: 30, wrappingAlgorithm: 'RSAES_OAEP_SHA_1' };
    const execution = machine.run(input, {
      overrides: { taskResourceLocalHandlers: handlers },
      context: {
        Execution: { Id: 'arn:aws:states:us-east-1:111122223333:execution:bundle:one', Name: 'one' },
      },
    });
    const output = (await execution.result) as { keyState: string; hsmKeyLabel: string };

    // Assess
    expect(output).toMatchObject({
      keyState: 'Enabled',
      hsmKeyLabel: 'aes-bundle',
      wrappingAlgorithm: 'RSAES_OAEP_SHA_1',
    });
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('Enabled');
    expect(published).toEqual([
      expect.objectContaining({ Source: 'byok', DetailType: 'byok Key Material Imported' }),
    ]);
    // The shipped import function, invoked directly with the scheduled payload but another blob
    // (docs/security.md, "Account principals"), imports nothing.
    const importBundle = (await import(
      pathToFileURL(join(packaged.bundleDir, 'functions/import-key-material.mjs')).href
    )) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
    const scheduledImport = scheduledEvents.find((event) => event.resource.endsWith('-import-key-material'));
    const forged = {
      ...(JSON.parse(scheduledImport?.input ?? '{}') as object),
      wrappedKeyMaterial: Buffer.from('mallory').toString('base64'),
    };
    await expect(importBundle.handler(forged, lambdaContext('import-key-material'))).rejects.toMatchObject({
      name: 'UnscheduledInvocationError',
    });
    kms.destroy();
  });
});

function lambdaContext(functionName: string) {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'local',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
  };
}
