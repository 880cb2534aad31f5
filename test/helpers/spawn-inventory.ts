// Finds every external program the code and the tests start, so that a test can check each one is
// installed by scripts/setup.mjs's one list of Debian packages. TypeScript/JavaScript files are read
// with the TypeScript compiler's type checker: a call is a spawn when its callee resolves to
// node:child_process's spawn/spawnSync/execFile/execFileSync/exec/execSync/fork (also through
// `promisify(execFile)` and re-bound names), and the program is the first argument's value as
// the checker sees it (a string literal, a constant such as CERTUTIL in another module, an
// absolute path like '/usr/bin/pkcs11-tool'; process.execPath is node). Shell scripts are read
// line by line for the commands they run. Anything it cannot resolve is reported, not ignored.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';

export interface SpawnSite {
  /** Repo-relative file and 1-based line. */
  file: string;
  line: number;
  /** The program as written: a name ('openssl') or an absolute path ('/usr/bin/pkcs11-tool'). */
  program: string;
}

export interface UnresolvedSite {
  file: string;
  line: number;
  text: string;
}

export interface SpawnInventory {
  sites: SpawnSite[];
  unresolved: UnresolvedSite[];
}

const CHILD_PROCESS_FUNCTIONS = new Set([
  'spawn',
  'spawnSync',
  'execFile',
  'execFileSync',
  'exec',
  'execSync',
  'fork',
]);
/** These take a shell command line; the program is its first word. */
const SHELL_COMMAND_FUNCTIONS = new Set(['exec', 'execSync']);
const CODE_EXTENSIONS = /\.(ts|mts|mjs|js|cjs)$/;

function filesUnder(root: string, dir: string, accept: (name: string) => boolean): string[] {
  const found: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return found;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) found.push(...filesUnder(root, path, accept));
    else if (accept(name)) found.push(path);
  }
  return found;
}

/** The child_process function a callee refers to, following aliases and `promisify(fn)`. */
function childProcessFunction(checker: ts.TypeChecker, callee: ts.Expression, depth = 0): string | undefined {
  if (depth > 5) return undefined;
  let symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
  if (!symbol) return undefined;
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  for (const declaration of symbol.declarations ?? []) {
    const fileName = declaration.getSourceFile().fileName;
    if (
      /[\\/]@types[\\/]node[\\/]child_process\.d\.ts$/.test(fileName) &&
      CHILD_PROCESS_FUNCTIONS.has(symbol.name)
    ) {
      return symbol.name;
    }
    // const run = promisify(execFile)  /  const execFileAsync = promisify(execFile)
    if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
      const init = declaration.initializer;
      if (
        ts.isCallExpression(init) &&
        init.arguments.length === 1 &&
        /promisify$/.test(init.expression.getText())
      ) {
        return childProcessFunction(checker, init.arguments[0] as ts.Expression, depth + 1);
      }
      if (ts.isIdentifier(init) || ts.isPropertyAccessExpression(init)) {
        return childProcessFunction(checker, init, depth + 1);
      }
    }
  }
  return undefined;
}

/** The string values an expression can have, as the checker types it; undefined when not known. */
function stringValues(checker: ts.TypeChecker, expression: ts.Expression): string[] | undefined {
  if (ts.isStringLiteralLike(expression)) return [expression.text];
  if (expression.getText() === 'process.execPath') return ['node'];
  const type = checker.getTypeAtLocation(expression);
  const parts = type.isUnion() ? type.types : [type];
  const values: string[] = [];
  for (const part of parts) {
    if (!part.isStringLiteral()) return undefined;
    values.push(part.value);
  }
  return values.length > 0 ? values : undefined;
}

