// scripts/build-console.mjs: builds the console's offline assets (no CDN, no eval) and knows when
// a build is missing or older than its sources.
import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleAssets, consoleAssetsStale } from '../../../scripts/build-console.mjs';

describe('scripts/build-console.mjs', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'byok-console-assets-'));
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('calls a missing build stale, builds self-contained files, then calls them fresh until a source is newer', async () => {
    // Prepare
    const staleBefore = await consoleAssetsStale(join(outDir, 'absent'));

    // Act
    await buildConsoleAssets(outDir);
    const staleAfter = await consoleAssetsStale(outDir);
    await utimes(join(outDir, 'build-info.json'), new Date(0), new Date(0));
    const staleWhenOlder = await consoleAssetsStale(outDir);

    // Assess
    expect([staleBefore, staleAfter, staleWhenOlder]).toEqual([true, false, true]);
    const script = await readFile(join(outDir, 'app.js'), 'utf8');
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    expect(script).not.toMatch(/https?:\/\/(?!www\.w3\.org|json-schema\.org|byok\.dev)[a-z0-9.-]+\//i);
    expect(script).not.toMatch(/\bnew Function\(|\beval\(/);
    expect(script).toContain('must be <= '); // ajv's compiled messages are bundled
    expect(html).toContain('<script type="module" src="/assets/app.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
  });
});
