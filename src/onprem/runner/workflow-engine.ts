// The runner as the workflow engine of an API that starts executions (the local Step Functions
// API takes it as a port): deps built on first use and rebuilt after a failure, as a Lambda whose
// init failed is retried on the next invocation.
import { readFile } from 'node:fs/promises';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { applyHsmPlacement, type HsmPlacement, localActivityArn } from './hsm-placement.ts';
import {
  type ExecutionEvent,
  type ResumePoint,
  type RunnerDeps,
  type RunOverrides,
  runExecution,
} from './run-execution.ts';
import {
  type AslDefinition,
  functionNameOf,
  listStateMachines,
  loadStateMachine,
  taskStates,
} from './state-machines.ts';
import type { TaskTokenService } from './tasks/service.ts';

export interface RunnerEngineOptions {
  /** What the functions of an execution need; called on the first run, not before. */
  deps: () => Promise<RunnerDeps>;
  overrides?: RunOverrides | undefined;
  /** Task tokens and activity tasks, given to every run as `deps.tasks`. */
  tasks?: TaskTokenService | undefined;
  /**
   * Where the HSM steps run (default 'lambda'): given to every run, and DescribeStateMachine shows
   * the definition so placed (activity ARNs in this Region and account).
   */
  hsmPlacement?: { placement: HsmPlacement; region: string; accountId: string } | undefined;
}

/** One execution to run, as the API that started it describes it. */
export interface EngineRunRequest {
  stateMachine: string;
  /** A definition created through the API (CreateStateMachine), run as given. */
  definition?: unknown;
  name: string;
  input: unknown;
  region: string;
  accountId: string;
  /** The API that started it, so nested executions (startExecution.sync:2) start there too. */
  stepFunctionsApi: unknown;
  signal: AbortSignal;
  onProgress(event: ExecutionEvent): void;
  /** Resumes an execution a stopped stack left waiting for a task token (see runExecution). */
  resumeAt?: ResumePoint | undefined;
}

export function createRunnerEngine(options: RunnerEngineOptions) {
  let depsPromise: Promise<RunnerDeps> | undefined;
  const runnerDeps = (): Promise<RunnerDeps> => {
    if (!depsPromise) {
      depsPromise = options.deps();
      depsPromise.catch(() => {
        depsPromise = undefined;
      });
    }
    return depsPromise;
  };
  return {
    listStateMachines,
    async describeStateMachine(name: string) {
      const loaded = await loadStateMachine(name);
      const placement = options.hsmPlacement;
      const placed = placement
        ? applyHsmPlacement(loaded.definition, placement.placement, (step) =>
            localActivityArn(step, placement.region, placement.accountId),
          )
        : loaded.definition;
      return {
        definition:
          placed === loaded.definition
            ? await readFile(loaded.path, 'utf8')
            : `${JSON.stringify(placed, null, 2)}\n`,
        lambdaStates: taskStates(placed)
          .filter((task) => functionNameOf(task.resource) !== undefined)
          .map((task) => task.name),
      };
    },
    async validateDefinition(definition: unknown): Promise<string[]> {
      try {
        new StateMachine(definition as StateMachineDefinition, { validationOptions: { checkArn: false } });
        return [];
      } catch (error) {
        return [error instanceof Error ? error.message : String(error)];
      }
    },
    async run(request: EngineRunRequest) {
      const deps = await runnerDeps();
      return runExecution({
        stateMachine: request.stateMachine,
        createdDefinition: request.definition as AslDefinition | undefined,
        name: request.name,
        input: request.input,
        deps: {
          ...deps,
          region: request.region,
          accountId: request.accountId,
          stepFunctionsApi: request.stepFunctionsApi,
          ...(options.tasks ? { tasks: options.tasks } : {}),
          ...(options.hsmPlacement ? { hsmPlacement: options.hsmPlacement.placement } : {}),
        },
        overrides: options.overrides,
        signal: request.signal,
        onProgress: request.onProgress,
        resumeAt: request.resumeAt,
      });
    },
  };
}
