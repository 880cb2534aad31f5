#!/usr/bin/env node
// Sets up what a fresh machine is missing, then gets out of the way. Idempotent and quiet when all
// is present. Needs only Node's standard library, because it runs before `npm ci`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Debian packages the tests and the demo use: the two software PKCS#11 tokens, the AWS CLI for the
// conformance test, openssl for AWS's documented wrapping procedure, Chromium for the console's
// browser tests (driven by playwright-core, which downloads no browser of its own).
const systemTools = [
  { check: '/usr/lib/softhsm/libsofthsm2.so', pkg: 'softhsm2', why: 'SoftHSM2 PKCS#11 token' },
  { check: '/usr/bin/softhsm2-util', pkg: 'softhsm2', why: 'SoftHSM2 token tool' },
  { check: '/usr/lib/x86_64-linux-gnu/libsoftokn3.so', pkg: 'libnss3', why: 'NSS softoken PKCS#11 token' },
  { check: '/usr/bin/certutil', pkg: 'libnss3-tools', why: 'NSS database tool' },
  { check: '/usr/bin/aws', pkg: 'awscli', why: 'AWS CLI for the conformance test' },
  { check: '/usr/bin/openssl', pkg: 'openssl', why: "openssl for AWS's documented procedure" },
  { check: '/usr/bin/chromium', pkg: 'chromium', why: "headless Chromium for the console's browser tests" },
];

function log(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

const missing = systemTools.filter((tool) => !existsSync(tool.check));
if (missing.length > 0) {
  const pkgs = [...new Set(missing.map((tool) => tool.pkg))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    log(`missing system packages: ${pkgs.join(' ')}`);
    log(`install them with: sudo apt-get install -y ${pkgs.join(' ')}`);
    process.exit(1);
  }
  log(`installing system packages: ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
}

// npm ci when node_modules is absent or older than the lockfile.
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
log(`ready (${pkg.name} ${pkg.version})`);
