// `byok simulate`: K managed keys of mixed specs and validities on the embedded stack, and N days of
// virtual time with byok's rules firing as deployed (the daily sweep, the expiration rule). What it
// reports is measured, not assumed: reimports and material gaps come from the local KMS (its
// expiration events and DescribeKey), failed executions from the runner's history.
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { nextFireTime, parseScheduleExpression, type Schedule } from '../local/events/schedule-expression.ts';
import { DAY_MS } from '../sweep/contracts.ts';
import { leadTimeMs } from '../sweep/due-policy.ts';
import { loadEventRules, sweepScheduleOf } from '../sweep/event-rules.ts';
import { KEY_KINDS, type ManagedKeySpec, type SweepWorld, startSweepWorld } from './local-world.ts';

export interface SimulationOptions {
  days: number;
  keys: number;
  /** Lead window of the sweep (the sweep's default is 14 days). */
  leadWindowDays?: number;
  /**
   * The GetParametersForImport quota the local endpoint enforces during the simulation, and the
   * sweep paces itself by (a raised quota, so a year does not wait for real on 1-second slots).
   */
  getParametersForImportPerSecond?: number;
  onProgress?: (progress: SimulationProgress) => void;
}

export interface SimulationProgress {
  day: number;
  days: number;
  reimports: number;
}

export interface SimulatedKey {
  keyId: string;
  keySpec: ManagedKeySpec;
  validForDays: number;
  reimports: number;
  /** What the validity and the policy imply: one reimport at the first sweep after each due time. */
  expectedReimports: number;
  /** Days between consecutive imports (the first interval starts at the initial import). */
  intervalsDays: number[];
}

export interface SimulationResult {
  days: number;
  keys: number;
  reimports: number;
  failedExecutions: number;
  expiredKeySeconds: number;
  expirations: number;
  sweeps: number;
  from: string;
  to: string;
  wallSeconds: number;
  perKey: SimulatedKey[];
}

const SPECS: ManagedKeySpec[] = ['SYMMETRIC_DEFAULT', 'HMAC_256', 'ECC_NIST_P256', 'RSA_2048'];
const MIN_VALIDITY = 30;
const MAX_VALIDITY = 90;
const OBSERVE_EVERY_DAYS = 7;

interface KeyTrack {
  keyId: string;
  keySpec: ManagedKeySpec;
  validForDays: number;
  validTo: number | undefined;
  /** Import instants derived from KMS's ValidTo (ValidTo minus the validity). */
  imports: number[];
  gapStart: number | undefined;
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const started = Date.now();
  const leadWindowDays = options.leadWindowDays ?? 14;
  const perSecond = options.getParametersForImportPerSecond ?? 50;
  const world = await startSweepWorld({ tokenKind: 'nss' });
  try {
    await world.setQuotas({ GetParametersForImport: perSecond });
    await setSweepInput(world, {
      leadWindowDays,
      getParametersForImportPerSecond: perSecond,
      quotaShare: 0.95,
    });
    const tracks = await createKeys(world, options.keys);
    let expiredMs = 0;
    let expirations = 0;
    const byId = new Map(tracks.map((track) => [track.keyId, track]));

    // Registered after the stack's EventBridge listener: by the time this runs, the expiration
    // rule's reimport has finished, so a gap closed by it is measured to the instant it closed.
    const unsubscribe = world.stack.kms.onEvent(async (event) => {
      if (event['detail-type'] !== 'KMS Imported Key Material Expiration') return;
      const track = byId.get(event.detail['key-id'] ?? '');
      if (!track) return;
      expirations += 1;
      track.gapStart ??= Date.parse(event.time);
      await observe(world, track, (gap) => {
        expiredMs += gap;
      });
    });
    try {
      const from = world.clock.now();
      for (let day = 1; day <= options.days; day++) {
        await world.clock.advance(DAY_MS);
        // Material gaps are caught at once from KMS's expiration events; imports move ValidTo at
        // most once per (validity - lead) >= 15 days, so reading every key weekly sees each one.
        if (day % OBSERVE_EVERY_DAYS === 0 || day === options.days) {
          await Promise.all(
            tracks.map((track) =>
              observe(world, track, (gap) => {
                expiredMs += gap;
              }),
            ),
          );
        }
        options.onProgress?.({ day, days: options.days, reimports: countReimports(tracks) });
      }
      const to = world.clock.now();
      const schedule = parseScheduleExpression(sweepScheduleOf(loadEventRules()) ?? 'rate(1 day)');
      const perKey = tracks.map((track) => summarizeKey(track, to.getTime(), leadWindowDays, schedule, from));
      return {
        days: options.days,
        keys: options.keys,
        reimports: countReimports(tracks),
        failedExecutions: world.history.failed().length,
        expiredKeySeconds: Math.round(expiredMs / 1000),
        expirations,
        sweeps: world.history.list().filter((record) => record.stateMachine === 'reimport-expiring-keys')
          .length,
        from: from.toISOString(),
        to: to.toISOString(),
        wallSeconds: Math.round((Date.now() - started) / 100) / 10,
        perKey,
      };
    } finally {
      unsubscribe();
    }
  } finally {
    await world.stop();
  }
}

