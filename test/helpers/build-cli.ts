// Vitest global setup: the tests run the `byok` command as users do (bin/byok.js runs dist/cli/),
// so the compiled CLI (and the console assets) is rebuilt first whenever a source changed since the last build. A test
// therefore never runs a stale build.

import { ensureBuilt } from '../../scripts/build.mjs';
import { ensureConsoleAssets } from '../../scripts/build-console.mjs';

export default async function setup(): Promise<void> {
  await ensureBuilt();
  // The console's assets too, once, rather than by each console test file in parallel.
  await ensureConsoleAssets();
}
