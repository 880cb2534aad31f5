// The local KMS and EventBridge are an independent reading of AWS's behaviour (docs/design.md,
// "Independence of the local stack"): if they shared the product's rules, a misreading would be
// hidden on both sides. This follows every relative import, transitively, from src/local/kms and
// src/local/events and fails if one reaches the product's code. It also holds the layout's rules:
// src/local holds only emulators (it reaches nothing of the product; outside itself it may use only
// the neutral src/core/clock.ts and src/core/shared/), no module in src/ imports functions/ (the Lambda entry
// points sit on top of src/), and the runner (product code) never imports the emulators.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const FORBIDDEN = ['src/core/import', 'src/core/hsm', 'src/core/sweep', 'functions'];
/** What src/local must never reach, directly or through another module. */
const PRODUCT = [
  'src/onprem/runner',
  'src/core/import',
  'src/core/sweep',
  'src/core/hsm',
  'src/onprem/cli',
  'src/onprem/simulation',
  'src/core/aws',
  'functions',
];
/** What is bundled into Lambdas (entry points, Lambda-only adapters, the code both sides share). */
const LAMBDA_SIDE = ['functions', 'src/lambda', 'src/core'];
/** What runs only on premises (CLI, worker, console, runner) or only stands in for AWS. */
const ON_PREMISES_OR_LOCAL = ['src/onprem', 'src/local'];
/** The only modules outside src/local that src/local may import: neutral, product-free helpers. */
const NEUTRAL_FOR_LOCAL = ['src/local', 'src/core/clock.ts', 'src/core/shared'];

function sourceFilesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFilesUnder(path);
    return /\.(ts|mts|js|mjs|cjs)$/.test(entry) ? [path] : [];
  });
}

/** Imports written in src/local that resolve outside it to anything but the neutral modules. */
function nonNeutralImportsOfLocal(root: string): string[] {
  const allowed = NEUTRAL_FOR_LOCAL.map((dir) => join(root, dir));
  return sourceFilesUnder(join(root, 'src/local')).flatMap((file) =>
    importedSpecifiers(file)
      .filter((specifier) => specifier.startsWith('.'))
      .filter((specifier) => !isUnder(resolve(dirname(file), specifier), allowed))
      .map((specifier) => `${relative(root, file)} imports ${specifier}`),
  );
}

function importedSpecifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((imported) => imported.fileName);
}

function isUnder(target: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => target === dir || target.startsWith(dir + sep));
}

/**
 * `file imports specifier` pairs that reach a forbidden directory, following relative imports
 * (transitively, unless `direct`: then only the imports written in the start directories count).
 */
function forbiddenImports(
  root: string,
  startDirs: string[],
  forbiddenDirs: readonly string[] = FORBIDDEN,
  options: { direct?: boolean } = {},
): string[] {
  const forbidden = forbiddenDirs.map((dir) => join(root, dir));
  const violations: string[] = [];
  const seen = new Set<string>();
  const queue = startDirs.flatMap((dir) => sourceFilesUnder(join(root, dir)));
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of importedSpecifiers(file)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      if (isUnder(target, forbidden)) {
        violations.push(`${relative(root, file)} imports ${specifier}`);
        continue;
      }
      if (!options.direct && statSync(target, { throwIfNoEntry: false })?.isFile()) queue.push(target);
    }
  }
  return violations;
}

