// Docs that cannot drift silently (issue 21 item 6): README's package list is the setup list, and
// each figure a bench produced says which bench (a `<!-- bench: bench/<name>.ts -->` marker naming a
// bench that exists). The commands the docs show: docs-commands.test.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withPackageList } from '../../../scripts/setup.mjs';
import { DOC_FILES, REPO_ROOT, readDoc } from '../../helpers/docs.ts';

describe('docs that cannot drift', () => {
  it("README's system package list is SYSTEM_PACKAGES (regenerate: node scripts/setup.mjs --readme)", () => {
    // Prepare
    const readme = readDoc('README.md');

    // Act / Assess
    expect(readme).toBe(withPackageList(readme));
  });

  it('every bench marker names a bench that exists, and figures next to a bench name carry its marker', () => {
    // Prepare
    const problems: string[] = [];
    let markers = 0;
    const figure = /\b\d[\d,.]*\s?(ms|s|KiB|MiB|%|\/s|tasks\/s|imports\/s)(?![A-Za-z])/;

    // Act
    for (const file of DOC_FILES) {
      for (const section of readDoc(file).split(/^(?=#{1,6} )/m)) {
        const marked = new Set<string>();
        for (const match of section.matchAll(/<!-- bench: (\S+) -->/g)) {
          markers += 1;
          marked.add(match[1] as string);
          if (!existsSync(join(REPO_ROOT, match[1] as string)))
            problems.push(`${file}: marker names ${match[1]}, no such file`);
        }
        const heading = section.split('\n')[0] ?? '';
        // A paragraph, or one item of a list.
        for (const paragraph of section.split(/\n\s*\n|\n(?=\s*[-*] )/)) {
          if (!figure.test(paragraph.replace(/<!--[\s\S]*?-->/g, ''))) continue;
          for (const match of `${heading}\n${paragraph}`.matchAll(/\bbench\/[a-z-]+\.ts\b/g)) {
            const bench = match[0];
            if (existsSync(join(REPO_ROOT, bench)) && !marked.has(bench))
              problems.push(`${file}: figures near ${bench} without <!-- bench: ${bench} -->`);
          }
        }
      }
    }

    // Assess
    expect([...new Set(problems)]).toEqual([]);
    expect(markers).toBeGreaterThan(0);
  });
});
