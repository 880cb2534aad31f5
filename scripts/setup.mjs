#!/usr/bin/env node
// Sets up what a fresh machine is missing, then gets out of the way. Idempotent and quiet when all
// is present. Needs only Node's standard library until `npm ci` has run (then it builds the CLI
// with scripts/build.mjs). Importing it (as the inventory test does) runs nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * THE list of Debian packages byok needs (README's commands and .ci/run both come through here):
 * each with the files it provides that the code, the tests and the demo use. Setup installs a
 * package when one of its files is missing; test/unit/scripts/setup-inventory.test.ts fails when
 * something spawns a program that no entry provides.
 */
export const SYSTEM_PACKAGES = [
  {
    pkg: 'softhsm2',
    // Only the library: tokens are initialised through PKCS#11, never with softhsm2-util, whose
    // --so-pin and --pin put the PINs on a command line (docs/security.md G5).
    provides: ['/usr/lib/softhsm/libsofthsm2.so'],
    why: 'SoftHSM2 PKCS#11 token',
  },
  {
    pkg: 'libnss3',
    provides: ['/usr/lib/x86_64-linux-gnu/libsoftokn3.so'],
    why: 'NSS softoken PKCS#11 token',
  },
  { pkg: 'libnss3-tools', provides: ['/usr/bin/certutil'], why: 'NSS database tool' },
  {
    pkg: 'opensc',
    provides: ['/usr/bin/pkcs11-tool'],
    why: 'pkcs11-tool, a second PKCS#11 client in the tests',
  },
  { pkg: 'awscli', provides: ['/usr/bin/aws'], why: 'AWS CLI for the conformance and events tests' },
  {
    pkg: 'python3-minimal',
    provides: ['/usr/bin/python3'],
    why: "the AWS CLI's own CloudFormation exporter, run by the packaging test",
  },
  { pkg: 'openssl', provides: ['/usr/bin/openssl'], why: "openssl for AWS's documented wrapping procedure" },
  {
    pkg: 'curl',
    provides: ['/usr/bin/curl'],
    why: "curl, an HTTP client other than the SDK's, in the local endpoint tests",
  },
  {
    pkg: 'chromium',
    provides: ['/usr/bin/chromium'],
    why: "headless Chromium for the console's browser tests (driven by playwright-core, no browser download)",
  },
];

/** The Debian packages from `packages` with a provided file missing on this machine. */
export function missingPackages(packages = SYSTEM_PACKAGES, exists = existsSync) {
  return [
    ...new Set(packages.filter((entry) => !entry.provides.every((file) => exists(file))).map((e) => e.pkg)),
  ];
}

/** README's package list (between its system-packages markers), generated from `packages`. */
export function packagesMarkdown(packages = SYSTEM_PACKAGES) {
  return packages.map((entry) => `  - \`${entry.pkg}\`: ${entry.why}`).join('\n');
}

const README_BLOCK = /(<!-- system-packages:start[^>]*-->)[\s\S]*?(<!-- system-packages:end -->)/;

/** README.md's text with its package list regenerated (`node scripts/setup.mjs --readme`). */
export function withPackageList(readme, packages = SYSTEM_PACKAGES) {
  if (!README_BLOCK.test(readme)) throw new Error('README.md has no <!-- system-packages:start --> block');
  return readme.replace(
    README_BLOCK,
    (_all, start, end) => `${start}\n${packagesMarkdown(packages)}\n  ${end}`,
  );
}

function log(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

async function main() {
  const pkgs = missingPackages();
  if (pkgs.length > 0) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot) {
      log(`missing system packages: ${pkgs.join(' ')}`);
      log(`install them with: sudo apt-get install -y ${pkgs.join(' ')}`);
      process.exit(1);
    }
    log(`installing system packages: ${pkgs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    });
    const still = missingPackages();
    if (still.length > 0) {
      log(`still missing after apt-get install: ${still.join(' ')}`);
      process.exit(1);
    }
  }

  // npm ci when node_modules is absent or older than the lockfile (its `prepare` builds the CLI).
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
  if (stale) {
    log('installing npm dependencies (npm ci)');
    const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }

  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (!existsSync(join(root, 'node_modules', 'pkcs11js', 'build', 'Release', 'pkcs11.node'))) {
    log('pkcs11js native module is missing; rebuilding it');
    const result = spawnSync('npm', ['rebuild', 'pkcs11js'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }

  // The compiled CLI (bin/byok.js runs dist/cli/): rebuilt when a source changed since the last build.
  const { ensureBuilt } = await import('./build.mjs');
  const built = await ensureBuilt();
  if (built.length > 0) log(`built ${built.join(', ')} (scripts/build.mjs)`);
  log(`ready (${pkg.name} ${pkg.version})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--readme')) {
    const readme = join(root, 'README.md');
    writeFileSync(readme, withPackageList(readFileSync(readme, 'utf8')));
    log('README.md package list regenerated from SYSTEM_PACKAGES');
  } else await main();
}
