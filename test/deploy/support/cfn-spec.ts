// Checks a CloudFormation template against the CloudFormation resource specification as
// @aws-cdk/aws-service-spec ships it (the database the AWS CDK generates its L1 classes from,
// read offline from the package): every resource type exists; every property, at every depth
// the specification types, is one the type has; required properties are present; primitive
// values have their type; every Fn::GetAtt names an attribute of its target's type; every
// DeletionPolicy/UpdateReplacePolicy is a valid one. Each problem names the resource and the path.
import { createRequire } from 'node:module';
import type { CfnTemplate } from '../../../deploy/package-service.ts';

interface SpecType {
  type: string;
  reference?: { $ref: string };
  element?: SpecType;
  types?: SpecType[];
}
interface SpecProperty {
  type: SpecType;
  required?: boolean;
}
interface SpecResource {
  cloudFormationType: string;
  properties: Record<string, SpecProperty>;
  attributes: Record<string, unknown>;
}
interface SpecTypeDefinition {
  name: string;
  properties: Record<string, SpecProperty>;
}
interface SpecDatabase {
  lookup(entity: 'resource', index: 'cloudFormationType', operator: 'equals', value: string): SpecResource[];
  get(entity: 'typeDefinition', reference: { $ref: string }): SpecTypeDefinition;
}

let database: SpecDatabase | undefined;

/** The specification, loaded once per process (about 0.7 s). */
export function specDatabase(): SpecDatabase {
  database ??= (
    createRequire(import.meta.url)('@aws-cdk/aws-service-spec') as {
      loadAwsServiceSpecSync(): SpecDatabase;
    }
  ).loadAwsServiceSpecSync();
  return database;
}

const POLICIES = new Set(['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot']);

function isIntrinsic(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::') === true);
}

/** Problems with one value against one specification type; an empty list when it fits. */
function checkValue(db: SpecDatabase, value: unknown, type: SpecType, path: string): string[] {
  // An intrinsic stands for a value CloudFormation computes at deploy time; its arguments are
  // checked where they point (GetAtt below), not typed here.
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'string':
    case 'date-time':
      return typeof value === 'string' ? [] : [`${path}: expected a string, got ${JSON.stringify(value)}`];
    case 'integer':
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))
        ? []
        : [`${path}: expected a number, got ${JSON.stringify(value)}`];
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false'
        ? []
        : [`${path}: expected a boolean, got ${JSON.stringify(value)}`];
    case 'json':
      return [];
    case 'null':
      return value === null ? [] : [`${path}: expected null`];
    case 'tag':
      return checkObject(
        db,
        value,
        {
          Key: { type: { type: 'string' }, required: true },
          Value: { type: { type: 'string' }, required: true },
        },
        path,
      );
    case 'array':
      if (!Array.isArray(value)) return [`${path}: expected a list, got ${JSON.stringify(value)}`];
      return value.flatMap((item, index) =>
        checkValue(db, item, type.element as SpecType, `${path}[${index}]`),
      );
    case 'map':
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected a map`];
      return Object.entries(value).flatMap(([key, item]) =>
        checkValue(db, item, type.element as SpecType, `${path}.${key}`),
      );
    case 'union': {
      const attempts = (type.types ?? []).map((candidate) => checkValue(db, value, candidate, path));
      return attempts.some((problems) => problems.length === 0)
        ? []
        : (attempts.sort((a, b) => a.length - b.length)[0] ?? [`${path}: fits no type`]);
    }
    case 'ref':
      return checkObject(
        db,
        value,
        db.get('typeDefinition', type.reference as { $ref: string }).properties,
        path,
      );
    default:
      return [`${path}: specification type ${type.type} is not understood by this check`];
  }
}

function checkObject(
  db: SpecDatabase,
  value: unknown,
  properties: Record<string, SpecProperty>,
  path: string,
): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return [`${path}: expected an object, got ${JSON.stringify(value)}`];
  const problems: string[] = [];
  for (const [name, item] of Object.entries(value)) {
    const property = properties[name];
    if (!property) {
      problems.push(
        `${path}: unknown property ${name} (known: ${Object.keys(properties).sort().join(', ')})`,
      );
      continue;
    }
    problems.push(...checkValue(db, item, property.type, `${path}.${name}`));
  }
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) problems.push(`${path}: required property ${name} is missing`);
  }
  return problems;
}

function getAttsIn(value: unknown): [string, string][] {
  if (Array.isArray(value)) return value.flatMap(getAttsIn);
  if (!value || typeof value !== 'object') return [];
  const found: [string, string][] = [];
  for (const [key, item] of Object.entries(value)) {
    if (key === 'Fn::GetAtt') {
      const [logicalId, attribute] = (typeof item === 'string' ? item.split('.') : item) as [string, string];
      found.push([logicalId, attribute]);
    } else if (key === 'Fn::Sub') {
      const text = Array.isArray(item) ? (item[0] as string) : (item as string);
      for (const match of text.matchAll(/\$\{([A-Za-z0-9]+)\.([A-Za-z0-9.]+)\}/g))
        found.push([match[1] as string, match[2] as string]);
      if (Array.isArray(item)) found.push(...getAttsIn(item[1]));
    } else {
      found.push(...getAttsIn(item));
    }
  }
  return found;
}

/** Every problem of the template against the specification, one line each. */
export function checkTemplateAgainstSpec(template: CfnTemplate): string[] {
  const db = specDatabase();
  const problems: string[] = [];
  const typeOf = new Map<string, SpecResource>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const where = `${logicalId} (${resource.Type})`;
    const [spec] = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    if (!spec) {
      problems.push(`${where}: no such resource type in the CloudFormation specification`);
      continue;
    }
    typeOf.set(logicalId, spec);
    problems.push(...checkObject(db, resource.Properties ?? {}, spec.properties, where));
    const policies = resource as unknown as Record<string, unknown>;
    for (const key of ['DeletionPolicy', 'UpdateReplacePolicy']) {
      if (policies[key] !== undefined && !POLICIES.has(policies[key] as string))
        problems.push(`${where}: ${key} ${String(policies[key])} is not one of ${[...POLICIES].join(', ')}`);
    }
  }
  const holders: [string, unknown][] = [
    ...Object.entries(template.Resources),
    ['Outputs', template.Outputs ?? {}],
  ];
  for (const [logicalId, resource] of holders) {
    for (const [target, attribute] of getAttsIn(resource)) {
      const spec = typeOf.get(target);
      if (!spec) {
        if (!template.Resources[target])
          problems.push(`${logicalId}: Fn::GetAtt names no resource ${target}`);
        continue;
      }
      if (!(attribute in spec.attributes))
        problems.push(
          `${logicalId}: Fn::GetAtt ${target}.${attribute}: ${spec.cloudFormationType} has no attribute ${attribute}`,
        );
    }
  }
  return problems;
}
