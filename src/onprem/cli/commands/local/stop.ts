// How `byok local up` stops: every part is stopped in order, each even when one before it failed
// (a console that would not close must not keep the stack from writing its state and releasing its
// lock), and what failed is returned so that the command says it and exits 1 instead of "stopped".

/** One part of the running stack and how to stop it. */
export interface StopStep {
  /** What it is, for the line that says it could not be stopped ("the web console"). */
  name: string;
  stop: () => Promise<unknown> | unknown;
}

export interface StopFailure {
  name: string;
  error: unknown;
}

/** Stops each part in order, whatever the others did; the parts that failed to stop, in order. */
export async function stopEach(steps: readonly StopStep[]): Promise<StopFailure[]> {
  const failures: StopFailure[] = [];
  for (const step of steps) {
    try {
      await step.stop();
    } catch (error) {
      failures.push({ name: step.name, error });
    }
  }
  return failures;
}

/** The lines `byok local up` ends with: each failure, then stopped (with the state saved) or not. */
export function stopReport(failures: readonly StopFailure[], stateDir: string | undefined): string[] {
  const lines = failures.map(
    ({ name, error }) =>
      `byok local stack: could not stop ${name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
  );
  if (failures.length > 0) {
    lines.push(
      `byok local stack: stopped with ${failures.length} error(s)${stateDir ? `; the state in ${stateDir} may be incomplete` : ''}`,
    );
  } else {
    lines.push(
      `byok local stack: stopped${stateDir ? `, state saved in ${stateDir}` : ' (memory only: nothing kept)'}`,
    );
  }
  return lines;
}
