// The one way a step becomes a Lambda handler. The deps (SDK clients, the HSM session, the
// Powertools logger) are built on the first invocation and kept for the life of the execution
// environment; a failed build (the HSM unreachable, the PIN secret unreadable) is not kept, so the
// next invocation tries again. Each invocation adds its Lambda context to the logger through
// Powertools' public API (addContext: cold_start, function_arn, request id, memory).
import type { Context } from 'aws-lambda';
import type { StepFunction, StepHandler, StepLoggerDeps } from '../core/step-kernel/define-step.ts';

/** A logger that can take the Lambda context (Powertools' Logger can). */
interface ContextAwareLogger {
  addContext(context: Context): void;
}

function takesContext(logger: unknown): logger is ContextAwareLogger {
  return typeof (logger as { addContext?: unknown } | undefined)?.addContext === 'function';
}

export interface LambdaStep<Deps, Output> {
  /** The handler the Lambda runtime calls. */
  handler(event: unknown, context: Context): Promise<Output>;
  /** The step's handler over deps given by a test. */
  createHandler(deps: Deps): StepHandler<Output>;
}

export function toLambda<Deps extends StepLoggerDeps, Output>(
  step: StepFunction<Deps, Output>,
  buildDeps: () => Deps | Promise<Deps>,
): LambdaStep<Deps, Output> {
  let ready: Promise<{ deps: Deps; handle: StepHandler<Output> }> | undefined;
  const prepare = () => {
    ready ??= (async () => {
      const deps = await buildDeps();
      return { deps, handle: step.createHandler(deps) };
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  return {
    createHandler: (deps) => step.createHandler(deps),
    async handler(event, context) {
      const { deps, handle } = await prepare();
      if (takesContext(deps.logger)) deps.logger.addContext(context);
      return handle(event, context);
    },
  };
}
