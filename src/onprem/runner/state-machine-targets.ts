// EventBridge target handlers that start local executions for rules: directly with the runner
// (the simulation) or through the local Step Functions API (`byok local up`).
import { randomUUID } from 'node:crypto';
import { type ExecutionHistory, stateMachineNameOf } from './execution-history.ts';
import { runExecution } from './run-execution.ts';
import type { RunnerDeps, RunOverrides, StepFunctionsApi } from './types.ts';

/** What an EventBridge target handler looks like (src/local/events/event-bus.ts, structurally). */
export interface StateMachineTargetHandler {
  matches(arn: string): boolean;
  deliver(delivery: { ruleName: string; targetArn: string; input: string }): Promise<string>;
}

/**
 * Lets EventBridge rules start local executions, as a rule targeting a state machine does on AWS.
 * Each delivery runs to completion before it resolves, so on the virtual clock a scheduled sweep is
 * over before time moves on. A failed execution fails the delivery.
 */
export function createStateMachineTargetHandler(options: {
  deps: RunnerDeps;
  history: ExecutionHistory;
  overrides?: RunOverrides | undefined;
}): StateMachineTargetHandler {
  return {
    matches: (arn) => stateMachineNameOf(arn) !== undefined && arn.startsWith('arn:'),
    async deliver(delivery) {
      const stateMachine = stateMachineNameOf(delivery.targetArn) as string;
      const input: unknown = JSON.parse(delivery.input);
      const name = randomUUID();
      const deps = { ...options.deps, executionHistory: options.history };
      const result = await options.history.run(stateMachine, name, input, `rule:${delivery.ruleName}`, () =>
        runExecution({ stateMachine, name, input, deps, overrides: options.overrides }),
      );
      if (result.status !== 'SUCCEEDED') {
        throw new Error(
          `execution ${result.executionArn} ${result.status}: ${result.error ?? ''} ${result.cause ?? ''}`,
        );
      }
      return result.executionArn;
    },
  };
}

/**
 * Lets EventBridge rules start executions through the local Step Functions API (what `byok local
 * up` serves), so they show in ListExecutions and `byok start`'s views. Resolves when that
 * execution has ended, or waits for a task token or an activity (the API's `settled`): never for
 * other executions, so a rotation waiting days for its vote never stops the virtual clock. A
 * failed execution fails the delivery.
 */
export function createStepFunctionsApiTargetHandler(api: StepFunctionsApi): StateMachineTargetHandler {
  return {
    matches: (arn) => stateMachineNameOf(arn) !== undefined && arn.startsWith('arn:'),
    async deliver(delivery) {
      const started = (await api.handle('StartExecution', {
        stateMachineArn: delivery.targetArn,
        input: delivery.input,
      })) as { executionArn: string };
      await api.settled(started.executionArn);
      const described = (await api.handle('DescribeExecution', { executionArn: started.executionArn })) as {
        status: string;
        error?: string;
        cause?: string;
      };
      if (described.status !== 'SUCCEEDED' && described.status !== 'RUNNING') {
        throw new Error(
          `execution ${started.executionArn} ${described.status}: ${described.error ?? ''} ${described.cause ?? ''}`,
        );
      }
      return started.executionArn;
    },
  };
}
