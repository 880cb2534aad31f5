// The KMS emulator as a service on the local stack's port (`TrentService.*`): operation table,
// timed work on the virtual clock (material expiry, rotation completion, key deletion), AWS-shaped
// events to local listeners, and persistence after every change.
import type { VirtualClock } from '../clock.ts';
import type { MasterKey, StateStore } from '../persistence.ts';
import { AWS_JSON_1_1, AwsServiceError, type LocalService, type RequestContext } from '../protocol.ts';
import type { KmsCore, KmsOperation } from './core.ts';
import {
  decrypt,
  encrypt,
  generateDataKey,
  generateDataKeyWithoutPlaintext,
  generateMac,
  getPublicKey,
  sign,
  verify,
  verifyMac,
} from './data-plane.ts';
import {
  deletionEvent,
  type KmsEvent,
  type KmsEventListener,
  materialExpirationEvent,
  rotationEvent,
} from './events.ts';
import { ImportTokenSealer, type PoolSizes, WrappingKeyPool } from './import-tokens.ts';
import {
  deleteImportedKeyMaterial,
  forgetMaterial,
  getParametersForImport,
  importKeyMaterial,
} from './importing.ts';
import {
  cancelKeyDeletion,
  createAlias,
  createKey,
  deleteAlias,
  deleteDueKeys,
  describeKeyOperation,
  disableKey,
  enableKey,
  getKeyRotationStatus,
  listAliases,
  listKeys,
  listResourceTags,
  refuseAutomaticRotation,
  replicateKey,
  scheduleKeyDeletion,
  tagResource,
  untagResource,
  updateAlias,
} from './key-management.ts';
import { KeyRegistry } from './registry.ts';
import { completeDueRotations, listKeyRotations, rotateKeyOnDemand } from './rotation.ts';
import type { RsaWrappingKeySpec } from './spec.ts';
import { deserializeKms, serializeKms } from './state-file.ts';

const OPERATIONS: Record<string, KmsOperation> = {
  CreateKey: createKey,
  DescribeKey: describeKeyOperation,
  ListKeys: listKeys,
  EnableKey: enableKey,
  DisableKey: disableKey,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: cancelKeyDeletion,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListResourceTags: listResourceTags,
  CreateAlias: createAlias,
  UpdateAlias: updateAlias,
  DeleteAlias: deleteAlias,
  ListAliases: listAliases,
  ReplicateKey: replicateKey,
  GetKeyRotationStatus: getKeyRotationStatus,
  EnableKeyRotation: refuseAutomaticRotation,
  DisableKeyRotation: refuseAutomaticRotation,
  GetParametersForImport: getParametersForImport,
  ImportKeyMaterial: importKeyMaterial,
  DeleteImportedKeyMaterial: deleteImportedKeyMaterial,
  Encrypt: encrypt,
  Decrypt: decrypt,
  GenerateDataKey: generateDataKey,
  GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
  GenerateMac: generateMac,
  VerifyMac: verifyMac,
  Sign: sign,
  Verify: verify,
  GetPublicKey: getPublicKey,
  RotateKeyOnDemand: rotateKeyOnDemand,
  ListKeyRotations: listKeyRotations,
};

// Operations that only read; everything else is persisted after it succeeds.
const READ_ONLY = new Set([
  'DescribeKey',
  'ListKeys',
  'ListResourceTags',
  'ListAliases',
  'GetKeyRotationStatus',
  'GetParametersForImport',
  'Encrypt',
  'Decrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'Sign',
  'Verify',
  'GetPublicKey',
  'ListKeyRotations',
]);

export interface KmsServiceOptions {
  clock: VirtualClock;
  accountId: string;
  /** Seals state and derives the KeyMaterialId and import-token keys. */
  masterKey: MasterKey;
  /** With a state dir: load on start, save after every change. */
  store?: StateStore | undefined;
  /** Virtual time RotateKeyOnDemand takes to complete (AWS: about a minute). Default 60 s. */
  rotationDelayMs?: number | undefined;
  wrappingKeyPool?: PoolSizes | undefined;
  /** Wrapping key specs generated in the background at start (default RSA_2048 only). */
  prewarmWrappingKeys?: readonly RsaWrappingKeySpec[] | undefined;
  /** A pool shared with other accounts' KMS (closed by its owner, not by close()). */
  pool?: WrappingKeyPool | undefined;
}

