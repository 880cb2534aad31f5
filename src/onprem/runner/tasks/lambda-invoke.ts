// `arn:aws:states:::lambda:invoke`: the optimised Lambda integration, so that
// `lambda:invoke.waitForTaskToken` (a function that records the task token, e.g. an approval
// request, and returns at once) runs locally. FunctionName is the same `${<Name>FunctionArn}`
// placeholder the deploy resolver maps to the function's ARN (or a Lambda ARN or name of a
// functions/ module); the function runs in-process with Lambda semantics. The result is shaped as
// AWS's (`{ ExecutedVersion, Payload, StatusCode }`); a function error fails the state under the
// function's error name, its cause the JSON AWS puts there (`errorMessage`, `errorType`).
import { TaskFailure } from '../errors.ts';
import { functionNameOf } from '../state-machines.ts';
import type { Integration, JsonValue } from '../types.ts';

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/;
const FUNCTION_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The functions/ module a FunctionName names, or undefined. */
export function localFunctionName(functionName: string): string | undefined {
  const fromPlaceholder = functionNameOf(functionName);
  if (fromPlaceholder) return fromPlaceholder;
  const name = LAMBDA_ARN.exec(functionName)?.[1] ?? functionName;
  return FUNCTION_NAME.test(name) ? name : undefined;
}

export const lambdaInvoke: Integration = async (parameters, context) => {
  const fields =
    parameters !== null && typeof parameters === 'object' && !Array.isArray(parameters) ? parameters : {};
  const requested = typeof fields.FunctionName === 'string' ? fields.FunctionName : '';
  const functionName = localFunctionName(requested);
  if (!functionName || !context.invokeFunction) {
    throw new TaskFailure(
      'Lambda.ResourceNotFoundException',
      `Function not found: ${requested || '(no FunctionName in Parameters)'}`,
    );
  }
  let payload: JsonValue;
  try {
    payload = await context.invokeFunction(functionName, fields.Payload ?? null);
  } catch (error) {
    if (error instanceof TaskFailure) {
      throw new TaskFailure(
        error.name,
        JSON.stringify({ errorMessage: error.message, errorType: error.name }),
      );
    }
    throw error;
  }
  return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
};
