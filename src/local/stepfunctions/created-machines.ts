// State machines created through the API (CreateStateMachine / DeleteStateMachine, as the AWS CLI's
// `aws stepfunctions create-state-machine --name N --definition D --role-arn R` calls them), kept
// beside the stack's own (statemachines/*.asl.json, which the engine runs and which cannot be
// deleted here). On AWS any principal allowed states:CreateStateMachine can make a state machine
// whose Tasks send work to the account's activities; the local stack lets a test play that
// principal, so that the worker's refusals of forged tasks are shown end to end. Created machines
// live in memory for the life of the stack.
import { AwsServiceError } from '../protocol.ts';
import { checkLength, isValidName, requireString } from './validation.ts';

/** Step Functions' limit on a definition (1 MiB of UTF-8). */
const MAX_DEFINITION_BYTES = 1024 * 1024;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const STATE_MACHINE_TYPES = new Set(['STANDARD']);

export interface CreatedStateMachine {
  name: string;
  arn: string;
  definitionText: string;
  definition: { StartAt: string; States: Record<string, unknown>; [field: string]: unknown };
  roleArn: string;
  type: 'STANDARD';
  creationDate: Date;
}

export interface CreateStateMachineRequest {
  name: string;
  definitionText: string;
  definition: CreatedStateMachine['definition'];
  roleArn: string;
}

/** CreateStateMachine's members, checked as Step Functions checks them. */
export function readCreateStateMachine(input: Record<string, unknown>): CreateStateMachineRequest {
  const name = requireString(input, 'name');
  if (!isValidName(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name.slice(0, 80)}'`);
  const definitionText = requireString(input, 'definition');
  if (Buffer.byteLength(definitionText) > MAX_DEFINITION_BYTES) {
    checkLength('definition', 'x'.repeat(MAX_DEFINITION_BYTES + 1), MAX_DEFINITION_BYTES);
  }
  const roleArn = requireString(input, 'roleArn');
  checkLength('roleArn', roleArn, 256);
  if (!ROLE_ARN.test(roleArn)) {
    throw new AwsServiceError(
      'InvalidArn',
      `Invalid Arn: 'Resource type not valid in this context: ${roleArn}'`,
    );
  }
  const type = input.type ?? 'STANDARD';
  if (typeof type !== 'string' || !STATE_MACHINE_TYPES.has(type)) {
    throw new AwsServiceError(
      'ValidationException',
      `the local stack runs STANDARD state machines only (type ${JSON.stringify(type).slice(0, 40)})`,
    );
  }
  let definition: unknown;
  try {
    definition = JSON.parse(definitionText);
  } catch {
    throw new AwsServiceError(
      'InvalidDefinition',
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: definition is not JSON'",
    );
  }
  if (
    definition === null ||
    typeof definition !== 'object' ||
    Array.isArray(definition) ||
    typeof (definition as { StartAt?: unknown }).StartAt !== 'string' ||
    typeof (definition as { States?: unknown }).States !== 'object' ||
    (definition as { States?: unknown }).States === null
  ) {
    throw new AwsServiceError(
      'InvalidDefinition',
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: a definition has StartAt and States'",
    );
  }
  return { name, definitionText, definition: definition as CreatedStateMachine['definition'], roleArn };
}

export class CreatedStateMachines {
  private readonly byName = new Map<string, CreatedStateMachine>();

  get(name: string): CreatedStateMachine | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Adds a machine; the same request again answers the same machine (as AWS: idempotent). */
  add(request: CreateStateMachineRequest, arn: string, now: Date): CreatedStateMachine {
    const existing = this.byName.get(request.name);
    if (existing) {
      if (existing.definitionText === request.definitionText && existing.roleArn === request.roleArn) {
        return existing;
      }
      throw new AwsServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const created: CreatedStateMachine = { ...request, arn, type: 'STANDARD', creationDate: now };
    this.byName.set(request.name, created);
    return created;
  }

  delete(name: string): boolean {
    return this.byName.delete(name);
  }
}