describe('independence of the local stack', () => {
  const fixtures: string[] = [];
  afterAll(() => {
    for (const dir of fixtures) rmSync(dir, { recursive: true, force: true });
  });

  it('src/local/kms and src/local/events never reach src/core/import, src/core/hsm, src/core/sweep or functions/', () => {
    // Prepare
    const scanned = [
      ...sourceFilesUnder(join(repo, 'src/local/kms')),
      ...sourceFilesUnder(join(repo, 'src/local/events')),
    ];

    // Act
    const violations = forbiddenImports(repo, ['src/local/kms', 'src/local/events']);

    // Assess
    expect(scanned.length).toBeGreaterThan(0);
    expect(violations, `the local KMS/EventBridge reach product code: ${violations.join('; ')}`).toEqual([]);
  });

  it('src/local holds only emulators: it reaches nothing of the product, and outside itself imports only src/core/clock.ts and src/core/shared/', () => {
    // Prepare
    const scanned = sourceFilesUnder(join(repo, 'src/local'));

    // Act
    const reachesProduct = forbiddenImports(repo, ['src/local'], PRODUCT);
    const nonNeutral = nonNeutralImportsOfLocal(repo);

    // Assess
    expect(scanned.length).toBeGreaterThan(0);
    expect(reachesProduct, `src/local reaches product code: ${reachesProduct.join('; ')}`).toEqual([]);
    expect(nonNeutral, `src/local imports a non-neutral module: ${nonNeutral.join('; ')}`).toEqual([]);
  });

  it('no module in src/ imports functions/ (the Lambda entry points build on src/, not the reverse)', () => {
    // Act
    const violations = forbiddenImports(repo, ['src'], ['functions'], { direct: true });

    // Assess
    expect(violations, `src/ imports functions/: ${violations.join('; ')}`).toEqual([]);
  });

  it('src/onprem/runner never reaches src/local (the emulators are given to it through ports)', () => {
    // Prepare
    const scanned = sourceFilesUnder(join(repo, 'src/onprem/runner'));

    // Act
    const violations = forbiddenImports(repo, ['src/onprem/runner'], ['src/local']);

    // Assess
    expect(scanned.length).toBeGreaterThan(0);
    expect(violations, `src/onprem/runner reaches the emulators: ${violations.join('; ')}`).toEqual([]);
  });

  it('code that ships to Lambda (functions/, src/lambda, src/core) never reaches src/onprem or src/local', () => {
    // Prepare
    const scanned = [
      ...sourceFilesUnder(join(repo, 'functions')),
      ...sourceFilesUnder(join(repo, 'src/core')),
    ];

    // Act
    const violations = forbiddenImports(repo, LAMBDA_SIDE, ON_PREMISES_OR_LOCAL);

    // Assess
    expect(scanned.length).toBeGreaterThan(0);
    expect(violations, `Lambda code reaches on-premises or emulator code: ${violations.join('; ')}`).toEqual(
      [],
    );
  });

  it('reports Lambda code that reaches on-premises or emulator code, directly or through src/core', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'byok-lambda-side-'));
    fixtures.push(root);
    for (const dir of ['functions', 'src/core/import', 'src/onprem/cli', 'src/local/kms'])
      mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, 'src/onprem/cli/hints.ts'), "export const hint = 'run byok';\n");
    writeFileSync(join(root, 'src/local/kms/spec.ts'), 'export const spec = 1;\n');
    writeFileSync(
      join(root, 'src/core/import/rules.ts'),
      "import { hint } from '../../onprem/cli/hints.ts';\nexport const rules = hint;\n",
    );
    writeFileSync(
      join(root, 'functions/step.ts'),
      "import { rules } from '../src/core/import/rules.ts';\nimport { spec } from '../src/local/kms/spec.ts';\nexport const x = [rules, spec];\n",
    );

    // Act
    const violations = forbiddenImports(root, LAMBDA_SIDE, ON_PREMISES_OR_LOCAL);

    // Assess
    expect(violations.sort()).toEqual([
      'functions/step.ts imports ../src/local/kms/spec.ts',
      'src/core/import/rules.ts imports ../../onprem/cli/hints.ts',
    ]);
  });

  it('reports an import that reaches product code through a shared local module', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'byok-independence-'));
    fixtures.push(root);
    for (const dir of ['src/local/kms', 'src/local/events', 'src/core/import'])
      mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, 'src/core/import/tags.ts'), "export const TAG = 'byok:managed';\n");
    writeFileSync(join(root, 'src/local/shared.ts'), "export { TAG } from '../core/import/tags.ts';\n");
    writeFileSync(
      join(root, 'src/local/kms/service.ts'),
      "import { TAG } from '../shared.ts';\nexport const t = TAG;\n",
    );
    writeFileSync(
      join(root, 'src/local/events/bus.ts'),
      "import type { X } from '../../core/hsm/port.ts';\nexport const m = await import('../../../functions/verify-import.ts');\n",
    );

    // Act
    const violations = forbiddenImports(root, ['src/local/kms', 'src/local/events']);

    // Assess
    expect(violations.sort()).toEqual([
      'src/local/events/bus.ts imports ../../../functions/verify-import.ts',
      'src/local/events/bus.ts imports ../../core/hsm/port.ts',
      'src/local/shared.ts imports ../core/import/tags.ts',
    ]);
  });

  it('names each import that breaks a layout rule', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'byok-layout-'));
    fixtures.push(root);
    for (const dir of [
      'src/local/stepfunctions',
      'src/onprem/runner',
      'src/core/shared',
      'src/onprem/cli',
      'functions',
    ])
      mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, 'src/core/clock.ts'), 'export const now = () => new Date();\n');
    writeFileSync(join(root, 'src/core/shared/logger.ts'), 'export const log = () => {};\n');
    writeFileSync(join(root, 'functions/wrap.ts'), 'export const handler = () => {};\n');
    writeFileSync(
      join(root, 'src/local/stepfunctions/service.ts'),
      "import { now } from '../../core/clock.ts';\nimport { log } from '../../core/shared/logger.ts';\nimport { run } from '../../onprem/runner/run.ts';\nexport const x = [now, log, run];\n",
    );
    writeFileSync(
      join(root, 'src/onprem/runner/run.ts'),
      "import { handler } from '../../../functions/wrap.ts';\nexport const run = handler;\nexport const s = await import('../../local/stepfunctions/service.ts');\n",
    );

    // Act
    const localReachesProduct = forbiddenImports(root, ['src/local'], PRODUCT);
    const localNonNeutral = nonNeutralImportsOfLocal(root);
    const srcImportsFunctions = forbiddenImports(root, ['src'], ['functions'], { direct: true });
    const runnerReachesLocal = forbiddenImports(root, ['src/onprem/runner'], ['src/local']);

    // Assess
    expect(localReachesProduct).toEqual([
      'src/local/stepfunctions/service.ts imports ../../onprem/runner/run.ts',
    ]);
    expect(localNonNeutral).toEqual([
      'src/local/stepfunctions/service.ts imports ../../onprem/runner/run.ts',
    ]);
    expect(srcImportsFunctions).toEqual(['src/onprem/runner/run.ts imports ../../../functions/wrap.ts']);
    expect(runnerReachesLocal).toEqual([
      'src/onprem/runner/run.ts imports ../../local/stepfunctions/service.ts',
    ]);
  });
});
