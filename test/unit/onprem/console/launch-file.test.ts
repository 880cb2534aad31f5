// What `byok console --open` hands the opener (src/onprem/console/launch-file.ts): a file only this user
// can read, which sends the browser on to the console's URL, and which goes away.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launchPage, writeLaunchFile } from '../../../../src/onprem/console/launch-file.ts';

describe('console launch file', () => {
  let parent: string;

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'byok-launch-test-'));
  });

  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('writes a 0600 file in a fresh 0700 directory that redirects to the URL', async () => {
    // Prepare
    const url = 'http://127.0.0.1:4242/#session=abc';

    // Act
    const file = await writeLaunchFile(url, { directory: parent });

    // Assess
    expect(((await stat(file.path)).mode & 0o777).toString(8)).toBe('600');
    expect(((await stat(dirname(file.path))).mode & 0o777).toString(8)).toBe('700');
    expect(await readFile(file.path, 'utf8')).toContain('content="0;url=http://127.0.0.1:4242/#session=abc"');
    await file.remove();
    await expect(stat(dirname(file.path))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('removes itself after its time to live', async () => {
    // Act
    const file = await writeLaunchFile('http://127.0.0.1:1/#session=x', { directory: parent, ttlMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Assess
    await expect(stat(file.path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('escapes the URL in the page', () => {
    // Act
    const page = launchPage('http://127.0.0.1:1/#a"><script>x</script>');

    // Assess
    expect(page).not.toContain('<script>');
    expect(page).toContain('&#34;&#62;&#60;script&#62;');
  });
});
