// The worker's journal of the HSM keys it made for rotation requests: which key (label), for which
// KMS key, for which request (its full UUID), when, and when it destroyed it. It is the only
// evidence the worker trusts that a rotation-derived label (`<label>-r<n>-<request8>`) is a key it
// made: a task cannot forge it, and an HSM key that only looks like one (planted by someone else)
// is not in it. So a derived label is wrapped or destroyed only when the journal shows this worker
// made it for that KMS key (and, to destroy it, for that very request).
//
// Kept beside the worker's bindings (default: next to --bindings, else $BYOK_HOME/worker), in a
// file only the worker's user may read or write (0600, in a directory no one else may write to;
// a symbolic link or a foreign owner is refused). Every change is a read-modify-write under a lock
// file (two workers on one host share the journal), written to a temporary file, fsynced and
// renamed over the journal, so a crash leaves the old journal or the new one, never half of one.
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { sleep } from './backoff.ts';
import { WorkerJournalError } from './errors.ts';

export const JOURNAL_FILE_NAME = 'byok-worker-journal.json';

const EntrySchema = z.strictObject({
  requestId: z.uuid(),
  hsmKeyLabel: z.string().min(1).max(128),
  kmsKeyArn: z.string().min(1).max(2048),
  createdAt: z.iso.datetime(),
  destroyedAt: z.iso.datetime().optional(),
});
export type JournalEntry = z.infer<typeof EntrySchema>;

const JournalSchema = z.strictObject({ version: z.literal(1), keys: z.array(EntrySchema) });
type JournalFile = z.infer<typeof JournalSchema>;

const LOCK_ATTEMPTS = 100;
const LOCK_WAIT_MS = 50;

/** The journal's default path: beside the bindings file, else under $BYOK_HOME/worker. */
export function defaultJournalPath(options: { bindingsFile?: string | undefined; byokHome: string }): string {
  return options.bindingsFile
    ? join(dirname(options.bindingsFile), JOURNAL_FILE_NAME)
    : join(options.byokHome, 'worker', JOURNAL_FILE_NAME);
}

