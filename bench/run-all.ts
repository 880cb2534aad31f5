// Runs every benchmark in bench/, one child process each (a PKCS#11 module is loaded once per
// process, and a bench must not inherit another's warm caches), and prints their figures in turn.
// Run: npm run bench   (or name some: npm run bench -- import sweep reliability)
// bench/reliability.ts is the issue-13 campaign: faults survived, kill -9 recoveries, bad inputs
// refused by name, leak hits; compare its last line with the previous run's.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const tsxCli = join(benchDir, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts') && file !== 'run-all.ts')
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench: ${unknown.join(', ')} (available: ${available.join(', ')})\n`);
  process.exit(2);
}

const failed: string[] = [];
for (const name of requested.length > 0 ? requested : available) {
  process.stdout.write(`\n=== bench/${name}.ts ===\n`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [tsxCli, join(benchDir, `${name}.ts`)], {
    stdio: 'inherit',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  process.stdout.write(
    `=== ${name}: exit ${result.status ?? result.signal}, ${((Date.now() - started) / 1000).toFixed(1)} s ===\n`,
  );
  if (result.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  process.stderr.write(`failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
