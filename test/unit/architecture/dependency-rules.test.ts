// The layout's dependency rules (.dependency-cruiser.cjs, the one configuration) hold on the tree,
// and each rule reports a fixture that breaks it, naming the rule and the modules: a rule that
// could not fail would prove nothing.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const config = createRequire(import.meta.url)(join(repo, '.dependency-cruiser.cjs')) as IConfiguration;
const RULE_NAMES = (config.forbidden ?? []).map((rule) => rule.name as string);

/** `rule: from -> to` for every violation of a cruise over `dirs` of `baseDir`. */
async function violationsIn(baseDir: string, dirs: string[]): Promise<string[]> {
  const { output } = await cruise(
    dirs.filter((dir) => existsSync(join(baseDir, dir))),
    {
      ruleSet: { forbidden: config.forbidden ?? [] },
      validate: true,
      baseDir,
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
      exclude: { path: '^(node_modules|dist)/' },
      skipAnalysisNotInRules: true,
    },
  );
  const result = output as ICruiseResult;
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

/** A throwaway tree of `files` (path → source). */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'byok-deps-'));
  fixtures.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
const fixtures: string[] = [];

describe('the layout dependency rules', () => {
  afterAll(() => {
    for (const dir of fixtures) rmSync(dir, { recursive: true, force: true });
  });

  it('holds on src/ and functions/', async () => {
    // Act
    const violations = await violationsIn(repo, ['src', 'functions']);

    // Assess
    expect(RULE_NAMES.length).toBe(7);
    expect(violations).toEqual([]);
  });

  it.each<{ rule: string; files: Record<string, string>; expected: string[] }>([
    {
      rule: 'no-cycle',
      // one cycle through a static, a type-only and a dynamic import
      files: {
        'src/core/shared/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
        'src/core/shared/b.ts': "import type { C } from './c.ts';\nexport const b: C = 1;\n",
        'src/core/shared/c.ts': "export type C = number;\nexport const load = () => import('./a.ts');\n",
      },
      expected: ['no-cycle: src/core/shared/a.ts -> src/core/shared/b.ts'],
    },
    {
      rule: 'lambda-side-stays-off-premises-code',
      files: {
        'functions/step.ts': "import { x } from '../src/local/kms/spec.ts';\nexport const h = x;\n",
        'src/local/kms/spec.ts': 'export const x = 1;\n',
        'src/core/import/rules.ts':
          "import { hint } from '../../onprem/cli/hints.ts';\nexport const r = hint;\n",
        'src/onprem/cli/hints.ts': "export const hint = 'byok';\n",
      },
      expected: [
        'lambda-side-stays-off-premises-code: functions/step.ts -> src/local/kms/spec.ts',
        'lambda-side-stays-off-premises-code: src/core/import/rules.ts -> src/onprem/cli/hints.ts',
      ],
    },
    {
      rule: 'emulators-only-neutral-imports',
      files: {
        'src/local/kms/service.ts':
          "import { now } from '../../core/clock.ts';\nimport { t } from '../../core/import/tags.ts';\nexport const s = [now, t];\n",
        'src/core/clock.ts': 'export const now = () => new Date();\n',
        'src/core/import/tags.ts': "export const t = 'byok:managed';\n",
      },
      expected: [
        'emulators-never-reach-product-rules: src/local/kms/service.ts -> src/core/import/tags.ts',
        'emulators-only-neutral-imports: src/local/kms/service.ts -> src/core/import/tags.ts',
      ],
    },
    {
      rule: 'emulators-never-reach-product-rules',
      files: {
        // allowed by the direct rule (src/core/shared is neutral), but it reaches the product
        'src/local/events/bus.ts': "import { tag } from '../../core/shared/tag.ts';\nexport const b = tag;\n",
        'src/core/shared/tag.ts': "import { t } from '../import/tags.ts';\nexport const tag = t;\n",
        'src/core/import/tags.ts': "export const t = 'byok:managed';\n",
      },
      expected: ['emulators-never-reach-product-rules: src/local/events/bus.ts -> src/core/import/tags.ts'],
    },
    {
      rule: 'runner-talks-to-emulators-over-http-only',
      files: {
        'src/onprem/runner/run.ts':
          "import { s } from '../../local/stepfunctions/service.ts';\nexport const r = s;\n",
        'src/local/stepfunctions/service.ts': 'export const s = 1;\n',
      },
      expected: [
        'runner-talks-to-emulators-over-http-only: src/onprem/runner/run.ts -> src/local/stepfunctions/service.ts',
      ],
    },
    {
      rule: 'src-never-imports-functions',
      files: {
        'src/onprem/runner/run.ts':
          "import { handler } from '../../../functions/wrap.ts';\nexport const r = handler;\n",
        'functions/wrap.ts': 'export const handler = () => 1;\n',
      },
      expected: ['src-never-imports-functions: src/onprem/runner/run.ts -> functions/wrap.ts'],
    },
    {
      rule: 'src-never-imports-scripts',
      files: {
        'src/onprem/console/server.ts':
          "import { build } from '../../../scripts/build.mjs';\nexport const s = build;\n",
        'scripts/build.mjs': 'export const build = () => 1;\n',
      },
      expected: ['src-never-imports-scripts: src/onprem/console/server.ts -> scripts/build.mjs'],
    },
  ])('$rule: reports a fixture that breaks it', async ({ files, expected }) => {
    // Prepare
    const root = fixture(files);

    // Act
    const violations = await violationsIn(root, ['src', 'functions']);

    // Assess
    expect(violations).toEqual(expected);
  });
});
