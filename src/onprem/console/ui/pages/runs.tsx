// Runs: the newest executions of the import, sweep and rotation state machines, and next to them
// the runs of `byok import` (from its own record), with status, key, duration and error.
import { useState } from 'preact/hooks';
import type { RunsView } from '../../wire.ts';
import { getJson } from '../api.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { nameOfKey, useManagedKeys } from '../components/managed-keys.ts';
import { usePolling } from '../components/use-polling.ts';
import { formatDate, formatDuration, shortKeyId } from '../format.ts';
import { mergeRuns, type RunRow } from '../import-runs.ts';

export function statusTone(status: string): string {
  if (status === 'SUCCEEDED') return 'ok';
  if (status === 'RUNNING') return 'running';
  return 'danger';
}

type Show = 'all' | 'import' | 'byok-import' | 'sweep' | 'rotation' | 'FAILED' | 'RUNNING';

const WORKFLOW_LABEL: Record<string, string> = {
  'import-key-material': 'import',
  'reimport-expiring-keys': 'sweep',
  'rotate-key-material': 'rotation',
  'byok-import': 'byok import',
};

export function RunsPage() {
  const polled = usePolling((_forced, signal) => getJson<RunsView>('/api/runs', { signal }), 5000);
  const keys = useManagedKeys();
  const [filter, setFilter] = useState('');
  const [show, setShow] = useState<Show>('all');
  const text = filter.trim().toLowerCase();
  const all: RunRow[] = mergeRuns(polled.data?.runs ?? [], polled.data?.importRuns?.runs ?? []);
  const runs = all
    .filter((run) =>
      show === 'import'
        ? run.workflow === 'import-key-material'
        : show === 'byok-import'
          ? run.workflow === 'byok-import'
          : show === 'sweep'
            ? run.workflow === 'reimport-expiring-keys'
            : show === 'rotation'
              ? run.workflow === 'rotate-key-material'
              : show === 'FAILED'
                ? run.status !== 'SUCCEEDED' && run.status !== 'RUNNING'
                : show === 'RUNNING'
                  ? run.status === 'RUNNING'
                  : true,
    )
    .filter(
      (run) =>
        text === '' ||
        [run.name, run.keyId ?? '', nameOfKey(keys, run.keyId) ?? '', run.error ?? ''].some((field) =>
          field.toLowerCase().includes(text),
        ),
    );
  return (
    <>
      <h1 tabIndex={-1}>Runs</h1>
      <p class="lead">
        Executions of the import (<code>import-key-material</code>), sweep (
        <code>reimport-expiring-keys</code>) and rotation (<code>rotate-key-material</code>) state machines,
        and the runs of <code>byok import</code> on the command line, newest first.{' '}
        <a href="#/start">Start an import</a>
      </p>
      <form class="toolbar" onSubmit={(event) => event.preventDefault()}>
        <label>
          Filter
          <input
            type="search"
            name="filter"
            value={filter}
            placeholder="run name, key, error"
            onInput={(event) => setFilter(event.currentTarget.value)}
          />
        </label>
        <label>
          Show
          <select name="show" value={show} onChange={(event) => setShow(event.currentTarget.value as Show)}>
            <option value="all">all runs</option>
            <option value="import">imports (Step Functions)</option>
            <option value="byok-import">byok import (command line)</option>
            <option value="sweep">sweeps</option>
            <option value="rotation">rotations</option>
            <option value="FAILED">failed, timed out or aborted</option>
            <option value="RUNNING">running</option>
          </select>
        </label>
        <span class="muted">refreshed every 5 s</span>
      </form>
      {polled.error && <ErrorBox error={polled.error} title="Could not list the runs" />}
      {polled.data?.importRuns?.unavailable && (
        <p class="note" data-import-runs-unavailable>
          Runs of <code>byok import</code>: {polled.data.importRuns.unavailable}.
        </p>
      )}
      {polled.data && runs.length === 0 && (
        <p>{all.length === 0 ? 'No runs yet.' : 'No run matches the filter.'}</p>
      )}
      {runs.length > 0 && (
        <div class="table-wrap">
          <table class="runs">
            <caption class="visually-hidden">Runs</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Workflow</th>
                <th scope="col">Status</th>
                <th scope="col">Key</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.executionArn} data-execution-arn={run.executionArn}>
                  <th scope="row">
                    {run.byokImport ? (
                      <>
                        {run.name}
                        {run.byokImport.host && <div class="note">on {run.byokImport.host}</div>}
                      </>
                    ) : (
                      <a href={`#/runs/${encodeURIComponent(run.executionArn)}`}>{run.name}</a>
                    )}
                  </th>
                  <td>{WORKFLOW_LABEL[run.workflow] ?? run.workflow}</td>
                  <td>
                    <span class={`badge tone-${statusTone(run.status)}`}>{run.status}</span>
                    {run.outcome === 'PARTIAL' && (
                      <>
                        {' '}
                        <span
                          class="badge tone-warn"
                          data-run-outcome="PARTIAL"
                          title="Some keys were not read or not reimported: open the run"
                        >
                          PARTIAL
                        </span>
                      </>
                    )}
                  </td>
                  <td>
                    {run.workflow === 'reimport-expiring-keys' ? (
                      'all due keys'
                    ) : nameOfKey(keys, run.keyId) ? (
                      <span title={run.keyId ?? ''}>{nameOfKey(keys, run.keyId)}</span>
                    ) : (
                      <code title={run.keyId ?? ''}>{shortKeyId(run.keyId)}</code>
                    )}
                  </td>
                  <td>{formatDate(run.startDate)}</td>
                  <td>{formatDuration(run.durationMs)}</td>
                  <td data-run-error>
                    {run.error ? <code class="tone-danger">{run.error}</code> : '—'}
                    {run.byokImport && (
                      <div class="note">
                        {run.byokImport.lastState && `in ${run.byokImport.lastState}; `}
                        {run.byokImport.kms ?? ''}
                        {run.byokImport.next && (
                          <>
                            ; next: <code>{run.byokImport.next}</code>
                          </>
                        )}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
