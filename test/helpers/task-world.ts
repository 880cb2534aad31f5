// A local stack with the task-token service composed in, as `byok local up` composes it: the local
// Step Functions API answers SendTask* and GetActivityTask over real HTTP, and the test fixture
// state machine runs through the runner with the same service, on the stack's virtual clock.
import { join } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { createEventBridgeClient, createSfnClient } from '../../src/core/aws/clients.ts';
import { type LocalStack, startLocalStack } from '../../src/local/stack.ts';
import {
  type ExecutionResult,
  type RunnerDeps,
  runExecution,
} from '../../src/onprem/runner/run-execution.ts';
import { createTaskTokenServiceOn, type TaskTokenService } from '../../src/onprem/runner/tasks/index.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctions,
} from '../../src/onprem/simulation/step-functions.ts';

/** test/fixtures/statemachines/task-tokens.asl.json: a callback state and an activity state. */
export const TASK_TOKENS_MACHINE = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'statemachines',
  'task-tokens.asl.json',
);
/** The activity the fixture's Work state uses (the stack's default region and account). */
export const WORK_ACTIVITY_ARN = 'arn:aws:states:us-east-1:111122223333:activity:byok-test-work';

export interface TaskWorld {
  stack: LocalStack;
  tasks: TaskTokenService;
  stepFunctions: AttachedStepFunctions;
  /** An SDK client on the stack's Step Functions API (make more with `newSfnClient`). */
  sfn: SFNClient;
  events: EventBridgeClient;
  newSfnClient(): SFNClient;
  /** Runs the fixture with `input` (retries of the Work state wait 1 ms). */
  run(input: Record<string, unknown>, signal?: AbortSignal): Promise<ExecutionResult>;
  /** The detail of the byok.test event whose `request` is `request` (waits for it). */
  eventFor(request: string): Promise<{ taskToken: string; link: string; request: string }>;
  stop(): Promise<void>;
}

export async function startTaskWorld(options: { activityPollMs?: number } = {}): Promise<TaskWorld> {
  const stack = await startLocalStack({ port: 0 });
  const tasks = createTaskTokenServiceOn(stack.clock);
  const stepFunctions = attachLocalStepFunctions(stack, {
    deps: async () => ({ clock: stack.clock }) as unknown as RunnerDeps,
    tasks,
    activityPollMs: options.activityPollMs,
  });
  const clients: Array<{ destroy(): void }> = [];
  const newSfnClient = () => {
    const client = createSfnClient({ endpoint: stack.url, region: stack.region });
    clients.push(client);
    return client;
  };
  const events = createEventBridgeClient({ endpoint: stack.url, region: stack.region });
  clients.push(events);
  return {
    stack,
    tasks,
    stepFunctions,
    sfn: newSfnClient(),
    events,
    newSfnClient,
    run: (input, signal) =>
      runExecution({
        signal,
        stateMachine: TASK_TOKENS_MACHINE,
        input,
        deps: { clock: stack.clock, events, tasks } as unknown as RunnerDeps,
        overrides: { retryIntervalOverrides: { Work: 1 } },
      }),
    async eventFor(request) {
      for (;;) {
        const found = stack.events.bus
          .log({ source: 'byok.test' })
          .events.find((event) => event.detail.request === request);
        if (found) return found.detail as { taskToken: string; link: string; request: string };
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      for (const client of clients) client.destroy();
      await stepFunctions.close();
      tasks.close();
      await stack.stop();
    },
  };
}
