// The packaging cache is shared by every clone on a machine (it lives in the OS temp dir). An
// entry links to the node_modules of the clone that made it; a CI run once reused an entry whose
// clone had been deleted and every bundle failed with "Could not resolve". These tests pin both
// guards: the key names the node_modules by real path, and an entry whose link no longer resolves
// is not used.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageCacheKey, usableCacheEntry } from '../../deploy/package-service.ts';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'byok-package-cache-test-'));
  made.push(dir);
  return dir;
}

/** A source tree with the same files as every other one made here, and its own node_modules. */
function clone(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'package.json'), '{"name":"same"}');
  mkdirSync(join(dir, 'node_modules'));
  return dir;
}

describe('packaging cache', () => {
  it('keys two clones with the same files apart by the node_modules they link to', () => {
    // Prepare
    const first = clone();
    const second = clone();

    // Act
    const firstKey = packageCacheKey(first, [], { region: 'us-east-1' });
    const secondKey = packageCacheKey(second, [], { region: 'us-east-1' });

    // Assess
    expect(firstKey).not.toBe(secondKey);
    expect(packageCacheKey(first, [], { region: 'us-east-1' })).toBe(firstKey);
  });

  it('refuses an entry whose clone (and so its node_modules) is gone', () => {
    // Prepare: an entry as packageService leaves it, linked to a clone's node_modules
    const source = clone();
    const entry = tempDir();
    mkdirSync(join(entry, 'service'));
    writeFileSync(join(entry, 'complete'), 'packaged');
    symlinkSync(join(source, 'node_modules'), join(entry, 'service', 'node_modules'), 'dir');
    const usableBefore = usableCacheEntry(entry);

    // Act
    rmSync(source, { recursive: true, force: true });

    // Assess
    expect(usableBefore).toBe(true);
    expect(usableCacheEntry(entry)).toBe(false);
  });

  it('refuses an entry that never finished', () => {
    // Prepare
    const source = clone();
    const entry = tempDir();
    mkdirSync(join(entry, 'service'));
    symlinkSync(join(source, 'node_modules'), join(entry, 'service', 'node_modules'), 'dir');

    // Act
    const usable = usableCacheEntry(entry);

    // Assess
    expect(usable).toBe(false);
  });
});
