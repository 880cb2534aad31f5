// What a user waits for when running `byok`: wall time of a fresh process for `node -e 0` (the
// floor), `byok --help`, and `byok import` of one key against the local stack (started here, with
// an NSS token, an HSM key and a managed EXTERNAL KMS key per run) beside the workflow's own time
// (the execution's stopDate - startDate from --json). Each is measured for the compiled CLI
// (bin/byok.js -> dist/cli, what users run) and, as the before figure, the TypeScript source run
// through tsx (what bin/byok.js did before scripts/build.mjs). Median of BENCH_RUNS (min).
// Targets: `byok --help` <= 2x `node -e 0`; import overhead over the workflow <= 300 ms.
// Run: npx tsx bench/cli.ts   (BENCH_RUNS=7 for more runs)
import { createManagedExternalKey } from '../test/helpers/managed-key.ts';
import '../src/core/polyfills.ts';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { ensureBuilt, repoRoot } from '../scripts/build.mjs';
import { initLocalToken } from '../src/core/hsm/local-token.ts';
import { openHsm } from '../src/core/hsm/pkcs11-adapter.ts';
import { startLocalStack } from '../src/local/stack.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? '5');
const run = promisify(execFile);

const compiled = [join(repoRoot, 'bin', 'byok.js')];
const throughTsx = [
  join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
  join(repoRoot, 'src', 'onprem', 'cli', 'main.ts'),
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const fmt = (values: number[]) =>
  `${median(values).toFixed(0).padStart(6)} ms (min ${Math.min(...values).toFixed(0)})`.padEnd(24);

/** Wall time of one child process (async: the local stack answers from this process meanwhile). */
async function timed(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, args, { cwd: repoRoot, env, maxBuffer: 16 * 1024 * 1024 });
  return { ms: performance.now() - started, stdout };
}

await ensureBuilt();
const byokHome = await mkdtemp(join(tmpdir(), 'byok-bench-cli-'));
const { config } = await initLocalToken({ byokHome, kind: 'nss' });
const hsm = await openHsm(config, { env: {} });
const stack = await startLocalStack({ port: 0 });
const kms = new KMSClient({
  endpoint: stack.url,
  region: stack.region,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const env = {
  ...process.env,
  BYOK_HOME: byokHome,
  BYOK_DEBUG: '',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  NODE_NO_WARNINGS: '1',
};

try {
  let keys = 0;

  const bare: number[] = [];
  const help = { compiled: [] as number[], tsx: [] as number[] };
  const imports = {
    compiled: { wall: [] as number[], workflow: [] as number[] },
    tsx: { wall: [] as number[], workflow: [] as number[] },
  };

  for (let index = 0; index < RUNS; index += 1) {
    bare.push((await timed(['-e', '0'], env)).ms);
    help.compiled.push((await timed([...compiled, '--help'], env)).ms);
    help.tsx.push((await timed([...throughTsx, '--help'], env)).ms);
    for (const [name, cli] of [
      ['compiled', compiled],
      ['tsx', throughTsx],
    ] as const) {
      // One HSM key per KMS key, bound to it: an HSM key goes into one KMS key only.
      keys += 1;
      const label = `bench-cli-aes-${keys}`;
      await hsm.createKey({ label, type: 'AES_256' });
      const keyId = await createManagedExternalKey(kms, {
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
        bind: [label],
      });
      const args = [
        ...cli,
        'import',
        '--endpoint',
        stack.url,
        '--key-id',
        keyId,
        '--hsm-key',
        label,
        '--json',
      ];
      const { ms, stdout } = await timed(args, env);
      const result = JSON.parse(stdout) as { status: string; startDate: string; stopDate: string };
      if (result.status !== 'SUCCEEDED') throw new Error(`byok import (${name}) ended ${result.status}`);
      imports[name].wall.push(ms);
      imports[name].workflow.push(Date.parse(result.stopDate) - Date.parse(result.startDate));
    }
  }

  const node = median(bare);
  const overhead = (which: 'compiled' | 'tsx') =>
    imports[which].wall.map((wall, index) => wall - (imports[which].workflow[index] ?? 0));
  console.log(`byok bench: CLI wall time, fresh process each, median of ${RUNS} (min)\n`);
  console.log(
    `  ${'command'.padEnd(34)}${'before (tsx)'.padEnd(24)}${'after (dist/cli)'.padEnd(24)}after/node`,
  );
  console.log(`  ${'node -e 0'.padEnd(34)}${fmt(bare)}${fmt(bare)}1.00x`);
  console.log(
    `  ${'byok --help'.padEnd(34)}${fmt(help.tsx)}${fmt(help.compiled)}${(median(help.compiled) / node).toFixed(2)}x   (target <= 2x; before ${(median(help.tsx) / node).toFixed(2)}x)`,
  );
  console.log(
    `  ${'byok import (one AES key)'.padEnd(34)}${fmt(imports.tsx.wall)}${fmt(imports.compiled.wall)}`,
  );
  console.log(
    `    ${'workflow (stopDate - startDate)'.padEnd(32)}${fmt(imports.tsx.workflow)}${fmt(imports.compiled.workflow)}`,
  );
  console.log(
    `    ${'overhead over the workflow'.padEnd(32)}${fmt(overhead('tsx'))}${fmt(overhead('compiled'))}(target <= 300 ms)`,
  );
  const overheadAfter = median(overhead('compiled'));
  const helpRatio = median(help.compiled) / node;
  console.log(
    `\n  --help ${helpRatio <= 2 ? 'meets' : 'misses'} its target; import overhead ${overheadAfter <= 300 ? 'meets' : 'misses'} its target.`,
  );
} finally {
  kms.destroy();
  await stack.stop();
  await hsm.close();
  await rm(byokHome, { recursive: true, force: true });
}
