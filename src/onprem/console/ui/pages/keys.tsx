// Keys: every byok-managed key with its spec, HSM key, materials and expiry, what is due and what is
// PendingImport, filtered and sorted in the page and refreshed on a timer.
import { useMemo, useState } from 'preact/hooks';
import { getJson } from '../api.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { Timeline } from '../components/timeline.tsx';
import { usePolling } from '../components/use-polling.ts';
import { formatDate, formatSecondsLeft, shortKeyId } from '../format.ts';
import type { KeysView, KeyView } from '../types.ts';

const REFRESH_MS = 10_000;

type Show = 'all' | 'attention' | 'pending' | 'due';
type SortBy = 'urgency' | 'validTo' | 'keyId' | 'keySpec';

function urgency(key: KeyView): number {
  if (key.withoutMaterial) return 0;
  if (key.nextDue === 'now') return 1;
  return key.validTo ? 2 : 3;
}

const SORTS: Record<SortBy, (a: KeyView, b: KeyView) => number> = {
  urgency: (a, b) => urgency(a) - urgency(b) || (a.secondsLeft ?? Infinity) - (b.secondsLeft ?? Infinity),
  validTo: (a, b) => (a.validTo ?? '9999').localeCompare(b.validTo ?? '9999'),
  keyId: (a, b) => a.keyId.localeCompare(b.keyId),
  keySpec: (a, b) => a.keySpec.localeCompare(b.keySpec) || a.keyId.localeCompare(b.keyId),
};

/** The day in the cell, the full time on hover and for machines. */
function Day({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDate(iso)}>
      {iso.slice(0, 10)}
    </time>
  );
}

function statusOf(key: KeyView): { label: string; tone: 'danger' | 'warn' | 'ok' | 'muted' } {
  if (key.withoutMaterial) return { label: 'PendingImport', tone: 'danger' };
  if (key.nextDue === 'now') return { label: 'due', tone: 'warn' };
  if (key.note) return { label: 'left alone', tone: 'muted' };
  return { label: 'ok', tone: 'ok' };
}

