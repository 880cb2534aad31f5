import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Two projects with the pool each kind of test needs:
// - unit: pure modules (mocked SDK clients, no token, no child process of its own), on worker
//   threads, which start far faster than processes;
// - integration (and conformance, deploy): real PKCS#11 tokens (one module instance per process),
//   real local endpoints and child processes, so every file runs in its own forked process.
const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  setupFiles: ['./src/core/polyfills.ts'],
  // Node 20 is what this machine has; the SDK's notice that it will need Node 22 from 2027 is
  // known (Lambda runs nodejs22.x) and would otherwise repeat in every test process.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
};

export default defineConfig({
  test: {
    // bin/byok.js runs the compiled CLI: rebuild it first when a source changed.
    globalSetup: ['./test/helpers/build-cli.ts'],
    // Vitest's default (one worker fewer than the CPUs) is a single worker on CI's 2 cores, which
    // left one core idle while integration tests wait on their local stacks and browsers: two
    // workers measured 830 s → 542 s for the whole run on 2 cores (README, Development).
    maxWorkers: Math.max(2, availableParallelism()),
    reporters: ['default'],
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'threads' } },
      {
        test: {
          ...shared,
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/conformance/**/*.test.ts',
            'test/deploy/**/*.test.ts',
          ],
          pool: 'forks',
        },
      },
    ],
  },
});
