// The layout's dependency rules, in one place (docs/design.md, "Layout"). `npm run deps` prints what
// breaks them; test/unit/architecture/dependency-rules.test.ts runs the same rules over the tree and
// shows each one failing on a small fixture.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'An import cycle (type-only and dynamic imports included) makes load order matter.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lambda-side-stays-off-premises-code',
      comment:
        'What ships to Lambda (functions/, src/lambda, src/core) never reaches the CLI, worker, console, runner or the emulators.',
      severity: 'error',
      from: { path: '^(functions|src/lambda|src/core)/' },
      to: { path: '^src/(onprem|local)/' },
    },
    {
      name: 'emulators-only-neutral-imports',
      comment:
        'src/local stands in for AWS: outside itself it imports only the neutral src/core/clock.ts and src/core/shared/.',
      severity: 'error',
      from: { path: '^src/local/' },
      to: {
        path: '^(src|functions|scripts)/',
        pathNot: '^(src/local/|src/core/clock[.]ts$|src/core/shared/)',
      },
    },
    {
      name: 'emulators-never-reach-product-rules',
      comment:
        'The local KMS and EventBridge are an independent reading of AWS: nothing they reach, however indirectly, is the product.',
      severity: 'error',
      from: { path: '^src/local/' },
      to: {
        path: '^(src/core/(import|hsm|sweep|aws|steps|rotation|approvals)|src/onprem|functions)/',
        reachable: true,
      },
    },
    {
      name: 'runner-talks-to-emulators-over-http-only',
      comment:
        'The runner is product code (byok import runs it against AWS): emulators reach it through ports.',
      severity: 'error',
      from: { path: '^src/onprem/runner/' },
      to: { path: '^src/local/' },
    },
    {
      name: 'src-never-imports-functions',
      comment: 'The Lambda entry points build on src/, not the reverse.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^functions/' },
    },
    {
      name: 'src-never-imports-scripts',
      comment:
        'scripts/ are build and setup steps; a runtime install (npm ci --omit=dev) may lack what they need.',
      severity: 'error',
      from: { path: '^(src|functions)/' },
      to: { path: '^scripts/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
    skipAnalysisNotInRules: true,
  },
};
