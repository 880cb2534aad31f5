// `byok simulate --accounts A --regions R`: a fleet on the virtual clock. A accounts (the hub's own
// first) × R Regions, K managed keys in every (account, Region) of every family with validities
// from 30 to 90 days, plus one multi-Region key per account (its primary in the first Region,
// replicas in the others), and with --rotate-every the hub's symmetric keys rotated through the real
// rotation workflow. Every day the hub's fleet rule runs reimport-fleet: one sweep per pair through
// the spoke roles. Everything reported is measured from the local KMS of each account (expiration
// events, DescribeKey, each material's ValidTo) and from the execution history.
import { DescribeKeyCommand, type KMSClient, TagResourceCommand } from '@aws-sdk/client-kms';
import { listKeyMaterials } from '../../core/import/key-materials.ts';
import { TAG_APPROVALS_REQUIRED } from '../../core/import/tags.ts';
import { DAY_MS } from '../../core/sweep/contracts.ts';
import { DEFAULT_LEAD_WINDOW_DAYS } from '../../core/sweep/lead-window.ts';
import { FLEET_REGIONS, type FleetWorld, startFleetWorld } from './fleet-world.ts';
import type { ManagedKeySpec } from './local-world.ts';
import { type RotationBed, startRotationBed } from './rotation-bed.ts';

export interface FleetSimulationOptions {
  accounts: number;
  regions: number;
  /** Managed keys per account and Region. */
  keys: number;
  days: number;
  leadWindowDays?: number;
  /** The GetParametersForImport quota of every (account, Region), enforced and paced by. */
  getParametersForImportPerSecond?: number;
  rotateEveryDays?: number;
  onProgress?: (progress: { day: number; days: number; reimports: number }) => void;
}

export interface FleetSimulatedMaterial {
  keyMaterialId: string | null;
  state: string;
  reimports: number;
  expiredSeconds: number;
}

export interface FleetSimulatedKey {
  accountId: string;
  region: string;
  keyId: string;
  keySpec: ManagedKeySpec;
  role: 'SINGLE' | 'PRIMARY' | 'REPLICA';
  validForDays: number;
  reimports: number;
  expiredSeconds: number;
  rotations: number;
  materials: FleetSimulatedMaterial[];
}

export interface FleetSimulationResult {
  accounts: number;
  regions: string[];
  keysPerPair: number;
  days: number;
  keys: number;
  materials: number;
  reimports: number;
  rotations: number;
  failedRotations: number;
  fleetRuns: number;
  failedExecutions: number;
  expiredKeySeconds: number;
  expirations: number;
  from: string;
  to: string;
  wallSeconds: number;
  perPair: { accountId: string; region: string; keys: number; reimports: number; expiredSeconds: number }[];
  perKey: FleetSimulatedKey[];
}

const SPECS: ManagedKeySpec[] = ['SYMMETRIC_DEFAULT', 'HMAC_256', 'ECC_NIST_P256', 'RSA_2048'];
const OBSERVE_EVERY_DAYS = 7;

interface Track {
  arn: string;
  accountId: string;
  region: string;
  keyId: string;
  keySpec: ManagedKeySpec;
  role: FleetSimulatedKey['role'];
  validForDays: number;
  materials: Map<
    string,
    { id: string | null; state: string; validTo: number | undefined; imports: number; gapMs: number }
  >;
  gapStart: number | undefined;
  expiredMs: number;
  rotations: number;
}

