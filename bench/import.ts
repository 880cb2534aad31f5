// The import workflow, run locally: wall time per state for one import of each key family, the
// state transitions one import costs (what a Standard workflow is billed on), and imports per
// second for 100 keys in a row, against a baseline measured in the same run: the same four steps
// called directly (same cores, clients, endpoint and token; no interpreter, no Lambda-style JSON
// boundary, no events), which is what the state machine adds on top.
// Run: npx tsx bench/import.ts   (BENCH_KEYS=100 by default)
import { createManagedExternalKey } from '../test/helpers/managed-key.ts';
import '../src/core/polyfills.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { KeySpec, KeyUsageType } from '@aws-sdk/client-kms';
import { initLocalToken } from '../src/core/hsm/local-token.ts';
import { finalizeIdleModules, openHsm } from '../src/core/hsm/pkcs11-adapter.ts';
import type { HsmKeyType } from '../src/core/hsm/port.ts';
import { getParametersForImport } from '../src/core/import/get-parameters-for-import.ts';
import { importKeyMaterial } from '../src/core/import/import-key-material.ts';
import { verifyImport } from '../src/core/import/verify-import.ts';
import { wrapKeyMaterial } from '../src/core/import/wrap-key-material.ts';
import { silentLogger } from '../src/core/step-kernel/logger.ts';
import { startLocalStack } from '../src/local/stack.ts';
import { createLocalDeps } from '../src/onprem/runner/local-deps.ts';
import { type ExecutionResult, runExecution } from '../src/onprem/runner/run-execution.ts';

const KEYS = Number(process.env.BENCH_KEYS ?? '100');

