// Each Lambda's deployable bundle next to the same handler unbundled: size on disk, and the time to
// load it cold in a fresh Node process (a proxy for Lambda's init phase). The bundles are the real
// ones: the stack is packaged with osls exactly as `npm run package` does, offline.
//   bundle     functions/<name>.mjs as serverless-esbuild wrote it (minified ESM, AWS SDK inside)
//   zip        the function's deployment package
//   unbundled  the same entry loaded through tsx from functions/*.ts with node_modules; its size is
//              every file it reaches (from esbuild's metafile) and the whole packages those come
//              from (what a node_modules deployment would have to ship)
// Cold load: a new `node` process per run imports the module; the figure is the import time inside
// that process (median of RUNS, min in brackets). Node's own start-up is measured the same way as
// the baseline: a process importing nothing.
// Before/after: each function is also bundled here with serverless.yml's esbuild settings as they
// were before tree-shaking was tuned (CommonJS mains, legal comments, every zod locale), and sized
// and loaded the same way in the same run. The issue recorded about 1.1 MiB and 102-142 ms per
// function then, with a bare node at 69 ms.
// Run: npx tsx bench/bundle.ts   (BENCH_RUNS=7 for more runs)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { packageService, repoRoot } from '../deploy/package-service.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? '5');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Milliseconds to import `specifier` in a fresh node process, measured inside it. */
function coldImportMs(specifier: string | undefined, nodeArgs: string[]): number[] {
  const script = specifier
    ? `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`
    : 'console.log(0);';
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const result = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1' },
    });
    if (result.status !== 0) throw new Error(`importing ${specifier} failed: ${result.stderr}`);
    times.push(Number(result.stdout.trim().split('\n').pop()));
  }
  return times;
}

/** Wall time of a fresh node process that imports the module and exits. */
function processMs(specifier: string, nodeArgs: string[]): number[] {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    const result = spawnSync(
      process.execPath,
      [...nodeArgs, '--input-type=module', '-e', `await import(${JSON.stringify(specifier)});`],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1' },
      },
    );
    if (result.status !== 0) throw new Error(`importing ${specifier} failed: ${result.stderr}`);
    times.push(performance.now() - started);
  }
  return times;
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

/** The files an entry reaches (esbuild's resolution, nothing external but pkcs11js) and their packages. */
async function unbundledFootprint(entry: string) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['pkcs11js'],
    logLevel: 'silent',
  });
  const inputs = Object.entries(result.metafile.inputs);
  const fileBytes = inputs.reduce((sum, [, input]) => sum + input.bytes, 0);
  const packages = new Set<string>();
  for (const [path] of inputs) {
    const parts = path.split('/');
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue;
    const name = parts[at + 1]?.startsWith('@') ? parts.slice(at + 1, at + 3) : parts.slice(at + 1, at + 2);
    packages.add(join(repoRoot, ...parts.slice(0, at + 1), ...name));
  }
  let packageBytes = 0;
  for (const dir of packages) packageBytes += await directoryBytes(dir);
  return { files: inputs.length, fileBytes, packages: packages.size, packageBytes };
}

/** serverless.yml's custom.esbuild before mainFields, legalComments and the zod plugin. */
async function bundleAsBefore(entry: string, outfile: string): Promise<number> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    format: 'esm',
    external: ['pkcs11js'],
    banner: {
      js: "import { createRequire as __byokCreateRequire } from 'node:module'; const require = __byokCreateRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  return statSync(outfile).size;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (values: number[]) => `${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)})`;

const started = performance.now();
const packaged = packageService();
// Inside the packaged copy, whose node_modules link resolves pkcs11js for the wrap bundle.
const beforeDir = mkdtempSync(join(packaged.serviceDir, 'bench-before-'));
try {
  console.log(
    `packaged the stack offline in ${((performance.now() - started) / 1000).toFixed(1)} s; ${RUNS} runs per figure`,
  );
  const baseline = processMs('node:os', []);
  console.log(`baseline: a fresh node process importing nothing of ours takes ${ms(baseline)} wall time\n`);
  const functions = Object.values(packaged.template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((resource) => String(resource.Properties?.Handler).replace(/\.handler$/, ''))
    .sort();
  const rows: string[][] = [
    [
      'function',
      'bundle before',
      'bundle',
      'change',
      'zip',
      'unbundled files',
      'their packages',
      'size ratio',
      'load before',
      'load bundle',
      'load unbundled',
      'load ratio',
    ],
  ];
  for (const name of functions) {
    const bundlePath = join(packaged.bundleDir, `${name}.mjs`);
    const bundleBytes = statSync(bundlePath).size;
    const zipBytes = statSync(join(packaged.packageDir, zipNameOf(name))).size;
    const source = join(repoRoot, `${name}.ts`);
    const footprint = await unbundledFootprint(source);
    const beforePath = join(beforeDir, `${name.replace(/^functions\//, '')}.mjs`);
    const beforeBytes = await bundleAsBefore(source, beforePath);
    const before = coldImportMs(pathToFileURL(beforePath).href, []);
    const bundled = coldImportMs(pathToFileURL(bundlePath).href, []);
    const unbundled = coldImportMs(pathToFileURL(source).href, ['--import', 'tsx']);
    rows.push([
      name.replace(/^functions\//, ''),
      kb(beforeBytes),
      kb(bundleBytes),
      `${(((bundleBytes - beforeBytes) / beforeBytes) * 100).toFixed(0)}%`,
      kb(zipBytes),
      `${kb(footprint.fileBytes)} / ${footprint.files} files`,
      `${(footprint.packageBytes / 1024 / 1024).toFixed(1)} MiB / ${footprint.packages}`,
      `${(footprint.packageBytes / zipBytes).toFixed(0)}x`,
      ms(before),
      ms(bundled),
      ms(unbundled),
      `${(median(unbundled) / median(bundled)).toFixed(1)}x`,
    ]);
  }
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
  console.log(
    '\nsize ratio = packages an unbundled deployment ships / bundle zip; load = import time in a fresh process, ' +
      'median (min). The unbundled load goes through tsx, so it includes transpiling TypeScript.',
  );
} finally {
  packaged.cleanup();
  rmSync(beforeDir, { recursive: true, force: true });
}

/** osls names each zip after the function key: functions/verify-import -> verifyImport.zip. */
function zipNameOf(handlerFile: string): string {
  return `${handlerFile.replace(/^functions\//, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())}.zip`;
}
