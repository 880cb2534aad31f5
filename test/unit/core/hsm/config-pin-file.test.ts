// Security review G7: the PIN file is opened once without following symlinks, and the checks
// (regular file, mode, owner) are made on that descriptor, so the file that was checked is the one read.
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HsmConfig, resolvePin } from '../../../../src/core/hsm/config.ts';
import { HsmPinUnavailableError } from '../../../../src/core/hsm/errors.ts';

let dir: string;

const configWith = (pinFile: string): HsmConfig => ({
  profile: 'softhsm',
  library: '/usr/lib/softhsm/libsofthsm2.so',
  tokenLabel: 'byok',
  pinFile,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-pin-file-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolvePin from a PIN file', () => {
  it('reads a 0600 and a 0400 file owned by the current user', async () => {
    // Prepare
    const writable = join(dir, 'pin-600');
    const readOnly = join(dir, 'pin-400');
    await writeFile(writable, 'pin-600\n', { mode: 0o600 });
    await writeFile(readOnly, 'pin-400\n', { mode: 0o400 });

    // Act
    const pins = [
      await resolvePin(configWith(writable), { env: {} }),
      await resolvePin(configWith(readOnly), { env: {} }),
    ];

    // Assess
    expect(pins).toEqual(['pin-600', 'pin-400']);
  });

  it('refuses a FIFO at once instead of blocking until a writer appears', async () => {
    // Prepare
    const fifo = join(dir, 'pin.fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);

    // Act (an open that blocked would never settle: the race makes that a failure, not a hang)
    const error = await Promise.race([
      resolvePin(configWith(fifo), { env: {} }).catch((caught: unknown) => caught),
      new Promise((resolve) => setTimeout(() => resolve('blocked'), 5_000)),
    ]);

    // Assess
    expect(error).toBeInstanceOf(HsmPinUnavailableError);
    expect((error as HsmPinUnavailableError).message).toBe(`PIN file ${fifo} is not a regular file`);
  });

  it('refuses a symbolic link, even to a 0600 file of the current user', async () => {
    // Prepare
    const target = join(dir, 'real-pin');
    const link = join(dir, 'linked-pin');
    await writeFile(target, 'secret-pin-via-link\n', { mode: 0o600 });
    await symlink(target, link);

    // Act
    const error = await resolvePin(configWith(link), { env: {} }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(HsmPinUnavailableError);
    expect((error as HsmPinUnavailableError).message).toContain('symbolic link');
    expect((error as HsmPinUnavailableError).message).not.toContain('secret-pin-via-link');
  });

  it('refuses a file that another user owns', async () => {
    // Prepare: root gives a temp file away to nobody; any other user is shown root's /etc/passwd
    // (the owner is checked before the mode, so both name the owner).
    const uid = process.getuid?.() ?? 0;
    let file = '/etc/passwd';
    let owner = 0;
    if (uid === 0) {
      file = join(dir, 'foreign-pin');
      owner = 65534;
      await writeFile(file, 'foreign\n', { mode: 0o600 });
      await chown(file, owner, owner);
    }

    // Act
    const error = await resolvePin(configWith(file), { env: {} }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(HsmPinUnavailableError);
    expect((error as HsmPinUnavailableError).message).toContain(`owned by uid ${owner}`);
    expect((error as HsmPinUnavailableError).hint).toContain(`chown ${uid}`);
  });

  it('refuses a directory and keeps refusing group/world access', async () => {
    // Prepare
    const directory = join(dir, 'pin-dir');
    await mkdir(directory, { mode: 0o700 });
    const open = join(dir, 'pin-640');
    await writeFile(open, 'pin\n');
    await chmod(open, 0o640);

    // Act
    const directoryError = await resolvePin(configWith(directory), { env: {} }).catch(
      (caught: unknown) => caught,
    );
    const openError = await resolvePin(configWith(open), { env: {} }).catch((caught: unknown) => caught);

    // Assess
    expect(directoryError).toBeInstanceOf(HsmPinUnavailableError);
    expect((directoryError as HsmPinUnavailableError).message).toContain('not a regular file');
    expect(openError).toBeInstanceOf(HsmPinUnavailableError);
    expect(openError).toMatchObject({ hint: `Run: chmod 600 ${open}` });
  });
});