export async function runFleetSimulation(options: FleetSimulationOptions): Promise<FleetSimulationResult> {
  const started = Date.now();
  const regions = FLEET_REGIONS.slice(0, options.regions);
  const perSecond = options.getParametersForImportPerSecond ?? 50;
  const rotating = options.rotateEveryDays !== undefined;
  const world = await startFleetWorld({
    accounts: options.accounts,
    regions,
    tokenKind: 'nss',
    quotas: { GetParametersForImport: perSecond },
    ...(rotating ? { kmsRotationDelayMs: 0 } : {}),
  });
  let bed: RotationBed | undefined;
  try {
    if (rotating) bed = await startRotationBed(world);
    await setFleetInput(world, {
      sweep: {
        leadWindowDays: options.leadWindowDays ?? DEFAULT_LEAD_WINDOW_DAYS,
        getParametersForImportPerSecond: perSecond,
        quotaShare: 0.95,
      },
    });
    const tracks = await createKeys(world, options.keys, rotating);
    const byArn = new Map(tracks.map((track) => [track.arn, track]));
    let expirations = 0;
    let failedRotations = 0;
    const unsubscribes = world.accountIds.map((accountId) =>
      world.stack.accounts.forAccount(accountId).onEvent(async (event) => {
        if (event['detail-type'] !== 'KMS Imported Key Material Expiration') return;
        const track = byArn.get(event.resources[0] ?? '');
        if (!track) return;
        expirations += 1;
        track.gapStart ??= Date.parse(event.time);
      }),
    );
    try {
      const from = world.clock.now();
      for (let day = 1; day <= options.days; day++) {
        await world.clock.advance(DAY_MS);
        if (bed && options.rotateEveryDays !== undefined && day % options.rotateEveryDays === 0) {
          for (const track of tracks.filter(
            (t) =>
              t.accountId === world.hubAccountId &&
              t.region === world.regions[0] &&
              t.keySpec === 'SYMMETRIC_DEFAULT' &&
              t.role === 'SINGLE',
          )) {
            const rotated = await bed.rotate(
              track.keyId,
              `simulated rotation every ${options.rotateEveryDays} days`,
            );
            if (rotated.status === 'SUCCEEDED') track.rotations += 1;
            else failedRotations += 1;
          }
        }
        // A gap is caught at once from the expiration event; ValidTo moves at most once per
        // (validity - lead) >= 15 days, so reading every key weekly sees each reimport.
        const observing = tracks.filter(
          (track) => track.gapStart !== undefined || day % OBSERVE_EVERY_DAYS === 0 || day === options.days,
        );
        await Promise.all(observing.map((track) => observe(world, track)));
        options.onProgress?.({ day, days: options.days, reimports: countReimports(tracks) });
      }
      const to = world.clock.now();
      const perKey = tracks.map(summarize);
      const perPair = world.accountIds.flatMap((accountId) =>
        regions.map((region) => {
          const here = perKey.filter((key) => key.accountId === accountId && key.region === region);
          return {
            accountId,
            region,
            keys: here.length,
            reimports: here.reduce((sum, key) => sum + key.reimports, 0),
            expiredSeconds: here.reduce((sum, key) => sum + key.expiredSeconds, 0),
          };
        }),
      );
      const history = world.history.list();
      return {
        accounts: world.accountIds.length,
        regions,
        keysPerPair: options.keys,
        days: options.days,
        keys: tracks.length,
        materials: perKey.reduce((sum, key) => sum + key.materials.length, 0),
        reimports: countReimports(tracks),
        rotations: tracks.reduce((sum, track) => sum + track.rotations, 0),
        failedRotations,
        fleetRuns: history.filter((record) => record.stateMachine === 'reimport-fleet').length,
        failedExecutions: world.history.failed().length + failedRotations,
        expiredKeySeconds: Math.round(tracks.reduce((sum, track) => sum + track.expiredMs, 0) / 1000),
        expirations,
        from: from.toISOString(),
        to: to.toISOString(),
        wallSeconds: Math.round((Date.now() - started) / 100) / 10,
        perPair,
        perKey,
      };
    } finally {
      for (const unsubscribe of unsubscribes) unsubscribe();
    }
  } finally {
    await bed?.close();
    await world.stop();
  }
}

/** The input the hub's fleet rule starts reimport-fleet with. */
async function setFleetInput(world: FleetWorld, input: Record<string, unknown>): Promise<void> {
  await world.events.bus.handle(
    'PutTargets',
    {
      Rule: 'byok-reimport-fleet',
      Targets: [
        { Id: 'ReimportFleet', Arn: world.events.targetArns.ReimportFleet, Input: JSON.stringify(input) },
      ],
    },
    { region: world.stack.region, accountId: world.stack.accountId, requestId: 'simulate' },
  );
}

