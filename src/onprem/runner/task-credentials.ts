// A Task's `Credentials` (`{"RoleArn": "..."}` or `{"RoleArn.$": "$.path"}`): Step Functions assumes
// that role for the task's service integration, which is how a state machine reaches another
// account (never another Region, and never for activities). The interpreter does not evaluate the
// field, so before a run the runner moves it into the Task's Parameters under a reserved name (the
// interpreter resolves its paths like any parameter) and takes it out again before the integration
// runs, handing the integration the role to act as. Lambda function tasks of byok run in the hub
// and take no Credentials: such a Task is refused by name.
import { mapStates } from '../../core/asl/walk.cjs';
import { TaskFailure, UnsupportedTaskResourceError } from './errors.ts';
import type { AslDefinition, AslState } from './state-machines.ts';
import { functionNameOf } from './state-machines.ts';
import type { Integration, JsonValue } from './types.ts';

const CREDENTIALS = '__byokTaskCredentials';
const WHOLE_INPUT = '__byokTaskInput';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** The definition with every Task's Credentials moved into its Parameters. */
export function rewriteTaskCredentials(definition: AslDefinition): AslDefinition {
  return mapStates<AslState, AslDefinition>(definition, (name, state) => {
    if (state.Type !== 'Task' || state.Credentials === undefined) return state;
    if (typeof state.Resource === 'string' && functionNameOf(state.Resource)) {
      throw new UnsupportedTaskResourceError(
        name,
        `${state.Resource} with Credentials (byok's functions run in the hub)`,
      );
    }
    const parameters: Record<string, unknown> =
      state.Parameters !== undefined && state.Parameters !== null && typeof state.Parameters === 'object'
        ? { ...(state.Parameters as Record<string, unknown>) }
        : { [`${WHOLE_INPUT}.$`]: '$' };
    parameters[CREDENTIALS] = state.Credentials;
    const { Credentials: _moved, ...rest } = state;
    return { ...rest, Parameters: parameters } as AslState;
  });
}

/** Runs `integration` with the role its Task's Credentials named (and the parameters without it). */
export function withTaskCredentials(integration: Integration): Integration {
  return async (parameters, context) => {
    if (
      parameters === null ||
      typeof parameters !== 'object' ||
      Array.isArray(parameters) ||
      !(CREDENTIALS in parameters)
    ) {
      return integration(parameters, context);
    }
    const {
      [CREDENTIALS]: credentials,
      [WHOLE_INPUT]: wholeInput,
      ...rest
    } = parameters as Record<string, JsonValue>;
    const roleArn = (credentials as { RoleArn?: unknown } | null)?.RoleArn;
    if (typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn)) {
      throw new TaskFailure(
        'States.Runtime',
        `${context.stateName}: Credentials.RoleArn is not an IAM role ARN: ${JSON.stringify(roleArn)}`,
      );
    }
    return integration(wholeInput !== undefined ? wholeInput : rest, {
      ...context,
      credentials: { roleArn },
    });
  };
}
