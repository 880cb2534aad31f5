// `byok --help` and option errors must answer without loading the AWS SDK, pkcs11js, the local
// stack or the zod schemas: each commands/<group>.ts declares options only and imports its
// <group>-action.ts inside the action. These tests keep the declaring modules that cheap.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_VALID_FOR_DAYS as CLI_MAX_VALID_FOR_DAYS } from '../../../src/cli/commands/import.ts';
import { MAX_VALID_FOR_DAYS } from '../../../src/import/contracts.ts';

const COMMANDS_DIR = join(import.meta.dirname, '../../../src/cli/commands');
/** What a declaring module (and main.ts) may load at start-up: commander and dependency-free modules. */
const CHEAP_IMPORTS = new Set([
  'commander',
  'node:path',
  '../options.ts',
  '../../hsm/port.ts',
  '../../local/clock.ts',
]);

/** The value (not `import type`) imports of a module. */
function valueImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
    if (!match[1] && match[2]) found.push(match[2]);
  }
  return found;
}

describe('command registration', () => {
  it('loads only cheap modules in every commands/<group>.ts and in main.ts', async () => {
    // Prepare
    const files = (await readdir(COMMANDS_DIR)).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('-action.ts'),
    );
    const sources = await Promise.all([
      ...files.map(async (file) => ({ file, source: await readFile(join(COMMANDS_DIR, file), 'utf8') })),
      { file: 'main.ts', source: await readFile(join(COMMANDS_DIR, '../main.ts'), 'utf8') },
    ]);

    // Act
    const expensive = sources.flatMap(({ file, source }) =>
      valueImports(source)
        .filter((specifier) => !CHEAP_IMPORTS.has(specifier))
        // Sibling modules are checked themselves (report-error.ts imports nothing); actions are not.
        .filter(
          (specifier) =>
            !/^\.\/(commands\/)?([a-z-]+\/register|[a-z-]+)\.ts$/.test(specifier) ||
            specifier.endsWith('-action.ts'),
        )
        .map((specifier) => `${file}: ${specifier}`),
    );

    // Assess
    expect(files).toHaveLength(7);
    expect(expensive).toEqual([]);
  });

  it('imports each <group>-action.ts only inside an action', async () => {
    // Prepare
    const files = (await readdir(COMMANDS_DIR)).filter((file) => file.endsWith('-action.ts'));

    // Act
    const lazilyImported = await Promise.all(
      files.map(async (file) => {
        const group = file.replace('-action.ts', '');
        const source = await readFile(join(COMMANDS_DIR, `${group}.ts`), 'utf8');
        return source.includes(`await import('./${file}')`);
      }),
    );

    // Assess
    expect(files.length).toBeGreaterThanOrEqual(7);
    expect(lazilyImported.every(Boolean)).toBe(true);
  });

  it('checks --valid-for against the same bound as the execution input schema', () => {
    // Assess
    expect(CLI_MAX_VALID_FOR_DAYS).toBe(MAX_VALID_FOR_DAYS);
  });
});
