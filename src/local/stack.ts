// startLocalStack(): the embedded AWS stand-in byok runs against on a machine with no AWS account.
// One HTTP server, one virtual clock, and the services registered on it by X-Amz-Target prefix.
// Adding a service is: construct it with the shared parts, then `server.register(service)`.
import { join } from 'node:path';
import { z } from 'zod';
import { MultiAccountKms } from './accounts.ts';
import { attachLocalBindings } from './bindings/attach.ts';
import type { LocalBindings } from './bindings/store.ts';
import { LATEST_INSTANT_MS, VirtualClock } from './clock.ts';
import { LocalStateMismatchError, VirtualClockError } from './errors.ts';
import { type AttachedEvents, attachLocalEvents } from './events/attach.ts';
import { FaultInjector, type FaultSpec } from './faults.ts';
import { LocalRoles } from './iam/roles.ts';
import { LocalIdentities } from './identity.ts';
import { WrappingKeyPool } from './kms/import-tokens.ts';
import { KmsService } from './kms/service.ts';
import type { RsaWrappingKeySpec } from './kms/spec.ts';
import { LocalOrganizations } from './organizations/service.ts';
import { MasterKey, parseStateFile, StateStore } from './persistence.ts';
import { type QuotaSpec, RateLimiter } from './quotas.ts';
import { LocalS3 } from './s3/service.ts';
import { LocalServer } from './server.ts';
import { lockStateDir, type StateDirLock } from './state-lock.ts';
import { StsService } from './sts/service.ts';

export interface LocalStackOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback by default; anything else must be asked for explicitly. */
  host?: string;
  /**
   * Without it everything lives in memory and is gone on stop(). One stack per state dir: a second
   * is refused (LocalStateLockedError, with the owner's pid and port).
   */
  stateDir?: string;
  /** Default: the state dir's (stack.json), else us-east-1. */
  region?: string | undefined;
  /** Default: the state dir's (stack.json), else 111122223333. */
  accountId?: string | undefined;
  quotas?: QuotaSpec;
  faults?: FaultSpec[];
  /** Virtual time an on-demand rotation takes to complete (default 60 s, about what AWS takes). */
  kmsRotationDelayMs?: number;
  /**
   * Wrapping key sizes to generate in the background at start (default RSA_2048); others are
   * generated on first use (`byok local up --prewarm RSA_2048,RSA_3072,RSA_4096` warms all three).
   */
  kmsPrewarmWrappingKeys?: readonly RsaWrappingKeySpec[];
  /**
   * Two GetParametersForImport calls in a row never get the same wrapping key pair, closer to AWS,
   * where each call gets its own (default false: a drained pool hands out its last pair again, so
   * a burst of imports need not wait for RSA generation). Tests that must tell one call's token
   * from the next one's turn it on (kms/import-tokens.ts WrappingKeyPool).
   */
  kmsDistinctWrappingKeys?: boolean;
  /** How often real time passing fires due timers (default 1000 ms). */
  tickMs?: number;
  /** Regions whose requests get no answer (the connection drops), as a Region that is down. */
  unreachableRegions?: readonly string[];
  /**
   * What the stack takes for real time, under its virtual clock and its request quotas (default
   * Date.now): bench/fleet.ts gives it a SimulatedTime (src/local/simulated-time.ts). Not with a
   * state dir, whose stored clock is an offset from real time.
   */
  realNow?: () => number;
}

export interface LocalStack {
  url: string;
  region: string;
  accountId: string;
  clock: VirtualClock;
  /** The KMS of the stack's own account. */
  kms: KmsService;
  /** Every account's KMS: other accounts (from 12-digit access key ids or STS sessions) get their own. */
  accounts: MultiAccountKms;
  /** The IAM roles STS lets callers assume (`deployTemplate` creates a template's roles in an account). */
  iam: LocalRoles;
  /** The S3 stand-in (path-style REST on the same port). */
  s3: LocalS3;
  /** Request quotas, per account and Region (`/_byok/quotas` sets them too). */
  limiter: RateLimiter;
  /** The local EventBridge (AWSEvents.*) with byok's rules from deploy/event-rules.json. */
  events: AttachedEvents;
  /** The administrators' bindings store (`bindings.json`, served at /_byok/bindings). */
  bindings: LocalBindings;
  server: LocalServer;
  /** The state dir (absent with everything in memory): the Step Functions API keeps executions there. */
  stateStore?: StateStore | undefined;
  stop(): Promise<void>;
}

interface StoredClock {
  offsetMs: number;
}

/** `clock.json`: how far ahead of real time the clock stood; it never runs behind real time. */
function storedClockSchema(realNowMs: number) {
  return z
    .object({
      offsetMs: z
        .number()
        .finite()
        .nonnegative()
        .max(LATEST_INSTANT_MS - realNowMs, 'the offset puts the clock past the end of year 9999'),
    })
    .strict();
}

/** `stack.json`: the account and Region the state belongs to, used when none is given. */
const storedStackSchema = z
  .object({ accountId: z.string().regex(/^\d{12}$/), region: z.string().min(1) })
  .strict();

/**
 * The account and Region: as given, else as stored with the state, else the defaults. A state dir
 * made for another account or Region is refused by name (its ARNs would not match).
 */
