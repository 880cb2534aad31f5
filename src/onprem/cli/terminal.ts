// What the byok CLI writes to its terminal, in one place. Much of it is text that byok does not
// control: key descriptions and tag values, error messages and causes from AWS and Step Functions,
// execution names, approval reasons and voter names, binding labels, fleet reports read from S3.
// Whoever can write such a value could put ESC sequences (erase a line, move the cursor, OSC 8
// hyperlinks), carriage returns or bidirectional overrides in it and forge what the operator reads.
//
// guardTerminalOutput makes a stream write every string through terminalText: each control character
// (C0 but line feed and tab, DEL, C1) and each bidirectional control is written as \u{…}, the rule
// and notation of quoted values in errors and of the web console (src/core/shared/text.ts). The CLI
// installs it on stdout and stderr before any command runs (main.ts), so every command, log line
// and error is covered, including ones written later. A line feed inside one value could still fake
// a row of a table: formatters put each untrusted value through cell (escapeUnprintable), which
// escapes it too. JSON output goes through terminalJson, whose escapes survive the guard unchanged.
// byok's own control sequences (the progress line that redraws itself) go through writeControl.
import { visibleText } from '../../core/shared/text.ts';

export { escapeUnprintable as cell, terminalJson } from '../../core/shared/text.ts';

const RAW_WRITE = Symbol.for('byok.terminal.rawWrite');

type Write = NodeJS.WritableStream['write'];
type GuardedStream = NodeJS.WritableStream & { [RAW_WRITE]?: Write };

/** The text as a terminal may show it: a CR LF line end (CSV) stays; every other control is escaped. */
export function terminalText(text: string): string {
  return text.includes('\r\n') ? text.split('\r\n').map(visibleText).join('\r\n') : visibleText(text);
}

/** Makes the stream pass every string it is given through terminalText (once per stream). */
export function guardTerminalOutput(stream: NodeJS.WritableStream): void {
  const guarded = stream as GuardedStream;
  if (guarded[RAW_WRITE]) return;
  const raw = stream.write.bind(stream) as Write;
  guarded[RAW_WRITE] = raw;
  // Bytes (Buffer, Uint8Array) pass as they are: byok writes strings; bytes come only from a stream
  // piped through, whose text a chunk boundary could cut in the middle of a character.
  stream.write = ((chunk: unknown, ...rest: unknown[]) =>
    (raw as (...args: unknown[]) => boolean)(
      typeof chunk === 'string' ? terminalText(chunk) : chunk,
      ...rest,
    )) as Write;
}

/** Writes one of byok's own control sequences (such as `\r\x1b[2K`) past the guard. */
export function writeControl(stream: NodeJS.WritableStream, sequence: string): void {
  const raw = (stream as GuardedStream)[RAW_WRITE];
  if (raw) raw(sequence);
  else stream.write(sequence);
}
