// Who acts in a deployed byok stack, with which policies, making which AWS calls, against which
// resources: the input of test/deploy/iam-evaluation.test.ts.
//   function roles        one per Lambda: its inline policies; its calls found in its handler's code
//   state machine roles   the calls its definition's Tasks make (Lambda invokes, child executions,
//                         PutEvents), as Step Functions makes them
//   rule roles            StartExecution of the rule's target
//   managed policies      the operator, requester, approver, worker and deployer policies; their
//                         calls found in the code of the commands they are for
// The resources each call names are those the deployed code names: the environment a function is
// deployed with (table, state machine, secret), the state machines and activities of the stack, a
// byok-managed EXTERNAL key of this account.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource, CfnTemplate } from '../../../deploy/package-service.ts';
import { awsCallsOf } from './aws-calls.ts';
import type { NamedPolicy, PolicyDocument } from './iam-evaluation.ts';
import type { TemplateValues } from './template-values.ts';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const REGION = 'eu-west-1';
export const PARTITION = 'aws';
export const MANAGED_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

/** KMS actions that take no resource (IAM allows them on `*` only). */
export const KMS_WITHOUT_RESOURCE: ReadonlySet<string> = new Set(['kms:ListKeys', 'kms:ListAliases']);

/** The byok verification encryption context (what the code sends with every probe). */
export interface ProbeContext {
  key: string;
  value: string;
}

export interface Target {
  /** What the resource is, for messages: "managed key", "import state machine", ... */
  label: string;
  arn: string;
  account: string;
  context: Record<string, string | string[]>;
  resourcePolicy?: PolicyDocument;
}

export interface SubjectCall {
  action: string;
  /** Where the call comes from (files, or the state that makes it). */
  source: string;
  targets: Target[];
  /**
   * Set when the code is reached but cannot make the call in AWS: the function is deployed without
   * what the call needs (the table's name in its environment). The call must then be denied.
   */
  notMade?: string;
}

export interface Subject {
  /** `role <logicalId>` or `policy <logicalId>`. */
  id: string;
  principal: string;
  policies: NamedPolicy[];
  calls: SubjectCall[];
}

