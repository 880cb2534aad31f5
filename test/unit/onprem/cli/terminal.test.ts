// The CLI's terminal guard (src/onprem/cli/terminal.ts): every string byok writes to stdout and
// stderr passes through terminalText, so a value of someone else's making (a KMS description, a
// task's cause, a fleet report from S3) cannot move the cursor, erase a line, hide a link or reverse
// text. byok's own redraw sequence passes through writeControl; JSON from terminalJson is unchanged.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  guardTerminalOutput,
  terminalJson,
  terminalText,
  writeControl,
} from '../../../../src/onprem/cli/terminal.ts';

/** A stream whose written text can be read back, guarded as main.ts guards stdout and stderr. */
function guardedStream(): { stream: PassThrough; written: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  guardTerminalOutput(stream);
  return { stream, written: () => chunks.join('') };
}

/** The raw characters a forged value uses (escaped, each reads \u{…}). */
const RAW = ['\r', '\u0007', '\u001b', '\u0085', '\u009b', '\u202e'];
const rawIn = (text: string) => RAW.filter((character) => text.includes(character));

const ATTACKS = [
  ['erase the line and rewrite it', 'KMS: ok\u001b[2K\rAll keys healthy'],
  ['an OSC 8 hyperlink', '\u001b]8;;https://attacker.example/\u0007docs\u001b]8;;\u0007'],
  ['a cursor move up', 'x\u001b[1A\u001b[2Kforged'],
  ['an 8-bit CSI', 'x\u009b2Kforged'],
  ['a right-to-left override', '\u202estnemyap'],
  ['a carriage return alone', 'real\rfake'],
] as const;

describe('the CLI terminal guard', () => {
  it.each(ATTACKS)('writes %s as \\u{…}, never raw', async (_name, attack) => {
    // Prepare
    const { stream, written } = guardedStream();

    // Act
    stream.write(`description: ${attack}\n`);
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(rawIn(written())).toEqual([]);
    expect(written()).toMatch(/\\u\{(001b|009b|202e|000d)\}/);
    expect(written().endsWith('\n')).toBe(true);
  });

  it('keeps line feeds, tabs, CR LF line ends (CSV) and ordinary non-ASCII text', async () => {
    // Prepare
    const { stream, written } = guardedStream();
    const text = 'a,b\r\nclé,ключ שלום\r\n\tindented\n';

    // Act
    stream.write(text);
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(written()).toBe(text);
    expect(terminalText(text)).toBe(text);
  });

  it("lets byok's own redraw sequence through writeControl, and only that", async () => {
    // Prepare
    const { stream, written } = guardedStream();

    // Act
    writeControl(stream, '\r\u001b[2K');
    stream.write('… ImportKeyMaterial\u001b[2K');
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(written()).toBe('\r\u001b[2K… ImportKeyMaterial\\u{001b}[2K');
  });

  it('leaves JSON written by terminalJson as it is, so it still parses to the same value', async () => {
    // Prepare
    const { stream, written } = guardedStream();
    const value = { description: '\u202estnemyap\u001b[2K\r', cause: 'x\u0085\u009by' };

    // Act
    stream.write(`${terminalJson(value, 2)}\n`);
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(written()).toBe(`${terminalJson(value, 2)}\n`);
    expect(JSON.parse(written())).toEqual(value);
  });

  it('guards a stream once, however often it is asked: writeControl still reaches the terminal', async () => {
    // Prepare
    const { stream, written } = guardedStream();
    guardTerminalOutput(stream);

    // Act
    writeControl(stream, '\r');
    stream.write('\u001b');
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(written()).toBe('\r\\u{001b}');
  });
});