/** Spawn sites in TypeScript/JavaScript files. */
export function findCodeSpawns(root: string, files: readonly string[]): SpawnInventory {
  // Only files that use child_process, with Node's declarations and the project files they import
  // (for constants defined elsewhere): type-checking the whole tree with the SDK's types is slow.
  const users = files.filter((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    return text.includes('child_process') || text.includes('executablePath');
  });
  const nodeTypes = join(root, 'node_modules', '@types', 'node');
  const roots = [
    ...users.map((file) => join(root, file)),
    ...filesUnder(nodeTypes, '.', (name) => name.endsWith('.d.ts')).map((file) => join(nodeTypes, file)),
  ];
  const program = ts.createProgram(roots, {
    noResolve: true,
    allowJs: true,
    checkJs: false,
    noEmit: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const inventory: SpawnInventory = { sites: [], unresolved: [] };
  for (const file of users) {
    const source = program.getSourceFile(join(root, file));
    if (!source) continue;
    const visit = (node: ts.Node): void => {
      // A browser started by a driver (playwright-core's `executablePath`): the program is the
      // literal, or the literal fallback of `process.env.X ?? <path>`.
      if (ts.isPropertyAssignment(node) && node.name.getText() === 'executablePath') {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        const value = node.initializer;
        const fallback =
          ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken
            ? value.right
            : value;
        const values = stringValues(checker, fallback);
        if (!values) inventory.unresolved.push({ file, line, text: node.getText().slice(0, 120) });
        for (const program of values ?? []) inventory.sites.push({ file, line, program });
      }
      if (ts.isCallExpression(node)) {
        const fn = childProcessFunction(checker, node.expression);
        if (fn) {
          const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
          const first = node.arguments[0];
          const values = fn === 'fork' ? ['node'] : first ? stringValues(checker, first) : undefined;
          if (!values) inventory.unresolved.push({ file, line, text: node.getText().slice(0, 120) });
          for (const value of values ?? []) {
            const program = SHELL_COMMAND_FUNCTIONS.has(fn) ? (value.trim().split(/\s+/)[0] ?? value) : value;
            inventory.sites.push({ file, line, program });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return inventory;
}

const SHELL_WORDS = new Set([
  // keywords and builtins: part of the shell, not programs
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'in',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  'function',
  '{',
  '}',
  '!',
  '[',
  '[[',
  ']]',
  'test',
  'echo',
  'printf',
  'exit',
  'return',
  'shift',
  'set',
  'unset',
  'export',
  'local',
  'readonly',
  'declare',
  'cd',
  'pwd',
  'read',
  'trap',
  'eval',
  'source',
  '.',
  ':',
  'true',
  'false',
  'command',
  'type',
  'wait',
  'exec',
  'getopts',
  'break',
  'continue',
]);

/** The commands a shell script runs: the first word of each simple command. */
export function findShellSpawns(root: string, file: string): SpawnSite[] {
  const text = readFileSync(join(root, file), 'utf8');
  const functions = new Set(
    [...text.matchAll(/^\s*([A-Za-z_][\w-]*)\s*\(\)\s*\{/gm)].map((m) => m[1] as string),
  );
  const sites: SpawnSite[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw
      .replace(/(^|\s)#.*$/, '')
      .replace(/'[^']*'/g, "''")
      .replace(/"(?:[^"\\$]|\\.)*"/g, '""');
    // a case pattern such as `--vendor)` or `*)` starts the line: drop it
    const body = line.replace(/^\s*[^\s()]*\)\s*/, '');
    for (const segment of body.split(/;;|;|&&|\|\||\||\$\(|\(|\)|`/)) {
      const words = segment.trim().split(/\s+/).filter(Boolean);
      let i = 0;
      while (
        i < words.length &&
        (/^[A-Za-z_]\w*(\[.*\])?\+?=/.test(words[i] as string) || SHELL_WORDS.has(words[i] as string))
      ) {
        if (
          [
            'for',
            'case',
            'echo',
            'printf',
            'exit',
            'return',
            'shift',
            'set',
            'export',
            'local',
            'cd',
            'trap',
            'read',
            '[',
            '[[',
            'test',
            'source',
            '.',
            'type',
            'command',
          ].includes(words[i] as string)
        ) {
          i = words.length;
          break;
        }
        i += 1;
      }
      const word = words[i];
      if (!word || /^["'$<>&|0-9-]/.test(word) || functions.has(word) || word.includes('=')) continue;
      sites.push({ file, line: index + 1, program: word });
    }
  });
  return sites;
}

/** Every program started by code, tests, benches and scripts under `root`. */
export function findSpawns(
  root: string,
  dirs: readonly string[] = ['src', 'functions', 'test', 'bench', 'scripts'],
  extraShellScripts: readonly string[] = ['.ci/run'],
): SpawnInventory {
  const code = dirs.flatMap((dir) =>
    filesUnder(
      root,
      dir,
      (name) => CODE_EXTENSIONS.test(name) && !name.endsWith('.d.ts') && !name.endsWith('.d.mts'),
    ),
  );
  const shell = [
    ...dirs.flatMap((dir) => filesUnder(root, dir, (name) => name.endsWith('.sh'))),
    ...extraShellScripts,
  ];
  const inventory = findCodeSpawns(root, code);
  for (const file of shell) inventory.sites.push(...findShellSpawns(root, file));
  return inventory;
}

export interface ProvidedBy {
  provides: readonly string[];
}

/**
 * The spawn sites whose program is neither provided by one of `packages` (matched by absolute path
 * or, for a bare name, by the file name of a provided program) nor in `allowed` (the base image).
 */
export function unprovided(
  sites: readonly SpawnSite[],
  packages: readonly ProvidedBy[],
  allowed: ReadonlySet<string>,
): SpawnSite[] {
  const provided = packages.flatMap((entry) => entry.provides);
  const names = new Set(provided.map((path) => basename(path)));
  return sites.filter((site) => {
    if (allowed.has(site.program) || allowed.has(basename(site.program))) return false;
    return site.program.startsWith('/') ? !provided.includes(site.program) : !names.has(site.program);
  });
}
