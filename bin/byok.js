#!/usr/bin/env node
// Runs the compiled CLI (dist/cli/, built by scripts/build.mjs during setup and `npm ci`), so a run
// starts without compiling TypeScript. A clone that was not set up gets one line saying how.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('byok is not built: run `npm run setup` (or `node scripts/build.mjs`) first\n');
  process.exit(1);
}
await import(main.href);
