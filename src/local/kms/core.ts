// What every KMS operation works with. Operations are plain functions over this, grouped by topic.
import type { Clock } from '../../core/clock.ts';
import type { RequestContext } from '../protocol.ts';
import type { KmsEvent } from './events.ts';
import type { ImportTokenSealer, WrappingKeyPool } from './import-tokens.ts';
import type { KeyRegistry } from './registry.ts';

export interface KmsCore {
  registry: KeyRegistry;
  clock: Clock;
  /** Keys KeyMaterialId derivation, so the same (key, material) always gets the same id. */
  idSecret: Buffer;
  sealer: ImportTokenSealer;
  pool: WrappingKeyPool;
  /** How long RotateKeyOnDemand takes to complete, on the virtual clock. */
  rotationDelayMs: number;
  emit(event: KmsEvent): Promise<void>;
}

export type KmsInput = Record<string, unknown>;
export type KmsOperation = (
  core: KmsCore,
  input: KmsInput,
  context: RequestContext,
) => Promise<unknown> | unknown;
