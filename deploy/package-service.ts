// Packages the stack the way `npm run package` does (deploy/package.mjs: osls offline, then the
// artefact), in a temporary copy of the repository so that concurrent runs never share
// .serverless/ or .esbuild/, with no AWS credentials and no AWS configuration reachable:
// packaging must need neither. The Region is passed explicitly (`--region`, us-east-1 unless the
// caller says otherwise), as packaging has no default of its own.
//
// `cache: true` keeps the result in the OS temp dir under a digest of everything packaging reads
// (the repository's files, package-lock.json, the arguments and the environment given), so the
// deploy tests of one run package each variant once instead of once per test file. Nothing is
// cached for a failed packaging.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..');

export type CfnValue = unknown;
export interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  DependsOn?: string | string[];
  Condition?: string;
}
export interface CfnTemplate {
  Parameters?: Record<string, Record<string, CfnValue>>;
  Conditions?: Record<string, CfnValue>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, CfnValue>;
}

export interface PackagedService {
  /** The temporary copy of the repository that was packaged. */
  serviceDir: string;
  /** Where osls wrote the template and the zips. */
  packageDir: string;
  /** Where serverless-esbuild left the bundles (`functions/<name>.mjs`). */
  bundleDir: string;
  /** The deployment artefact (deploy/artefact.mjs): template.json, the zips, artefact.json. */
  artefactDir: string;
  template: CfnTemplate;
  output: string;
  cleanup(): void;
}

export interface PackageOptions {
  /** `--region` to pass; `null` passes none (the environment or a profile must give one). */
  region?: string | null;
  /** More environment variables for packaging (AWS_REGION, AWS_PROFILE, AWS_CONFIG_FILE, ...). */
  env?: Record<string, string>;
  /** Files to write into the packaging HOME first (for example `.aws/config`). */
  homeFiles?: Record<string, string>;
  cache?: boolean;
}

export class PackagingFailedError extends Error {
  override name = 'PackagingFailedError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly output: string,
  ) {
    super(message);
  }
}

const SKIPPED = new Set(['node_modules', '.git', '.serverless', '.esbuild', '.byok', 'coverage', 'dist']);
const CACHE_DIR = join(tmpdir(), 'byok-package-cache');
/** An entry takes about 130 MB; a full test run needs it for minutes, a developer for an afternoon. */
const CACHE_HOURS = 3;

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !SKIPPED.has(entry.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return filesOf(path);
      return entry.isFile() ? [path] : [];
    });
}

/** What packaging never reads: tests, docs, benchmarks (copied, but left out of the digest). */
const NOT_PACKAGED = /^(test|docs|bench)\/|\.md$/;

/**
 * The cache key. It names the node_modules the packaged copy links to (by real path): an entry made
 * from another clone links to that clone's node_modules, which may be gone by now (a CI run once
 * reused an entry whose clone had been deleted, and every bundle failed to resolve its packages).
 */
export function packageCacheKey(sourceDir: string, args: readonly string[], options: PackageOptions): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      args,
      region: options.region,
      env: options.env,
      homeFiles: options.homeFiles,
      nodeModules: realpathSync(join(sourceDir, 'node_modules')),
    }),
  );
  for (const file of filesOf(sourceDir).sort()) {
    if (NOT_PACKAGED.test(relative(sourceDir, file))) continue;
    hash.update(relative(sourceDir, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 32);
}

/** A finished entry whose node_modules link still resolves (existsSync follows the link). */
export function usableCacheEntry(entry: string): boolean {
  return existsSync(join(entry, 'complete')) && existsSync(join(entry, 'service', 'node_modules'));
}

function pruneCache(): void {
  if (!existsSync(CACHE_DIR)) return;
  for (const entry of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, entry);
    if (Date.now() - statSync(path).mtimeMs > CACHE_HOURS * 3_600_000)
      rmSync(path, { recursive: true, force: true });
  }
}

function read(root: string, output: string, cleanup: () => void): PackagedService {
  const serviceDir = join(root, 'service');
  const packageDir = join(serviceDir, '.serverless');
  const template = JSON.parse(
    readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
  return {
    serviceDir,
    packageDir,
    bundleDir: join(serviceDir, '.esbuild', '.build'),
    artefactDir: join(root, 'artefact'),
    template,
    output,
    cleanup,
  };
}

/**
 * `args`: more `npm run package` arguments, e.g. `['--param', 'hsmPlacement=activity']`. Throws
 * PackagingFailedError (with the output) when packaging fails.
 */
export function packageService(
  sourceDir: string = repoRoot,
  args: readonly string[] = [],
  options: PackageOptions = {},
): PackagedService {
  const region = options.region === undefined ? 'us-east-1' : options.region;
  const key = options.cache ? packageCacheKey(sourceDir, args, options) : undefined;
  const cached = key ? join(CACHE_DIR, key) : undefined;
  if (cached && usableCacheEntry(cached)) {
    return read(cached, readFileSync(join(cached, 'complete'), 'utf8'), () => {});
  }
  if (cached) rmSync(cached, { recursive: true, force: true });
  const root = mkdtempSync(join(tmpdir(), 'byok-package-'));
  const serviceDir = join(root, 'service');
  const home = join(root, 'home');
  // serverless-esbuild writes a scratch dir per function under the OS temp dir and leaves it there;
  // keep those inside root so cleanup() removes them too.
  const scratch = join(root, 'tmp');
  mkdirSync(home);
  mkdirSync(scratch);
  for (const [file, text] of Object.entries(options.homeFiles ?? {})) {
    mkdirSync(join(home, file, '..'), { recursive: true });
    writeFileSync(join(home, file), text);
  }
  cpSync(sourceDir, serviceDir, {
    recursive: true,
    filter: (source) => !SKIPPED.has(basename(source)),
  });
  symlinkSync(join(sourceDir, 'node_modules'), join(serviceDir, 'node_modules'), 'dir');

  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_')) env[name] = value;
  }
  Object.assign(env, {
    HOME: home,
    TMPDIR: scratch,
    SLS_TELEMETRY_DISABLED: '1',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...options.env,
  });
  const result = spawnSync(
    process.execPath,
    [
      join(serviceDir, 'deploy/package.mjs'),
      '--out',
      join(root, 'artefact'),
      ...(region === null ? [] : ['--region', region]),
      ...args,
    ],
    { cwd: serviceDir, env, encoding: 'utf8', timeout: 300_000 },
  );
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  if (result.status !== 0) {
    cleanup();
    throw new PackagingFailedError(
      `npm run package failed (exit ${result.status}):\n${output}`,
      result.status,
      output,
    );
  }
  // Nothing reads osls's HOME or serverless-esbuild's scratch again (75 MB of the 205 MB a copy
  // took); 226 entries of 205 MB had filled 48 GB of this machine's disk before the cache kept less.
  rmSync(scratch, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
  if (!cached) return read(root, output, cleanup);
  // Keep it: rename into the cache (atomic); another run may have finished the same key first.
  writeFileSync(join(root, 'complete'), output);
  pruneCache();
  mkdirSync(CACHE_DIR, { recursive: true });
  try {
    renameSync(root, cached);
  } catch {
    cleanup();
  }
  return read(cached, output, () => {});
}