async function createKeys(world: FleetWorld, perPair: number, rotating: boolean): Promise<Track[]> {
  const tracks: Track[] = [];
  const add = async (
    accountId: string,
    region: string,
    arn: string,
    keySpec: ManagedKeySpec,
    validForDays: number,
    role: Track['role'],
  ) => {
    const track: Track = {
      arn,
      accountId,
      region,
      keyId: arn.slice(arn.lastIndexOf('/') + 1),
      keySpec,
      role,
      validForDays,
      materials: new Map(),
      gapStart: undefined,
      expiredMs: 0,
      rotations: 0,
    };
    await observe(world, track);
    tracks.push(track);
  };
  for (const [a, accountId] of world.accountIds.entries()) {
    for (const [r, region] of world.regions.entries()) {
      for (let i = 0; i < perPair; i++) {
        const keySpec = SPECS[i % SPECS.length] as ManagedKeySpec;
        const validForDays = perPair === 1 ? 30 : Math.round(30 + (60 * i) / (perPair - 1));
        const label = `fleet-${a}-${r}-${i}`;
        const arn = await world.createFleetKey({
          accountId,
          region,
          keySpec,
          validForDays,
          hsmKeyLabel: label,
        });
        if (rotating && accountId === world.hubAccountId && keySpec === 'SYMMETRIC_DEFAULT' && r === 0) {
          await world.adminKms(accountId, region).send(
            new TagResourceCommand({
              KeyId: arn,
              Tags: [{ TagKey: TAG_APPROVALS_REQUIRED, TagValue: '2' }],
            }),
          );
        }
        await mustImport(world, arn);
        await add(accountId, region, arn, keySpec, validForDays, 'SINGLE');
      }
    }
    // With several Regions, one multi-Region key per account: its primary in the first Region and
    // a replica in every other, each with its own material and ValidTo.
    const [first, ...others] = world.regions;
    if (first && others.length > 0) {
      const label = `fleet-${a}-mrk`;
      const arn = await world.createFleetKey({
        accountId,
        region: first,
        keySpec: 'SYMMETRIC_DEFAULT',
        validForDays: 45,
        hsmKeyLabel: label,
        multiRegion: true,
      });
      await mustImport(world, arn);
      await add(accountId, first, arn, 'SYMMETRIC_DEFAULT', 45, 'PRIMARY');
      for (const other of others) {
        const replica = await world.replicate(arn, other);
        await mustImport(world, replica, label);
        await add(accountId, other, replica, 'SYMMETRIC_DEFAULT', 45, 'REPLICA');
      }
    }
  }
  return tracks;
}

async function mustImport(world: FleetWorld, arn: string, hsmKeyLabel?: string): Promise<void> {
  const imported = await world.importFleetKey(arn, hsmKeyLabel);
  if (imported.status !== 'SUCCEEDED')
    throw new Error(`the initial import of ${arn} failed: ${imported.error}: ${imported.cause}`);
}

function clientOf(world: FleetWorld, track: Track): KMSClient {
  return world.adminKms(track.accountId, track.region);
}

/** Reads the key from its own account's KMS: PendingImport is a gap; a new ValidTo is an import. */
async function observe(world: FleetWorld, track: Track): Promise<void> {
  const kms = clientOf(world, track);
  const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: track.arn }))).KeyMetadata;
  const now = world.clock.now().getTime();
  if (metadata?.KeyState === 'PendingImport') {
    track.gapStart ??= now;
    return;
  }
  if (track.gapStart !== undefined) {
    track.expiredMs += Math.max(0, now - track.gapStart);
    track.gapStart = undefined;
  }
  const seen =
    track.keySpec === 'SYMMETRIC_DEFAULT'
      ? (await listKeyMaterials(kms, track.arn))
          .filter((material) => material.state === 'CURRENT' || material.state === 'NON_CURRENT')
          .map((material) => ({
            id: material.keyMaterialId,
            state: material.state,
            validTo: material.validTo?.getTime(),
          }))
      : [{ id: null, state: 'CURRENT', validTo: metadata?.ValidTo?.getTime() }];
  for (const material of seen) {
    const key = material.id ?? '';
    const known = track.materials.get(key) ?? {
      id: material.id,
      state: material.state,
      validTo: undefined,
      imports: 0,
      gapMs: 0,
    };
    known.state = material.state;
    if (material.validTo !== undefined && material.validTo !== known.validTo) {
      known.imports += 1;
      known.validTo = material.validTo;
    }
    track.materials.set(key, known);
  }
}

function countReimports(tracks: readonly Track[]): number {
  return tracks.reduce(
    (sum, track) =>
      sum +
      [...track.materials.values()].reduce((count, material) => count + Math.max(0, material.imports - 1), 0),
    0,
  );
}

function summarize(track: Track): FleetSimulatedKey {
  const materials = [...track.materials.values()].map((material) => ({
    keyMaterialId: material.id,
    state: material.state,
    reimports: Math.max(0, material.imports - 1),
    // A gap is the key's (its Region's): every material of it counts it.
    expiredSeconds: Math.round(track.expiredMs / 1000),
  }));
  return {
    accountId: track.accountId,
    region: track.region,
    keyId: track.keyId,
    keySpec: track.keySpec,
    role: track.role,
    validForDays: track.validForDays,
    reimports: materials.reduce((sum, material) => sum + material.reimports, 0),
    expiredSeconds: Math.round(track.expiredMs / 1000),
    rotations: track.rotations,
    materials,
  };
}
