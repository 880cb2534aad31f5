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
  const [clock, lastRuns, aliases, importRuns, lastSweep] = await Promise.all([
    backend.clock(),
    backend.lastRuns(),
    aliasesByKeyId(backend.kms),
    backend.importRuns.list(),
    backend.lastSweep().catch(() => undefined),
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
    ...(lastSweep ? { lastSweep } : {}),
    keys: report.keys.map((key) => ({
      ...key,
      aliases: aliases.get(key.keyId) ?? [],
      description: key.description ?? null,
    })),
  };
}

export interface KeysCache {
  /**
   * The last scan while it is fresh; past its time to live, still the last scan, at once, while a
   * new one runs for the next read (so a scan longer than the server's deadline is shown once it
   * ends instead of never). A first scan, `fresh`, or a read after `invalidate` waits for the new
   * scan (joining one in flight).
   */
  read(leadWindowDays: number, options?: { fresh?: boolean }): Promise<ScannedKeys>;
  /** Something changed the keys (a run the console followed ended, an import started): scan again next time. */
  invalidate(): void;
}

interface CacheEntry {
  /** The last scan that ended well, and when it ended. */
  last?: { view: ScannedKeys; at: number; invalidated: boolean };
  /** The scan running now. */
  running?: Promise<ScannedKeys>;
}

export function createKeysCache(
  scan: (leadWindowDays: number) => Promise<ScannedKeys>,
  options: { ttlMs?: number; now?: () => number } = {},
): KeysCache {
  const ttlMs = options.ttlMs ?? KEYS_CACHE_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<number, CacheEntry>();
  const start = (leadWindowDays: number, entry: CacheEntry): Promise<ScannedKeys> => {
    if (entry.running) return entry.running;
    const running = scan(leadWindowDays).then(
      (view) => {
        entry.last = { view, at: now(), invalidated: false };
        entry.running = undefined;
        return view;
      },
      (error: unknown) => {
        // A failed scan is never served: the last good one stays, the next read tries again.
        entry.running = undefined;
        throw error;
      },
    );
    entry.running = running;
    // Nobody may be waiting for a scan started behind a served answer: its failure is not unhandled.
    running.catch(() => undefined);
    return running;
  };
  return {
    read(leadWindowDays, { fresh = false } = {}) {
      const entry = entries.get(leadWindowDays) ?? {};
      entries.set(leadWindowDays, entry);
      const last = entry.last;
      if (!last || fresh || last.invalidated) return start(leadWindowDays, entry);
      if (now() - last.at >= ttlMs) void start(leadWindowDays, entry);
      return Promise.resolve(last.view);
    },
    invalidate() {
      for (const entry of entries.values()) if (entry.last) entry.last.invalidated = true;
    },
  };
}
