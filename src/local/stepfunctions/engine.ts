// What the local Step Functions API needs from a workflow engine. The emulator only keeps execution
// records and speaks the wire protocol; what runs the workflow (the product's runner, src/onprem/runner)
// is passed in by whoever starts the stack (`byok local up`, the simulation), so src/local never
// imports the product.
import type { StateMachine } from 'aws-local-stepfunctions';

/** One entry of the interpreter's event log (aws-local-stepfunctions), as it happens. */
export type InterpreterEvent = Awaited<
  ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>
>['value'] & {
  type: string;
  timestamp: number;
};

export interface WorkflowRunRequest {
  stateMachine: string;
  /** The definition of a state machine created through the API (CreateStateMachine); absent for the engine's own. */
  definition?: unknown;
  name: string;
  input: unknown;
  region: string;
  accountId: string;
  /** The API itself, so nested executions (startExecution.sync:2) start here too and are listed. */
  stepFunctionsApi: unknown;
  signal: AbortSignal;
  onProgress(event: InterpreterEvent): void;
  /**
   * Resumes an execution this API kept over a restart while it waited for a task token: the run
   * starts at that state with the input it had entered it with and waits for the task adopted
   * under `token` (TaskTokenPort.adoptCallbackTask). An engine that cannot resume there throws
   * (the execution then fails under that error's name).
   */
  resumeAt?: { stateName: string; input: unknown; token: string } | undefined;
}

export interface WorkflowRunOutcome {
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  output?: unknown;
  error?: string | undefined;
  cause?: string | undefined;
}

export interface WorkflowEngine {
  /** Names of the state machines it can run (`import-key-material`, ...). */
  listStateMachines(): Promise<string[]>;
  /** The definition's text, and which Task states call a Lambda function (the rest are integrations). */
  describeStateMachine(name: string): Promise<{ definition: string; lambdaStates: string[] }>;
  /** Runs one execution to its end; throws when it cannot run at all (a Lambda init error). */
  run(request: WorkflowRunRequest): Promise<WorkflowRunOutcome>;
  /**
   * Checks a definition given to CreateStateMachine: the reasons it is not a valid state machine
   * (none when it is). Without it, CreateStateMachine checks only StartAt and States.
   */
  validateDefinition?(definition: unknown): Promise<string[]>;
}