/** A KMS key's default key policy: the account's IAM policies decide. */
export function defaultKeyPolicy(account: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EnableIamPolicies',
        Effect: 'Allow',
        Principal: { AWS: `arn:${PARTITION}:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
}

/**
 * Another account's key whose key policy lets this account in (the most its owner could grant):
 * only this account's identity policies stand between a byok role and that key.
 */
export function crossAccountKeyPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      ...defaultKeyPolicy(OTHER_ACCOUNT).Statement,
      {
        Sid: 'LetTheByokAccountIn',
        Effect: 'Allow',
        Principal: { AWS: `arn:${PARTITION}:iam::${ACCOUNT}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
}

export interface KeyOptions {
  account?: string;
  region?: string;
  managed?: boolean;
  origin?: string;
  id?: string;
}

export function keyArn({ account = ACCOUNT, region = REGION, id = MANAGED_KEY_ID }: KeyOptions = {}): string {
  return `arn:${PARTITION}:kms:${region}:${account}:key/${id}`;
}

/** The request context of a KMS call as byok's code makes it. */
export function kmsRequestContext(action: string, probe: ProbeContext): Record<string, string | string[]> {
  switch (action) {
    case 'kms:GetParametersForImport':
      return { 'kms:WrappingAlgorithm': 'RSAES_OAEP_SHA_256', 'kms:WrappingKeySpec': 'RSA_4096' };
    case 'kms:ImportKeyMaterial':
      return { 'kms:ExpirationModel': 'KEY_MATERIAL_EXPIRES' };
    case 'kms:Encrypt':
    case 'kms:Decrypt':
      return {
        [`kms:EncryptionContext:${probe.key}`]: probe.value,
        'kms:EncryptionContextKeys': [probe.key],
      };
    case 'kms:GenerateMac':
    case 'kms:VerifyMac':
      return { 'kms:MacAlgorithm': 'HMAC_SHA_256' };
    case 'kms:Sign':
      return { 'kms:SigningAlgorithm': 'RSASSA_PSS_SHA_256', 'kms:MessageType': 'RAW' };
    default:
      return {};
  }
}

export function keyTarget(action: string, probe: ProbeContext, options: KeyOptions = {}): Target {
  const { account = ACCOUNT, managed = true, origin = 'EXTERNAL' } = options;
  const tags: Record<string, string> = managed ? { 'aws:ResourceTag/byok:managed': 'true' } : {};
  return {
    label: `${managed ? 'managed' : 'unmanaged'} ${origin} key of ${account === ACCOUNT ? 'this' : 'another'} account`,
    arn: keyArn(options),
    account,
    context: {
      ...tags,
      'kms:KeyOrigin': origin,
      'kms:CallerAccount': ACCOUNT,
      ...kmsRequestContext(action, probe),
    },
    resourcePolicy: account === ACCOUNT ? defaultKeyPolicy(ACCOUNT) : crossAccountKeyPolicy(),
  };
}

/** The external id the evaluated fleet-mode stack is deployed with. */
export const FLEET_EXTERNAL_ID = 'fleet-external-id-0123456789abcdef';

/**
 * A spoke account's role as the spoke template makes it: trusted by the hub account with the
 * fleet's external id (the spoke's consent); only the hub role's own policy then decides.
 */
export function spokeRoleTarget(roleName: string, externalId: string): Target {
  return {
    label: "a fleet spoke's role",
    arn: `arn:${PARTITION}:iam::${OTHER_ACCOUNT}:role/${roleName}`,
    account: OTHER_ACCOUNT,
    context: { 'sts:ExternalId': externalId },
    resourcePolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:${PARTITION}:iam::${ACCOUNT}:root` },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': externalId } },
        },
      ],
    },
  };
}

export function anyResource(label = 'no resource-level permission'): Target {
  return { label, arn: '*', account: ACCOUNT, context: {} };
}

// ---- reading the template ------------------------------------------------------------------------

interface RawPolicy {
  PolicyName?: string;
  PolicyDocument: PolicyDocument;
}

function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function roleSubject(values: TemplateValues, template: CfnTemplate, roleId: string): Omit<Subject, 'calls'> {
  const role = template.Resources[roleId];
  if (!role) throw new Error(`no role ${roleId}`);
  const principal = values.getAtt(roleId, 'Arn');
  const inline = (values.resolve(role.Properties?.Policies ?? []) as RawPolicy[]).map((policy) => ({
    name: `${roleId}/${policy.PolicyName ?? 'inline'}`,
    document: policy.PolicyDocument,
  }));
  // Policies of their own attached to the role where they exist (fleet mode's FleetSpokeRolesPolicy).
  const attached = resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => values.exists(policy))
    .filter(([, policy]) =>
      ((policy.Properties?.Roles ?? []) as { Ref?: string }[]).some((ref) => ref.Ref === roleId),
    )
    .map(([id, policy]) => ({
      name: id,
      document: values.resolve(policy.Properties?.PolicyDocument) as PolicyDocument,
    }));
  return { id: `role ${roleId}`, principal, policies: [...inline, ...attached] };
}

function roleIdOf(resource: CfnResource, property: string): string {
  const value = resource.Properties?.[property] as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const id = value?.['Fn::GetAtt']?.[0];
  if (!id) throw new Error(`${property} is not a Fn::GetAtt of a role`);
  return id;
}

// ---- the calls ---------------------------------------------------------------------------------

export interface StackNames {
  stateMachine(logicalId: string): string;
  execution(logicalId: string): string;
  activity(logicalId: string): string;
  functionArn(logicalId: string): string;
  tableArn(logicalId: string): string;
  bucket(logicalId: string): string;
  defaultBus: string;
}

export function stackNames(values: TemplateValues): StackNames {
  return {
    stateMachine: (id) => values.ref(id) as string,
    execution: (id) =>
      `${(values.ref(id) as string).replace(':stateMachine:', ':execution:')}:0f1e2d3c-0000-4000-8000-000000000001`,
    activity: (id) => values.ref(id) as string,
    functionArn: (id) => values.getAtt(id, 'Arn'),
    tableArn: (id) => values.getAtt(id, 'Arn'),
    bucket: (id) => values.ref(id) as string,
    defaultBus: `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/default`,
  };
}

/** What a function's code reaches through its deployed environment. */
function functionTargets(
  action: string,
  files: readonly string[],
  environment: Record<string, string>,
  template: CfnTemplate,
  values: TemplateValues,
  probe: ProbeContext,
): Target[] | { notMade: string; targets: Target[] } {
  const [service] = action.split(':');
  switch (service) {
    case 'kms':
      return KMS_WITHOUT_RESOURCE.has(action) ? [anyResource()] : [keyTarget(action, probe)];
    case 'dynamodb': {
      const tables = resourcesOfType(template, 'AWS::DynamoDB::Table');
      const targetOf = ([id]: [string, CfnResource]): Target => ({
        label: `table ${id}`,
        arn: values.getAtt(id, 'Arn'),
        account: ACCOUNT,
        context: {},
      });
      // The table each file reaches: the bindings code (src/core/bindings/) the bindings table,
      // any other the approvals table; a function given one table only reaches that one.
      const fromBindings = files.some((file) => file.startsWith('src/core/bindings/'));
      const fromElsewhere = files.some((file) => !file.startsWith('src/core/bindings/'));
      const names = [
        ...new Set(
          [
            fromElsewhere || !environment.BYOK_BINDINGS_TABLE
              ? (environment.BYOK_APPROVALS_TABLE ?? environment.BYOK_BINDINGS_TABLE)
              : undefined,
            fromBindings || !environment.BYOK_APPROVALS_TABLE
              ? (environment.BYOK_BINDINGS_TABLE ?? environment.BYOK_APPROVALS_TABLE)
              : undefined,
          ].filter((name): name is string => name !== undefined),
        ),
      ];
      if (names.length === 0) {
        return {
          notMade: 'the function is deployed without BYOK_APPROVALS_TABLE: its code names no table',
          targets: tables.map(targetOf),
        };
      }
      return names.map((table) => {
        const named = tables.find(([, resource]) => values.resolve(resource.Properties?.TableName) === table);
        if (!named) throw new Error(`${action}: no table named ${table} in the template`);
        return targetOf(named);
      });
    }
    case 'states':
      if (action === 'states:StartExecution') {
        const arn = environment.BYOK_ROTATION_STATE_MACHINE_ARN;
        if (!arn) throw new Error(`${action}: the function has no state machine in its environment`);
        return [{ label: 'rotation state machine', arn, account: ACCOUNT, context: {} }];
      }
      if (action === 'states:GetExecutionHistory') {
        // The import functions read the history of the executions that may invoke them.
        const arns = environment.BYOK_SCHEDULING_STATE_MACHINES;
        if (!arns) throw new Error(`${action}: the function has no BYOK_SCHEDULING_STATE_MACHINES`);
        return arns.split(',').map((arn) => ({
          label: 'an execution of the state machine that invokes it',
          arn: `${arn.replace(':stateMachine:', ':execution:')}:run-1`,
          account: ACCOUNT,
          context: {},
        }));
      }
      return [anyResource('a task token, no resource')];
    case 'events':
      return [
        {
          label: 'default event bus, source byok',
          arn: `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/default`,
          account: ACCOUNT,
          context: { 'events:source': 'byok' },
        },
      ];
    case 'sts': {
      // functions/commons builds the clients of a fleet spoke (sts:AssumeRole) for every step; in
      // fleet mode the sweep's and the imports' KMS steps are deployed with the spoke role's name
      // and the external id, and make the call; no other function ever does.
      const roleName = environment.BYOK_SPOKE_ROLE_NAME;
      const externalId = environment.BYOK_FLEET_EXTERNAL_ID;
      const target = spokeRoleTarget(roleName ?? 'byok-spoke', externalId ?? FLEET_EXTERNAL_ID);
      if (!roleName || !externalId)
        return {
          notMade:
            'only the KMS steps of fleet mode assume spoke roles (not this function, or not deployed here)',
          targets: [target],
        };
      return [target];
    }
    case 's3': {
      const bucket = environment.BYOK_FLEET_BUCKET;
      if (!bucket) throw new Error(`${action}: the function has no BYOK_FLEET_BUCKET`);
      return action === 's3:ListBucket'
        ? [
            {
              label: 'the fleet bucket',
              arn: `arn:${PARTITION}:s3:::${bucket}`,
              account: ACCOUNT,
              context: {},
            },
          ]
        : [
            {
              label: 'an object of the fleet bucket',
              arn: `arn:${PARTITION}:s3:::${bucket}/fleet/runs/20270110T030000Z/targets.json`,
              account: ACCOUNT,
              context: {},
            },
          ];
    }
    case 'organizations':
      // ListAccounts has no resource-level permission.
      return [anyResource()];
    case 'secretsmanager': {
      const secret = environment.BYOK_PIN_SECRET_ARN;
      if (!secret) throw new Error(`${action}: the function has no BYOK_PIN_SECRET_ARN`);
      return [{ label: 'HSM PIN secret', arn: secret, account: ACCOUNT, context: {} }];
    }
    default:
      throw new Error(`${action}: no target model for this service`);
  }
}

export async function functionSubjects(
  template: CfnTemplate,
  values: TemplateValues,
  root: string,
  probe: ProbeContext,
): Promise<Subject[]> {
  const subjects: Subject[] = [];
  for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    if (!values.exists(fn)) continue;
    const handler = values.resolve(fn.Properties?.Handler) as string;
    const entry = handler.replace(/\.handler$/, '.ts');
    const environment = ((
      values.resolve(fn.Properties?.Environment) as { Variables?: Record<string, string> }
    )?.Variables ?? {}) as Record<string, string>;
    const base = roleSubject(values, template, roleIdOf(fn, 'Role'));
    // The approvals keys' own calls (functions/commons/approval-key-*.ts: MAC seal, token lock) go to
    // the stack's ApprovalsSealKey/ApprovalsTokenKey, whose key policies name the roles that may use
    // them; template.test.ts checks those policies. They are not calls on a byok-managed key.
    const calls = (await awsCallsOf([join(root, entry)], root))
      .filter(
        (call) => !call.files.every((file) => /functions\/commons\/approval-key-[\w-]+\.ts$/.test(file)),
      )
      .map((call) => {
        const targets = functionTargets(call.action, call.files, environment, template, values, probe);
        return {
          action: call.action,
          source: call.files.join(', '),
          ...(Array.isArray(targets) ? { targets } : targets),
        };
      });
    subjects.push({ ...base, id: `${base.id} (${entry})`, calls });
  }
  return subjects;
}

type State = Record<string, unknown> & { Type: string };
interface Definition {
  States: Record<string, State>;
}

function allStates(definition: Definition): [string, State][] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const nested: Definition[] = [];
    for (const key of ['ItemProcessor', 'Iterator']) if (state[key]) nested.push(state[key] as Definition);
    for (const branch of (state.Branches as Definition[] | undefined) ?? []) nested.push(branch);
    return [[name, state] as [string, State], ...nested.flatMap(allStates)];
  });
}

/** The calls Step Functions makes for a state machine's Tasks, as the state machine's role. */
function stateMachineCalls(
  definition: Definition,
  template: CfnTemplate,
  names: StackNames,
  self: string,
): SubjectCall[] {
  const calls: SubjectCall[] = [];
  const functionIdByArn = new Map(
    resourcesOfType(template, 'AWS::Lambda::Function').map(([id]) => [names.functionArn(id), id]),
  );
  const stateMachineIdByArn = new Map(
    resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(([id]) => [names.stateMachine(id), id]),
  );
  for (const [stateName, state] of allStates(definition)) {
    const processor = state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined;
    if (state.Type === 'Map' && processor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
      // A Map Run: the items read and the results written in S3 (the fleet bucket: the paths of
      // its Parameters name it at run time), child executions of this state machine itself.
      const bucket = names.bucket('FleetBucket');
      const object = `arn:${PARTITION}:s3:::${bucket}/fleet/runs/20270110T030000Z/results/manifest.json`;
      const own = names.stateMachine(self);
      const child = `${names.execution(self).replace(/:[^:]+$/, '')}/${state.Label ?? stateName}:0f1e2d3c-0000-4000-8000-000000000003`;
      calls.push(
        ...(state.ItemReader ? ['s3:GetObject'] : [])
          .concat(state.ResultWriter ? ['s3:PutObject'] : [])
          .map((action) => ({
            action,
            source: `state ${stateName} (Distributed Map)`,
            targets: [{ label: 'an object of the fleet bucket', arn: object, account: ACCOUNT, context: {} }],
          })),
        {
          action: 'states:StartExecution',
          source: `state ${stateName} (Distributed Map)`,
          targets: [
            { label: `state machine ${self} (its Map Run)`, arn: own, account: ACCOUNT, context: {} },
          ],
        },
        ...['states:DescribeExecution', 'states:StopExecution'].map((action) => ({
          action,
          source: `state ${stateName} (Distributed Map)`,
          targets: [{ label: `a child execution of ${self}`, arn: child, account: ACCOUNT, context: {} }],
        })),
      );
    }
    if (state.Type !== 'Task') continue;
    const resource = state.Resource as string;
    const parameters = (state.Parameters ?? {}) as Record<string, unknown>;
    const functionArn = resource.startsWith('arn:aws:states:::lambda:invoke')
      ? (parameters.FunctionName as string)
      : functionIdByArn.has(resource)
        ? resource
        : undefined;
    if (functionArn) {
      calls.push({
        action: 'lambda:InvokeFunction',
        source: `state ${stateName}`,
        targets: [
          {
            label: `function ${functionIdByArn.get(functionArn) ?? functionArn}`,
            arn: functionArn,
            account: ACCOUNT,
            context: {},
          },
        ],
      });
    } else if (resource.startsWith('arn:aws:states:::states:startExecution')) {
      const child = parameters.StateMachineArn as string;
      const childId = stateMachineIdByArn.get(child) ?? child;
      const execution = names.execution(childId);
      calls.push(
        {
          action: 'states:StartExecution',
          source: `state ${stateName}`,
          targets: [{ label: `state machine ${childId}`, arn: child, account: ACCOUNT, context: {} }],
        },
        ...['states:DescribeExecution', 'states:StopExecution'].map((action) => ({
          action,
          source: `state ${stateName} (.sync)`,
          targets: [{ label: `execution of ${childId}`, arn: execution, account: ACCOUNT, context: {} }],
        })),
        ...['events:PutTargets', 'events:PutRule', 'events:DescribeRule'].map((action) => ({
          action,
          source: `state ${stateName} (.sync)`,
          targets: [
            {
              label: 'the rule Step Functions manages for .sync',
              arn: `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
              account: ACCOUNT,
              context: {},
            },
          ],
        })),
      );
    } else if (resource === 'arn:aws:states:::events:putEvents') {
      const entries = (parameters.Entries ?? []) as { Source?: string; DetailType?: string }[];
      calls.push({
        action: 'events:PutEvents',
        source: `state ${stateName}`,
        targets: entries.map((entry) => ({
          label: `default event bus, ${entry.DetailType}`,
          arn: names.defaultBus,
          account: ACCOUNT,
          context: { 'events:source': entry.Source ?? '', 'events:detail-type': entry.DetailType ?? '' },
        })),
      });
    } else if (!resource.startsWith(`arn:${PARTITION}:states:${REGION}:${ACCOUNT}:activity:`)) {
      throw new Error(`state ${stateName}: Resource ${resource} is not modelled`);
    }
  }
  return calls;
}