function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class WorkerJournal {
  private constructor(readonly path: string) {}

  /**
   * Opens (creating it, and its directory, when missing) the journal at `path`; refuses an unsafe
   * place or a file that is not a journal with WorkerJournalError.
   */
  static async open(path: string): Promise<WorkerJournal> {
    const directory = dirname(path);
    try {
      await mkdir(directory, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new WorkerJournalError(path, `cannot create its directory ${directory}`, { cause: error });
    }
    const journal = new WorkerJournal(path);
    await journal.checkPlace();
    if ((await journal.stat()) === undefined) {
      await journal.update((file) => file);
    }
    await journal.read();
    return journal;
  }

  /** Every entry, read from the file now (another worker on this host may have added some). */
  async entries(): Promise<JournalEntry[]> {
    return (await this.read()).keys;
  }

  /** The live (not destroyed) entry for this HSM key and KMS key, if this worker made it. */
  async madeFor(hsmKeyLabel: string, kmsKeyArn: string): Promise<JournalEntry | undefined> {
    return (await this.entries()).find(
      (entry) =>
        entry.hsmKeyLabel === hsmKeyLabel && entry.kmsKeyArn === kmsKeyArn && entry.destroyedAt === undefined,
    );
  }

  /** Whether this label was ever journaled (made, destroyed or not). */
  async ever(hsmKeyLabel: string): Promise<boolean> {
    return (await this.entries()).some((entry) => entry.hsmKeyLabel === hsmKeyLabel);
  }

  /** Records that the worker made `hsmKeyLabel` for `kmsKeyArn` and request `requestId`. */
  async recordCreated(entry: Omit<JournalEntry, 'destroyedAt'>): Promise<void> {
    const parsed = EntrySchema.parse(entry);
    await this.update((file) => {
      const kept = file.keys.filter(
        (existing) => !(existing.hsmKeyLabel === parsed.hsmKeyLabel && existing.destroyedAt === undefined),
      );
      return { ...file, keys: [...kept, parsed] };
    });
  }

  /** Records that the worker destroyed the key it made for `requestId` under `hsmKeyLabel`. */
  async recordDestroyed(hsmKeyLabel: string, requestId: string, at: Date): Promise<void> {
    await this.update((file) => ({
      ...file,
      keys: file.keys.map((entry) =>
        entry.hsmKeyLabel === hsmKeyLabel && entry.requestId === requestId && entry.destroyedAt === undefined
          ? { ...entry, destroyedAt: at.toISOString() }
          : entry,
      ),
    }));
  }

  private async stat() {
    try {
      return await lstat(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new WorkerJournalError(this.path, 'cannot be examined', { cause: error });
    }
  }

  /** The directory may be written by its owner only; the file is a regular 0600 file of ours. */
  private async checkPlace(): Promise<void> {
    const uid = currentUid();
    const directory = dirname(this.path);
    const dirStats = await lstat(directory).catch((error: unknown) => {
      throw new WorkerJournalError(this.path, `cannot examine its directory ${directory}`, { cause: error });
    });
    if (!dirStats.isDirectory()) {
      throw new WorkerJournalError(this.path, `${directory} is not a directory`);
    }
    if ((dirStats.mode & 0o022) !== 0 && (dirStats.mode & 0o1000) === 0) {
      throw new WorkerJournalError(
        this.path,
        `its directory ${directory} may be written by others (mode ${(dirStats.mode & 0o777).toString(8)})`,
      );
    }
    const stats = await this.stat();
    if (!stats) return;
    if (stats.isSymbolicLink()) throw new WorkerJournalError(this.path, 'is a symbolic link');
    if (!stats.isFile()) throw new WorkerJournalError(this.path, 'is not a regular file');
    if (uid !== undefined && stats.uid !== uid) {
      throw new WorkerJournalError(
        this.path,
        `belongs to user ${stats.uid}, not to this worker's user ${uid}`,
      );
    }
    if ((stats.mode & 0o077) !== 0) {
      throw new WorkerJournalError(
        this.path,
        `may be read or written by others (mode ${(stats.mode & 0o777).toString(8)}, expected 600)`,
      );
    }
  }

  private async read(): Promise<JournalFile> {
    await this.checkPlace();
    let text: string;
    try {
      const handle = await open(this.path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, keys: [] };
      throw new WorkerJournalError(this.path, 'cannot be read', { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new WorkerJournalError(this.path, 'is not JSON (corrupt?)', { cause: error });
    }
    const parsed = JournalSchema.safeParse(json);
    if (!parsed.success) throw new WorkerJournalError(this.path, 'is not a byok worker journal');
    return parsed.data;
  }

  /** Read-modify-write under the lock file, written atomically (temp file, fsync, rename). */
  private async update(change: (file: JournalFile) => JournalFile): Promise<void> {
    const lockPath = `${this.path}.lock`;
    await this.lock(lockPath);
    try {
      const next = JournalSchema.parse(change(await this.read()));
      const temporary = `${this.path}.${process.pid}.${Date.now()}.tmp`;
      const handle = await open(
        temporary,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      try {
        await handle.writeFile(`${JSON.stringify(next, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path).catch(async (error: unknown) => {
        await unlink(temporary).catch(() => undefined);
        throw error;
      });
      const directory = await open(dirname(this.path), constants.O_RDONLY);
      try {
        await directory.sync().catch(() => undefined);
      } finally {
        await directory.close();
      }
    } catch (error) {
      if (error instanceof WorkerJournalError) throw error;
      throw new WorkerJournalError(this.path, 'cannot be written', { cause: error });
    } finally {
      await unlink(lockPath).catch(() => undefined);
    }
  }

  private async lock(lockPath: string): Promise<void> {
    for (let attempt = 1; attempt <= LOCK_ATTEMPTS; attempt += 1) {
      try {
        const handle = await open(
          lockPath,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          0o600,
        );
        await handle.writeFile(String(process.pid));
        await handle.close();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new WorkerJournalError(this.path, `cannot take its lock ${lockPath}`, { cause: error });
        }
        const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
        if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
          await unlink(lockPath).catch(() => undefined);
          continue;
        }
        await sleep(LOCK_WAIT_MS);
      }
    }
    throw new WorkerJournalError(this.path, `its lock ${lockPath} is held by another process`);
  }
}
