// States.Timeout as the interpreter itself raises it. aws-local-stepfunctions matches the
// `States.TaskFailed` wildcard against every Task error except its own (unexported)
// StatesTimeoutError, as AWS does ("any known error name except States.Timeout"). A token state's
// timeout is measured by the registry, not the interpreter, so to be matched the AWS way it must
// fail with that same class: it is obtained once per process from a one-state machine whose Task
// times out at once.
import '../../../core/polyfills.ts';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

let timeoutClass: Promise<new () => Error> | undefined;

function discover(): Promise<new () => Error> {
  const definition = {
    StartAt: 'Never',
    States: {
      Never: { Type: 'Task', Resource: 'arn:aws:states:::byok:never', TimeoutSeconds: 0.001, End: true },
    },
  };
  const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const run = machine.run(
    {},
    { overrides: { taskResourceLocalHandlers: { Never: () => new Promise<never>(() => {}) } } },
  );
  return run.result.then(
    () => {
      throw new Error('the interpreter did not time out a Task');
    },
    (error: unknown) => {
      const cause = error instanceof ExecutionError ? error.cause : undefined;
      if (!(cause instanceof Error) || cause.name !== 'States.Timeout') throw error;
      return cause.constructor as new () => Error;
    },
  );
}

/** A States.Timeout error the interpreter treats as its own. */
export async function interpreterTimeoutError(): Promise<Error> {
  timeoutClass ??= discover();
  const TimeoutError = await timeoutClass;
  return new TimeoutError();
}
