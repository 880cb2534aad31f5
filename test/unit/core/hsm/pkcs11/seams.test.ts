// The PKCS#11 adapter is split so that a reviewer of the wrap path reads only the wrap module and
// the session, module and template pieces it needs (docs/hsm.md, "Code map"). This follows every
// relative import from each piece, transitively, and fails when a seam is crossed: the wrap path
// reaching the CLI-only key administration (or the CLI, the import rules, the emulators), or the
// shared pieces reaching either side.
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..', '..', '..', '..');
const pkcs11Dir = 'src/core/hsm/pkcs11';

/** Every repository file `start` reaches through relative imports (itself included). */
function reachable(start: string): string[] {
  const seen = new Set<string>();
  const queue = [resolve(repo, start)];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), imported.fileName);
      if (statSync(target, { throwIfNoEntry: false })?.isFile()) queue.push(target);
    }
  }
  return [...seen].map((file) => relative(repo, file)).sort();
}

describe('the seams of the PKCS#11 adapter', () => {
  it('keeps the wrap path apart from key administration, the import rules, the CLI and the emulators', () => {
    // Act
    const files = reachable(`${pkcs11Dir}/wrap.ts`);

    // Assess
    expect(files).toContain(`${pkcs11Dir}/session.ts`);
    expect(files).not.toContain(`${pkcs11Dir}/key-admin.ts`);
    expect(files).not.toContain('src/core/hsm/pkcs11-adapter.ts');
    const elsewhere = ['src/core/import/', 'src/onprem/cli/', 'src/local/', 'src/core/sweep/', 'functions/'];
    expect(files.filter((file) => elsewhere.some((dir) => file.startsWith(dir)))).toEqual([]);
  });

  it.each(['module.ts', 'session.ts', 'templates.ts', 'encoding.ts'])(
    'lets the shared piece %s reach neither the wrap path nor key administration',
    (piece) => {
      // Act
      const files = reachable(`${pkcs11Dir}/${piece}`);

      // Assess
      expect(files).not.toContain(`${pkcs11Dir}/wrap.ts`);
      expect(files).not.toContain(`${pkcs11Dir}/key-admin.ts`);
    },
  );
});
