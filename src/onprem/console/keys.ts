// The Keys page's data: what `byok status` shows (src/core/sweep/status.ts, the sweep's own due policy),
// with each key's materials in every Region, and the names custodians know keys by (aliases from
// ListAliases, the KMS description). Only ids, names, states and dates: nothing here can carry key
// material. One scan serves every tab: answers are cached for a few seconds and a scan already
// running is joined, so three tabs polling do not scan the account three times.
import type { KMSClient } from '@aws-sdk/client-kms';
import { listAliases } from '../../core/aws/paginate-kms.ts';
import { collectStatus } from '../../core/sweep/status.ts';
import type { ConsoleBackend } from './backend.ts';
import type { KeysView, KeyView } from './wire.ts';

/** How long one scan serves every tab. */
const KEYS_CACHE_MS = 5_000;

/** Every alias of the account and Region, by the key id it points at. */
async function aliasesByKeyId(kms: KMSClient): Promise<Map<string, string[]>> {
  const byKey = new Map<string, string[]>();
  for (const alias of await listAliases(kms)) {
    if (!alias.TargetKeyId || !alias.AliasName || alias.AliasName.startsWith('alias/aws/')) continue;
    const list = byKey.get(alias.TargetKeyId) ?? [];
    list.push(alias.AliasName);
    byKey.set(alias.TargetKeyId, list);
  }
  for (const list of byKey.values()) list.sort();
  return byKey;
}

/** One scan of the keys, as cached: everything but the bindings, which are read fresh per answer. */
export interface ScannedKeys extends Omit<KeysView, 'keys'> {
  keys: Omit<KeyView, 'binding'>[];
}

export async function readKeys(backend: ConsoleBackend, leadWindowDays: number): Promise<ScannedKeys> {
  const [clock, lastRuns, aliases, importRuns, bindings, region] = await Promise.all([
    backend.clock(),
    backend.lastRuns(),
    aliasesByKeyId(backend.kms),
    backend.importRuns.list(),
    // Unreadable bindings (say, no table here) are shown per key as unknown, never as a failed page.
    backend.bindings
      .list()
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
    backend.kms.config.region(),
  ]);
  // `byok import` runs count too: an interrupted one is never shown as the key's last success.
  for (const run of importRuns.runs) {
    const keyId = run.keyId.split('/').pop() ?? run.keyId;
    const known = lastRuns.get(keyId);
    if (known && known.at >= run.endedAt) continue;
    lastRuns.set(keyId, {
      result: run.outcome === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
      at: run.endedAt,
      ...(run.outcome === 'INTERRUPTED'
        ? { interrupted: true, error: `interrupted by ${run.error ?? 'a signal'}` }
        : run.error
          ? { error: run.error }
          : {}),
    });
  }
  const report = await collectStatus({
    kms: backend.kms,
    kmsForRegion: (region) => backend.kmsForRegion(region),
    clock,
    leadWindowDays,
    lastRuns,
  });
  return {
    ...report,
    keys: report.keys.map((key) => ({
      ...key,
      aliases: aliases.get(key.keyId) ?? [],
      description: key.description ?? null,
    })),
  };
}

export interface KeysCache {
  /** The cached view if fresh (unless `fresh`), else the scan in flight, else a new scan. */
  read(leadWindowDays: number, options?: { fresh?: boolean }): Promise<ScannedKeys>;
  /** Something changed the keys (a run the console followed ended, an import started): scan again next time. */
  invalidate(): void;
}

export function createKeysCache(
  scan: (leadWindowDays: number) => Promise<ScannedKeys>,
  options: { ttlMs?: number; now?: () => number } = {},
): KeysCache {
  const ttlMs = options.ttlMs ?? KEYS_CACHE_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<number, { at: number; view: Promise<ScannedKeys>; settled: boolean }>();
  return {
    read(leadWindowDays, { fresh = false } = {}) {
      const entry = entries.get(leadWindowDays);
      if (entry && (!entry.settled || (!fresh && now() - entry.at < ttlMs))) return entry.view;
      const next = { at: now(), view: scan(leadWindowDays), settled: false };
      entries.set(leadWindowDays, next);
      next.view.then(
        () => {
          next.settled = true;
          next.at = now();
        },
        () => {
          // A failed scan is not cached: the next read tries again.
          if (entries.get(leadWindowDays) === next) entries.delete(leadWindowDays);
        },
      );
      return next.view;
    },
    invalidate() {
      for (const [days, entry] of entries) if (entry.settled) entries.delete(days);
    },
  };
}
