// The wrap step in its two placements, measured in the same run over the same NSS token and local
// stack: 'lambda' runs the WrapKeyMaterial step function in-process (what the Lambda does), and
// 'activity' puts the same wrap tasks on the wrap activity for one `byok worker` process, which
// long-polls the local Step Functions API over HTTP, asks KMS for its own wrapping key, wraps,
// heartbeats and answers. Figures: wrap tasks per second, one at a time.
// Run: npx tsx bench/worker.ts   (BENCH_TASKS=40 by default)
import '../src/core/polyfills.ts';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { initLocalToken } from '../src/core/hsm/local-token.ts';
import { finalizeIdleModules, openHsm } from '../src/core/hsm/pkcs11-adapter.ts';
import type { WrapKeyMaterialInput } from '../src/core/import/contracts.ts';
import { getParametersForImport } from '../src/core/import/get-parameters-for-import.ts';
import { silentLogger } from '../src/core/step-kernel/logger.ts';
import { wrapKeyMaterialStep } from '../src/core/steps/wrap-key-material.ts';
import { startLocalStack } from '../src/local/stack.ts';
import { localActivityArn } from '../src/onprem/runner/hsm-placement.ts';
import { createLocalDeps } from '../src/onprem/runner/local-deps.ts';
import { createTaskTokenServiceOn } from '../src/onprem/runner/tasks/service.ts';
import { attachLocalStepFunctionsWithLocalToken } from '../src/onprem/simulation/step-functions.ts';
import { createManagedExternalKey } from '../test/helpers/managed-key.ts';

const TASKS = Number(process.env.BENCH_TASKS ?? '40');
const LABEL = 'bench-worker-aes';
const byok = join(import.meta.dirname, '..', 'bin', 'byok.js');

const byokHome = await mkdtemp(join(tmpdir(), 'byok-bench-worker-'));
const { config } = await initLocalToken({ byokHome, kind: 'nss' });
const hsm = await openHsm(config, { env: {} });
await hsm.createKey({ label: LABEL, type: 'AES_256' });
const stack = await startLocalStack({ port: 0 });
const tasks = createTaskTokenServiceOn(stack.clock);
const api = attachLocalStepFunctionsWithLocalToken(stack, { tasks, hsmPlacement: 'activity' });
const deps = await createLocalDeps({
  endpoint: stack.url,
  region: stack.region,
  accountId: stack.accountId,
  clock: stack.clock,
  hsm,
  logLevel: 'SILENT',
});

try {
  const keyId = await createManagedExternalKey(deps.kms, { hsmKeyLabel: LABEL });
  const keyArn = (await deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn as string;
  // Step 1's decision, taken once: every task wraps the same HSM key for the same KMS key.
  const importParameters = await getParametersForImport(
    { request: { keyId: keyArn, wrappingKeySpec: 'RSA_2048' }, importTokenAttempt: 1 },
    { kms: deps.kms, clock: deps.clock, logger: silentLogger, hsm, bindings: deps.bindings },
  );
  const input: WrapKeyMaterialInput = {
    importParameters,
    executionId: `arn:aws:states:${stack.region}:${stack.accountId}:execution:bench:wrap`,
  };

  // Lambda placement: the step function in-process, as the Lambda runs it.
  const handler = wrapKeyMaterialStep.createHandler({ hsm, logger: deps.logger });
  const context = { awsRequestId: 'bench' } as Parameters<typeof handler>[1];
  await handler(structuredClone(input), context);
  let started = performance.now();
  for (let index = 0; index < TASKS; index += 1) await handler(structuredClone(input), context);
  const lambdaSeconds = (performance.now() - started) / 1000;
  await hsm.close();
  finalizeIdleModules();

  // Activity placement: the same tasks through one worker process over the local API.
  const worker = spawn(
    process.execPath,
    [byok, 'worker', '--endpoint', stack.url, '--bind', `${LABEL}=${keyArn}`],
    { env: { ...process.env, BYOK_HOME: byokHome }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('byok worker polling')) resolve();
    });
    worker.once('exit', (code) => reject(new Error(`byok worker exited ${code}: ${stderr}`)));
  });
  const activityArn = localActivityArn('wrap-key-material', stack.region, stack.accountId);
  const runTask = (index: number) =>
    tasks.startActivityTask({
      executionArn: `arn:aws:states:${stack.region}:${stack.accountId}:execution:bench:${index}`,
      stateName: 'WrapKeyMaterial',
      activityArn,
      heartbeatSeconds: 30,
      input: input as unknown as Parameters<typeof tasks.startActivityTask>[0]['input'],
    }).outcome;
  await runTask(-1);
  started = performance.now();
  for (let index = 0; index < TASKS; index += 1) await runTask(index);
  const activitySeconds = (performance.now() - started) / 1000;
  worker.kill('SIGTERM');
  worker.kill('SIGINT');
  await new Promise((resolve) => worker.once('exit', resolve));

  const rows = [
    ['lambda (step in-process)', lambdaSeconds],
    ['activity (byok worker, HTTP)', activitySeconds],
  ] as const;
  process.stdout.write(`wrap tasks, one at a time, ${TASKS} each (AES-256 under RSA_2048, NSS token)\n`);
  for (const [name, seconds] of rows) {
    process.stdout.write(
      `  ${name.padEnd(30)} ${(TASKS / seconds).toFixed(1).padStart(6)} tasks/s  (${((seconds * 1000) / TASKS).toFixed(0)} ms each)\n`,
    );
  }
  process.stdout.write(
    `  the worker adds its own GetParametersForImport, the long poll and the answer: ${(lambdaSeconds / activitySeconds).toFixed(2)}x the in-process rate\n`,
  );
} finally {
  await deps.close();
  await api.close();
  tasks.close();
  await stack.stop();
  await rm(byokHome, { recursive: true, force: true });
}
