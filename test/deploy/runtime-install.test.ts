// The runtime install: what an operator's machine or the worker host gets with `npm ci --omit=dev`
// and the dist/ built where the dev dependencies were. No esbuild, tsx, ajv or vitest there; byok
// must still start, import (byok demo runs the import workflow for every key family) and poll as a
// worker. The copy is made from this working tree's files, so the test checks what is committed
// together with what is being changed; npm installs from its cache (setup's npm ci filled it).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');

describe('runtime install (npm ci --omit=dev + prebuilt dist)', () => {
  let root: string;
  let app: string;
  let byokHome: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // Prepare: the tracked and new files of this tree, plus the built dist/
    root = await mkdtemp(join(tmpdir(), 'byok-runtime-'));
    app = join(root, 'byok');
    byokHome = join(root, 'home');
    const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
      cwd: repo,
      maxBuffer: 16 * 1024 * 1024,
    });
    for (const file of stdout.split('\0').filter((f) => f !== '' && existsSync(join(repo, f)))) {
      await mkdir(dirname(join(app, file)), { recursive: true });
      await cp(join(repo, file), join(app, file));
    }
    await cp(join(repo, 'dist'), join(app, 'dist'), { recursive: true });
    await run('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], {
      cwd: app,
      env: { ...process.env, npm_config_loglevel: 'error' },
      maxBuffer: 16 * 1024 * 1024,
    });
  }, 300_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  const byok = (args: string[]) =>
    run(process.execPath, [join(app, 'bin', 'byok.js'), ...args], {
      cwd: app,
      env: { ...process.env, BYOK_HOME: byokHome },
      maxBuffer: 16 * 1024 * 1024,
    });

  it('has no build, test or bench tool installed', () => {
    // Assess
    for (const tool of ['esbuild', 'tsx', 'vitest', 'typescript', 'preact', '@biomejs/biome', 'osls'])
      expect(existsSync(join(app, 'node_modules', tool)), tool).toBe(false);
    expect(existsSync(join(app, 'node_modules', '@aws-sdk', 'client-kms'))).toBe(true);
  });

  it('runs byok --help', async () => {
    // Act
    const { stdout } = await byok(['--help']);

    // Assess
    expect(stdout).toContain('Usage: byok');
    expect(stdout).toMatch(/\bimport\b/);
    expect(stdout).toMatch(/\bworker\b/);
  });

  it('imports into a key of every family (byok demo: the import workflow on the embedded stack)', async () => {
    // Act
    const { stdout } = await byok(['demo']);

    // Assess
    expect(stdout).toContain('All 4 imports verified');
  }, 240_000);

  it('runs byok worker against a local stack until it is stopped', async () => {
    // Prepare: the stack from the runtime install too
    const stack = spawn(
      process.execPath,
      [join(app, 'bin', 'byok.js'), 'local', 'up', '--port', '0', '--memory', '--hsm-placement', 'activity'],
      {
        cwd: app,
        env: { ...process.env, BYOK_HOME: byokHome },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(stack);
    const url = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      stack.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolveUrl(out.split('\n')[0] as string);
      });
      stack.once('exit', (code) => reject(new Error(`byok local up exited ${code}`)));
    });

    // Act
    const worker = spawn(
      process.execPath,
      [
        join(app, 'bin', 'byok.js'),
        'worker',
        '--endpoint',
        url,
        '--bind',
        `byok-demo-aes=arn:aws:kms:us-east-1:111122223333:key/0b6fb2b1-7a43-4a4b-9d4c-0e5b7b2c3d4e`,
      ],
      { cwd: app, env: { ...process.env, BYOK_HOME: byokHome }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(worker);
    let stderr = '';
    await new Promise<void>((resolvePolling, reject) => {
      worker.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('byok worker polling')) resolvePolling();
      });
      worker.once('exit', (code) => reject(new Error(`byok worker exited ${code}: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolveExit) =>
      worker.once('exit', (code) => resolveExit(code)),
    );
    worker.kill('SIGTERM');
    worker.kill('SIGINT');

    // Assess
    expect(stderr).toContain('byok worker polling');
    await exited;
    stack.kill('SIGTERM');
  }, 120_000);
});
