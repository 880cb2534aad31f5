#!/usr/bin/env node
// Builds the web console's browser app (src/onprem/console/ui) into static files that the console server
// serves and that load offline: one JS bundle (preact, dagre and the app, by esbuild), one CSS
// file and index.html. The page validates the import form with a validator that ajv compiles here,
// at build time, from schemas/import-key-material.input.schema.json ("standalone" code): compiling
// in the page would need eval, which the console's Content-Security-Policy forbids.
//
// `node scripts/build-console.mjs [outDir]` builds; importers use buildConsoleAssets and
// ensureConsoleAssets (builds only when missing or older than its sources).
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CONSOLE_UI_DIR = join(root, 'src', 'onprem', 'console', 'ui');
export const CONSOLE_ASSETS_DIR = join(root, 'dist', 'console');
const INPUT_SCHEMA = join(root, 'schemas', 'import-key-material.input.schema.json');
const BUILD_INFO = 'build-info.json';

/** The files whose change makes the assets stale. */
async function sourceFiles() {
  // src/core/shared/text.ts: the page's visibleText is the CLI's (one rule for both).
  const files = [
    INPUT_SCHEMA,
    join(root, 'package-lock.json'),
    join(root, 'src', 'core', 'shared', 'text.ts'),
    fileURLToPath(import.meta.url),
  ];
  const walk = async (dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.push(path);
    }
  };
  await walk(CONSOLE_UI_DIR);
  return files;
}

/** True when outDir lacks a build or any source is newer than it. */
export async function consoleAssetsStale(outDir = CONSOLE_ASSETS_DIR) {
  let builtAt;
  try {
    builtAt = (await stat(join(outDir, BUILD_INFO))).mtimeMs;
  } catch {
    return true;
  }
  for (const file of await sourceFiles()) {
    if ((await stat(file)).mtimeMs > builtAt) return true;
  }
  return false;
}

/** ajv's standalone ES module validating the import input against the published schema. */
async function compileInputValidator() {
  const { default: Ajv2020 } = await import('ajv/dist/2020.js');
  const { default: addFormats } = await import('ajv-formats');
  const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
  const schema = JSON.parse(await readFile(INPUT_SCHEMA, 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: false, code: { source: true, esm: true } });
  addFormats(ajv);
  return standaloneCode(ajv, ajv.compile(schema));
}

/** Writes a file whole or not at all (temp file + rename), so a concurrent reader never sees half. */
async function writeAtomically(path, contents) {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, contents);
  await rename(temp, path);
}

/**
 * Builds into outDir. Several processes may build at once (test files start consoles in parallel):
 * each output file is replaced atomically, and all builds of the same sources write the same bytes.
 */
export async function buildConsoleAssets(outDir = CONSOLE_ASSETS_DIR, { minify = true } = {}) {
  const esbuild = await import('esbuild');
  const validatorSource = await compileInputValidator();
  const validatorPlugin = {
    name: 'byok-import-input-validator',
    setup(build) {
      build.onResolve({ filter: /^byok-import-input-validator$/ }, () => ({
        path: 'byok-import-input-validator',
        namespace: 'byok-generated',
      }));
      build.onLoad({ filter: /.*/, namespace: 'byok-generated' }, () => ({
        contents: validatorSource,
        loader: 'js',
        // Its require()s of ajv's runtime helpers resolve from the project's node_modules.
        resolveDir: root,
      }));
    },
  };
  const result = await esbuild.build({
    entryPoints: { app: join(CONSOLE_UI_DIR, 'main.tsx'), app_css: join(CONSOLE_UI_DIR, 'app.css') },
    outdir: outDir,
    entryNames: '[name]',
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    plugins: [validatorPlugin],
    minify,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await mkdir(outDir, { recursive: true });
  for (const file of result.outputFiles) await writeAtomically(file.path, file.contents);
  await writeAtomically(join(outDir, 'index.html'), await readFile(join(CONSOLE_UI_DIR, 'index.html')));
  // Last: its time stamp says the build is complete.
  await writeAtomically(
    join(outDir, BUILD_INFO),
    `${JSON.stringify({ builtAt: new Date().toISOString() })}\n`,
  );
  return outDir;
}

/** Builds the assets when they are missing or stale; returns their directory. */
export async function ensureConsoleAssets(outDir = CONSOLE_ASSETS_DIR) {
  if (await consoleAssetsStale(outDir)) await buildConsoleAssets(outDir);
  return outDir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = await buildConsoleAssets(process.argv[2] ? resolve(process.argv[2]) : CONSOLE_ASSETS_DIR);
  process.stderr.write(`console assets built in ${outDir}\n`);
}