export class KmsService implements LocalService {
  readonly targetPrefix = 'TrentService';
  readonly contentType = AWS_JSON_1_1;
  private readonly core: KmsCore;
  private readonly listeners = new Set<KmsEventListener>();
  private readonly store: StateStore | undefined;
  private readonly removeTimer: () => void;
  private readonly ownsPool: boolean;

  constructor(options: KmsServiceOptions) {
    this.store = options.store;
    const stored = this.store?.read('kms');
    const registry =
      stored === undefined || !this.store
        ? new KeyRegistry(options.accountId)
        : deserializeKms(stored, options.masterKey, this.store.path('kms'), options.accountId);
    const pool = options.pool ?? new WrappingKeyPool(options.wrappingKeyPool);
    this.ownsPool = options.pool === undefined;
    for (const spec of options.prewarmWrappingKeys ?? ['RSA_2048']) pool.warm(spec);
    this.core = {
      registry,
      clock: options.clock,
      idSecret: options.masterKey.derive('kms/key-material-id'),
      sealer: new ImportTokenSealer(options.masterKey.derive('kms/import-token')),
      pool,
      rotationDelayMs: options.rotationDelayMs ?? 60_000,
      emit: (event) => this.emit(event),
    };
    this.removeTimer = options.clock.addTimerSource({
      nextDue: () => this.nextDue(),
      fire: (now) => this.fire(now),
    });
  }

  /** Subscribes to AWS-shaped KMS events (expiry, rotation, deletion); returns an unsubscribe. */
  onEvent(listener: KmsEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async handle(operation: string, input: Record<string, unknown>, context: RequestContext): Promise<unknown> {
    const run = OPERATIONS[operation];
    if (!run) throw new AwsServiceError('UnknownOperationException');
    const output = await run(this.core, input, context);
    if (!READ_ONLY.has(operation)) this.save();
    return output;
  }

  async close(): Promise<void> {
    this.removeTimer();
    // In-flight RSA generations cannot be cancelled; their results are simply dropped.
    if (this.ownsPool) this.core.pool.close();
  }

  private save(): void {
    this.store?.write('kms', serializeKms(this.core.registry, this.store.masterKey));
  }

  private async emit(event: KmsEvent): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (error) {
        // Delivery is best effort, as in AWS: a failing listener must not stop KMS's own timed work.
        process.emitWarning(
          `KMS event listener failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  private nextDue(): Date | undefined {
    let earliest: number | undefined;
    const consider = (date: Date | undefined) => {
      if (date && (earliest === undefined || date.getTime() < earliest)) earliest = date.getTime();
    };
    for (const key of this.core.registry.keys.values()) {
      consider(key.deletion?.date);
      consider(key.rotation?.dueAt);
      for (const material of key.materials) {
        if (material.secret && material.expirationModel === 'KEY_MATERIAL_EXPIRES')
          consider(material.validTo);
      }
    }
    return earliest === undefined ? undefined : new Date(earliest);
  }

  private async fire(now: Date): Promise<void> {
    const events: KmsEvent[] = [];
    for (const key of this.core.registry.keys.values()) {
      for (const material of key.materials) {
        const validTo = material.validTo;
        if (
          material.secret &&
          material.expirationModel === 'KEY_MATERIAL_EXPIRES' &&
          validTo &&
          validTo <= now
        ) {
          forgetMaterial(material);
          // The event carries the instant the material expired, like AWS's.
          events.push(
            materialExpirationEvent(
              key,
              validTo,
              key.keySpec === 'SYMMETRIC_DEFAULT' ? material.id : undefined,
            ),
          );
        }
      }
    }
    for (const rotated of completeDueRotations(this.core, now)) {
      events.push(rotationEvent(rotated.key, now, rotated.previousId, rotated.currentId));
    }
    for (const deleted of deleteDueKeys(this.core, now)) events.push(deletionEvent(deleted, now));
    this.save();
    for (const event of events) await this.emit(event);
  }
}
