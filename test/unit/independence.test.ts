// The local KMS and EventBridge are an independent reading of AWS's behaviour (docs/design.md,
// "Independence of the local stack"): if they shared the product's rules, a misreading would be
// hidden on both sides. This follows every relative import, transitively, from src/local/kms and
// src/local/events and fails if one reaches the product's code.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const FORBIDDEN = ['src/import', 'src/hsm', 'src/sweep', 'functions'];

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

function importedSpecifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((imported) => imported.fileName);
}

/** `file imports specifier` pairs that reach a forbidden directory, following relative imports. */
function forbiddenImports(root: string, startDirs: string[]): string[] {
  const forbidden = FORBIDDEN.map((dir) => join(root, dir));
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
      if (forbidden.some((dir) => target === dir || target.startsWith(dir + sep))) {
        violations.push(`${relative(root, file)} imports ${specifier}`);
        continue;
      }
      if (statSync(target, { throwIfNoEntry: false })?.isFile()) queue.push(target);
    }
  }
  return violations;
}

describe('independence of the local stack', () => {
  const fixtures: string[] = [];
  afterAll(() => {
    for (const dir of fixtures) rmSync(dir, { recursive: true, force: true });
  });

  it('src/local/kms and src/local/events never reach src/import, src/hsm, src/sweep or functions/', () => {
    // Prepare
    const scanned = [
      ...sourceFilesUnder(join(repo, 'src/local/kms')),
      ...sourceFilesUnder(join(repo, 'src/local/events')),
    ];

    // Act
    const violations = forbiddenImports(repo, ['src/local/kms', 'src/local/events']);

    // Assess
    expect(scanned.length).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  });

  it('reports an import that reaches product code through a shared local module', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'byok-independence-'));
    fixtures.push(root);
    for (const dir of ['src/local/kms', 'src/local/events', 'src/import'])
      mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, 'src/import/tags.ts'), "export const TAG = 'byok:managed';\n");
    writeFileSync(join(root, 'src/local/shared.ts'), "export { TAG } from '../import/tags.ts';\n");
    writeFileSync(
      join(root, 'src/local/kms/service.ts'),
      "import { TAG } from '../shared.ts';\nexport const t = TAG;\n",
    );
    writeFileSync(
      join(root, 'src/local/events/bus.ts'),
      "import type { X } from '../../hsm/port.ts';\nexport const m = await import('../../../functions/verify-import.ts');\n",
    );

    // Act
    const violations = forbiddenImports(root, ['src/local/kms', 'src/local/events']);

    // Assess
    expect(violations.sort()).toEqual([
      'src/local/events/bus.ts imports ../../../functions/verify-import.ts',
      'src/local/events/bus.ts imports ../../hsm/port.ts',
      'src/local/shared.ts imports ../import/tags.ts',
    ]);
  });
});
