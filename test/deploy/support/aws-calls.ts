// The AWS calls a piece of code makes, found from the code: esbuild bundles the entry the way the
// Lambda bundles are built (ES modules, tree shaken, the SDK's ESM builds), unminified, and every
// `new <X>Command(` that survives tree shaking in one of the project's own modules is a call. The
// module an SDK command class comes from is read from that module's import statement, and the
// command's name gives the IAM action (the document client's Get/Put/... are GetItem/PutItem/...).
// A request signed with SigV4 for the `lambda` service is an invocation of a function URL.
// Commands the SDK constructs itself (credential providers, waiters) live in node_modules and are
// not counted. byok's list calls go through the SDK's paginators in src/core/aws/paginate-*.ts: a
// module that imports one of those functions makes the call of the paginator that function uses.
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

export interface CodeCall {
  /** The IAM action, e.g. `kms:Decrypt`. */
  action: string;
  /** The project files that make it. */
  files: string[];
}

const IAM_PREFIX: Record<string, string> = {
  'client-kms': 'kms',
  'client-sfn': 'states',
  'client-dynamodb': 'dynamodb',
  'lib-dynamodb': 'dynamodb',
  'client-eventbridge': 'events',
  'client-secrets-manager': 'secretsmanager',
  'client-sts': 'sts',
  'client-lambda': 'lambda',
  'client-s3': 's3',
  'client-organizations': 'organizations',
};

/** Operations whose IAM action has another name. */
const RENAMED_ACTIONS: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  's3:DeleteObjects': 's3:DeleteObject',
};

const DOCUMENT_CLIENT_ACTIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

export class UnknownSdkPackageError extends Error {
  override name = 'UnknownSdkPackageError';
}

/** `name -> package` for the SDK names a source file imports (`import { A, type B } from '@aws-sdk/x'`). */
function sdkImportsOf(text: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/([a-z0-9-]+)'/g)) {
    for (const member of (match[1] ?? '').split(',')) {
      const name =
        member
          .trim()
          .split(/\s+as\s+/)[0]
          ?.trim() ?? '';
      if (name && !name.startsWith('type ')) names.set(name, match[2] as string);
    }
  }
  return names;
}

function actionFor(pkg: string, commandName: string): string {
  const prefix = IAM_PREFIX[pkg];
  if (!prefix) throw new UnknownSdkPackageError(`@aws-sdk/${pkg}: no IAM prefix known for its commands`);
  const operation = commandName.slice(0, -'Command'.length);
  const action = `${prefix}:${pkg === 'lib-dynamodb' ? (DOCUMENT_CLIENT_ACTIONS[operation] ?? operation) : operation}`;
  return RENAMED_ACTIONS[action] ?? action;
}

/**
 * Every AWS call the code reached from `entries` makes, by IAM action. `root` is the repository;
 * `exclude` drops project files (for example the local emulators, which never talk to AWS).
 */
export async function awsCallsOf(
  entries: readonly string[],
  root: string,
  { exclude, cut }: { exclude?: RegExp; cut?: RegExp } = {},
): Promise<CodeCall[]> {
  // `cut`: project modules left out of the bundle altogether, with everything only they reach.
  const cutModules: Plugin = {
    name: 'byok-cut-modules',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\./ }, (args) => {
        if (!cut) return undefined;
        const resolved = relative(root, resolve(args.resolveDir, args.path));
        return cut.test(resolved) ? { path: resolved, external: true } : undefined;
      });
    },
  };
  const result = await build({
    absWorkingDir: root,
    entryPoints: [...entries],
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(root, '.aws-calls-scan'),
    platform: 'node',
    format: 'esm',
    treeShaking: true,
    mainFields: ['module', 'main'],
    external: ['pkcs11js'],
    loader: { '.html': 'text', '.css': 'text', '.svg': 'text' },
    logLevel: 'silent',
    plugins: [cutModules],
  });
  const importsByFile = new Map<string, Map<string, string>>();
  const sources = new Map<string, string>();
  for (const file of Object.keys(result.metafile.inputs)) {
    if (file.includes('node_modules') || !/\.(ts|tsx|js|mjs|cjs)$/.test(file)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    sources.set(file, text);
    importsByFile.set(file, sdkImportsOf(text));
  }
  const calls = new Map<string, Set<string>>();
  const add = (action: string, file: string) => {
    if (!calls.has(action)) calls.set(action, new Set());
    calls.get(action)?.add(file);
  };
  // The paginate modules: each exported function -> the actions of the SDK paginators it calls.
  const paginated = new Map<string, Map<string, string[]>>();
  for (const [file, text] of sources) {
    if (!/^src\/core\/aws\/paginate-[a-z-]+\.ts$/.test(file)) continue;
    const imports = importsByFile.get(file) ?? new Map<string, string>();
    const functions = new Map<string, string[]>();
    for (const part of text.split(/^export async function /m).slice(1)) {
      const name = /^(\w+)/.exec(part)?.[1];
      const actions = [...part.matchAll(/\bpaginate([A-Z]\w*)\(/g)].flatMap((match) => {
        const pkg = imports.get(`paginate${match[1]}`);
        return pkg ? [actionFor(pkg, `${match[1]}Command`)] : [];
      });
      if (name) functions.set(name, actions);
    }
    paginated.set(file.slice(file.lastIndexOf('/') + 1), functions);
  }
  /** `function -> actions` for the paginate functions a source file imports. */
  const paginatedImportsOf = (text: string): Map<string, string[]> => {
    const found = new Map<string, string[]>();
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'[^']*\/(paginate-[a-z-]+\.ts)'/g)) {
      const functions = paginated.get(match[2] as string);
      for (const member of (match[1] ?? '').split(',')) {
        const actions = functions?.get(member.trim());
        if (actions) found.set(member.trim(), actions);
      }
    }
    return found;
  };
  for (const output of result.outputFiles) {
    if (!output.path.endsWith('.js')) continue;
    // esbuild opens each module's code with a `// <path>` line.
    for (const section of output.text.split(/^\/\/ (?=\S+\.(?:ts|tsx|js|mjs|cjs)$)/m)) {
      const file = section.slice(0, section.indexOf('\n')).trim();
      const imports = importsByFile.get(file);
      if (!imports || exclude?.test(file)) continue;
      // A call of a paginate function that survived tree shaking (esbuild may suffix its name).
      for (const [name, actions] of paginatedImportsOf(sources.get(file) ?? '')) {
        if (new RegExp(`\\b${name}\\d*\\(`).test(section)) for (const action of actions) add(action, file);
      }
      for (const match of section.matchAll(/new ([A-Za-z]+Command)\d*\(/g)) {
        const name = match[1] as string;
        const pkg = imports.get(name);
        if (pkg) add(actionFor(pkg, name), file);
      }
      if (
        /import\s*\{[^}]*\bSignatureV4\b[^}]*\}\s*from\s*'@smithy\/signature-v4'/.test(
          sources.get(file) ?? '',
        ) &&
        /service:\s*[^,}]*["']lambda["']/.test(section)
      ) {
        add('lambda:InvokeFunctionUrl', file);
      }
    }
  }
  return [...calls.entries()]
    .map(([action, files]) => ({ action, files: [...files].sort() }))
    .sort((a, b) => a.action.localeCompare(b.action));
}
