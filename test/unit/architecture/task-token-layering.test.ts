// The task-token machinery keeps the runner and the local stack apart: src/onprem/runner/tasks (product
// code) never reaches into src/local, and the local Step Functions API's task code depends on no
// runner code at all: it is handed the runner's TaskTokenService as a port.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..', '..');

/** Each relative import of the .ts files in `dir`, as a repository path. */
function importsOf(dir: string, files?: readonly string[]): Array<{ file: string; target: string }> {
  const absolute = join(repo, dir);
  const names = files ?? readdirSync(absolute).filter((name) => name.endsWith('.ts'));
  return names.flatMap((name) => {
    const file = join(absolute, name);
    return ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => ({
        file: relative(repo, file),
        target: relative(repo, resolve(dirname(file), specifier)),
      }));
  });
}

describe('layering of task tokens and activities', () => {
  it('src/onprem/runner/tasks imports nothing from src/local', () => {
    // Act
    const imports = importsOf('src/onprem/runner/tasks');
    const intoLocal = imports.filter(({ target }) => target.startsWith('src/local/'));

    // Assess
    expect(imports.length).toBeGreaterThan(0);
    expect(intoLocal).toEqual([]);
  });

  it("the local API's task and activity modules import no runner code", () => {
    // Act
    const imports = importsOf('src/local/stepfunctions', [
      'activities.ts',
      'task-answers.ts',
      'task-port.ts',
      'validation.ts',
    ]);

    // Assess
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter(({ target }) => target.startsWith('src/onprem/runner'))).toEqual([]);
  });
});
