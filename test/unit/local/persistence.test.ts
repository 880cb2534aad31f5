import { execFileSync, spawn } from 'node:child_process';

import { randomBytes } from 'node:crypto';

import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';

import { tmpdir } from 'node:os';

import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStateCorruptError, LocalStateInsecureError } from '../../../src/local/errors.ts';
import { MasterKey, StateStore, writeFileAtomic } from '../../../src/local/persistence.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'byok-persistence-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('StateStore', () => {
  it('creates an owner-only state dir and master key, and round-trips JSON', () => {
    // Prepare
    const stateDir = join(dir, 'state');

    // Act
    const store = StateStore.open(stateDir);
    store.write('example', { a: 1 });
    const reopened = StateStore.open(stateDir);

    // Assess
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(stateDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(stateDir, 'example.json')).mode & 0o777).toBe(0o600);
    expect(reopened.read('example')).toEqual({ a: 1 });
    expect(reopened.read('missing')).toBeUndefined();
    expect(reopened.masterKey.derive('x').equals(store.masterKey.derive('x'))).toBe(true);
  });

  it('removes temporary files left by an interrupted write when opened', () => {
    // Prepare
    StateStore.open(dir).write('kms', { version: 1 });
    writeFileSync(join(dir, 'kms.json.4242.0a1b2c3d.tmp'), '{"half', { mode: 0o600 });

    // Act
    const store = StateStore.open(dir);

    // Assess
    expect(readdirSync(dir).sort()).toEqual(['kms.json', 'master.key']);
    expect(store.read('kms')).toEqual({ version: 1 });
  });

  it('refuses a state dir others can read', () => {
    // Prepare
    chmodSync(dir, 0o755);

    // Act & Assess
    expect(() => StateStore.open(dir)).toThrow(LocalStateInsecureError);
  });

  it('refuses state without its master key instead of starting empty', () => {
    // Prepare
    StateStore.open(dir).write('kms', { version: 1 });
    rmSync(join(dir, 'master.key'));

    // Act & Assess
    expect(() => StateStore.open(dir)).toThrow(LocalStateCorruptError);
    expect(readdirSync(dir)).toEqual(['kms.json']);
  });
});

describe('StateStore reads only regular files', () => {
  it('refuses a FIFO where a state file should be at once, instead of blocking on it', () => {
    // Prepare
    const store = StateStore.open(dir);
    execFileSync('mkfifo', ['-m', '600', join(dir, 'kms.json')]);

    // Act & Assess
    expect(() => store.read('kms')).toThrow(LocalStateCorruptError);
    expect(() => store.read('kms')).toThrow(/kms\.json is unreadable: it is a FIFO, not a regular file/);
  });

  it('refuses a symbolic link where a state file should be, even to an owner-only file', () => {
    // Prepare
    const store = StateStore.open(dir);
    const elsewhere = join(dir, 'elsewhere.txt');
    writeFileSync(elsewhere, '{"offsetMs":0}', { mode: 0o600 });
    symlinkSync(elsewhere, join(dir, 'clock.json'));

    // Act & Assess
    expect(() => store.read('clock')).toThrow(
      /clock\.json is unreadable: it is a symbolic link, not a regular file/,
    );
  });

  it('refuses a directory where the master key should be, naming it corrupt rather than insecure', () => {
    // Prepare
    mkdirSync(join(dir, 'master.key'), { mode: 0o755 });

    // Act & Assess
    expect(() => StateStore.open(dir)).toThrow(
      /master\.key is unreadable: it is a directory, not a regular file/,
    );
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary files behind', () => {
    // Prepare
    const path = join(dir, 'state.json');
    writeFileSync(path, 'old', { mode: 0o600 });

    // Act
    writeFileAtomic(path, 'new content');

    // Assess
    expect(readFileSync(path, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });
});

describe('MasterKey', () => {
  it('seals secrets bound to their context', () => {
    // Prepare
    const key = MasterKey.random();
    const secret = randomBytes(32);

    // Act
    const sealed = key.seal(secret, 'kms/us-east-1/key/material');

    // Assess
    expect(key.open(sealed, 'kms/us-east-1/key/material').equals(secret)).toBe(true);
    expect(() => key.open(sealed, 'kms/us-east-1/other/material')).toThrow();
    expect(() => MasterKey.random().open(sealed, 'kms/us-east-1/key/material')).toThrow();
    expect(Buffer.from(sealed, 'base64').includes(secret)).toBe(false);
  });
});

describe('writeFileAtomic under SIGKILL', () => {
  it('leaves a complete old or new file when the writer is killed mid-stream', async () => {
    // Prepare
    const path = join(dir, 'state.json');
    const moduleUrl = new URL('../../../src/local/persistence.ts', import.meta.url).href;
    // A writer that rewrites a large state file as fast as it can, forever.
    const script = `
      import { register } from 'tsx/esm/api';

      register();
      const { writeFileAtomic } = await import(${JSON.stringify(moduleUrl)});
      const filler = 'x'.repeat(200_000);
      for (let version = 0; ; version++) {
        writeFileAtomic(${JSON.stringify(path)}, JSON.stringify({ version, filler }));
        if (version === 3) process.stdout.write('writing\\n');
      }
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });

    // Act
    await new Promise((resolve) => setTimeout(resolve, 150));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    // Assess
    const state = JSON.parse(readFileSync(path, 'utf8')) as { version: number; filler: string };
    expect(state.version).toBeGreaterThanOrEqual(3);
    expect(state.filler).toHaveLength(200_000);
  });
});
