// Packages the stack the way `npm run package` does (osls, offline), in a temporary copy of the
// repository so that concurrent runs never share .serverless/ or .esbuild/, with no AWS
// credentials and no AWS configuration reachable: packaging must need neither.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

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
  template: CfnTemplate;
  output: string;
  cleanup(): void;
}

const SKIPPED = new Set(['node_modules', '.git', '.serverless', '.esbuild', '.byok', 'coverage', 'dist']);

/** `args`: more osls arguments, e.g. `['--param', 'hsmPlacement=activity']`. */
export function packageService(sourceDir: string = repoRoot, args: readonly string[] = []): PackagedService {
  const root = mkdtempSync(join(tmpdir(), 'byok-package-'));
  const serviceDir = join(root, 'service');
  const packageDir = join(root, 'package');
  const home = join(root, 'home');
  // serverless-esbuild writes a scratch dir per function under the OS temp dir and leaves it there;
  // keep those inside root so cleanup() removes them too.
  const scratch = join(root, 'tmp');
  mkdirSync(home);
  mkdirSync(scratch);
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
  });
  const result = spawnSync(
    process.execPath,
    [join(sourceDir, 'node_modules/osls/bin/serverless.js'), 'package', '--package', packageDir, ...args],
    { cwd: serviceDir, env, encoding: 'utf8', timeout: 240_000 },
  );
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  if (result.status !== 0) {
    cleanup();
    throw new Error(`osls package failed (exit ${result.status}):\n${output}`);
  }
  const template = JSON.parse(
    readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
  return {
    serviceDir,
    packageDir,
    bundleDir: join(serviceDir, '.esbuild', '.build'),
    template,
    output,
    cleanup,
  };
}
