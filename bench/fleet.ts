// The fleet's pacing, measured (issue 18): A accounts × R Regions × K due keys, every (account,
// Region) pair's GetParametersForImport quota enforced at Q per second by the local stack, one run
// of the real reimport-fleet ASL (Distributed Map over the pairs, each child the real sweep through
// the spoke role, each key the real import workflow with its HSM wrap on the token). Baseline,
// measured in the same run on the same stack: the single-account sweep of K due keys in one pair.
//
// Time is simulated (src/local/simulated-time.ts): the stack's clock and quotas, the sweep's pacing
// slots and the Wait states all stand on it; it stands still while work is in flight and jumps to
// the next Wait when everything waits. So the virtual figures are the pacing and the quotas alone
// (a pair's rate, the fleet's duration), and the wall time is what this machine took to do the work.
// Targets: every pair's achieved rate >= 0.9 of its quota, the fleet done within 1.2 × (K ÷ Q) of
// virtual time, 0 throttled, 0 failed executions.
// Real-time timeouts are off on simulated time (work takes none of it; src/onprem/runner/virtual-waits.ts),
// and at most BENCH_CONCURRENCY Tasks do I/O at once in real time, so 800 pairs' imports due at the
// same simulated instant queue on this machine's 2 cores instead of timing out each other.
// Run: npx tsx bench/fleet.ts   (BENCH_ACCOUNTS=200 BENCH_REGIONS=4 BENCH_KEYS=5 BENCH_QUOTA=1,
// BENCH_CONCURRENCY=16); npm run bench -- fleet
import '../src/core/polyfills.ts';
import { performance } from 'node:perf_hooks';
import type { FleetSummary } from '../src/core/fleet/contracts.ts';
import { finalizeIdleModules } from '../src/core/hsm/pkcs11-adapter.ts';
import type { SweepReport } from '../src/core/sweep/contracts.ts';
import type { QuotaRequest } from '../src/local/quotas.ts';
import { SimulatedTime } from '../src/local/simulated-time.ts';
import type { ExecutionRecord } from '../src/onprem/runner/execution-history.ts';
import { FLEET_REGIONS, type FleetWorld, startFleetWorld } from '../src/onprem/simulation/fleet-world.ts';

const ACCOUNTS = positive('BENCH_ACCOUNTS', 200);
const REGIONS = positive('BENCH_REGIONS', 4);
const KEYS = positive('BENCH_KEYS', 5);
const QUOTA = positive('BENCH_QUOTA', 1);
/** Tasks doing I/O at once in real time (they take no simulated time either way). */
const CONCURRENCY = positive('BENCH_CONCURRENCY', 16);
const QUOTA_SHARE = 0.95;
const CREATE_CONCURRENCY = 8;

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`${name} must be a positive number, not '${process.env[name]}'\n`);
    process.exit(2);
  }
  return value;
}

if (REGIONS > FLEET_REGIONS.length) {
  process.stderr.write(`BENCH_REGIONS is at most ${FLEET_REGIONS.length}\n`);
  process.exit(2);
}

interface PairRate {
  scope: string;
  calls: number;
  /** GetParametersForImport calls per simulated second between the pair's first and last call. */
  perSecond: number;
  firstMs: number;
  lastMs: number;
}

interface RunFigures {
  label: string;
  pairs: number;
  keys: number;
  status: string;
  /** Simulated seconds from the execution's start to its end. */
  virtualSeconds: number;
  wallSeconds: number;
  rates: PairRate[];
  throttled: number;
  failedExecutions: number;
  transitionsPerKey: number;
  importTransitions: number;
}