export function stateMachineSubjects(template: CfnTemplate, values: TemplateValues): Subject[] {
  const names = stackNames(values);
  return resourcesOfType(template, 'AWS::StepFunctions::StateMachine')
    .filter(([, machine]) => values.exists(machine))
    .map(([id, machine]) => {
      const definition = JSON.parse(
        values.resolve(machine.Properties?.DefinitionString) as string,
      ) as Definition;
      const base = roleSubject(values, template, roleIdOf(machine, 'RoleArn'));
      return {
        ...base,
        id: `${base.id} (state machine ${id})`,
        calls: stateMachineCalls(definition, template, names, id),
      };
    });
}

export function ruleSubjects(template: CfnTemplate, values: TemplateValues): Subject[] {
  const subjects: Subject[] = [];
  for (const [id, rule] of resourcesOfType(template, 'AWS::Events::Rule')) {
    if (!values.exists(rule)) continue;
    const targets = (values.resolve(rule.Properties?.Targets) ?? []) as { Arn: string; RoleArn?: unknown }[];
    const withRole = (
      (rule.Properties?.Targets ?? []) as { RoleArn?: { 'Fn::GetAtt': [string, string] } }[]
    ).filter((target) => target.RoleArn);
    if (withRole.length === 0) continue;
    const roleId = withRole[0]?.RoleArn?.['Fn::GetAtt'][0] as string;
    const base = roleSubject(values, template, roleId);
    subjects.push({
      ...base,
      id: `${base.id} (rule ${id})`,
      calls: targets.map((target) => ({
        action: 'states:StartExecution',
        source: `rule ${id}`,
        targets: [{ label: 'the rule target', arn: target.Arn, account: ACCOUNT, context: {} }],
      })),
    });
  }
  return subjects;
}

