// `byok --help` and option errors must answer without loading the AWS SDK, pkcs11js, the local
// stack or the zod schemas: each commands/<command>/register.ts declares options only (parsed by
// its options.ts) and imports its action.ts inside the action. These tests follow every static
// import from main.ts, transitively, and keep what start-up loads that cheap.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImportExecutionInputSchema } from '../../../../src/core/import/contracts.ts';
import { MAX_VALID_FOR_DAYS } from '../../../../src/core/import/validity-limits.ts';
import { parseValidFor } from '../../../../src/onprem/cli/commands/import/options.ts';

const REPO = resolve(import.meta.dirname, '../../../..');
const CLI_DIR = join(REPO, 'src/onprem/cli');
const COMMANDS_DIR = join(CLI_DIR, 'commands');
/** The packages start-up may load: commander and Node's own modules. */
const CHEAP_PACKAGE = /^(commander|node:.+)$/;

/** The static value imports of a module (`import type` and `await import(...)` load nothing at start). */
function staticValueImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
    if (!match[1] && match[2]) found.push(match[2]);
  }
  return found;
}

/** Every module and package that loading `entry` loads, following static value imports. */
function loadedAtStartup(entry: string): { modules: string[]; packages: string[] } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (modules.has(file)) continue;
    modules.add(file);
    for (const specifier of staticValueImports(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
      else packages.add(`${relative(REPO, file)}: ${specifier}`);
    }
  }
  return { modules: [...modules].map((file) => relative(REPO, file)), packages: [...packages] };
}

const commandFolders = readdirSync(COMMANDS_DIR).filter((entry) =>
  statSync(join(COMMANDS_DIR, entry)).isDirectory(),
);

describe('command registration', () => {
  it('loads from main.ts only commander, node: modules and dependency-free modules, never an action', () => {
    // Act
    const { modules, packages } = loadedAtStartup(join(CLI_DIR, 'main.ts'));

    // Assess
    expect(commandFolders).toHaveLength(16);
    for (const command of commandFolders) {
      expect(modules).toContain(`src/onprem/cli/commands/${command}/register.ts`);
    }
    expect(modules.filter((module) => module.endsWith('/action.ts'))).toEqual([]);
    expect(packages.filter((entry) => !CHEAP_PACKAGE.test(entry.split(': ')[1] ?? ''))).toEqual([]);
  });

  it('has register.ts and action.ts in every command folder, the action imported only inside an action', () => {
    // Act
    const lazilyImported = commandFolders.map((command) => {
      const register = readFileSync(join(COMMANDS_DIR, command, 'register.ts'), 'utf8');
      return {
        command,
        hasAction: statSync(join(COMMANDS_DIR, command, 'action.ts'), { throwIfNoEntry: false })?.isFile(),
        lazy: register.includes("await import('./action.ts')"),
        static: staticValueImports(register).includes('./action.ts'),
      };
    });

    // Assess
    expect(lazilyImported).toEqual(
      commandFolders.map((command) => ({ command, hasAction: true, lazy: true, static: false })),
    );
  });

  it('reports a package that a declaring module loads at start-up', () => {
    // Prepare
    const source = "import { z } from 'zod';\nimport type { Command } from 'commander';\n";

    // Act
    const imports = staticValueImports(source);

    // Assess
    expect(imports).toEqual(['zod']);
  });

  it('bounds --valid-for by the same limit as the execution input schema', () => {
    // Prepare
    const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';

    // Act
    const atLimit = parseValidFor(`${MAX_VALID_FOR_DAYS}d`);
    const beyond = () => parseValidFor(String(MAX_VALID_FOR_DAYS + 1));
    const schemaAtLimit = ImportExecutionInputSchema.safeParse({ keyId, validForDays: MAX_VALID_FOR_DAYS });
    const schemaBeyond = ImportExecutionInputSchema.safeParse({
      keyId,
      validForDays: MAX_VALID_FOR_DAYS + 1,
    });

    // Assess
    expect(atLimit).toBe(MAX_VALID_FOR_DAYS);
    expect(beyond).toThrow(`1..${MAX_VALID_FOR_DAYS}`);
    expect(schemaAtLimit.success).toBe(true);
    expect(schemaBeyond.success).toBe(false);
  });
});
