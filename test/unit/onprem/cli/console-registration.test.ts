// `byok console` is declared in the one-folder-per-command shape (commands/console/register.ts,
// options.ts, action.ts): registration loads commander and option parsers only, and the action
// (hono, the AWS SDK, esbuild) is imported inside the command's action.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FOLDER = join(import.meta.dirname, '../../../../src/onprem/cli/commands/console');
const CHEAP = new Set(['commander', '../../options.ts', '../../aws-options.ts', './options.ts']);

function valueImports(source: string): string[] {
  return [...source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)]
    .filter((match) => !match[1])
    .map((match) => match[2] ?? '');
}

describe('byok console registration', () => {
  it('loads only cheap modules in register.ts and options.ts, and action.ts only inside the action', async () => {
    // Prepare
    const register = await readFile(join(FOLDER, 'register.ts'), 'utf8');
    const options = await readFile(join(FOLDER, 'options.ts'), 'utf8');

    // Act
    const expensive = [...valueImports(register), ...valueImports(options)].filter(
      (specifier) => !CHEAP.has(specifier),
    );

    // Assess
    expect(expensive).toEqual([]);
    expect(register).toContain("await import('./action.ts')");
  });
});