/** A managed policy of the template as the one policy of a principal it is attached to. */
export function managedPolicySubject(
  template: CfnTemplate,
  values: TemplateValues,
  logicalId: string,
  calls: SubjectCall[],
): Subject {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`no managed policy ${logicalId}`);
  const document = values.resolve(resource.Properties?.PolicyDocument) as PolicyDocument;
  return {
    id: `policy ${logicalId}`,
    principal: `arn:${PARTITION}:iam::${ACCOUNT}:role/byok-${logicalId.replace(/Policy$/, '').toLowerCase()}`,
    policies: [{ name: logicalId, document }],
    calls,
  };
}

// ---- the deployer's calls: the AWS CLI's own code ------------------------------------------------

const AWS_CLI = '/usr/lib/python3/dist-packages/awscli';

function pascal(snake: string): string {
  return snake.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

/**
 * The CloudFormation and S3 operations `aws cloudformation package` and `aws cloudformation
 * deploy` make, read from the AWS CLI's source (its client method calls and the operations of
 * the waiters it uses), plus those of the plain `aws cloudformation <command>`s in the docs.
 */
export function deployerOperations(docs: string): { action: string; source: string }[] {
  const found = new Map<string, string>();
  const add = (action: string, source: string) => {
    if (!found.has(action)) found.set(action, source);
  };
  const waiters = JSON.parse(
    readFileSync(join(AWS_CLI, 'botocore/data/cloudformation/2010-05-15/waiters-2.json'), 'utf8'),
  ) as { waiters: Record<string, { operation: string }> };
  const deployer = join(AWS_CLI, 'customizations/cloudformation/deployer.py');
  const deployerText = readFileSync(deployer, 'utf8');
  for (const match of deployerText.matchAll(/self\._client\.([a-z_]+)\(/g)) {
    if (match[1] === 'get_waiter') continue;
    add(`cloudformation:${pascal(match[1] as string)}`, deployer);
  }
  for (const match of deployerText.matchAll(/get_waiter\(\s*["']([a-z_]+)["']/g)) {
    const waiter = waiters.waiters[pascal(match[1] as string)];
    if (waiter) add(`cloudformation:${waiter.operation}`, `${deployer} (waiter ${match[1]})`);
  }
  const uploader = join(AWS_CLI, 'customizations/s3uploader.py');
  const uploaderText = readFileSync(uploader, 'utf8');
  // HeadObject is authorised as s3:GetObject; an upload (single or multipart) as s3:PutObject.
  if (/self\.s3\.head_object\(/.test(uploaderText)) add('s3:GetObject', `${uploader} (head_object)`);
  if (/transfer_manager\.upload\(/.test(uploaderText)) add('s3:PutObject', `${uploader} (upload)`);
  for (const match of docs.matchAll(/^\s*aws cloudformation ([a-z-]+)(?: ([a-z-]+))?/gm)) {
    const command = match[1] as string;
    if (command === 'deploy' || command === 'package') continue;
    if (command === 'wait') {
      const waiter = waiters.waiters[pascal((match[2] ?? '').replace(/-/g, '_'))];
      if (waiter)
        add(`cloudformation:${waiter.operation}`, `docs/deploy.md (aws cloudformation wait ${match[2]})`);
      continue;
    }
    add(
      `cloudformation:${pascal(command.replace(/-/g, '_'))}`,
      `docs/deploy.md (aws cloudformation ${command})`,
    );
  }
  return [...found.entries()]
    .map(([action, source]) => ({ action, source }))
    .sort((a, b) => a.action.localeCompare(b.action));
}
