#!/usr/bin/env node
// Compiles the `byok` CLI to JavaScript once (esbuild), so that bin/byok.js starts without
// compiling TypeScript at every run. Output goes to dist/cli/ (git-ignored): main.js plus chunks,
// ESM with code splitting, so `byok --help` loads only the command registrations and each
// command's action chunk is loaded when that command runs (src/onprem/cli/main.ts). Native modules stay
// external. dist/cli/build-info.json records a digest of every input; `ensureBuilt()` rebuilds
// when it differs, and `buildStatus()` tells whether dist/ is current (checked by a test).
// Run: node scripts/build.mjs   (also run by scripts/setup.mjs, `npm ci` through `prepare`, and
// vitest's global setup, so a test never runs a stale build).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The plugins the Lambda bundles use too (zod without its unused locales). */
const bundlePlugins = createRequire(import.meta.url)('../deploy/esbuild-plugins.cjs');

/** One build step: what it compiles and where. More steps can be added to BUILDS later. */
export const cliBuild = {
  name: 'cli',
  outdir: join(repoRoot, 'dist', 'cli'),
  entryPoints: { main: join(repoRoot, 'src', 'onprem', 'cli', 'main.ts') },
  /**
   * Native (node-gyp) modules cannot be bundled; they load from node_modules at run time. So does
   * dynalite (the local approvals table): it requires its actions by computed name and loads
   * classic-level, a native module.
   */
  external: ['pkcs11js', 'dynalite', 'classic-level'],
};

export const BUILDS = [cliBuild];

/** Files outside the module graph whose change must also trigger a rebuild. */
const EXTRA_INPUTS = ['package-lock.json', 'scripts/build.mjs', 'deploy/esbuild-plugins.cjs'];

const INFO_FILE = 'build-info.json';

/**
 * Keeps paths derived from `import.meta.url` (the repo root, statemachines/, deploy/, and
 * createRequire for native modules) pointing where they point from the source tree: every output
 * file sits in one folder (outdir), so each module's own URL is rebuilt from the chunk's URL.
 */
