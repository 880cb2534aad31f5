// A complete local world for the sweep: the embedded stack (KMS + EventBridge with byok's rules),
// a real software token, the runner's deps, and rule targets that start local executions of the
// real ASL. `byok simulate`, the sweep and event tests and bench/sweep.ts all build on it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { CreateKeyCommand, type KeySpec, type KeyUsageType } from '@aws-sdk/client-kms';
import { addBinding } from '../../core/bindings/admin.ts';
import type { FleetConfig } from '../../core/fleet/config.ts';
import { initLocalToken, type LocalTokenKind } from '../../core/hsm/local-token.ts';
import { openHsm, type Pkcs11Hsm } from '../../core/hsm/pkcs11-adapter.ts';
import type { HsmKeyType } from '../../core/hsm/port.ts';
import {
  TAG_HSM_KEY_LABEL,
  TAG_MANAGED,
  TAG_MANAGED_VALUE,
  TAG_VALID_FOR_DAYS,
  TAG_WRAPPING_ALGORITHM,
} from '../../core/import/tags.ts';
import type { SweepInput } from '../../core/sweep/contracts.ts';
import type { VirtualClock } from '../../local/clock.ts';
import { type AttachedEvents, configureInstalledRules } from '../../local/events/attach.ts';
import type { QuotaSpec } from '../../local/quotas.ts';
import type { SimulatedTime } from '../../local/simulated-time.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { ExecutionHistory } from '../runner/execution-history.ts';
import { createLocalDeps, type LocalDeps } from '../runner/local-deps.ts';
import type { ExecutionResult, RunOverrides } from '../runner/run-execution.ts';
import { runExecution } from '../runner/run-execution.ts';
import { createStateMachineTargetHandler } from '../runner/state-machine-targets.ts';

