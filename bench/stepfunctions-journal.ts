// The cost of pruning the local Step Functions journal (src/local/stepfunctions/journal.ts,
// StepFunctionsService.prune): the journal is scanned in memory before every StartExecution and at
// start. Prints, in the same run: StartExecution rate (each one writes its journal file) with
// 0 kept executions (the baseline) and with KEPT kept ones (every scan walks them all, none
// expired); and a stack start over KEPT files when all are kept vs when all have expired (load +
// remove each file).
// Run: npx tsx bench/stepfunctions-journal.ts   (BENCH_KEPT sets KEPT, default 2000)
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StateStore } from '../src/local/persistence.ts';
import type { WorkflowEngine } from '../src/local/stepfunctions/engine.ts';
import { ExecutionJournal } from '../src/local/stepfunctions/journal.ts';
import { EXECUTION_RETENTION_DAYS, StepFunctionsService } from '../src/local/stepfunctions/service.ts';

const KEPT = Number(process.env.BENCH_KEPT ?? '2000');
const STARTS = 300;
const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:demo`;
const DAY = 86_400_000;

const engine: WorkflowEngine = {
  listStateMachines: async () => ['demo'],
  describeStateMachine: async () => ({ definition: '{}', lambdaStates: [] }),
  async run(request) {
    request.onProgress({ type: 'ExecutionStarted', timestamp: Date.now(), input: request.input } as never);
    request.onProgress({ type: 'ExecutionSucceeded', timestamp: Date.now(), output: {} } as never);
    return { status: 'SUCCEEDED', output: {} };
  },
};

let now = Date.UTC(2031, 0, 1);
const clock = { now: () => new Date(now) };

function open(dir: string): StepFunctionsService {
  return new StepFunctionsService({
    region: REGION,
    accountId: ACCOUNT,
    clock,
    engine,
    journal: new ExecutionJournal(StateStore.open(dir), { region: REGION, accountId: ACCOUNT }),
  });
}

async function startMany(service: StepFunctionsService, count: number, prefix: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    await service.handle('StartExecution', { stateMachineArn: MACHINE, name: `${prefix}-${i}`, input: '{}' });
  }
  await service.idle();
  return performance.now() - started;
}

const root = mkdtempSync(join(tmpdir(), 'byok-bench-journal-'));
try {
  // Warm-up (JIT, first writes), then the baseline: StartExecution on an empty journal.
  const warm = open(join(root, 'warm'));
  await startMany(warm, STARTS, 'warm');
  await warm.close();
  const empty = open(join(root, 'empty'));
  const baseMs = await startMany(empty, STARTS, 'base');
  await empty.close();

  // KEPT ended executions in the journal, none expired: each StartExecution's scan walks them all.
  const fullDir = join(root, 'full');
  const filling = open(fullDir);
  await startMany(filling, KEPT, 'kept');
  const fullMs = await startMany(filling, STARTS, 'more');
  await filling.close();

  // The scan alone, over KEPT + STARTS executions in memory with none expired (what each
  // StartExecution adds), timed over many calls.
  const scanning = open(fullDir);
  const scan = (scanning as unknown as { prune(): void }).prune.bind(scanning);
  for (let i = 0; i < 100; i += 1) scan();
  let scans = 0;
  const scanStarted = performance.now();
  while (performance.now() - scanStarted < 1000) {
    scan();
    scans += 1;
  }
  const scanMs = (performance.now() - scanStarted) / scans;
  await scanning.close();

  // A start over KEPT + STARTS files, all kept.
  let started = performance.now();
  const keptAll = open(fullDir);
  const loadKeptMs = performance.now() - started;
  await keptAll.close();

  // The same start when all have expired: each file is loaded, then removed.
  now += (EXECUTION_RETENTION_DAYS + 1) * DAY;
  started = performance.now();
  const pruned = open(fullDir);
  const loadPrunedMs = performance.now() - started;
  await pruned.close();
  const left = readdirSync(join(fullDir, 'stepfunctions')).length;

  const per = (ms: number) => `${((ms / STARTS) * 1000).toFixed(0)} µs`;
  process.stdout.write(
    `StartExecution, 0 kept:          ${per(baseMs)} each (baseline)\n` +
      `StartExecution, ${KEPT} kept:      ${per(fullMs)} each (${(fullMs / baseMs).toFixed(2)}x baseline)\n` +
      `prune scan over ${KEPT + STARTS} kept:  ${(scanMs * 1000).toFixed(0)} µs (${((scanMs / (baseMs / STARTS)) * 100).toFixed(1)}% of a baseline StartExecution)\n` +
      `start over ${KEPT + STARTS} files, all kept:    ${loadKeptMs.toFixed(0)} ms\n` +
      `start over ${KEPT + STARTS} files, all expired: ${loadPrunedMs.toFixed(0)} ms (${(loadPrunedMs / loadKeptMs).toFixed(2)}x; ${left} files left)\n`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
