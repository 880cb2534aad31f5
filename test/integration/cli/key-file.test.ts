// `byok hsm import-key --file` refuses, at once and by name, a file that is not a regular file
// reached directly: a FIFO (issue 13: it blocked forever), a symbolic link (it was followed, while
// the PIN file refuses links), a device and a directory. The real CLI process, with an empty
// BYOK_HOME: the file is refused before any token is looked for.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
const dir = mkdtempSync(join(tmpdir(), 'byok-key-file-'));
const home = join(dir, 'home');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function importKey(file: string): Promise<{ code: number | string; stderr: string; ms: number }> {
  const started = Date.now();
  try {
    const { stderr } = await execFileAsync(
      process.execPath,
      [byok, 'hsm', 'import-key', '--label', 'migrated', '--type', 'AES_256', '--file', file],
      { env: { ...process.env, BYOK_HOME: home, BYOK_DEBUG: '' }, timeout: 20_000, killSignal: 'SIGKILL' },
    );
    return { code: 0, stderr, ms: Date.now() - started };
  } catch (error) {
    const failed = error as { code: number; killed?: boolean; stderr: string };
    return { code: failed.killed ? 'hung' : failed.code, stderr: failed.stderr, ms: Date.now() - started };
  }
}

describe('byok hsm import-key --file', () => {
  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    // Prepare
    const fifo = join(dir, 'key.fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);

    // Act
    const result = await importKey(fifo);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `byok: HsmKeyFileRefusedError: key file ${fifo} is a FIFO, not a regular file`,
    );
  });

  it('refuses a symbolic link to a 0600 key file, as the PIN file rule does', async () => {
    // Prepare
    const target = join(dir, 'real.key');
    const link = join(dir, 'linked.key');
    writeFileSync(target, Buffer.alloc(32, 7), { mode: 0o600 });
    symlinkSync(target, link);

    // Act
    const result = await importKey(link);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`byok: HsmKeyFileRefusedError: key file ${link} is a symbolic link`);
  });

  it.each([
    ['/dev/zero', 'a character device'],
    [dir, 'a directory'],
  ])('refuses %s as %s', async (file, kind) => {
    // Act
    const result = await importKey(file);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `byok: HsmKeyFileRefusedError: key file ${file} is ${kind}, not a regular file`,
    );
  });
});
