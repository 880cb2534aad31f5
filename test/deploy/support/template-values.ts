// Evaluates a packaged CloudFormation template's intrinsic functions the way CloudFormation would
// for one concrete deployment (account, Region, parameter values), so that the IAM policies it
// holds can be handed to an IAM policy evaluator as plain JSON. Only what byok's template uses is
// supported (Ref, Fn::Sub, Fn::GetAtt, Fn::If, Fn::Equals, Fn::Join, Fn::Select, Fn::Split,
// Fn::Not, Fn::And, Fn::Or, AWS::NoValue); anything else throws, so a new intrinsic cannot slip
// through unevaluated.
import type { CfnResource, CfnTemplate } from '../../../deploy/package-service.ts';

export interface Deployment {
  partition: string;
  region: string;
  account: string;
  /** Values for the template's parameters (the rest take their defaults). */
  parameters: Record<string, string>;
}

export class TemplateValueError extends Error {
  override name = 'TemplateValueError';
}

const NO_VALUE = Symbol('AWS::NoValue');

export class TemplateValues {
  readonly #template: CfnTemplate;
  readonly #deployment: Deployment;
  readonly #conditions = new Map<string, boolean>();

  constructor(template: CfnTemplate, deployment: Deployment) {
    this.#template = template;
    this.#deployment = deployment;
  }

  get deployment(): Deployment {
    return this.#deployment;
  }

  /** A parameter's value: the deployment's, else its default. */
  parameter(name: string): string {
    const given = this.#deployment.parameters[name];
    if (given !== undefined) return given;
    const declared = this.#template.Parameters?.[name];
    if (!declared) throw new TemplateValueError(`Ref ${name}: no such parameter or resource`);
    if (declared.Default === undefined)
      throw new TemplateValueError(`parameter ${name} has no default and no value was given`);
    return String(declared.Default);
  }

  condition(name: string): boolean {
    const known = this.#conditions.get(name);
    if (known !== undefined) return known;
    const definition = this.#template.Conditions?.[name];
    if (definition === undefined) throw new TemplateValueError(`no condition ${name}`);
    const value = this.#truth(definition);
    this.#conditions.set(name, value);
    return value;
  }

  /** Whether a resource exists in this deployment (its Condition, if any, holds). */
  exists(resource: CfnResource): boolean {
    return resource.Condition === undefined || this.condition(resource.Condition);
  }

  #truth(value: unknown): boolean {
    const object = value as Record<string, unknown>;
    if ('Fn::Equals' in object) {
      const [a, b] = object['Fn::Equals'] as [unknown, unknown];
      return this.#text(a) === this.#text(b);
    }
    if ('Fn::Not' in object) return !this.#truth((object['Fn::Not'] as unknown[])[0]);
    if ('Fn::And' in object) return (object['Fn::And'] as unknown[]).every((item) => this.#truth(item));
    if ('Fn::Or' in object) return (object['Fn::Or'] as unknown[]).some((item) => this.#truth(item));
    if ('Condition' in object) return this.condition(object.Condition as string);
    throw new TemplateValueError(`cannot evaluate condition ${JSON.stringify(value)}`);
  }

  #text(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string')
      throw new TemplateValueError(`expected a string from ${JSON.stringify(value)}`);
    return resolved;
  }

