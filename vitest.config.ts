import { defineConfig } from 'vitest/config';

// Tests talk to real PKCS#11 tokens (one module instance per process) and real local
// endpoints, so every file runs in its own forked process.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // bin/byok.js runs the compiled CLI: rebuild it first when a source changed.
    globalSetup: ['./test/helpers/build-cli.ts'],
    setupFiles: ['./src/core/polyfills.ts'],
    reporters: ['default'],
    // Node 20 is what this machine has; the SDK's notice that it will need Node 22 from 2027 is
    // known (Lambda runs nodejs22.x) and would otherwise repeat in every test process.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
