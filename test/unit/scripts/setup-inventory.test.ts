// Setup is complete by construction: every program that the code, the tests, the benches and the
// scripts start is installed by scripts/setup.mjs's one list of Debian packages, or comes with the
// base image (the short list below). The checker itself is shown to fail when the list lacks a
// program, so a green run means something.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PACKAGES } from '../../../scripts/setup.mjs';
import {
  findShellSpawns,
  findSpawns,
  type SpawnInventory,
  type SpawnSite,
  unprovided,
} from '../../helpers/spawn-inventory.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

/** What the base image (node:20 on Debian) has without scripts/setup.mjs. */
const BASE_IMAGE = new Set([
  'node', // process.execPath: the Node that runs everything
  'npm', // setup runs npm ci / npm rebuild
  'npx',
  'git',
  'sh',
  'bash', // the layer script's tests run it with bash
  'apt-get', // setup installs the Debian packages with it
  'dirname', // coreutils, in every Debian image (.ci/run finds the repo with it)
  'mkfifo', // coreutils too: the tests make FIFOs where a state, key or PIN file is expected
  // `byok console --open` asks the user's desktop to open the URL (a failure only prints the URL);
  // no test or CI run starts them, so no package of the list provides them.
  'open',
  'explorer.exe',
  'xdg-open',
]);

/**
 * Scripts that run on another machine, not this one; their tools are that machine's (the test of
 * each checks that it refuses here before using any of them).
 */
const OTHER_MACHINE_SCRIPTS = new Map([
  ['scripts/build-pkcs11-layer.sh', 'builds the Lambda layer on Amazon Linux 2023 (docs/deploy.md)'],
]);

function describeSites(sites: readonly SpawnSite[]): string[] {
  return sites.map((site) => `${site.program} (${site.file}:${site.line})`);
}

let inventory: SpawnInventory;
let checked: SpawnSite[];
const scratch: string[] = [];

beforeAll(() => {
  inventory = findSpawns(repoRoot);
  checked = inventory.sites.filter((site) => !OTHER_MACHINE_SCRIPTS.has(site.file));
}, 180_000);

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('the programs byok starts', () => {
  it('are found, including absolute paths and constants from another module', () => {
    // Assess: known sites of each kind, so that a checker that finds nothing cannot pass
    const programs = new Set(checked.map((site) => site.program));
    for (const program of ['/usr/bin/pkcs11-tool', '/usr/bin/certutil', 'openssl', 'node']) {
      expect(programs.has(program), program).toBe(true);
    }
    expect(inventory.unresolved).toEqual([]);
  });

  it('are all provided by the one Debian list in scripts/setup.mjs or by the base image', () => {
    // Act
    const missing = unprovided(checked, SYSTEM_PACKAGES, BASE_IMAGE);

    // Assess
    expect(describeSites(missing)).toEqual([]);
  });

  it.each(
    SYSTEM_PACKAGES.filter((entry) => entry.provides.some((file) => file.includes('/bin/'))).map((entry) => [
      entry.pkg,
    ]),
  )('lacks a program when %s is removed from the list', (pkg) => {
    // Prepare: the list minus one entry
    const withoutOne = SYSTEM_PACKAGES.filter((entry) => entry.pkg !== pkg);
    const removed = SYSTEM_PACKAGES.find((entry) => entry.pkg === pkg)?.provides ?? [];

    // Act
    const missing = unprovided(checked, withoutOne, BASE_IMAGE);

    // Assess: the removed package's programs are reported, and nothing else is
    expect(missing.length).toBeGreaterThan(0);
    for (const site of missing) {
      expect(removed.some((file) => file === site.program || file.endsWith(`/${site.program}`))).toBe(true);
    }
  });

  it('reports /usr/bin/pkcs11-tool when opensc is not in the list', () => {
    // Prepare
    const withoutOpensc = SYSTEM_PACKAGES.filter((entry) => entry.pkg !== 'opensc');

    // Act
    const missing = unprovided(checked, withoutOpensc, BASE_IMAGE);

    // Assess
    expect(missing.map((site) => site.program)).toEqual(['/usr/bin/pkcs11-tool']);
    expect(missing[0]?.file).toBe('test/integration/sweep/failure.test.ts');
  });

  it('reads the commands of a shell script, not its builtins, strings or functions', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'byok-inventory-'));
    scratch.push(dir);
    await writeFile(
      join(dir, 'sample.sh'),
      [
        '#!/usr/bin/env bash',
        'set -euo pipefail',
        'fail() { echo "oops: $1" >&2; exit 2; }',
        'out="$(mktemp -d)" # a comment with curl in it',
        'if [ -x /usr/bin/pkcs11-tool ]; then /usr/bin/pkcs11-tool --list-slots | grep -q Slot; fi',
        'case "$1" in',
        '  --x) shift ;;',
        '  *) fail "echo zip" ;;',
        'esac',
        'X=1 openssl rand -hex 4 && certutil -N -d "$out"',
      ].join('\n'),
    );

    // Act
    const sites = findShellSpawns(dir, 'sample.sh');

    // Assess
    expect(sites.map((site) => site.program).sort()).toEqual(
      ['/usr/bin/pkcs11-tool', 'certutil', 'grep', 'mktemp', 'openssl'].sort(),
    );
  });
});