export function KeysPage() {
  const [autoRefresh, setAutoRefresh] = useState(true);
  const [filter, setFilter] = useState('');
  const [show, setShow] = useState<Show>('all');
  const [sortBy, setSortBy] = useState<SortBy>('urgency');
  const polled = usePolling(
    () => getJson<KeysView>('/api/keys'),
    REFRESH_MS,
    () => autoRefresh,
  );
  const keys = useMemo(() => {
    const text = filter.trim().toLowerCase();
    return (polled.data?.keys ?? [])
      .filter((key) =>
        show === 'pending'
          ? key.withoutMaterial
          : show === 'due'
            ? key.nextDue === 'now'
            : show === 'attention'
              ? key.withoutMaterial || key.nextDue === 'now'
              : true,
      )
      .filter(
        (key) =>
          text === '' ||
          [key.keyId, key.keySpec, key.hsmKeyLabel ?? '', key.keyState].some((field) =>
            field.toLowerCase().includes(text),
          ),
      )
      .sort(SORTS[sortBy]);
  }, [polled.data, filter, show, sortBy]);
  const all = polled.data?.keys ?? [];
  const pending = all.filter((key) => key.withoutMaterial).length;
  const due = all.filter((key) => key.nextDue === 'now').length;
  return (
    <>
      <h1 tabIndex={-1}>Keys</h1>
      <p class="lead">
        Every KMS key tagged <code>byok:managed=true</code>.{' '}
        {polled.data && (
          <>
            {all.length} keys, <strong class={pending ? 'tone-danger' : ''}>{pending} PendingImport</strong>,{' '}
            <strong class={due ? 'tone-warn' : ''}>{due} due</strong>; checked{' '}
            {formatDate(polled.data.checkedAt)}, lead window {polled.data.leadWindowDays} days.
          </>
        )}
      </p>
      <form class="toolbar" onSubmit={(event) => event.preventDefault()}>
        <label>
          Filter
          <input
            type="search"
            name="filter"
            value={filter}
            placeholder="key id, spec, HSM key"
            onInput={(event) => setFilter(event.currentTarget.value)}
          />
        </label>
        <label>
          Show
          <select name="show" value={show} onChange={(event) => setShow(event.currentTarget.value as Show)}>
            <option value="all">all keys</option>
            <option value="attention">needs attention</option>
            <option value="pending">PendingImport</option>
            <option value="due">due for reimport</option>
          </select>
        </label>
        <label>
          Sort by
          <select
            name="sort"
            value={sortBy}
            onChange={(event) => setSortBy(event.currentTarget.value as SortBy)}
          >
            <option value="urgency">urgency</option>
            <option value="validTo">valid to</option>
            <option value="keyId">key id</option>
            <option value="keySpec">key spec</option>
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="auto-refresh"
            checked={autoRefresh}
            onChange={(event) => setAutoRefresh(event.currentTarget.checked)}
          />
          Auto-refresh every {REFRESH_MS / 1000} s
        </label>
        <button type="button" onClick={polled.refresh} disabled={polled.loading}>
          {polled.loading ? 'Refreshing…' : 'Refresh now'}
        </button>
      </form>
      {polled.error && <ErrorBox error={polled.error} title="Could not read the keys" />}
      {polled.data && all.length === 0 && (
        <p>No byok-managed keys (tag byok:managed=true) in this account and Region.</p>
      )}
      {keys.length > 0 && (
        <div class="table-wrap">
          <table class="keys">
            <caption class="visually-hidden">Managed keys</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Spec</th>
                <th scope="col">HSM key</th>
                <th scope="col">Status</th>
                <th scope="col">Material (id, state, valid to)</th>
                <th scope="col">Valid to</th>
                <th scope="col">Next reimport</th>
                <th scope="col">Last run</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => {
                const status = statusOf(key);
                return (
                  <tr key={key.keyId} class={`row-${status.tone}`} data-key-id={key.keyId}>
                    <th scope="row">
                      <code title={key.keyId}>
                        {shortKeyId(key.keyId).slice(0, 13)}
                        <span class="visually-hidden">{shortKeyId(key.keyId).slice(13)}</span>
                        <span aria-hidden="true">…</span>
                      </code>
                    </th>
                    <td>{key.keySpec}</td>
                    <td>{key.hsmKeyLabel ?? '—'}</td>
                    <td>
                      <span class={`badge tone-${status.tone}`}>{status.label}</span>
                      {key.note && <div class="note">{key.note}</div>}
                    </td>
                    <td>
                      {key.materials.length === 0 ? (
                        <span class="muted">{key.keyState}</span>
                      ) : (
                        <ul class="materials">
                          {key.materials.map((material) => (
                            <li key={`${material.region}/${material.keyMaterialId ?? ''}`}>
                              {material.keyMaterialId ? (
                                <code title={material.keyMaterialId}>
                                  {material.keyMaterialId.slice(0, 12)}…
                                </code>
                              ) : (
                                <span class="muted">material</span>
                              )}{' '}
                              {material.role === 'SINGLE' ? '' : `${material.region} `}
                              {material.state} {material.importState}{' '}
                              {material.validTo ? <Day iso={material.validTo} /> : ''}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td class="nowrap">
                      {key.validTo ? (
                        <Day iso={key.validTo} />
                      ) : key.withoutMaterial ? (
                        'no material'
                      ) : (
                        'never'
                      )}
                      {key.secondsLeft !== null && (
                        <div class="note">{formatSecondsLeft(key.secondsLeft)} left</div>
                      )}
                    </td>
                    <td class="nowrap">
                      {key.nextDue === 'now' ? 'next sweep' : key.nextDue ? <Day iso={key.nextDue} /> : '—'}
                    </td>
                    <td>
                      {key.lastRun ? (
                        <span class={key.lastRun.result === 'FAILED' ? 'tone-danger' : ''}>
                          {key.lastRun.result}
                          {key.lastRun.error ? ` (${key.lastRun.error})` : ''}
                        </span>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      <a href={`#/start?keyId=${encodeURIComponent(key.keyId)}`}>Import…</a>{' '}
                      <a href={`#/approvals?keyId=${encodeURIComponent(key.keyId)}`}>Rotate…</a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {polled.data && keys.length > 0 && <Timeline keys={keys} now={polled.data.checkedAt} />}
      {polled.data && polled.data.unreadable.length > 0 && (
        <section aria-labelledby="unreadable-heading">
          <h2 id="unreadable-heading">Keys with unreadable tags</h2>
          <ul>
            {polled.data.unreadable.map((key) => (
              <li key={key.keyId}>
                <code>{key.keyId}</code>: {key.why}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
