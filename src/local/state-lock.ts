// One local stack per state dir. Two stacks on one dir would each load the state, serve it, and
// overwrite each other's writes (a key made on the second vanished when the first saved). The first
// stack takes `<dir>/stack.lock` (created exclusively: of two starting at once exactly one wins) and
// writes its pid, and once it listens its URL and port, into it; a second stack is refused by name
// with the owner's pid and port. A lock whose pid no longer runs was left by a killed stack and is
// taken over. The lock is removed on stop, only while it is still this process's own.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStateLockedError } from './errors.ts';

const LOCK_FILE = 'stack.lock';

export interface LockOwner {
  pid: number;
  /** Set once the owner listens. */
  url?: string | undefined;
  port?: number | undefined;
  startedAt: string;
  /** Random, so a lock rewritten by another process is never mistaken for this one's. */
  nonce: string;
}

export interface StateDirLock {
  /** Records where the owner listens (shown to a refused second stack). */
  listening(url: string): void;
  /** Removes the lock if it is still this one's. */
  release(): void;
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.nonce !== 'string') return undefined;
    return parsed as LockOwner;
  } catch {
    return undefined;
  }
}

function writeExclusive(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Takes the state dir's lock or throws LocalStateLockedError naming the stack that holds it. */
export function lockStateDir(dir: string, pid = process.pid): StateDirLock {
  const path = join(dir, LOCK_FILE);
  const owner: LockOwner = {
    pid,
    startedAt: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  };
  // Two rounds: the second after removing a lock whose owner is gone (or unreadable: a crash
  // between create and write leaves an empty file).
  for (let round = 0; round < 2; round += 1) {
    if (writeExclusive(path, owner)) break;
    const holder = readOwner(path);
    if (holder && isRunning(holder.pid)) {
      throw new LocalStateLockedError(dir, holder.pid, holder.port, holder.url);
    }
    if (round === 1) throw new LocalStateLockedError(dir, holder?.pid, holder?.port, holder?.url);
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const mine = () => readOwner(path)?.nonce === owner.nonce;
  return {
    listening(url) {
      if (!mine()) return;
      const port = Number(new URL(url).port);
      const temp = `${path}.${randomBytes(4).toString('hex')}`;
      const fd = openSync(temp, 'wx', 0o600);
      try {
        writeSync(fd, `${JSON.stringify({ ...owner, url, port })}\n`);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, path);
    },
    release() {
      if (!mine()) return;
      try {
        unlinkSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    },
  };
}