function resolveIdentity(
  store: StateStore | undefined,
  options: LocalStackOptions,
): { accountId: string; region: string } {
  const raw = store?.read('stack');
  const stored =
    store && raw !== undefined ? parseStateFile(storedStackSchema, raw, store.path('stack')) : undefined;
  if (store && stored) {
    if (options.accountId !== undefined && options.accountId !== stored.accountId)
      throw new LocalStateMismatchError(store.path('stack'), 'account', stored.accountId, options.accountId);
    if (options.region !== undefined && options.region !== stored.region)
      throw new LocalStateMismatchError(store.path('stack'), 'Region', stored.region, options.region);
  }
  return {
    accountId: options.accountId ?? stored?.accountId ?? '111122223333',
    region: options.region ?? stored?.region ?? 'us-east-1',
  };
}

function readStoredClock(store: StateStore | undefined): StoredClock | undefined {
  const stored = store?.read('clock');
  if (!store || stored === undefined) return undefined;
  return parseStateFile(storedClockSchema(Date.now()), stored, store.path('clock'));
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (options.accountId !== undefined && !/^\d{12}$/.test(options.accountId))
    throw new RangeError(`account id must be 12 digits, got '${options.accountId}'`);
  const store = options.stateDir ? StateStore.open(options.stateDir) : undefined;
  const lock: StateDirLock | undefined = store ? lockStateDir(store.dir) : undefined;
  try {
    return await startOnState(options, store, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function startOnState(
  options: LocalStackOptions,
  store: StateStore | undefined,
  lock: StateDirLock | undefined,
): Promise<LocalStack> {
  const { accountId, region } = resolveIdentity(store, options);
  if (options.realNow && store) {
    throw new VirtualClockError('a stack on simulated time (realNow) keeps no state dir');
  }
  const clock = new VirtualClock({
    offsetMs: readStoredClock(store)?.offsetMs ?? 0,
    ...(options.realNow ? { realNow: options.realNow } : {}),
  });
  const limiter = new RateLimiter(options.quotas, options.realNow);
  const faults = new FaultInjector(options.faults ?? []);
  const iam = new LocalRoles();
  const identities = new LocalIdentities(accountId, (arn) => iam.get(arn));
  const server = new LocalServer({ region, accountId, clock, limiter, faults, identities });
  server.setUnreachableRegions(options.unreachableRegions ?? []);

  const masterKey = store?.masterKey ?? MasterKey.random();
  // One pool of wrapping key pairs for every account: KMS's wrapping keys are not the accounts' own.
  const pool = new WrappingKeyPool({}, { distinct: options.kmsDistinctWrappingKeys });
  const kms = new KmsService({
    clock,
    accountId,
    masterKey,
    store,
    rotationDelayMs: options.kmsRotationDelayMs,
    prewarmWrappingKeys: options.kmsPrewarmWrappingKeys,
    pool,
  });
  // Other accounts live in memory only: the state dir keeps the stack's own account.
  const accounts = new MultiAccountKms(
    { accountId, kms },
    (other) =>
      new KmsService({
        clock,
        accountId: other,
        masterKey,
        rotationDelayMs: options.kmsRotationDelayMs,
        prewarmWrappingKeys: [],
        pool,
      }),
  );
  server.register(accounts);
  server.registerQuery(new StsService(iam, identities));
  const s3 = new LocalS3(clock, options.stateDir ? join(options.stateDir, 's3') : undefined);
  server.registerRest(s3);
  server.register(
    new LocalOrganizations(accountId, () => [...iam.accounts(), ...accounts.accounts()], clock.now()),
  );
  // A refused bindings.json stops the start before anything listens (nothing was changed).
  let bindings: LocalBindings;
  try {
    bindings = attachLocalBindings({ server }, store);
  } catch (error) {
    await kms.close();
    pool.close();
    throw error;
  }
  // A refused events.json stops the start: the KMS emulator's background work stops with it.
  const events = await attachLocalEvents({ region, accountId, clock, server, kms }, { store }).catch(
    async (error: unknown) => {
      await kms.close();
      pool.close();
      throw error;
    },
  );

  // The clock's offset is state too: expiries already applied must not be un-applied by a restart.
  if (store) clock.onMove((offsetMs) => store.write('clock', { offsetMs } satisfies StoredClock));
  const url = await server
    .listen(options.port ?? 0, options.host ?? '127.0.0.1')
    .catch(async (error: unknown) => {
      events.detach();
      await kms.close();
      pool.close();
      throw error;
    });
  if (store) store.write('stack', { accountId, region });
  lock?.listening(url);
  clock.startTicking(options.tickMs ?? 1000);
  await clock.fireDue();

  let stopped = false;
  return {
    url,
    region,
    accountId,
    clock,
    kms,
    accounts,
    iam,
    s3,
    limiter,
    events,
    bindings,
    server,
    ...(store ? { stateStore: store } : {}),
    async stop() {
      if (stopped) return;
      stopped = true;
      clock.stopTicking();
      await clock.idle();
      events.detach();
      await server.close();
      await accounts.close();
      await kms.close();
      pool.close();
      lock?.release();
    },
  };
}
