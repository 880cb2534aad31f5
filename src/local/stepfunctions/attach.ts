// Puts the local Step Functions API on a running local stack: `AWSStepFunctions.*` on the shared
// port, executions run by the workflow engine given (src/onprem/simulation/step-functions.ts passes the
// runner), task tokens and activity tasks answered through the task-token port given.
import type { Clock } from '../../core/clock.ts';
import type { StateStore } from '../persistence.ts';
import type { LocalService } from '../protocol.ts';
import type { WorkflowEngine } from './engine.ts';
import { ExecutionJournal } from './journal.ts';
import { StepFunctionsService } from './service.ts';
import type { TaskTokenPort } from './task-port.ts';

/** The parts of a local stack the API attaches to (structural, so tests can pass their own). */
export interface StepFunctionsAttachableStack {
  region: string;
  accountId: string;
  clock: Clock;
  server: { register(service: LocalService): void };
  /** The stack's state dir: executions are kept there over restarts (./journal.ts). */
  stateStore?: StateStore | undefined;
}

export interface StepFunctionsApiOptions {
  /** The runner's TaskTokenService: `.waitForTaskToken`/activity states, SendTask*, GetActivityTask. */
  tasks?: TaskTokenPort | undefined;
  /** How long GetActivityTask holds a poll (default 60 s). */
  activityPollMs?: number | undefined;
}

export interface AttachedStepFunctions {
  service: StepFunctionsService;
  /** Stops running executions (and closes what the API opened); call before stopping the stack. */
  close(): Promise<void>;
}

export function attachStepFunctionsApi(
  stack: StepFunctionsAttachableStack,
  engine: WorkflowEngine,
  options: StepFunctionsApiOptions = {},
): AttachedStepFunctions {
  const service = new StepFunctionsService({
    region: stack.region,
    accountId: stack.accountId,
    clock: stack.clock,
    engine,
    tasks: options.tasks,
    activityPollMs: options.activityPollMs,
    journal: stack.stateStore
      ? new ExecutionJournal(stack.stateStore, { region: stack.region, accountId: stack.accountId })
      : undefined,
  });
  stack.server.register(service);
  return { service, close: () => service.close() };
}
