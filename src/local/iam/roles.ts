// The IAM roles of the local stack's accounts, as far as STS needs them: a role exists in one
// account, has a trust policy (who may assume it) and identity policies (what its sessions may
// do). Roles come from a CloudFormation template's `AWS::IAM::Role` resources, deployed into an
// account the way `aws cloudformation deploy` would (Ref, Fn::Sub, Fn::Join, Fn::If on parameters),
// or are put directly; deleting one makes AssumeRole answer AccessDenied, as on AWS.
import { LocalIamError } from './errors.ts';
import type { PolicyDocument } from './policy.ts';

export interface LocalRole {
  accountId: string;
  roleName: string;
  arn: string;
  trustPolicy: PolicyDocument;
  policies: PolicyDocument[];
}

export class LocalRoles {
  private readonly roles = new Map<string, LocalRole>();

  put(role: Omit<LocalRole, 'arn'>): LocalRole {
    if (!/^\d{12}$/.test(role.accountId))
      throw new LocalIamError(`account id must be 12 digits, got '${role.accountId}'`);
    if (!/^[\w+=,.@-]{1,64}$/.test(role.roleName))
      throw new LocalIamError(`'${role.roleName}' is not a role name`);
    const stored: LocalRole = { ...role, arn: roleArn(role.accountId, role.roleName) };
    this.roles.set(stored.arn, stored);
    return stored;
  }

  get(arn: string): LocalRole | undefined {
    return this.roles.get(arn);
  }

  delete(accountId: string, roleName: string): boolean {
    return this.roles.delete(roleArn(accountId, roleName));
  }

  list(accountId?: string): LocalRole[] {
    return [...this.roles.values()].filter((role) => accountId === undefined || role.accountId === accountId);
  }

  /** The accounts that hold at least one role (Organizations' ListAccounts reads these). */
  accounts(): string[] {
    return [...new Set([...this.roles.values()].map((role) => role.accountId))].sort();
  }

  /** Creates the template's roles in `accountId`; returns them. */
  deployTemplate(
    template: unknown,
    accountId: string,
    options: { region: string; parameters?: Record<string, string> | undefined },
  ): LocalRole[] {
    return rolesOfTemplate(template, accountId, options).map((role) => this.put(role));
  }
}

function roleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

interface TemplateResource {
  Type?: unknown;
  Condition?: unknown;
  Properties?: Record<string, unknown>;
}

/** The `AWS::IAM::Role` resources of a template, resolved for one account. */
export function rolesOfTemplate(
  template: unknown,
  accountId: string,
  options: { region: string; parameters?: Record<string, string> | undefined },
): Omit<LocalRole, 'arn'>[] {
  if (template === null || typeof template !== 'object')
    throw new LocalIamError('the template is not a JSON object');
  const { Parameters, Resources, Conditions } = template as {
    Parameters?: Record<string, { Default?: unknown }>;
    Resources?: Record<string, TemplateResource>;
    Conditions?: Record<string, unknown>;
  };
  const values: Record<string, unknown> = {
    'AWS::AccountId': accountId,
    'AWS::Region': options.region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NoValue': NO_VALUE,
  };
  for (const [name, parameter] of Object.entries(Parameters ?? {})) {
    const given = options.parameters?.[name];
    if (given !== undefined) values[name] = given;
    else if (parameter?.Default !== undefined) values[name] = parameter.Default;
    else throw new LocalIamError(`the template's parameter ${name} has no value`);
  }
  const resolver = new Resolver(values, Conditions ?? {});
  const roles: Omit<LocalRole, 'arn'>[] = [];
  for (const [logicalId, resource] of Object.entries(Resources ?? {})) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    if (typeof resource.Condition === 'string' && !resolver.condition(resource.Condition)) continue;
    const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, unknown>;
    const roleName = typeof properties.RoleName === 'string' ? properties.RoleName : logicalId;
    const policies = Array.isArray(properties.Policies)
      ? properties.Policies.map((policy) => (policy as { PolicyDocument: PolicyDocument }).PolicyDocument)
      : [];
    roles.push({
      accountId,
      roleName,
      trustPolicy: properties.AssumeRolePolicyDocument as PolicyDocument,
      policies,
    });
  }
  return roles;
}

const NO_VALUE = Symbol('AWS::NoValue');

class Resolver {
  constructor(
    private readonly values: Record<string, unknown>,
    private readonly conditions: Record<string, unknown>,
  ) {}

  condition(name: string): boolean {
    const definition = this.conditions[name];
    if (definition === undefined) throw new LocalIamError(`the template has no condition ${name}`);
    return Boolean(this.resolve(definition));
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value))
      return value.map((item) => this.resolve(item)).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [[key, argument]] = entries as [[string, unknown]];
      switch (key) {
        case 'Ref':
          return this.ref(String(argument));
        case 'Fn::Sub':
          return this.sub(argument);
        case 'Fn::Join': {
          const [separator, items] = argument as [string, unknown[]];
          return (this.resolve(items) as unknown[]).map(String).join(separator);
        }
        case 'Fn::If': {
          const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
          return this.resolve(this.condition(condition) ? whenTrue : whenFalse);
        }
        case 'Fn::Equals': {
          const [left, right] = this.resolve(argument) as [unknown, unknown];
          return String(left) === String(right);
        }
        case 'Fn::Not':
          return !(this.resolve(argument) as unknown[])[0];
        case 'Fn::And':
          return (this.resolve(argument) as unknown[]).every(Boolean);
        case 'Fn::Or':
          return (this.resolve(argument) as unknown[]).some(Boolean);
        case 'Condition':
          return this.condition(String(argument));
        case 'Fn::Split': {
          const [separator, text] = argument as [string, unknown];
          return String(this.resolve(text)).split(separator);
        }
        default:
          if (key.startsWith('Fn::')) throw new LocalIamError(`the local stack does not resolve ${key}`);
      }
    }
    const resolved: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const result = this.resolve(item);
      if (result !== NO_VALUE) resolved[key] = result;
    }
    return resolved;
  }

  private ref(name: string): unknown {
    if (!(name in this.values))
      throw new LocalIamError(`the template refers to ${name}, which the local stack cannot resolve`);
    return this.values[name];
  }

  private sub(argument: unknown): string {
    const [text, variables] = Array.isArray(argument)
      ? (argument as [string, Record<string, unknown>])
      : [argument as string, {}];
    return text.replace(/\$\{([^}!]+)\}/g, (_whole, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      const value = this.ref(name);
      return Array.isArray(value) ? value.join(',') : String(value);
    });
  }
}