const FAMILIES: Array<{ label: string; type: HsmKeyType; keySpec: KeySpec; keyUsage: KeyUsageType }> = [
  { label: 'bench-aes', type: 'AES_256', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
  { label: 'bench-hmac', type: 'HMAC_256', keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' },
  { label: 'bench-rsa', type: 'RSA_2048', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' },
  { label: 'bench-ecc', type: 'ECC_NIST_P256', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' },
];

const byokHome = await mkdtemp(join(tmpdir(), 'byok-bench-import-'));
const { config } = await initLocalToken({ byokHome, kind: 'nss' });
const hsm = await openHsm(config, { env: {} });
const stack = await startLocalStack({ port: 0 });
const deps = await createLocalDeps({
  endpoint: stack.url,
  region: stack.region,
  accountId: stack.accountId,
  clock: stack.clock,
  hsm,
  logLevel: 'SILENT',
});

let created = 0;
/** A KMS key and its own HSM key, bound to each other (one HSM key goes into one KMS key). */
async function createKey(family: (typeof FAMILIES)[number]): Promise<{ keyId: string; label: string }> {
  created += 1;
  const label = `${family.label}-${created}`;
  await hsm.createKey({ label, type: family.type });
  const keyId = await createManagedExternalKey(deps.kms, {
    keySpec: family.keySpec,
    keyUsage: family.keyUsage,
    bind: [label],
  });
  return { keyId, label };
}

function stateTimes(result: ExecutionResult): Array<[string, number]> {
  const entered = new Map<string, number>();
  const times: Array<[string, number]> = [];
  for (const event of result.events) {
    const name = (event as unknown as { state?: { name: string } }).state?.name;
    if (!name) continue;
    if (event.type === 'StateEntered') entered.set(name, event.timestamp);
    if (event.type === 'StateExited')
      times.push([name, event.timestamp - (entered.get(name) ?? event.timestamp)]);
  }
  return times;
}

const transitions = (result: ExecutionResult) =>
  result.events.filter((event) => event.type === 'StateEntered').length;

try {
  // Warm-up: module loading and the one-time definition validation are not per-import costs.
  const warmUp = await createKey(FAMILIES[0] as (typeof FAMILIES)[number]);
  await runExecution({
    stateMachine: 'import-key-material',
    input: { keyId: warmUp.keyId, hsmKeyLabel: warmUp.label },
    deps,
  });

  console.log(
    'byok bench: import workflow on the local stack (NSS token, in-process KMS endpoint over HTTP)\n',
  );
  console.log('One import per family: wall time per state (ms)');
  const names = [
    'GetParametersForImport',
    'WrapKeyMaterial',
    'ImportKeyMaterial',
    'VerifyImport',
    'PublishSucceeded',
  ];
  console.log(
    `  ${'family'.padEnd(18)}${names.map((name) => name.padStart(24)).join('')}${'total'.padStart(10)}${'transitions'.padStart(13)}`,
  );
  for (const family of FAMILIES) {
    const { keyId, label } = await createKey(family);
    const started = performance.now();
    const result = await runExecution({
      stateMachine: 'import-key-material',
      input: { keyId, hsmKeyLabel: label, validForDays: 90 },
      deps,
    });
    const total = performance.now() - started;
    if (result.status !== 'SUCCEEDED') throw new Error(`${family.keySpec}: ${result.error}: ${result.cause}`);
    const times = new Map(stateTimes(result));
    console.log(
      `  ${family.keySpec.padEnd(18)}${names.map((name) => String(times.get(name) ?? '-').padStart(24)).join('')}${total.toFixed(0).padStart(10)}${String(transitions(result)).padStart(13)}`,
    );
  }

  const aes = FAMILIES[0] as (typeof FAMILIES)[number];
  const keys: { keyId: string; label: string }[] = [];
  for (let index = 0; index < 2 * KEYS; index += 1) keys.push(await createKey(aes));
  const workflowKeys = keys.slice(0, KEYS);
  const directKeys = keys.slice(KEYS);

  // Interleaved, so both see the same endpoint state (key count, warm caches) and machine load.
  let directSeconds = 0;
  let workflowSeconds = 0;
  let totalTransitions = 0;
  for (let index = 0; index < KEYS; index += 1) {
    // Baseline: the four steps called directly, in sequence.
    let started = performance.now();
    const direct = directKeys[index] ?? { keyId: '', label: '' };
    const importParameters = await getParametersForImport(
      {
        request: { keyId: direct.keyId, hsmKeyLabel: direct.label, validForDays: 90 },
        importTokenAttempt: 1,
      },
      { kms: deps.kms, clock: deps.clock, logger: silentLogger, hsm, bindings: deps.bindings },
    );
    const wrapped = await wrapKeyMaterial({ importParameters }, { hsm, logger: silentLogger });
    const imported = await importKeyMaterial(
      { importParameters, wrappedKeyMaterial: wrapped.wrappedKeyMaterial },
      { kms: deps.kms, clock: deps.clock, logger: silentLogger },
    );
    await verifyImport(
      { importParameters, hsmEvidence: wrapped.hsmEvidence, imported },
      { kms: deps.kms, logger: silentLogger },
    );
    directSeconds += (performance.now() - started) / 1000;

    started = performance.now();
    const result = await runExecution({
      stateMachine: 'import-key-material',
      input: { keyId: workflowKeys[index]?.keyId, hsmKeyLabel: workflowKeys[index]?.label, validForDays: 90 },
      deps,
    });
    workflowSeconds += (performance.now() - started) / 1000;
    if (result.status !== 'SUCCEEDED') throw new Error(`${result.error}: ${result.cause}`);
    totalTransitions += transitions(result);
  }

  const directRate = KEYS / directSeconds;
  const workflowRate = KEYS / workflowSeconds;
  console.log(`\n${KEYS} symmetric keys in a row, one at a time (baseline and workflow interleaved)`);
  console.log(
    `  baseline, the four steps called directly  ${directRate.toFixed(1).padStart(7)} imports/s  (${((directSeconds / KEYS) * 1000).toFixed(0)} ms each)`,
  );
  console.log(
    `  the state machine (local runner)          ${workflowRate.toFixed(1).padStart(7)} imports/s  (${((workflowSeconds / KEYS) * 1000).toFixed(0)} ms each)`,
  );
  console.log(
    `  ratio workflow / baseline                 ${(workflowRate / directRate).toFixed(2).padStart(7)}x`,
  );
  console.log(
    `  state transitions per import              ${(totalTransitions / KEYS).toFixed(1).padStart(7)}`,
  );
  console.log(
    '\nOn AWS, GetParametersForImport is limited to 1 request/s per account and Region by default:\n' +
      'a fleet reimport is paced by that quota, not by the workflow.',
  );
} finally {
  await deps.close();
  await hsm.close();
  finalizeIdleModules();
  await stack.stop();
  await rm(byokHome, { recursive: true, force: true });
}
