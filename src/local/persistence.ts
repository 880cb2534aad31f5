// The local stack's state dir. State files are written atomically (write to a temp file, fsync,
// rename), created readable by the owner only, and secrets inside them (imported key material)
// are sealed with AES-256-GCM under a random master key kept in its own 0600 file next to them.
// Bad or corrupt state stops the stack with a named error; it is never silently replaced.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

import {
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';

import { dirname, join } from 'node:path';
import type { z } from 'zod';
import { LocalStateCorruptError, LocalStateError, LocalStateInsecureError } from './errors.ts';

const MASTER_KEY_FILE = 'master.key';

/** Seals secrets for the state files and derives purpose-bound keys from one 32-byte master key. */
export class MasterKey {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes');
  }

  static random(): MasterKey {
    return new MasterKey(randomBytes(32));
  }

  derive(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `byok-local/${purpose}`, 32));
  }

  /** `context` binds the sealed value to where it belongs (e.g. key and material id). */
  seal(plaintext: Buffer, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.derive('state-secrets'), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string, context: string): Buffer {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.derive('state-secrets'), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  }
}

/** What a path is, named for an error message (`a directory`, `a symbolic link`, ...). */
function kindOf(stats: {
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

/**
 * Whether a state file exists; refuses anything but a regular file (a directory, a symlink, a FIFO
 * that would block the read) before its mode is even looked at, so it is not reported as a
 * permissions problem.
 */
function stateFileExists(path: string): boolean {
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (!stats.isFile()) {
    throw new LocalStateCorruptError(path, `it is ${kindOf(stats)}, not a regular file`);
  }
  return true;
}

/**
 * Checks a state file's parsed JSON against its schema: the value, or LocalStateCorruptError naming
 * the file and the first field that does not fit (`keys.0.materials.1.validTo: ...`).
 */
export function parseStateFile<T extends z.ZodType>(schema: T, value: unknown, path: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || 'top level';
  throw new LocalStateCorruptError(path, `unexpected content at ${field}: ${issue?.message ?? 'invalid'}`, {
    cause: parsed.error,
  });
}

function checkOwnerOnly(path: string, allowedMode: number): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & ~allowedMode) !== 0) {
    throw new LocalStateInsecureError(
      path,
      `its mode is ${mode.toString(8)}; only the owner may have access`,
    );
  }
}

/** Writes `data` to `path` so that a crash leaves either the old or the new file, never a mix. */
export function writeFileAtomic(path: string, data: string | Buffer): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    if (existsSync(temp)) unlinkSync(temp);
    throw error;
  }
  // Make the rename itself durable, so a crash after return cannot bring the old file back.
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

export class StateStore {
  readonly masterKey: MasterKey;

  private constructor(
    readonly dir: string,
    masterKey: MasterKey,
  ) {
    this.masterKey = masterKey;
  }

  /** Opens (creating if needed) a state dir; refuses one that others can read or write. */
  static open(dir: string): StateStore {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!statSync(dir).isDirectory()) throw new LocalStateError(`${dir} is not a directory`, dir);
    checkOwnerOnly(dir, 0o700);
    // Temporary files are writes a crash interrupted; the renamed files hold the state.
    for (const name of readdirSync(dir))
      if (/\.\d+\.[0-9a-f]{8}\.tmp$/.test(name)) unlinkSync(join(dir, name));
    const keyPath = join(dir, MASTER_KEY_FILE);
    if (!stateFileExists(keyPath)) {
      const hasState = ['kms.json'].some((name) => existsSync(join(dir, name)));
      if (hasState) {
        throw new LocalStateCorruptError(
          keyPath,
          'the master key is missing, so the sealed key material cannot be read',
        );
      }
      writeFileAtomic(keyPath, randomBytes(32).toString('base64'));
    }
    checkOwnerOnly(keyPath, 0o600);
    const key = Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new LocalStateCorruptError(keyPath, 'it does not hold a 32-byte key');
    return new StateStore(dir, new MasterKey(key));
  }

  path(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  /** The parsed JSON of `<name>.json`, or undefined when it does not exist yet. */
  read(name: string): unknown {
    const path = this.path(name);
    if (!stateFileExists(path)) return undefined;
    checkOwnerOnly(path, 0o600);
    const text = readFileSync(path, 'utf8');
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new LocalStateCorruptError(path, 'it is not valid JSON', { cause: error });
    }
  }

  write(name: string, value: unknown): void {
    writeFileAtomic(this.path(name), `${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * Removes each `<name>.json` (one gone already is no error). Each unlink is atomic (the file is
   * there whole or not at all); the dirs are fsynced once at the end, so a crash after return
   * cannot bring a file back.
   */
  remove(names: readonly string[]): void {
    const dirs = new Set<string>();
    for (const name of names) {
      const path = this.path(name);
      try {
        unlinkSync(path);
        dirs.add(dirname(path));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    for (const dir of dirs) {
      const dirFd = openSync(dir, 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    }
  }
}
