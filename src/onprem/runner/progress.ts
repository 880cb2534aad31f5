// Progress of a local run, per state: on a terminal a step list whose current line updates in
// place; elsewhere (CI, pipes) one plain line per change.
import { cell, writeControl } from '../cli/terminal.ts';
import type { ExecutionEvent } from './run-execution.ts';

export interface ProgressReporter {
  onProgress(event: ExecutionEvent): void;
}

interface StateEventFields {
  state?: { name?: string; type?: string };
  Error?: string;
  retry?: { attempt?: number };
}

export function createProgressReporter(options: {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  label?: string;
  /** Force plain lines even on a TTY. */
  plain?: boolean;
}): ProgressReporter {
  const { stream } = options;
  const tty = options.plain !== true && stream.isTTY === true;
  const prefix = options.label ? `${options.label} ` : '';
  const started = new Map<string, number>();
  const caught = new Set<string>();
  let pending = '';

  const write = (line: string, transient: boolean) => {
    if (tty) {
      // Back to the line's start and erase it: byok's own control, written past the terminal guard.
      writeControl(stream, '\r\x1b[2K');
      stream.write(`${line}${transient ? '' : '\n'}`);
      pending = transient ? line : '';
    } else if (!transient) {
      stream.write(`${line}\n`);
    }
  };

  return {
    onProgress(event) {
      const fields = event as unknown as StateEventFields;
      // State names and errors come from the workflow and from whoever fails a task: one line each.
      const name = cell(fields.state?.name ?? '');
      // Pass and Choice states are bookkeeping: list only the work.
      const quiet =
        fields.state?.type === 'Pass' || fields.state?.type === 'Choice' || fields.state?.type === 'Succeed';
      switch (event.type) {
        case 'StateEntered':
          started.set(name, event.timestamp);
          if (!quiet) write(tty ? `${prefix}… ${name}` : `${prefix}${name}: started`, tty);
          break;
        case 'StateExited': {
          // A caught failure exits the state too; the failure line already said what happened.
          if (quiet || caught.delete(name)) break;
          const ms = event.timestamp - (started.get(name) ?? event.timestamp);
          write(tty ? `${prefix}✔ ${name} (${ms} ms)` : `${prefix}${name}: done in ${ms} ms`, false);
          break;
        }
        case 'StateRetried':
          write(
            `${prefix}${tty ? '↻ ' : ''}${name}: retrying (attempt ${(fields.retry?.attempt ?? 0) + 1})`,
            false,
          );
          break;
        case 'StateFailed':
          if (quiet) break;
          write(`${prefix}${tty ? '✖ ' : ''}${name}: ${cell(fields.Error ?? 'failed')}`, false);
          break;
        case 'StateCaught':
          caught.add(name);
          break;
        case 'ExecutionFailed':
        case 'ExecutionSucceeded':
        case 'ExecutionAborted':
        case 'ExecutionTimeout':
          if (tty && pending) stream.write('\n');
          pending = '';
          break;
        default:
          break;
      }
    },
  };
}