/** A KMS key spec and the HSM key type and usage that go with it. */
export const KEY_KINDS = {
  SYMMETRIC_DEFAULT: { hsmKeyType: 'AES_256', keyUsage: 'ENCRYPT_DECRYPT' },
  HMAC_256: { hsmKeyType: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' },
  ECC_NIST_P256: { hsmKeyType: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' },
  RSA_2048: { hsmKeyType: 'RSA_2048', keyUsage: 'SIGN_VERIFY' },
} as const satisfies Record<string, { hsmKeyType: HsmKeyType; keyUsage: KeyUsageType }>;
export type ManagedKeySpec = keyof typeof KEY_KINDS;

export interface SweepWorldOptions {
  tokenKind?: LocalTokenKind;
  quotas?: QuotaSpec;
  /** Replaces the sweep rule's schedule. */
  sweepSchedule?: string;
  /** Rules of deploy/event-rules.json (by name) installed disabled. */
  disabledRules?: readonly string[];
  logLevel?: LogLevel;
  overrides?: RunOverrides;
  /** Virtual time an on-demand rotation takes (the stack's default: 60 s). */
  kmsRotationDelayMs?: number;
  /** Fleet mode: the hub reaches other accounts through their spoke roles (src/onprem/simulation/fleet-world.ts). */
  fleet?: FleetConfig;
  /** Regions that answer nothing. */
  unreachableRegions?: readonly string[];
  /**
   * Run on simulated time (bench/fleet.ts): the stack's clock and quotas, the sweep's pacing slots
   * and the runner's Wait states all take it for real time, and the runner reports work in flight
   * to it; drive each run with `simulatedTime.drive(...)`.
   */
  simulatedTime?: SimulatedTime;
}

export interface ManagedKeyRequest {
  keySpec: ManagedKeySpec;
  /** Tag byok:valid-for-days. */
  validForDays: number;
  hsmKeyLabel: string;
  /** Create the HSM key too (default true). */
  createHsmKey?: boolean;
  /** Tag byok:wrapping-algorithm (a token without SHA-256 OAEP, e.g. SoftHSM2, needs RSAES_OAEP_SHA_1). */
  wrappingAlgorithm?: string;
  /** A multi-Region primary (replicate it with ReplicateKey once it holds material). */
  multiRegion?: boolean;
  /** Record the binding of the HSM key to the new key (default true; false: only tagged). */
  bind?: boolean;
}

export interface SweepWorld {
  stack: LocalStack;
  events: AttachedEvents;
  hsm: Pkcs11Hsm;
  deps: LocalDeps;
  history: ExecutionHistory;
  byokHome: string;
  clock: VirtualClock;
  createManagedKey(request: ManagedKeyRequest): Promise<string>;
  /** Runs the import workflow for one key now (as `byok import` would). */
  importKey(keyId: string): Promise<ExecutionResult>;
  /** Sets the endpoint's request quotas (`aws-default`, a map, or null for none). */
  setQuotas(quotas: QuotaSpec | null): Promise<void>;
  /** Runs the sweep now, outside the schedule. */
  runSweep(input?: Partial<SweepInput>): Promise<ExecutionResult>;
  stop(): Promise<void>;
}

export async function startSweepWorld(options: SweepWorldOptions = {}): Promise<SweepWorld> {
  const byokHome = await mkdtemp(join(tmpdir(), 'byok-sweep-'));
  const cleanups: (() => Promise<void>)[] = [() => rm(byokHome, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  const simulated = options.simulatedTime as SimulatedTime;
  try {
    const stackOptions: LocalStackOptions = {
      port: 0,
      ...(options.quotas ? { quotas: options.quotas } : {}),
      ...(options.kmsRotationDelayMs !== undefined ? { kmsRotationDelayMs: options.kmsRotationDelayMs } : {}),
      ...(options.unreachableRegions ? { unreachableRegions: options.unreachableRegions } : {}),
      ...(options.simulatedTime ? { realNow: () => simulated.now() } : {}),
    };
    const stack = await startLocalStack(stackOptions);
    cleanups.push(() => stack.stop());
    const events = stack.events;
    await configureInstalledRules(events.bus, {
      sweepSchedule: options.sweepSchedule,
      disabledRules: options.disabledRules,
    });
    const { config } = await initLocalToken({ byokHome, kind: options.tokenKind ?? 'nss' });
    const hsm = await openHsm(config, { env: {} });
    cleanups.push(() => hsm.close());
    const history = new ExecutionHistory();
    const baseDeps = await createLocalDeps({
      endpoint: stack.url,
      region: stack.region,
      accountId: stack.accountId,
      clock: stack.clock,
      hsm,
      logLevel: options.logLevel ?? 'SILENT',
      ...(options.fleet ? { fleet: options.fleet } : {}),
    });
    cleanups.push(() => baseDeps.close());
    const deps: LocalDeps = Object.assign(
      baseDeps,
      { executionHistory: history },
      options.simulatedTime
        ? {
            pacingClock: { now: () => new Date(simulated.now()) },
            timers: simulated,
            activity: simulated,
          }
        : {},
    );
    const overrides = options.overrides ?? {};
    events.bus.addTargetHandler(createStateMachineTargetHandler({ deps, history, overrides }));

    return {
      stack,
      events,
      hsm,
      deps,
      history,
      byokHome,
      clock: stack.clock,
      async createManagedKey(request) {
        const kind = KEY_KINDS[request.keySpec];
        if (request.createHsmKey !== false)
          await hsm.createKey({ label: request.hsmKeyLabel, type: kind.hsmKeyType });
        const created = await deps.kms.send(
          new CreateKeyCommand({
            Origin: 'EXTERNAL',
            ...(request.multiRegion ? { MultiRegion: true } : {}),
            KeySpec: request.keySpec as KeySpec,
            KeyUsage: kind.keyUsage,
            Description: `byok managed key (${request.keySpec}, ${request.validForDays} days)`,
            Tags: [
              { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
              { TagKey: TAG_HSM_KEY_LABEL, TagValue: request.hsmKeyLabel },
              { TagKey: TAG_VALID_FOR_DAYS, TagValue: String(request.validForDays) },
              ...(request.wrappingAlgorithm
                ? [{ TagKey: TAG_WRAPPING_ALGORITHM, TagValue: request.wrappingAlgorithm }]
                : []),
            ],
          }),
        );
        const keyId = created.KeyMetadata?.KeyId;
        const keyArn = created.KeyMetadata?.Arn;
        if (!keyId || !keyArn) throw new Error('CreateKey returned no key id');
        // The administrator's binding (as `byok bindings add` records it): without it the import,
        // the sweep and the expiry rule refuse the key.
        if (request.bind !== false) {
          await addBinding(
            { store: deps.bindings, kms: deps.kms, clock: stack.clock },
            { hsmKeyLabel: request.hsmKeyLabel, keyId: keyArn, createdBy: 'byok simulation' },
          );
        }
        return keyId;
      },
      importKey(keyId) {
        const input = { keyId, reason: 'initial import' };
        const name = `initial-${keyId}`;
        return history.run('import-key-material', name, input, 'world', () =>
          runExecution({ stateMachine: 'import-key-material', name, input, deps, overrides }),
        );
      },
      async setQuotas(quotas) {
        // Through the stack's admin path, as `byok local` users do.
        const response = await fetch(`${stack.url}/_byok/quotas`, {
          method: 'POST',
          body: JSON.stringify({ quotas }),
        });
        if (!response.ok) throw new Error(`setting quotas failed: ${await response.text()}`);
      },
      runSweep(input = {}) {
        const name = `sweep-${stack.clock.now().getTime()}`;
        return history.run('reimport-expiring-keys', name, input, 'world', () =>
          runExecution({ stateMachine: 'reimport-expiring-keys', name, input, deps, overrides }),
        );
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
