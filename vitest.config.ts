import { defineConfig } from 'vitest/config';

// Tests talk to real PKCS#11 tokens (one module instance per process) and real local
// endpoints, so every file runs in its own forked process.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['./src/polyfills.ts'],
    reporters: ['default'],
  },
});
