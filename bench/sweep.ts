// The reimport sweep's pacing, measured: 100 due keys, the local endpoint enforcing a raised test
// quota on GetParametersForImport, the real sweep ASL with nested import executions. Prints the
// achieved GetParametersForImport rate as a fraction of the enforced quota (target >= 0.9) and the
// throttled requests and failed executions (target 0). Baseline, measured in the same run on the
// same keys: the sweep with no quota and no pacing to speak of (1000/s), i.e. how fast this
// machine can reimport at all; the quota is only a meaningful ceiling while it is below that.
// Run: npx tsx bench/sweep.ts   (BENCH_KEYS=100, BENCH_QUOTA=4 by default)
import '../src/core/polyfills.ts';
import { performance } from 'node:perf_hooks';
import { finalizeIdleModules } from '../src/core/hsm/pkcs11-adapter.ts';
import type { SweepReport } from '../src/core/sweep/contracts.ts';
import { type SweepWorld, startSweepWorld } from '../src/onprem/simulation/local-world.ts';

const KEYS = Number(process.env.BENCH_KEYS ?? '100');
const QUOTA = Number(process.env.BENCH_QUOTA ?? '4');
const QUOTA_SHARE = 0.95;
const DAY = 86_400_000;

interface SweepFigures {
  label: string;
  due: number;
  succeeded: number;
  failedExecutions: number;
  throttled: number;
  seconds: number;
  /** GetParametersForImport calls per second between the first and the last call. */
  gpfiPerSecond: number;
  minGapMs: number;
}

/** Records when each GetParametersForImport leaves the client, as the endpoint sees it arrive. */
function recordGetParametersForImport(world: SweepWorld): number[] {
  const calls: number[] = [];
  world.deps.kms.middlewareStack.add(
    (next, context) => async (args) => {
      if ((context as { commandName?: string }).commandName === 'GetParametersForImportCommand') {
        calls.push(performance.now());
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchRecordGetParametersForImport' },
  );
  return calls;
}

async function sweepOnce(
  world: SweepWorld,
  calls: number[],
  label: string,
  input: object,
): Promise<SweepFigures> {
  // Every key is reimported for 30 days: 16 days on, all of them are inside the lead window again.
  await world.clock.advance(16 * DAY);
  calls.length = 0;
  const before = world.history.list().length;
  const started = performance.now();
  const sweep = await world.runSweep(input);
  const seconds = (performance.now() - started) / 1000;
  const report = sweep.output as SweepReport;
  const children = world.history
    .list()
    .slice(before)
    .filter((record) => record.stateMachine === 'import-key-material');
  const gaps = calls.slice(1).map((at, i) => at - (calls[i] as number));
  const span = ((calls[calls.length - 1] ?? 0) - (calls[0] ?? 0)) / 1000;
  return {
    label,
    due: report.due,
    succeeded: report.succeeded,
    failedExecutions: children.filter((child) => child.status !== 'SUCCEEDED').length,
    throttled: children.flatMap((child) => child.stateErrors).filter((name) => name === 'ThrottlingException')
      .length,
    seconds,
    gpfiPerSecond: span > 0 ? (calls.length - 1) / span : 0,
    minGapMs: gaps.length > 0 ? Math.min(...gaps) : 0,
  };
}

const world = await startSweepWorld({ tokenKind: 'nss', disabledRules: ['reimport-sweep'] });
try {
  process.stdout.write(`creating and importing ${KEYS} keys...\n`);
  for (let i = 0; i < KEYS; i++) {
    const keyId = await world.createManagedKey({
      keySpec: i % 2 === 0 ? 'SYMMETRIC_DEFAULT' : 'HMAC_256',
      validForDays: 30,
      hsmKeyLabel: `bench-sweep-${i}`,
    });
    const imported = await world.importKey(keyId);
    if (imported.status !== 'SUCCEEDED') throw new Error(`initial import failed: ${imported.cause}`);
  }
  const calls = recordGetParametersForImport(world);

  const baseline = await sweepOnce(world, calls, 'baseline: no quota, pacing at 1000/s', {
    getParametersForImportPerSecond: 1000,
    quotaShare: 1,
  });
  await world.setQuotas({ GetParametersForImport: QUOTA });
  const paced = await sweepOnce(world, calls, `paced: quota ${QUOTA}/s enforced, share ${QUOTA_SHARE}`, {
    getParametersForImportPerSecond: QUOTA,
    quotaShare: QUOTA_SHARE,
  });

  process.stdout.write(
    `\n${'run'.padEnd(48)}${'due'.padEnd(6)}${'ok'.padEnd(6)}${'failed'.padEnd(8)}${'throttled'.padEnd(11)}${'seconds'.padEnd(9)}${'GPFI/s'.padEnd(8)}min gap ms\n`,
  );
  for (const run of [baseline, paced]) {
    process.stdout.write(
      `${run.label.padEnd(48)}${String(run.due).padEnd(6)}${String(run.succeeded).padEnd(6)}${String(run.failedExecutions).padEnd(8)}${String(run.throttled).padEnd(11)}${run.seconds.toFixed(1).padEnd(9)}${run.gpfiPerSecond.toFixed(2).padEnd(8)}${run.minGapMs.toFixed(0)}\n`,
    );
  }
  const fraction = paced.gpfiPerSecond / QUOTA;
  process.stdout.write(
    `\nachieved GetParametersForImport rate / enforced quota: ${fraction.toFixed(3)} (target >= 0.9)\n` +
      `baseline rate / enforced quota: ${(baseline.gpfiPerSecond / QUOTA).toFixed(2)} (the quota binds only if > 1)\n` +
      `throttled requests: ${paced.throttled}, failed executions: ${paced.failedExecutions} (target 0)\n`,
  );
  process.exitCode = fraction >= 0.9 && paced.throttled === 0 && paced.failedExecutions === 0 ? 0 : 1;
} finally {
  await world.stop();
  finalizeIdleModules();
}