function pairRates(requests: readonly QuotaRequest[]): PairRate[] {
  const byScope = new Map<string, number[]>();
  for (const request of requests) {
    if (request.operation !== 'GetParametersForImport') continue;
    const list = byScope.get(request.scope) ?? [];
    list.push(request.atMs);
    byScope.set(request.scope, list);
  }
  return [...byScope.entries()].map(([scope, times]) => {
    const sorted = [...times].sort((a, b) => a - b);
    const firstMs = sorted[0] as number;
    const lastMs = sorted[sorted.length - 1] as number;
    const span = (lastMs - firstMs) / 1000;
    return {
      scope,
      calls: sorted.length,
      perSecond: span > 0 ? (sorted.length - 1) / span : 0,
      firstMs,
      lastMs,
    };
  });
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Runs `start` on simulated time and measures it from the stack's quota counter and the history. */
async function measured(
  world: FleetWorld,
  time: SimulatedTime,
  label: string,
  pairs: number,
  keys: number,
  start: () => Promise<{ status: string; startDate: Date; stopDate: Date }>,
): Promise<RunFigures & { output?: unknown; records: readonly ExecutionRecord[] }> {
  const requests: QuotaRequest[] = [];
  const stopObserving = world.stack.limiter.observe((request) => requests.push(request));
  const throttledBefore = world.stack.limiter.throttled;
  const before = world.history.list().length;
  const started = performance.now();
  const result = await time.drive(start());
  const wallSeconds = (performance.now() - started) / 1000;
  stopObserving();
  if (process.env.BENCH_DEBUG)
    for (const r of requests) process.stdout.write(`${r.operation} ${r.scope} ${r.atMs} ${r.throttled}\n`);
  const records: readonly ExecutionRecord[] = world.history.list().slice(before);
  const imports = records.filter((record) => record.stateMachine === 'import-key-material');
  const transitions = records.reduce((sum, record) => sum + (record.transitions ?? 0), 0);
  return {
    label,
    pairs,
    keys,
    status: result.status,
    virtualSeconds: (result.stopDate.getTime() - result.startDate.getTime()) / 1000,
    wallSeconds,
    rates: pairRates(requests),
    throttled: world.stack.limiter.throttled - throttledBefore,
    failedExecutions: records.filter((record) => record.status !== 'SUCCEEDED').length,
    transitionsPerKey: keys > 0 ? transitions / keys : 0,
    importTransitions:
      imports.length > 0 ? imports.reduce((sum, r) => sum + (r.transitions ?? 0), 0) / imports.length : 0,
    output: (result as { output?: unknown }).output,
    records,
  };
}

/** Runs `work` over `items`, `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const time = new SimulatedTime({ concurrency: CONCURRENCY });
const setupStarted = performance.now();
const regions = FLEET_REGIONS.slice(0, REGIONS);
const world = await startFleetWorld({
  accounts: ACCOUNTS,
  regions,
  tokenKind: 'nss',
  quotas: { GetParametersForImport: QUOTA },
  simulatedTime: time,
  // Every pair at once: a Distributed Map runs up to 10,000 children in parallel.
  settings: { maxConcurrency: ACCOUNTS * REGIONS },
});
try {
  const sweepSettings = { getParametersForImportPerSecond: QUOTA, quotaShare: QUOTA_SHARE };
  process.stdout.write(
    `fleet: ${ACCOUNTS} accounts × ${REGIONS} Regions × ${KEYS} due keys, GetParametersForImport quota ${QUOTA}/s per pair enforced, sweep share ${QUOTA_SHARE}; simulated time, ${CONCURRENCY} tasks doing I/O at once in real time\n`,
  );

  // Baseline: the single-account sweep (no fleet, no spoke role) of K due keys in the hub's Region.
  for (let i = 0; i < KEYS; i++) {
    await world.createManagedKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      validForDays: 30,
      hsmKeyLabel: `bench-single-${i}`,
    });
  }
  const single = await measured(world, time, 'single-account sweep (1 pair)', 1, KEYS, () =>
    world.runSweep(sweepSettings),
  );
  const singleReport = (single.output ?? {}) as Partial<SweepReport>;
  if (single.status !== 'SUCCEEDED' || singleReport.succeeded !== KEYS) {
    throw new Error(`the single-account sweep did not import ${KEYS} keys: ${JSON.stringify(single.output)}`);
  }

  // The fleet: K keys never imported (PendingImport: due) in every account and Region.
  const requests = world.accountIds.flatMap((accountId, a) =>
    regions.flatMap((region, r) =>
      Array.from({ length: KEYS }, (_, i) => ({ accountId, region, label: `bench-fleet-${a}-${r}-${i}` })),
    ),
  );
  let created = 0;
  await eachLimited(requests, CREATE_CONCURRENCY, async ({ accountId, region, label }) => {
    await world.createFleetKey({
      accountId,
      region,
      keySpec: 'SYMMETRIC_DEFAULT',
      validForDays: 30,
      hsmKeyLabel: label,
    });
    created += 1;
    if (created % 500 === 0) process.stdout.write(`  ${created}/${requests.length} keys created\n`);
  });
  const setupSeconds = (performance.now() - setupStarted) / 1000 - single.wallSeconds;
  process.stdout.write(
    `setup (stack, spoke roles, ${requests.length + KEYS} keys): ${setupSeconds.toFixed(1)} s wall\n`,
  );

  // A minute of simulated time between the two runs, as real time passes while keys are created:
  // the hub pair's quota bucket, which the single-account sweep emptied, is full again.
  await time.drive(time.sleepUntil(time.now() + 60_000));
  const pairs = ACCOUNTS * REGIONS;
  const fleet = await measured(world, time, `fleet (${pairs} pairs)`, pairs, requests.length, () =>
    world.runFleet({ sweep: sweepSettings, maxConcurrency: pairs }),
  );
  const summary = (fleet.output ?? {}) as Partial<FleetSummary>;
  const fleetRecords = fleet.records;

  // Every pair's calls, and the window in which every pair was importing at once.
  const fleetRates = fleet.rates;
  const allRunningFrom = Math.max(...fleetRates.map((rate) => rate.firstMs));
  const allRunningTo = Math.min(...fleetRates.map((rate) => rate.lastMs));
  const fleetStart = Math.min(...fleetRates.map((rate) => rate.firstMs));
  const minRate = Math.min(...fleetRates.map((rate) => rate.perSecond));
  const medianRate = quantile(
    fleetRates.map((rate) => rate.perSecond),
    0.5,
  );
  const singleRate = single.rates[0]?.perSecond ?? 0;
  const bound = 1.2 * (KEYS / QUOTA);

  const row = (run: RunFigures, rate: string) =>
    `${run.label.padEnd(32)}${String(run.pairs).padStart(6)}${String(run.keys).padStart(7)}  ${run.status.padEnd(10)}${run.virtualSeconds.toFixed(2).padStart(9)}${rate.padStart(16)}${String(run.throttled).padStart(11)}${String(run.failedExecutions).padStart(8)}${run.transitionsPerKey.toFixed(1).padStart(13)}${run.wallSeconds.toFixed(1).padStart(9)}\n`;
  process.stdout.write(
    `\n${'run'.padEnd(32)}${'pairs'.padStart(6)}${'keys'.padStart(7)}  ${'status'.padEnd(10)}${'virtual s'.padStart(9)}${'GPFI/s min/med'.padStart(16)}${'throttled'.padStart(11)}${'failed'.padStart(8)}${'transit./key'.padStart(13)}${'wall s'.padStart(9)}\n`,
  );
  process.stdout.write(row(single, singleRate.toFixed(3)));
  process.stdout.write(row(fleet, `${minRate.toFixed(3)}/${medianRate.toFixed(3)}`));

  const fraction = minRate / QUOTA;
  const ok =
    fleet.status === 'SUCCEEDED' &&
    fleetRates.length === pairs &&
    fraction >= 0.9 &&
    fleet.virtualSeconds <= bound &&
    fleet.throttled === 0 &&
    fleet.failedExecutions === 0 &&
    summary.totals?.failed === 0 &&
    summary.totals.notRun === 0 &&
    summary.totals.reimported === requests.length;
  process.stdout.write(
    `\npairs with GetParametersForImport calls: ${fleetRates.length} of ${pairs}; calls per pair min ${Math.min(...fleetRates.map((r) => r.calls))}\n` +
      `every pair importing at once: from +${((allRunningFrom - fleetStart) / 1000).toFixed(2)} s to +${((allRunningTo - fleetStart) / 1000).toFixed(2)} s of virtual time\n` +
      `achieved GetParametersForImport rate / quota, per pair: min ${fraction.toFixed(3)}, median ${(medianRate / QUOTA).toFixed(3)} (target >= 0.9)\n` +
      `fleet done in ${fleet.virtualSeconds.toFixed(2)} s of virtual time; bound 1.2 × (${KEYS} keys ÷ ${QUOTA}/s) = ${bound.toFixed(2)} s\n` +
      `throttled requests: ${fleet.throttled}, failed executions: ${fleet.failedExecutions}, report: ${summary.totals?.succeeded ?? '?'} pairs succeeded, ${summary.totals?.failed ?? '?'} failed, ${summary.totals?.notRun ?? '?'} not run, ${summary.totals?.reimported ?? '?'} keys reimported (target ${pairs}, 0, 0, ${requests.length})\n` +
      `state transitions per key: ${fleet.transitionsPerKey.toFixed(1)} (fleet, sweeps and imports), ${fleet.importTransitions.toFixed(1)} per import execution; single-account sweep: ${single.transitionsPerKey.toFixed(1)}\n` +
      `fleet ÷ single-account sweep: virtual time ${(fleet.virtualSeconds / single.virtualSeconds).toFixed(2)}×, median pair rate ${(medianRate / singleRate).toFixed(2)}×, keys ${(fleet.keys / single.keys).toFixed(0)}×, wall ${(fleet.wallSeconds / single.wallSeconds).toFixed(1)}× (${((fleet.wallSeconds * 1000) / fleet.keys).toFixed(1)} vs ${((single.wallSeconds * 1000) / single.keys).toFixed(1)} ms wall per key)\n` +
      `simulated time jumped ${time.jumps} times; this machine: wall ${fleet.wallSeconds.toFixed(1)} s for ${fleet.keys} imports\n`,
  );
  const errors = new Map<string, number>();
  for (const record of fleetRecords) {
    if (record.status === 'SUCCEEDED') continue;
    const key = `${record.stateMachine}: ${record.error ?? record.status}`;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  for (const [error, count] of errors) process.stdout.write(`  failed: ${count} × ${error}\n`);
  const firstFailure = fleetRecords.find((record) => record.status !== 'SUCCEEDED');
  if (firstFailure)
    process.stdout.write(
      `  first failure: ${firstFailure.name}: ${firstFailure.error}: ${String(firstFailure.cause).slice(0, 400)}\n`,
    );
  process.exitCode = ok ? 0 : 1;
} finally {
  await world.stop();
  finalizeIdleModules();
}
