// The Keys page's data: what `byok status` shows (src/sweep/status.ts, the sweep's own due policy)
// plus each key's materials from ListKeyRotations. Only ids, states and dates: nothing here can
// carry key material.
import { ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { collectStatus, type KeyStatus } from '../sweep/status.ts';
import type { ConsoleBackend } from './backend.ts';

export interface MaterialView {
  keyMaterialId: string;
  /** CURRENT, NON_CURRENT or PENDING_ROTATION. */
  state: string | null;
  /** IMPORTED or PENDING_IMPORT. */
  importState: string | null;
  validTo: string | null;
  expirationModel: string | null;
}

export interface KeyView extends KeyStatus {
  materials: MaterialView[];
}

export interface KeysView {
  checkedAt: string;
  leadWindowDays: number;
  keys: KeyView[];
  unreadable: { keyId: string; why: string }[];
}

export const DEFAULT_LEAD_WINDOW_DAYS = 14;

export async function readKeys(backend: ConsoleBackend, leadWindowDays: number): Promise<KeysView> {
  const [clock, lastRuns] = await Promise.all([backend.clock(), backend.lastRuns()]);
  const report = await collectStatus({ kms: backend.kms, clock, leadWindowDays, lastRuns });
  const keys = await Promise.all(
    report.keys.map(async (key) => ({ ...key, materials: await materialsOf(backend, key) })),
  );
  return { ...report, keys };
}

/**
 * KMS lists the materials of symmetric keys only; for the others (and where the API is older
 * than multi-material imports) the key shows no material rows, and its ValidTo stands for them.
 */
async function materialsOf(backend: ConsoleBackend, key: KeyStatus): Promise<MaterialView[]> {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') return [];
  try {
    const listed = await backend.kms.send(
      new ListKeyRotationsCommand({ KeyId: key.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    return (listed.Rotations ?? []).map((rotation) => ({
      keyMaterialId: rotation.KeyMaterialId ?? '',
      state: rotation.KeyMaterialState ?? null,
      importState: rotation.ImportState ?? null,
      validTo: rotation.ValidTo?.toISOString() ?? null,
      expirationModel: rotation.ExpirationModel ?? null,
    }));
  } catch {
    return [];
  }
}
