// Deployed, the record of what byok's workflows scheduled is Step Functions' execution history
// (src/core/step-kernel/scheduled-invocations.ts): a Task whose resource is a Lambda function
// writes a LambdaFunctionScheduled event with the function's ARN and the exact input before it
// invokes it; a `lambda:invoke` Task (AwaitApproval's `.waitForTaskToken`) a TaskScheduled event
// with its Parameters (FunctionName, Payload). Only Step Functions writes a history, and only for the state machine's own Tasks,
// so a direct invoke (or lambda:invoke from another state machine, which schedules nothing in
// byok's executions) finds no scheduled event with its payload.
import {
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandOutput,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { ScheduledInvocations } from '../core/step-kernel/scheduled-invocations.ts';

/** Events that end an execution: an ended execution schedules nothing any more. */
const ENDED = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

export interface StepFunctionsScheduledInvocationsOptions {
  sfn: Pick<SFNClient, 'send'>;
  /** This function's name (AWS_LAMBDA_FUNCTION_NAME): only its own scheduled events count. */
  functionName: string;
  /** byok's state machines that invoke this function; executions of any other are refused unread. */
  stateMachineArns: readonly string[];
  /** Events read at most, newest first (default 10,000: ten pages). */
  maxEvents?: number | undefined;
}

/** `arn:aws:states:r:a:stateMachine:NAME` -> `arn:aws:states:r:a:execution:NAME:`. */
function executionPrefixOf(stateMachineArn: string): string | undefined {
  const parts = stateMachineArn.split(':');
  if (parts.length !== 7 || parts[5] !== 'stateMachine' || !parts[6]) return undefined;
  return `${[...parts.slice(0, 5), 'execution', parts[6]].join(':')}:`;
}

/** The function name of a Lambda ARN (`arn:aws:lambda:r:a:function:NAME[:qualifier]`), or a bare name. */
function functionNameOf(resource: string | undefined): string | undefined {
  if (!resource) return undefined;
  const parts = resource.split(':');
  return parts.length >= 7 && parts[5] === 'function' ? parts[6] : resource;
}

const NOT_SCHEDULED: unique symbol = Symbol('not scheduled');

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_SCHEDULED;
  }
}

/**
 * The payload `event` scheduled for `functionName`: a Task whose resource is the function
 * (LambdaFunctionScheduled, its input), or an `arn:aws:states:::lambda:invoke` Task, also
 * `.waitForTaskToken` (TaskScheduled of resource type lambda, its Parameters' Payload).
 */
function scheduledPayloadOf(event: HistoryEvent, functionName: string): unknown {
  if (event.type === 'LambdaFunctionScheduled') {
    const details = event.lambdaFunctionScheduledEventDetails;
    if (!details?.input || details.inputDetails?.truncated) return NOT_SCHEDULED;
    if (functionNameOf(details.resource) !== functionName) return NOT_SCHEDULED;
    return parsed(details.input);
  }
  if (event.type === 'TaskScheduled') {
    const details = event.taskScheduledEventDetails;
    if (details?.resourceType !== 'lambda' || !details.resource?.startsWith('invoke')) return NOT_SCHEDULED;
    const parameters = parsed(details.parameters ?? '');
    if (parameters === null || typeof parameters !== 'object') return NOT_SCHEDULED;
    const { FunctionName, Payload } = parameters as { FunctionName?: unknown; Payload?: unknown };
    if (typeof FunctionName !== 'string' || functionNameOf(FunctionName) !== functionName)
      return NOT_SCHEDULED;
    return Payload === undefined ? NOT_SCHEDULED : Payload;
  }
  return NOT_SCHEDULED;
}

export function stepFunctionsScheduledInvocations(
  options: StepFunctionsScheduledInvocationsOptions,
): ScheduledInvocations {
  const prefixes = options.stateMachineArns
    .map(executionPrefixOf)
    .filter((prefix): prefix is string => prefix !== undefined);
  const maxEvents = options.maxEvents ?? 10_000;
  return {
    async wasScheduled(executionArn, matches) {
      // Execution names hold no ':', so the prefix names the state machine exactly.
      if (!prefixes.some((prefix) => executionArn.startsWith(prefix))) return false;
      let nextToken: string | undefined;
      let read = 0;
      do {
        const page: GetExecutionHistoryCommandOutput = await options.sfn.send(
          new GetExecutionHistoryCommand({
            executionArn,
            reverseOrder: true,
            includeExecutionData: true,
            maxResults: 1000,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        const events: HistoryEvent[] = page.events ?? [];
        if (read === 0 && events[0]?.type && ENDED.has(events[0].type)) return false;
        for (const event of events) {
          const payload = scheduledPayloadOf(event, options.functionName);
          if (payload !== NOT_SCHEDULED && matches(payload)) return true;
        }
        read += events.length;
        nextToken = page.nextToken;
      } while (nextToken && read < maxEvents);
      return false;
    },
  };
}
