import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkerJournalError } from '../../../../src/onprem/worker/errors.ts';
import {
  defaultJournalPath,
  JOURNAL_FILE_NAME,
  WorkerJournal,
} from '../../../../src/onprem/worker/journal.ts';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const REQUEST = '0f1e2d3c-4b5a-4c6d-8e7f-0123456789ab';

describe('the worker journal', () => {
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'byok-journal-'));
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('lives beside the bindings file, else under $BYOK_HOME/worker', () => {
    // Act
    const besideBindings = defaultJournalPath({ bindingsFile: '/etc/byok/bindings.json', byokHome: home });
    const inHome = defaultJournalPath({ byokHome: home });

    // Assess
    expect(besideBindings).toBe(`/etc/byok/${JOURNAL_FILE_NAME}`);
    expect(inHome).toBe(join(home, 'worker', JOURNAL_FILE_NAME));
  });

  it('is created 0600 in a 0700 directory and keeps what the worker made, per request, until destroyed', async () => {
    // Prepare
    const path = defaultJournalPath({ byokHome: home });
    const journal = await WorkerJournal.open(path);

    // Act
    await journal.recordCreated({
      requestId: REQUEST,
      hsmKeyLabel: 'payments-r2-0f1e2d3c',
      kmsKeyArn: KEY,
      createdAt: '2026-12-07T09:00:00.000Z',
    });
    const made = await (await WorkerJournal.open(path)).madeFor('payments-r2-0f1e2d3c', KEY);
    const otherKey = await journal.madeFor('payments-r2-0f1e2d3c', KEY.replace('1234abcd', 'ffffffff'));
    await journal.recordDestroyed('payments-r2-0f1e2d3c', REQUEST, new Date('2026-12-07T10:00:00.000Z'));

    // Assess
    expect(made).toMatchObject({ requestId: REQUEST, kmsKeyArn: KEY });
    expect(otherKey).toBeUndefined();
    expect(await journal.madeFor('payments-r2-0f1e2d3c', KEY)).toBeUndefined();
    expect(await journal.ever('payments-r2-0f1e2d3c')).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'worker'))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(path, 'utf8')).keys[0].destroyedAt).toBe('2026-12-07T10:00:00.000Z');
  });

  it('refuses a journal others may read or write, a symbolic link, a writable directory and a corrupt file', async () => {
    // Prepare
    const open = join(home, 'open', JOURNAL_FILE_NAME);
    await WorkerJournal.open(open);
    await chmod(open, 0o644);
    const linked = join(home, 'linked', JOURNAL_FILE_NAME);
    await mkdir(join(home, 'linked'), { mode: 0o700 });
    await symlink(open, linked);
    const shared = join(home, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o777);
    const corrupt = join(home, 'corrupt', JOURNAL_FILE_NAME);
    await mkdir(join(home, 'corrupt'), { mode: 0o700 });
    await writeFile(corrupt, '{"version": 1, "keys": [{"requestId": "deadbeef"}]}', { mode: 0o600 });

    // Act
    const refusals = await Promise.all(
      [open, linked, join(shared, JOURNAL_FILE_NAME), corrupt].map((path) =>
        WorkerJournal.open(path).then(
          () => 'opened',
          (error: unknown) => error,
        ),
      ),
    );

    // Assess
    for (const refusal of refusals) expect(refusal).toBeInstanceOf(WorkerJournalError);
    expect(refusals.map((refusal) => (refusal as Error).message)).toEqual([
      expect.stringContaining('may be read or written by others'),
      expect.stringContaining('symbolic link'),
      expect.stringContaining('may be written by others'),
      expect.stringContaining('not a byok worker journal'),
    ]);
  });

  it('keeps every entry when two writers record at once', async () => {
    // Prepare
    const path = defaultJournalPath({ byokHome: home });
    const [first, second] = await Promise.all([WorkerJournal.open(path), WorkerJournal.open(path)]);

    // Act
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        (index % 2 === 0 ? first : second).recordCreated({
          requestId: REQUEST.replace(/.$/, String(index)),
          hsmKeyLabel: `payments-r${index + 2}-0f1e2d3c`,
          kmsKeyArn: KEY,
          createdAt: '2026-12-07T09:00:00.000Z',
        }),
      ),
    );

    // Assess
    expect((await first.entries()).map((entry) => entry.hsmKeyLabel).sort()).toHaveLength(10);
  });
});
