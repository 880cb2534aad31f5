// The repository's Markdown docs (README.md and docs/*.md), for the tests that keep them honest.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export const DOC_FILES = [
  'README.md',
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

export function readDoc(file: string): string {
  return readFileSync(join(REPO_ROOT, file), 'utf8');
}
