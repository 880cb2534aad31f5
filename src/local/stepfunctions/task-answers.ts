// SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat of the local Step Functions API: AWS's
// request validation here, the answer from the task-token port, a refusal as AWS's error of that
// name (TaskTimedOut, InvalidToken, TaskDoesNotExist, InvalidOutput).
import { AwsServiceError } from '../protocol.ts';
import type { TaskAnswer, TaskTokenPort } from './task-port.ts';
import { checkLength, optionalString, requireString } from './validation.ts';

const MAX_TOKEN_LENGTH = 2048;
const MAX_OUTPUT_LENGTH = 262_144;
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;

function taskToken(input: Record<string, unknown>): string {
  const token = requireString(input, 'taskToken');
  checkLength('taskToken', token, MAX_TOKEN_LENGTH);
  return token;
}

function answered(answer: TaskAnswer): Record<string, never> {
  if (!answer.accepted) throw new AwsServiceError(answer.error, answer.message);
  return {};
}

/** Without a port no task exists: every well-formed request is answered TaskDoesNotExist. */
const NO_TASKS: TaskAnswer = {
  accepted: false,
  error: 'TaskDoesNotExist',
  message: "Task Does Not Exist: 'Provided task does not exist'",
};

export function sendTaskSuccess(tasks: TaskTokenPort | undefined, input: Record<string, unknown>) {
  const token = taskToken(input);
  const output = input.output;
  if (typeof output !== 'string') {
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value at 'output' failed to satisfy constraint: Member must not be null",
    );
  }
  checkLength('output', output, MAX_OUTPUT_LENGTH);
  try {
    JSON.parse(output);
  } catch {
    throw new AwsServiceError('InvalidOutput', "Invalid Output: 'the output is not a JSON text'");
  }
  return answered(tasks ? tasks.sendTaskSuccess(token, output) : NO_TASKS);
}

export function sendTaskFailure(tasks: TaskTokenPort | undefined, input: Record<string, unknown>) {
  const token = taskToken(input);
  const error = optionalString(input, 'error', MAX_ERROR_LENGTH);
  const cause = optionalString(input, 'cause', MAX_CAUSE_LENGTH);
  return answered(tasks ? tasks.sendTaskFailure(token, error, cause) : NO_TASKS);
}

export function sendTaskHeartbeat(tasks: TaskTokenPort | undefined, input: Record<string, unknown>) {
  const token = taskToken(input);
  return answered(tasks ? tasks.sendTaskHeartbeat(token) : NO_TASKS);
}
