// `byok key create` stopped by SIGINT/SIGTERM between its steps (check, create, tag, alias, bind,
// import, replicate): what was done, what was in flight (it may or may not have taken effect), what
// was not done, and the commands that finish it. The import has its own report (import/interrupted.ts).
import { byokCommand, type HintTarget } from '../../hints.ts';

export interface KeyCreateProgress {
  /** The new key's ARN, once CreateKey answered. */
  keyArn?: string | undefined;
  /** Steps done, in order ("created …", "alias alias/x"). */
  done: string[];
  /** The step whose call was in flight when the signal came. */
  inFlight?: string | undefined;
  /** Whether the binding was recorded (then only the import is left). */
  bound: boolean;
}

/** The lines to print (stderr) and the exit code for the signal. */
export function keyCreateInterrupted(
  signal: NodeJS.Signals,
  progress: KeyCreateProgress,
  request: { hsmKey: string; target: HintTarget },
): { lines: string[]; exitCode: number } {
  const lines = [`byok key create: ${signal}: stopped before it finished`];
  if (progress.inFlight) {
    lines.push(`byok key create: in flight: ${progress.inFlight} (it may or may not have taken effect)`);
  }
  lines.push(`byok key create: done: ${progress.done.length > 0 ? progress.done.join('; ') : 'nothing'}`);
  const { keyArn } = progress;
  if (!keyArn) {
    lines.push(
      progress.inFlight?.startsWith('CreateKey')
        ? `hint: a key may have been created without a binding: look for the EXTERNAL key tagged byok:hsm-key-label=${request.hsmKey} (${byokCommand(request.target, 'status')}) before running byok key create again`
        : 'hint: no key was created: run the same byok key create again',
    );
    return { lines, exitCode: signal === 'SIGINT' ? 130 : 143 };
  }
  const bind = byokCommand(
    request.target,
    'bindings',
    'add',
    '--hsm-key',
    request.hsmKey,
    '--key-id',
    keyArn,
  );
  const importIt = byokCommand(request.target, 'import', '--key-id', keyArn);
  lines.push(
    `byok key create: not done: ${progress.bound ? 'the import (the key has no material yet)' : 'the binding and the import (the key has no material yet)'}`,
  );
  lines.push(`hint: finish with: ${progress.bound ? importIt : `${bind}, then ${importIt}`}`);
  return { lines, exitCode: signal === 'SIGINT' ? 130 : 143 };
}