function sourceUrlPlugin(outdir) {
  return {
    name: 'byok-source-url',
    setup(build) {
      build.onLoad({ filter: /\.(ts|mjs)$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const fromOutdir = relative(outdir, args.path).split(sep).join('/');
        const contents = text.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(fromOutdir)}, import.meta.url).href`,
        );
        return { contents, loader: args.path.endsWith('.mjs') ? 'js' : 'ts' };
      });
    },
  };
}

/** One digest over the files' names and contents (paths relative to the repo, or absolute). */
export function digestOf(files) {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    const path = isAbsolute(file) ? file : join(repoRoot, file);
    hash.update(`${file}\0`);
    hash.update(existsSync(path) ? readFileSync(path) : 'missing');
    hash.update('\0');
  }
  return hash.digest('hex');
}

function readInfo(step) {
  const path = join(step.outdir, INFO_FILE);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * Whether a step's output is current: its recorded inputs hash the same now. `changed` lists the
 * inputs whose content differs from the build (or every input when there is no build).
 */
export function buildStatus(step = cliBuild) {
  const info = readInfo(step);
  if (!info) return { current: false, reason: `${relative(repoRoot, step.outdir)} is not built` };
  const digest = digestOf(info.inputs);
  if (digest !== info.digest) {
    return { current: false, reason: `sources changed since ${relative(repoRoot, step.outdir)} was built` };
  }
  for (const output of info.outputs) {
    if (!existsSync(join(repoRoot, output))) return { current: false, reason: `${output} is missing` };
  }
  return { current: true, reason: 'up to date' };
}

const STATE_MACHINES_DIR = join(repoRoot, 'statemachines');

/**
 * Validates every shipped workflow definition the way the runner does (aws-local-stepfunctions'
 * StateMachine with asl-validator, ARNs not checked), failing the build on an invalid one, and
 * returns their texts as the runner keys them: the compiled CLI then skips that ~1 s per process.
 */
async function prevalidatedDefinitions() {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const texts = [];
  for (const file of readdirSync(STATE_MACHINES_DIR)
    .filter((name) => name.endsWith('.asl.json'))
    .sort()) {
    const definition = JSON.parse(readFileSync(join(STATE_MACHINES_DIR, file), 'utf8'));
    const resolved = JSON.parse(
      JSON.stringify(definition).replace(
        /\$\{([A-Z][A-Za-z0-9]*)FunctionArn\}/g,
        'arn:aws:lambda:us-east-1:111122223333:function:$1',
      ),
    );
    new StateMachine(resolved, { validationOptions: { checkArn: false } });
    texts.push(JSON.stringify(definition));
  }
  return texts;
}

/** Builds one step with esbuild and records its inputs' digest. */
export async function build(step = cliBuild) {
  const esbuild = await import('esbuild');
  const validated = await prevalidatedDefinitions();
  rmSync(step.outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: step.entryPoints,
    outdir: step.outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Every output in one folder: sourceUrlPlugin relies on it.
    chunkNames: '[name]-[hash]',
    minifySyntax: true,
    minifyWhitespace: true,
    treeShaking: true,
    sourcemap: 'linked',
    legalComments: 'none',
    external: step.external,
    metafile: true,
    logLevel: 'warning',
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __byokCreateRequire } from 'node:module'; const require = __byokCreateRequire(import.meta.url);",
    },
    mainFields: ['module', 'main'],
    define: { __BYOK_PREVALIDATED_DEFINITIONS__: JSON.stringify(validated) },
    plugins: [sourceUrlPlugin(step.outdir), ...bundlePlugins],
  });
  // Dependencies are covered by package-lock.json; the project's own sources are hashed one by one.
  const sources = Object.keys(result.metafile.inputs).filter(
    (file) => !file.includes(':') && !file.startsWith('node_modules/'),
  );
  const definitions = readdirSync(STATE_MACHINES_DIR)
    .filter((name) => name.endsWith('.asl.json'))
    .map((name) => `statemachines/${name}`);
  const inputs = [...sources, ...EXTRA_INPUTS, ...definitions];
  const outputs = Object.keys(result.metafile.outputs);
  const info = { step: step.name, digest: digestOf(inputs), inputs: [...new Set(inputs)].sort(), outputs };
  writeFileSync(join(step.outdir, INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/** Builds every step whose output is not current; returns the names of the steps it built. */
export async function ensureBuilt(steps = BUILDS) {
  const built = [];
  for (const step of steps) {
    if (buildStatus(step).current) continue;
    await build(step);
    built.push(step.name);
  }
  return built;
}

/** True when the build tools (dev dependencies) are installed. */
function buildToolsInstalled() {
  try {
    createRequire(import.meta.url).resolve('esbuild');
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const force = process.argv.includes('--force');
  // A runtime install (`npm ci --omit=dev`, whose `prepare` runs this) has no esbuild: it runs the
  // dist/ that was built where the dev dependencies were, and only says so.
  if (!buildToolsInstalled()) {
    const prebuilt =
      existsSync(join(cliBuild.outdir, 'main.js')) &&
      existsSync(join(repoRoot, 'dist', 'console', 'index.html'));
    process.stderr.write(
      prebuilt
        ? '[build] no build tools here (npm ci --omit=dev): using the prebuilt dist/\n'
        : '[build] dist/ is missing and the build tools are not installed: run npm ci (with dev dependencies), then npm run build\n',
    );
    process.exit(prebuilt ? 0 : 1);
  }
  const built = force
    ? await Promise.all(BUILDS.map(async (step) => (await build(step)).step))
    : await ensureBuilt();
  // The web console's static assets (byok console) ship beside the CLI: built here too.
  const { buildConsoleAssets, consoleAssetsStale } = await import('./build-console.mjs');
  if (force || (await consoleAssetsStale())) {
    await buildConsoleAssets();
    built.push('console');
  }
  process.stderr.write(`[build] ${built.length > 0 ? `built ${built.join(', ')}` : 'up to date'}\n`);
}
