// `byok simulate`: K managed keys of mixed specs and validities on the embedded stack, and N days of
// virtual time with byok's rules firing as deployed (the daily sweep, the expiration rule). What it
// reports is measured, not assumed: reimports and material gaps come from the local KMS (its
// expiration events, DescribeKey, and each material's ValidTo in ListKeyRotations), failed
// executions from the runner's history. With `rotateEveryDays` the symmetric keys are rotated on
// that cadence through the real rotation workflow, approved by two simulated identities through
// the approvals API, and every material each rotation leaves must stay imported.
import { DescribeKeyCommand, TagResourceCommand } from '@aws-sdk/client-kms';
import { listKeyMaterials } from '../../core/import/key-materials.ts';
import { TAG_APPROVALS_REQUIRED } from '../../core/import/tags.ts';
import { DAY_MS } from '../../core/sweep/contracts.ts';
import { leadTimeMs } from '../../core/sweep/due-policy.ts';
import { loadEventRules, sweepScheduleOf } from '../../core/sweep/event-rules.ts';
import { DEFAULT_LEAD_WINDOW_DAYS } from '../../core/sweep/lead-window.ts';
import {
  nextFireTime,
  parseScheduleExpression,
  type Schedule,
} from '../../local/events/schedule-expression.ts';
import { KEY_KINDS, type ManagedKeySpec, type SweepWorld, startSweepWorld } from './local-world.ts';
import { type RotationBed, startRotationBed } from './rotation-bed.ts';

export interface SimulationOptions {
  days: number;
  keys: number;
  /** Lead window of the sweep (default: the sweep's, DEFAULT_LEAD_WINDOW_DAYS). */
  leadWindowDays?: number;
  /**
   * The GetParametersForImport quota the local endpoint enforces during the simulation, and the
   * sweep paces itself by (a raised quota, so a year does not wait for real on 1-second slots).
   */
  getParametersForImportPerSecond?: number;
  /** Rotate every symmetric key this often (days), approved by two simulated approvers. */
  rotateEveryDays?: number;
  onProgress?: (progress: SimulationProgress) => void;
}

/** Approvals each simulated rotation needs (tag byok:approvals-required): two approvers vote. */
const SIMULATED_APPROVALS_REQUIRED = 2;

export interface SimulatedMaterial {
  /** Symmetric keys: the KeyMaterialId; other families hold one material (null). */
  keyMaterialId: string | null;
  hsmKeyLabel: string | null;
  /** CURRENT or NON_CURRENT at the end. */
  state: string;
  reimports: number;
  expectedReimports: number;
  intervalsDays: number[];
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
  /** Rotations this key went through. */
  rotations: number;
  /** Each material's own reimports (a rotated key holds several, each expiring on its own). */
  materials: SimulatedMaterial[];
}

export interface SimulationResult {
  days: number;
  keys: number;
  reimports: number;
  failedExecutions: number;
  expiredKeySeconds: number;
  expirations: number;
  sweeps: number;
  /** Rotations that completed (every `rotateEveryDays` days per symmetric key), and those that did not. */
  rotations: number;
  failedRotations: number;
  /** Materials held by the keys at the end (each one kept imported). */
  materials: number;
  from: string;
  to: string;
  wallSeconds: number;
  perKey: SimulatedKey[];
}

const SPECS: ManagedKeySpec[] = ['SYMMETRIC_DEFAULT', 'HMAC_256', 'ECC_NIST_P256', 'RSA_2048'];
const MIN_VALIDITY = 30;
const MAX_VALIDITY = 90;
const OBSERVE_EVERY_DAYS = 7;

interface MaterialTrack {
  keyMaterialId: string | null;
  hsmKeyLabel: string | null;
  state: string;
  validTo: number | undefined;
  /** Import instants derived from KMS's ValidTo (ValidTo minus the validity). */
  imports: number[];
}

