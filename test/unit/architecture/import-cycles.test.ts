// No module in src/ or functions/ may import itself back, through any chain: a cycle makes load
// order matter (a value read before its module has run is undefined), hides which layer depends on
// which, and defeats the CLI's lazily loaded actions. Every relative import counts, `import type`
// and `await import(...)` included, so the folder layering reads one way. Each cycle is reported
// as its path, e.g. `src/a.ts -> src/b.ts -> src/a.ts`.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const SCANNED = ['src', 'functions'];

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
    return /\.(ts|mts)$/.test(entry) ? [path] : [];
  });
}

/** The file a relative specifier names (as written, or without its extension), if it exists. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [base, `${base}.ts`, join(base, 'index.ts')].find(
    (candidate) => statSync(candidate, { throwIfNoEntry: false })?.isFile() ?? false,
  );
}

/** Every module under `dirs` of `root`, with the modules it imports (static, type-only or dynamic). */
function importGraph(root: string, dirs: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap((dir) => sourceFilesUnder(join(root, dir)))) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .flatMap((specifier) => resolveRelative(file, specifier) ?? []);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The strongly connected components with a cycle (Tarjan), each as the modules in it. */
function cyclicComponents(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (module: string): void => {
    index.set(module, index.size);
    low.set(module, index.get(module) as number);
    stack.push(module);
    onStack.add(module);
    for (const target of graph.get(module) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(module, Math.min(low.get(module) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(module, Math.min(low.get(module) as number, index.get(target) as number));
      }
    }
    if (low.get(module) !== index.get(module)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== module);
    if (component.length > 1 || (graph.get(module) ?? []).includes(module)) components.push(component);
  };
  for (const module of [...graph.keys()].sort()) if (!index.has(module)) visit(module);
  return components;
}

/** One import path around a cyclic component, from its first module (sorted) back to it. */
function cyclePath(graph: Map<string, string[]>, component: string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] as string;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const module = queue.shift() as string;
    for (const target of graph.get(module) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at = module; at !== start; at = previous.get(at) as string) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(target)) {
        previous.set(target, module);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

/** Each import cycle under `dirs`, as `a.ts -> b.ts -> a.ts` with paths relative to `root`. */
function importCycles(root: string, dirs: string[]): string[] {
  const graph = importGraph(root, dirs);
  return cyclicComponents(graph)
    .map((component) =>
      cyclePath(graph, component)
        .map((module) => relative(root, module))
        .join(' -> '),
    )
    .sort();
}

describe('import cycles', () => {
  const fixtures: string[] = [];
  afterAll(() => {
    for (const dir of fixtures) rmSync(dir, { recursive: true, force: true });
  });

  it('finds none in src/ or functions/', () => {
    // Prepare
    const scanned = SCANNED.flatMap((dir) => sourceFilesUnder(join(repo, dir)));

    // Act
    const cycles = importCycles(repo, SCANNED);

    // Assess
    expect(scanned.length).toBeGreaterThan(100);
    expect(cycles).toEqual([]);
  });

  it('reports each cycle as its import path, through type-only and dynamic imports too', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'byok-import-cycles-'));
    fixtures.push(root);
    for (const dir of ['src/onprem/cli/commands/demo', 'src/core/shared', 'functions']) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    writeFileSync(
      join(root, 'src/onprem/cli/commands/demo/register.ts'),
      "export const run = () => import('./action.ts');\n",
    );
    writeFileSync(
      join(root, 'src/onprem/cli/commands/demo/action.ts'),
      "import type { run } from './register.ts';\nexport type Run = typeof run;\n",
    );
    writeFileSync(join(root, 'src/core/shared/a.ts'), "import { b } from './b';\nexport const a = b;\n");
    writeFileSync(
      join(root, 'src/core/shared/b.ts'),
      "import { c } from '../../../functions/c.ts';\nexport const b = c;\n",
    );
    writeFileSync(join(root, 'functions/c.ts'), "export { a as c } from '../src/core/shared/a.ts';\n");
    writeFileSync(join(root, 'src/core/shared/self.ts'), "export * from './self.ts';\n");
    writeFileSync(
      join(root, 'src/core/shared/leaf.ts'),
      "import { a } from './a.ts';\nexport const leaf = a;\n",
    );

    // Act
    const cycles = importCycles(root, SCANNED);

    // Assess
    expect(cycles).toEqual([
      'functions/c.ts -> src/core/shared/a.ts -> src/core/shared/b.ts -> functions/c.ts',
      'src/core/shared/self.ts -> src/core/shared/self.ts',
      'src/onprem/cli/commands/demo/action.ts -> src/onprem/cli/commands/demo/register.ts -> src/onprem/cli/commands/demo/action.ts',
    ]);
  });
});
