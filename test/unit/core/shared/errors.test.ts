// One error root: every error class byok exports (a function named …Error in src/ or functions/)
// extends ByokError, so a caller can tell byok's named errors from anything else with one
// instanceof, and each carries hint and details the same way. The hint table answers by name.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ByokError } from '../../../../src/core/shared/errors.ts';
import { hintForName } from '../../../../src/core/shared/hints.ts';

const repo = resolve(import.meta.dirname, '..', '..', '..', '..');
/** AWS's own errors as the emulators speak them on the wire, and the browser app's fetch error. */
const NOT_BYOK_ERRORS = new Set(['AwsServiceError', 'S3Error', 'ApiRequestError']);

function modulesExportingErrors(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'ui' ? [] : modulesExportingErrors(path);
    if (!/\.ts$/.test(entry) || entry.endsWith('.d.ts')) return [];
    return /export class \w+Error\b/.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

describe('ByokError, the root of every named error', () => {
  it('is the base of every exported …Error class in src/ and functions/', async () => {
    // Prepare
    const modules = [
      ...modulesExportingErrors(join(repo, 'src')),
      ...modulesExportingErrors(join(repo, 'functions')),
    ];
    const classes: Array<{ where: string; name: string; extendsRoot: boolean }> = [];

    // Act
    for (const module of modules) {
      const exported = (await import(pathToFileURL(module).href)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exported)) {
        if (!name.endsWith('Error') || typeof value !== 'function' || NOT_BYOK_ERRORS.has(name)) continue;
        classes.push({
          where: relative(repo, module),
          name,
          extendsRoot: value === ByokError || value.prototype instanceof ByokError,
        });
      }
    }

    // Assess
    expect(classes.length).toBeGreaterThan(100);
    expect(classes.filter((c) => !c.extendsRoot).map((c) => `${c.where}: ${c.name}`)).toEqual([]);
  });

  it('carries its hint, details and cause', () => {
    // Act
    const cause = new Error('socket hang up');
    const error = new ByokError('the stack did not answer', {
      hint: 'start it',
      details: ['tried twice'],
      cause,
    });

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.hint).toBe('start it');
    expect(error.details).toEqual(['tried twice']);
    expect(error.cause).toBe(cause);
  });

  it('has one hint table, by error name, for errors that arrive only as a name', () => {
    // Assess
    expect(hintForName('HsmKeyNotFoundError')).toContain('byok hsm list');
    expect(hintForName('toString')).toBeUndefined();
    expect(hintForName(undefined)).toBeUndefined();
  });
});