async function setSweepInput(world: SweepWorld, input: Record<string, number>): Promise<void> {
  const context = { region: world.stack.region, accountId: world.stack.accountId, requestId: 'simulate' };
  await world.events.bus.handle(
    'PutTargets',
    {
      Rule: 'byok-reimport-sweep',
      Targets: [
        {
          Id: 'ReimportExpiringKeys',
          Arn: world.events.targetArns.ReimportExpiringKeys,
          Input: JSON.stringify(input),
        },
      ],
    },
    context,
  );
}

async function createKeys(world: SweepWorld, count: number): Promise<KeyTrack[]> {
  const tracks: KeyTrack[] = [];
  for (let i = 0; i < count; i++) {
    const keySpec = SPECS[i % SPECS.length] as ManagedKeySpec;
    const validForDays =
      count === 1
        ? MIN_VALIDITY
        : Math.round(MIN_VALIDITY + ((MAX_VALIDITY - MIN_VALIDITY) * i) / (count - 1));
    const keyId = await world.createManagedKey({
      keySpec,
      validForDays,
      hsmKeyLabel: `simulated-${i}-${KEY_KINDS[keySpec].hsmKeyType.toLowerCase()}`,
    });
    const imported = await world.importKey(keyId);
    if (imported.status !== 'SUCCEEDED') {
      throw new Error(`the initial import of ${keyId} failed: ${imported.error}: ${imported.cause}`);
    }
    const track: KeyTrack = {
      keyId,
      keySpec,
      validForDays,
      validTo: undefined,
      imports: [],
      gapStart: undefined,
    };
    await observe(world, track, () => undefined);
    tracks.push(track);
  }
  return tracks;
}

/** Reads the key from KMS: a new ValidTo is an import; PendingImport is a gap in the material. */
async function observe(world: SweepWorld, track: KeyTrack, onGapClosed: (ms: number) => void): Promise<void> {
  const metadata = (await world.deps.kms.send(new DescribeKeyCommand({ KeyId: track.keyId }))).KeyMetadata;
  const now = world.clock.now().getTime();
  if (metadata?.KeyState === 'PendingImport') {
    // A gap seen without its expiration event starts, conservatively, no later than now.
    track.gapStart ??= now;
    return;
  }
  if (track.gapStart !== undefined) {
    onGapClosed(Math.max(0, now - track.gapStart));
    track.gapStart = undefined;
  }
  const validTo = metadata?.ValidTo?.getTime();
  if (validTo !== undefined && validTo !== track.validTo) {
    track.imports.push(validTo - track.validForDays * DAY_MS);
    track.validTo = validTo;
  }
}

function countReimports(tracks: readonly KeyTrack[]): number {
  return tracks.reduce((sum, track) => sum + Math.max(0, track.imports.length - 1), 0);
}

/**
 * The policy in its simplest form, independent of the sweep's code: a key becomes due `lead`
 * before its ValidTo and is reimported by the first scheduled sweep at or after that.
 */
function summarizeKey(
  track: KeyTrack,
  endMs: number,
  leadWindowDays: number,
  schedule: Schedule,
  anchor: Date,
): SimulatedKey {
  const lead = leadTimeMs(leadWindowDays, track.validForDays);
  const first = track.imports[0] ?? 0;
  let expected = 0;
  let importedAt = first;
  for (;;) {
    const due = importedAt + track.validForDays * DAY_MS - lead;
    const sweep = firstSweepAtOrAfter(schedule, anchor, due);
    if (sweep > endMs) break;
    expected += 1;
    // The reimport lands a moment after the sweep starts; the measured instant is used when known.
    importedAt = track.imports[expected] ?? sweep;
  }
  return {
    keyId: track.keyId,
    keySpec: track.keySpec,
    validForDays: track.validForDays,
    reimports: Math.max(0, track.imports.length - 1),
    expectedReimports: expected,
    intervalsDays: track.imports.slice(1).map((at, i) => round2((at - (track.imports[i] ?? at)) / DAY_MS)),
  };
}

function firstSweepAtOrAfter(schedule: Schedule, anchor: Date, ms: number): number {
  return nextFireTime(schedule, anchor, new Date(ms - 1))?.getTime() ?? Number.POSITIVE_INFINITY;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
