// The compiled CLI (dist/cli/, scripts/build.mjs) must match the sources: this is the CI check
// that the build is current, and the proof that the check notices a change in a source file.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildStatus, cliBuild, digestOf, ensureBuilt } from '../../../scripts/build.mjs';

const scratch: string[] = [];

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('scripts/build.mjs', () => {
  it('leaves dist/cli current with the sources (setup, npm ci and the test run build it)', async () => {
    // Prepare
    await ensureBuilt();

    // Act
    const status = buildStatus();

    // Assess
    expect(status).toEqual({ current: true, reason: 'up to date' });
    const info = JSON.parse(await readFile(join(cliBuild.outdir, 'build-info.json'), 'utf8')) as {
      inputs: string[];
    };
    expect(info.inputs).toEqual(
      expect.arrayContaining([
        'src/onprem/cli/main.ts',
        'src/onprem/cli/commands/import/action.ts',
        'package-lock.json',
      ]),
    );
  });

  it('reports the build stale when a recorded input changes after it', async () => {
    // Prepare: a copy of the build whose record also covers a scratch source file
    await ensureBuilt();
    const outdir = await mkdtemp(join(tmpdir(), 'byok-build-'));
    scratch.push(outdir);
    await cp(cliBuild.outdir, outdir, { recursive: true });
    const source = join(outdir, 'input.ts');
    await writeFile(source, 'export const answer = 1;\n');
    const infoFile = join(outdir, 'build-info.json');
    const info = JSON.parse(await readFile(infoFile, 'utf8')) as { inputs: string[]; digest: string };
    info.inputs.push(source);
    info.digest = digestOf(info.inputs);
    await writeFile(infoFile, JSON.stringify(info));
    const step = { ...cliBuild, outdir };
    const before = buildStatus(step);

    // Act
    await writeFile(source, 'export const answer = 2;\n');
    const after = buildStatus(step);

    // Assess
    expect(before.current).toBe(true);
    expect(after.current).toBe(false);
    expect(after.reason).toMatch(/sources changed/);
  });

  it('reports a missing build as not built', async () => {
    // Prepare
    const outdir = await mkdtemp(join(tmpdir(), 'byok-build-empty-'));
    scratch.push(outdir);

    // Act
    const status = buildStatus({ ...cliBuild, outdir });

    // Assess
    expect(status.current).toBe(false);
    expect(status.reason).toMatch(/is not built/);
  });
});