interface KeyTrack {
  keyId: string;
  keySpec: ManagedKeySpec;
  validForDays: number;
  /** By KeyMaterialId ('' for a key family with one material). */
  materials: Map<string, MaterialTrack>;
  rotations: number;
  gapStart: number | undefined;
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const started = Date.now();
  const leadWindowDays = options.leadWindowDays ?? DEFAULT_LEAD_WINDOW_DAYS;
  const perSecond = options.getParametersForImportPerSecond ?? 50;
  const rotating = options.rotateEveryDays !== undefined;
  // Rotations complete as soon as the clock ticks: the simulation moves it a day at a time.
  const world = await startSweepWorld({ tokenKind: 'nss', ...(rotating ? { kmsRotationDelayMs: 0 } : {}) });
  let bed: RotationBed | undefined;
  try {
    if (rotating) bed = await startRotationBed(world);
    await world.setQuotas({ GetParametersForImport: perSecond });
    await setSweepInput(world, {
      leadWindowDays,
      getParametersForImportPerSecond: perSecond,
      quotaShare: 0.95,
    });
    const tracks = await createKeys(world, options.keys, rotating);
    let failedRotations = 0;
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
        if (bed && options.rotateEveryDays !== undefined && day % options.rotateEveryDays === 0) {
          for (const track of tracks.filter((entry) => entry.keySpec === 'SYMMETRIC_DEFAULT')) {
            const rotated = await bed.rotate(
              track.keyId,
              `simulated rotation every ${options.rotateEveryDays} days`,
            );
            if (rotated.status === 'SUCCEEDED') track.rotations += 1;
            else failedRotations += 1;
            await observe(world, track, (gap) => {
              expiredMs += gap;
            });
          }
        }
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
        // A rotation that did not succeed is a failed execution of the rotation workflow.
        failedExecutions: world.history.failed().length + failedRotations,
        expiredKeySeconds: Math.round(expiredMs / 1000),
        expirations,
        sweeps: world.history.list().filter((record) => record.stateMachine === 'reimport-expiring-keys')
          .length,
        rotations: tracks.reduce((sum, track) => sum + track.rotations, 0),
        failedRotations,
        materials: tracks.reduce((sum, track) => sum + track.materials.size, 0),
        from: from.toISOString(),
        to: to.toISOString(),
        wallSeconds: Math.round((Date.now() - started) / 100) / 10,
        perKey,
      };
    } finally {
      unsubscribe();
    }
  } finally {
    await bed?.close();
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

async function createKeys(world: SweepWorld, count: number, rotating: boolean): Promise<KeyTrack[]> {
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
    if (rotating && keySpec === 'SYMMETRIC_DEFAULT') {
      await world.deps.kms.send(
        new TagResourceCommand({
          KeyId: keyId,
          Tags: [{ TagKey: TAG_APPROVALS_REQUIRED, TagValue: String(SIMULATED_APPROVALS_REQUIRED) }],
        }),
      );
    }
    const imported = await world.importKey(keyId);
    if (imported.status !== 'SUCCEEDED') {
      throw new Error(`the initial import of ${keyId} failed: ${imported.error}: ${imported.cause}`);
    }
    const track: KeyTrack = {
      keyId,
      keySpec,
      validForDays,
      materials: new Map(),
      rotations: 0,
      gapStart: undefined,
    };
    await observe(world, track, () => undefined);
    tracks.push(track);
  }
  return tracks;
}

/**
 * Reads the key from KMS: PendingImport is a gap in the material; a material's new ValidTo is an
 * import of it (symmetric keys: each material in ListKeyRotations; others: DescribeKey).
 */
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
  if (track.keySpec !== 'SYMMETRIC_DEFAULT') {
    seeImport(track, '', null, null, 'CURRENT', metadata?.ValidTo?.getTime());
    return;
  }
  for (const material of await listKeyMaterials(world.deps.kms, track.keyId)) {
    if (material.state !== 'CURRENT' && material.state !== 'NON_CURRENT') continue;
    const label = material.hsmKeyLabel ?? null;
    seeImport(
      track,
      material.keyMaterialId,
      material.keyMaterialId,
      label,
      material.state,
      material.validTo?.getTime(),
    );
  }
}

function seeImport(
  track: KeyTrack,
  key: string,
  keyMaterialId: string | null,
  hsmKeyLabel: string | null,
  state: string,
  validTo: number | undefined,
): void {
  let material = track.materials.get(key);
  if (!material) {
    material = { keyMaterialId, hsmKeyLabel, state, validTo: undefined, imports: [] };
    track.materials.set(key, material);
  }
  material.state = state;
  if (validTo !== undefined && validTo !== material.validTo) {
    material.imports.push(validTo - track.validForDays * DAY_MS);
    material.validTo = validTo;
  }
}

function countReimports(tracks: readonly KeyTrack[]): number {
  return tracks.reduce(
    (sum, track) =>
      sum + [...track.materials.values()].reduce((count, material) => count + reimportsOf(material), 0),
    0,
  );
}

function reimportsOf(material: MaterialTrack): number {
  return Math.max(0, material.imports.length - 1);
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
  const materials = [...track.materials.values()].map((material) => ({
    keyMaterialId: material.keyMaterialId,
    hsmKeyLabel: material.hsmKeyLabel,
    state: material.state,
    reimports: reimportsOf(material),
    expectedReimports: expectedReimports(
      material,
      track.validForDays,
      endMs,
      leadWindowDays,
      schedule,
      anchor,
    ),
    intervalsDays: material.imports
      .slice(1)
      .map((at, i) => round2((at - (material.imports[i] ?? at)) / DAY_MS)),
  }));
  return {
    keyId: track.keyId,
    keySpec: track.keySpec,
    validForDays: track.validForDays,
    reimports: materials.reduce((sum, material) => sum + material.reimports, 0),
    expectedReimports: materials.reduce((sum, material) => sum + material.expectedReimports, 0),
    intervalsDays: materials[0]?.intervalsDays ?? [],
    rotations: track.rotations,
    materials,
  };
}

/** One material: due `lead` before its ValidTo, reimported by the first scheduled sweep after that. */
function expectedReimports(
  material: MaterialTrack,
  validForDays: number,
  endMs: number,
  leadWindowDays: number,
  schedule: Schedule,
  anchor: Date,
): number {
  const lead = leadTimeMs(leadWindowDays, validForDays);
  let expected = 0;
  let importedAt = material.imports[0] ?? 0;
  for (;;) {
    const due = importedAt + validForDays * DAY_MS - lead;
    const sweep = firstSweepAtOrAfter(schedule, anchor, due);
    if (sweep > endMs) break;
    expected += 1;
    // The reimport lands a moment after the sweep starts; the measured instant is used when known.
    importedAt = material.imports[expected] ?? sweep;
  }
  return expected;
}

function firstSweepAtOrAfter(schedule: Schedule, anchor: Date, ms: number): number {
  return nextFireTime(schedule, anchor, new Date(ms - 1))?.getTime() ?? Number.POSITIVE_INFINITY;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