  #pseudo(name: string): string | undefined {
    const { partition, region, account } = this.#deployment;
    switch (name) {
      case 'AWS::Partition':
        return partition;
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return account;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'byok-stack';
      default:
        return undefined;
    }
  }

  /** `Ref` of a parameter, pseudo parameter or resource. */
  ref(name: string): unknown {
    const pseudo = this.#pseudo(name);
    if (pseudo !== undefined) return pseudo;
    if (name === 'AWS::NoValue') return NO_VALUE;
    const resource = this.#template.Resources[name];
    if (resource) return this.#physicalRef(name, resource);
    const value = this.parameter(name);
    const type = this.#template.Parameters?.[name]?.Type;
    if (type === 'CommaDelimitedList' || (typeof type === 'string' && type.startsWith('List<')))
      return value === '' ? [] : value.split(',').map((item) => item.trim());
    return value;
  }

  #prop(resource: CfnResource, name: string): string {
    const value = this.resolve(resource.Properties?.[name]);
    if (typeof value !== 'string') throw new TemplateValueError(`property ${name} is not a string`);
    return value;
  }

  /** A role's name: its RoleName, else the one CloudFormation generates (`<stack>-<id>-<suffix>`). */
  #roleName(logicalId: string, resource: CfnResource): string {
    return resource.Properties?.RoleName === undefined
      ? `byok-stack-${logicalId}-A1B2C3D4E5F6`
      : this.#prop(resource, 'RoleName');
  }

  #arn(service: string, rest: string, { regional = true } = {}): string {
    const { partition, region, account } = this.#deployment;
    return `arn:${partition}:${service}:${regional ? region : ''}:${account}:${rest}`;
  }

  #physicalRef(logicalId: string, resource: CfnResource): string {
    switch (resource.Type) {
      case 'AWS::StepFunctions::StateMachine':
        return this.#arn('states', `stateMachine:${this.#prop(resource, 'StateMachineName')}`);
      case 'AWS::StepFunctions::Activity':
        return this.#arn('states', `activity:${this.#prop(resource, 'Name')}`);
      case 'AWS::SNS::Topic':
        return this.#arn('sns', this.#prop(resource, 'TopicName'));
      case 'AWS::DynamoDB::Table':
      case 'AWS::Lambda::Function':
      case 'AWS::Events::Rule':
        return this.#prop(
          resource,
          resource.Type === 'AWS::DynamoDB::Table'
            ? 'TableName'
            : resource.Type === 'AWS::Lambda::Function'
              ? 'FunctionName'
              : 'Name',
        );
      case 'AWS::IAM::Role':
        return this.#roleName(logicalId, resource);
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${this.#deployment.partition}:iam::${this.#deployment.account}:policy/${this.#prop(resource, 'ManagedPolicyName')}`;
      case 'AWS::KMS::Key':
        return `${logicalId.toLowerCase().slice(0, 8).padEnd(8, '0')}-1111-2222-3333-444455556666`;
      case 'AWS::S3::Bucket':
        return `byok-stack-${logicalId.toLowerCase()}-a1b2c3d4e5f6`;
      default:
        return `${logicalId}-physical-id`;
    }
  }

  /** `Fn::GetAtt [logicalId, attribute]`. */
  getAtt(logicalId: string, attribute: string): string {
    const resource = this.#template.Resources[logicalId];
    if (!resource) throw new TemplateValueError(`Fn::GetAtt ${logicalId}: no such resource`);
    const { partition } = this.#deployment;
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::Lambda::Function.Arn':
        return this.#arn('lambda', `function:${this.#prop(resource, 'FunctionName')}`);
      case 'AWS::IAM::Role.Arn':
        return `arn:${partition}:iam::${this.#deployment.account}:role/${this.#roleName(logicalId, resource)}`;
      case 'AWS::DynamoDB::Table.Arn':
        return this.#arn('dynamodb', `table/${this.#prop(resource, 'TableName')}`);
      case 'AWS::Logs::LogGroup.Arn':
        return this.#arn('logs', `log-group:${this.#prop(resource, 'LogGroupName')}:*`);
      case 'AWS::KMS::Key.Arn':
        return this.#arn('kms', `key/${this.#physicalRef(logicalId, resource)}`);
      case 'AWS::Events::Rule.Arn':
        return this.#arn('events', `rule/${this.#prop(resource, 'Name')}`);
      case 'AWS::StepFunctions::StateMachine.Arn':
        return this.#physicalRef(logicalId, resource);
      case 'AWS::SNS::Topic.TopicArn':
        return this.#physicalRef(logicalId, resource);
      case 'AWS::Lambda::Url.FunctionUrl':
        return `https://${logicalId.toLowerCase()}.lambda-url.${this.#deployment.region}.on.aws/`;
      case 'AWS::StepFunctions::StateMachine.Name':
        return this.#prop(resource, 'StateMachineName');
      case 'AWS::S3::Bucket.Arn':
        return `arn:${partition}:s3:::${this.#physicalRef(logicalId, resource)}`;
      default:
        throw new TemplateValueError(
          `Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}) is not modelled`,
        );
    }
  }

  #sub(text: string, variables: Record<string, unknown>): string {
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_whole, name: string) => {
      if (name in variables) return this.#text(variables[name]);
      if (name.includes('.')) {
        const [logicalId, attribute] = name.split('.') as [string, string];
        return this.getAtt(logicalId, attribute);
      }
      const value = this.ref(name);
      if (typeof value !== 'string') throw new TemplateValueError(`\${${name}} is not a string in Fn::Sub`);
      return value;
    });
  }

  /** Evaluates every intrinsic in `value`; `AWS::NoValue` entries are dropped. */
  resolve(value: unknown): unknown {
    const result = this.#resolve(value);
    return result === NO_VALUE ? undefined : result;
  }

  #resolve(value: unknown): unknown {
    if (Array.isArray(value))
      return value.map((item) => this.#resolve(item)).filter((item) => item !== NO_VALUE);
    if (!value || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const argument = object[key];
      switch (key) {
        case 'Ref':
          return this.ref(argument as string);
        case 'Fn::GetAtt': {
          const [logicalId, attribute] = (typeof argument === 'string' ? argument.split('.') : argument) as [
            string,
            string,
          ];
          return this.getAtt(logicalId, attribute);
        }
        case 'Fn::Sub':
          return Array.isArray(argument)
            ? this.#sub(argument[0] as string, argument[1] as Record<string, unknown>)
            : this.#sub(argument as string, {});
        case 'Fn::If': {
          const [name, whenTrue, whenFalse] = argument as [string, unknown, unknown];
          return this.#resolve(this.condition(name) ? whenTrue : whenFalse);
        }
        case 'Fn::Join': {
          const [separator, items] = argument as [string, unknown];
          const list = this.#resolve(items) as unknown[];
          return list.map((item) => String(item)).join(separator);
        }
        case 'Fn::Select': {
          const [index, items] = argument as [unknown, unknown];
          const list = this.#resolve(items) as unknown[];
          return list[Number(this.#resolve(index))];
        }
        case 'Fn::Split': {
          const [separator, text] = argument as [string, unknown];
          return this.#text(text).split(separator);
        }
        case 'Fn::Equals':
        case 'Fn::Not':
        case 'Fn::And':
        case 'Fn::Or':
          return this.#truth(object);
        default:
          if (key.startsWith('Fn::')) throw new TemplateValueError(`${key} is not supported here`);
      }
    }
    return Object.fromEntries(
      Object.entries(object)
        .map(([key, item]) => [key, this.#resolve(item)] as const)
        .filter(([, item]) => item !== NO_VALUE),
    );
  }
}
