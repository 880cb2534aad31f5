// Keys: every byok-managed key by the name custodians know it by (alias, description; the key id
// secondary and copyable), one status in their words with what happens next, its materials per
// Region, and the actions (Import…, Rotate…) always within reach, at 1280 px as on a phone.
// Counts add up: every key is counted once, the ones that could not be read included.
import { useMemo, useState } from 'preact/hooks';
import type { KeysView, KeyView, MaterialStatus } from '../../wire.ts';
import { getJson } from '../api.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { Timeline } from '../components/timeline.tsx';
import { usePolling } from '../components/use-polling.ts';
import { formatDate, formatSecondsLeft } from '../format.ts';
import {
  countKeys,
  isThrottled,
  type KeyStatusKind,
  keyDisplayName,
  keyStatusOf,
  lastSweepWords,
} from '../key-status.ts';

const REFRESH_MS = 10_000;

type Show = 'all' | 'attention' | KeyStatusKind;
type SortBy = 'urgency' | 'name' | 'validTo' | 'keyId';

const STATUS_RANK: Record<KeyStatusKind, number> = {
  failing: 0,
  expired: 1,
  'no-material': 2,
  due: 3,
  healthy: 4,
};

const SORTS: Record<SortBy, (a: KeyView, b: KeyView) => number> = {
  urgency: (a, b) =>
    STATUS_RANK[keyStatusOf(a).kind] - STATUS_RANK[keyStatusOf(b).kind] ||
    (a.secondsLeft ?? Infinity) - (b.secondsLeft ?? Infinity),
  name: (a, b) => keyDisplayName(a).localeCompare(keyDisplayName(b)),
  validTo: (a, b) => (a.validTo ?? '9999').localeCompare(b.validTo ?? '9999'),
  keyId: (a, b) => a.keyId.localeCompare(b.keyId),
};

/** The day in the cell, the full time on hover and for machines. */
function Day({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDate(iso)}>
      {iso.slice(0, 10)}
    </time>
  );
}

const MATERIAL_STATE: Record<string, string> = {
  CURRENT: 'current',
  NON_CURRENT: 'previous',
};

function Material({ material }: { material: MaterialStatus }) {
  const pending = material.importState === 'PENDING_IMPORT';
  return (
    <li data-region={material.region}>
      <span class="region">{material.region}</span>{' '}
      <span class={pending ? 'tone-danger' : ''}>
        {pending ? 'no material' : (MATERIAL_STATE[material.state] ?? material.state.toLowerCase())}
      </span>
      {material.validTo && (
        <>
          , valid to <Day iso={material.validTo} />
        </>
      )}
      {material.checkValue && (
        <>
          , check value{' '}
          <code
            data-check-value
            title={`Compare with the KCV \`byok hsm list\` shows for HSM key ${material.hsmKeyLabel ?? ''}: the same value means the same material`}
          >
            {material.checkValue}
          </code>
        </>
      )}
      {material.keyMaterialId && (
        <code class="material-id" title={`KeyMaterialId ${material.keyMaterialId}`}>
          {' '}
          {material.keyMaterialId.slice(0, 8)}…
        </code>
      )}
    </li>
  );
}

