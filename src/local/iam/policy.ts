// IAM policy documents as the local stack reads them: identity policies of a local role (what a
// session of it may do) and trust policies (who may assume it). An independent, deliberately small
// reading of IAM's evaluation: an explicit Deny wins, then an Allow, otherwise the request is
// implicitly denied. Actions and resources match with `*` and `?` wildcards (actions ignore case);
// the condition operators are the ones byok's templates use, and an unknown operator matches
// nothing (so a policy the stand-in cannot read never grants more than it says).

export type PolicyValue = string | string[];

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: PolicyValue;
  NotAction?: PolicyValue;
  Resource?: PolicyValue;
  NotResource?: PolicyValue;
  Principal?: '*' | Record<string, PolicyValue>;
  Condition?: Record<string, Record<string, PolicyValue>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** What a request brings to an evaluation: condition keys are compared case-insensitively by name. */
export interface PolicyRequest {
  action: string;
  resource: string;
  /** Condition keys (`aws:ResourceTag/byok:managed`, `sts:ExternalId`, `aws:PrincipalArn`, ...). */
  context: Record<string, string | string[] | undefined>;
  /** For trust policies: the principal asking (an ARN) and its account. */
  principal?: { arn: string; accountId: string } | undefined;
}

export type Decision = 'Allow' | 'Deny' | 'ImplicitDeny';

const asList = (value: PolicyValue | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function statementsOf(document: PolicyDocument): PolicyStatement[] {
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

/** `*` any run of characters, `?` one character; everything else literal. */
function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, ignoreCase ? 'is' : 's').test(value);
}

function matchesAction(statement: PolicyStatement, action: string): boolean {
  if (statement.NotAction !== undefined)
    return !asList(statement.NotAction).some((pattern) => wildcardMatch(pattern, action, true));
  return asList(statement.Action).some((pattern) => wildcardMatch(pattern, action, true));
}

function matchesResource(statement: PolicyStatement, resource: string): boolean {
  if (statement.NotResource !== undefined)
    return !asList(statement.NotResource).some((pattern) => wildcardMatch(pattern, resource));
  // A trust policy has no Resource: the role itself is the resource.
  if (statement.Resource === undefined) return true;
  return asList(statement.Resource).some((pattern) => wildcardMatch(pattern, resource));
}

function matchesPrincipal(statement: PolicyStatement, request: PolicyRequest): boolean {
  if (statement.Principal === undefined) return true;
  if (statement.Principal === '*') return true;
  const principal = request.principal;
  if (!principal) return false;
  return asList(statement.Principal.AWS).some(
    (entry) =>
      entry === '*' ||
      entry === principal.arn ||
      entry === principal.accountId ||
      entry === `arn:aws:iam::${principal.accountId}:root`,
  );
}

function contextValues(request: PolicyRequest, key: string): string[] | undefined {
  const wanted = key.toLowerCase();
  for (const [name, value] of Object.entries(request.context)) {
    if (name.toLowerCase() === wanted) return value === undefined ? undefined : asList(value);
  }
  return undefined;
}

type Operator = (actual: string, expected: string) => boolean;

const OPERATORS: Record<string, Operator> = {
  StringEquals: (actual, expected) => actual === expected,
  StringEqualsIgnoreCase: (actual, expected) => actual.toLowerCase() === expected.toLowerCase(),
  StringLike: (actual, expected) => wildcardMatch(expected, actual),
  ArnEquals: (actual, expected) => actual === expected,
  ArnLike: (actual, expected) => wildcardMatch(expected, actual),
  Bool: (actual, expected) => actual.toLowerCase() === expected.toLowerCase(),
};

const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

function conditionHolds(operatorName: string, actual: string[] | undefined, expected: string[]): boolean {
  // Set operators over multivalued keys: every value (none counts) or some value must match.
  if (operatorName.startsWith('ForAllValues:')) {
    const inner = operatorName.slice('ForAllValues:'.length);
    return (actual ?? []).every((value) => conditionHolds(inner, [value], expected));
  }
  if (operatorName.startsWith('ForAnyValue:')) {
    const inner = operatorName.slice('ForAnyValue:'.length);
    return (actual ?? []).some((value) => conditionHolds(inner, [value], expected));
  }
  const ifExists = operatorName.endsWith('IfExists');
  const name = ifExists ? operatorName.slice(0, -'IfExists'.length) : operatorName;
  if (name === 'Null') {
    const wantsNull = expected.some((value) => value.toLowerCase() === 'true');
    return wantsNull === (actual === undefined);
  }
  if (actual === undefined) return ifExists || name in NEGATED;
  const negated = NEGATED[name];
  const operator = OPERATORS[negated ?? name];
  if (!operator) return false;
  const any = actual.some((value) => expected.some((pattern) => operator(value, pattern)));
  return negated ? !any : any;
}

function matchesConditions(statement: PolicyStatement, request: PolicyRequest): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      if (!conditionHolds(operator, contextValues(request, key), asList(expected))) return false;
    }
  }
  return true;
}

/** Deny beats Allow; no matching statement is an implicit deny. */
export function evaluatePolicies(documents: readonly PolicyDocument[], request: PolicyRequest): Decision {
  let allowed = false;
  for (const statement of documents.flatMap(statementsOf)) {
    if (
      !matchesAction(statement, request.action) ||
      !matchesResource(statement, request.resource) ||
      !matchesPrincipal(statement, request) ||
      !matchesConditions(statement, request)
    )
      continue;
    if (statement.Effect === 'Deny') return 'Deny';
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}