function CopyId({ keyId }: { keyId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="link copy"
      aria-label={`Copy key id ${keyId}`}
      onClick={() => {
        navigator.clipboard?.writeText(keyId).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? 'copied' : 'copy'}
    </button>
  );
}

function KeyRow({ keyView }: { keyView: KeyView }) {
  const status = keyStatusOf(keyView);
  const name = keyDisplayName(keyView);
  const named = name !== keyView.keyId;
  return (
    <tr class={`row-${status.tone}`} data-key-id={keyView.keyId} data-status={status.kind}>
      <th scope="row" class="key-cell">
        <span class="key-name">
          {named ? name : <code>{keyView.keyId}</code>}
          {!named && (
            <>
              {' '}
              <CopyId keyId={keyView.keyId} />
            </>
          )}
        </span>
        {named && keyView.aliases.length > 0 && keyView.description && (
          <span class="key-description">{keyView.description}</span>
        )}
        {keyView.aliases.length > 1 && <span class="note">also {keyView.aliases.slice(1).join(', ')}</span>}
        {named && (
          <span class="key-id">
            <code>{keyView.keyId}</code> <CopyId keyId={keyView.keyId} />
          </span>
        )}
        <span class="note" data-key-binding={keyView.binding.state}>
          {keyView.keySpec}
          {keyView.hsmKeyLabel ? `, HSM key ${keyView.hsmKeyLabel}` : ', no HSM key tag'}
          {keyView.binding.state === 'unbound' && (
            <>
              {' '}
              <span class="badge tone-danger">not bound</span>
            </>
          )}
          {keyView.binding.state === 'unknown' && (
            <span title={keyView.binding.detail ?? undefined}> (binding not known)</span>
          )}
        </span>
      </th>
      <td data-label="Status">
        <span class={`badge tone-${status.tone}`} data-key-status>
          {status.label}
        </span>
        <div class="note" data-key-next>
          {status.next}
        </div>
      </td>
      <td data-label="Materials">
        {keyView.materials.length === 0 ? (
          <span class="muted">
            {keyView.withoutMaterial ? 'no material' : keyView.validTo ? '' : 'does not expire'}
            {keyView.validTo && (
              <>
                valid to <Day iso={keyView.validTo} />
              </>
            )}
          </span>
        ) : (
          <ul class="materials">
            {keyView.materials.map((material) => (
              <Material key={`${material.region}/${material.keyMaterialId ?? ''}`} material={material} />
            ))}
          </ul>
        )}
        {keyView.secondsLeft !== null && keyView.secondsLeft > 0 && (
          <div class="note">{formatSecondsLeft(keyView.secondsLeft)} left</div>
        )}
      </td>
      <td data-label="Last run">
        {keyView.lastRun ? (
          <span class={keyView.lastRun.result === 'FAILED' ? 'tone-danger' : ''}>
            {keyView.lastRun.interrupted
              ? 'interrupted, not verified'
              : keyView.lastRun.result === 'FAILED'
                ? 'failed'
                : 'succeeded'}
            {keyView.lastRun.error ? ` (${keyView.lastRun.error})` : ''}
            <span class="note">
              {' '}
              <Day iso={keyView.lastRun.at} />
            </span>
          </span>
        ) : (
          <span class="muted">none seen</span>
        )}
      </td>
      <td class="actions-cell" data-label="Actions">
        <a class="action" href={`#/start?keyId=${encodeURIComponent(keyView.keyId)}`}>
          Import…<span class="visually-hidden"> {name}</span>
        </a>
        <a class="action" href={`#/approvals?keyId=${encodeURIComponent(keyView.keyId)}`}>
          Rotate…<span class="visually-hidden"> {name}</span>
        </a>
      </td>
    </tr>
  );
}

export function KeysPage() {
  const [autoRefresh, setAutoRefresh] = useState(true);
  const [filter, setFilter] = useState('');
  const [show, setShow] = useState<Show>('all');
  const [sortBy, setSortBy] = useState<SortBy>('urgency');
  const polled = usePolling(
    (forced, signal) => getJson<KeysView>(`/api/keys${forced ? '?fresh=1' : ''}`, { signal }),
    REFRESH_MS,
    () => autoRefresh,
  );
  const all = polled.data?.keys ?? [];
  const keys = useMemo(() => {
    const text = filter.trim().toLowerCase();
    return all
      .filter((key) => {
        const kind = keyStatusOf(key).kind;
        return show === 'all' ? true : show === 'attention' ? kind !== 'healthy' : kind === show;
      })
      .filter(
        (key) =>
          text === '' ||
          [key.keyId, key.keySpec, key.hsmKeyLabel ?? '', key.description ?? '', ...key.aliases].some(
            (field) => field.toLowerCase().includes(text),
          ),
      )
      .sort(SORTS[sortBy]);
  }, [polled.data, filter, show, sortBy]);
  const counts = polled.data ? countKeys(polled.data) : undefined;
  const unreadable = polled.data?.unreadable ?? [];
  return (
    <>
      <h1 tabIndex={-1}>Keys</h1>
      <p class="lead">
        Every KMS key tagged <code>byok:managed=true</code>
        {polled.data && (
          <>
            , checked {formatDate(polled.data.checkedAt)} (reimports start {polled.data.leadWindowDays} days
            before expiry)
          </>
        )}
        .
      </p>
      {counts && (
        <ul class="counts" aria-label="Keys by status" data-total={counts.total}>
          <li data-count="total">
            <strong>{counts.total}</strong> keys
          </li>
          <li data-count="healthy" class="tone-ok">
            <strong>{counts.healthy}</strong> healthy
          </li>
          <li data-count="due" class={counts.due ? 'tone-warn' : ''}>
            <strong>{counts.due}</strong> due
          </li>
          <li data-count="expired" class={counts.expired ? 'tone-danger' : ''}>
            <strong>{counts.expired}</strong> expired
          </li>
          <li data-count="no-material" class={counts.noMaterial ? 'tone-danger' : ''}>
            <strong>{counts.noMaterial}</strong> no material
          </li>
          <li data-count="failing" class={counts.failing ? 'tone-danger' : ''}>
            <strong>{counts.failing}</strong> failing
          </li>
          <li data-count="unreadable" class={counts.unreadable ? 'tone-warn' : ''}>
            <strong>{counts.unreadable}</strong> could not be read
            {counts.throttled > 0 && ` (${counts.throttled} throttled)`}
          </li>
        </ul>
      )}
      {polled.data && (
        <p
          class={`last-sweep tone-${lastSweepWords(polled.data.lastSweep).tone}`}
          data-last-sweep={polled.data.lastSweep?.outcome ?? 'none'}
        >
          {lastSweepWords(polled.data.lastSweep, formatDate).text}
        </p>
      )}
      <form class="toolbar" onSubmit={(event) => event.preventDefault()}>
        <label>
          Filter
          <input
            type="search"
            name="filter"
            value={filter}
            placeholder="alias, description, key id, HSM key"
            onInput={(event) => setFilter(event.currentTarget.value)}
          />
        </label>
        <label>
          Show
          <select name="show" value={show} onChange={(event) => setShow(event.currentTarget.value as Show)}>
            <option value="all">all keys</option>
            <option value="attention">needs attention</option>
            <option value="failing">failing</option>
            <option value="expired">expired</option>
            <option value="no-material">no material</option>
            <option value="due">due</option>
            <option value="healthy">healthy</option>
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
            <option value="name">name</option>
            <option value="validTo">valid to</option>
            <option value="keyId">key id</option>
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
        <button type="button" onClick={() => polled.refresh(true)} disabled={polled.loading}>
          {polled.loading ? 'Refreshing…' : 'Refresh now'}
        </button>
      </form>
      {polled.error && <ErrorBox error={polled.error} title="Could not read the keys" />}
      {polled.data && all.length === 0 && unreadable.length === 0 && (
        <p>No byok-managed keys (tag byok:managed=true) in this account and Region.</p>
      )}
      {keys.length > 0 && (
        <div class="table-wrap">
          <table class="keys">
            <caption class="visually-hidden">Managed keys</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Materials by Region</th>
                <th scope="col">Last run</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <KeyRow key={key.keyId} keyView={key} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {unreadable.length > 0 && (
        <section aria-labelledby="unreadable-heading" class="unreadable">
          <h2 id="unreadable-heading">Keys that could not be read ({unreadable.length})</h2>
          <p class="note">
            They are counted above. A throttled key was refused by KMS's request quota even after the retries:
            the next refresh reads it again. Any other reason is the key's own (its byok tags).
          </p>
          <ul>
            {unreadable.map((key) => (
              <li key={key.keyId} data-unreadable={key.keyId}>
                <code>{key.keyId}</code>: {isThrottled(key.why) ? 'throttled by KMS — ' : ''}
                {key.why}
              </li>
            ))}
          </ul>
        </section>
      )}
      {polled.data && keys.length > 0 && <Timeline keys={keys} now={polled.data.checkedAt} />}
    </>
  );
}
