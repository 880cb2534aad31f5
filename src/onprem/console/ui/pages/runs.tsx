// Runs: the newest executions of the import, sweep and rotation state machines, with status, key and duration.
import { useState } from 'preact/hooks';
import { getJson } from '../api.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { usePolling } from '../components/use-polling.ts';
import { formatDate, formatDuration, shortKeyId } from '../format.ts';
import type { RunSummary } from '../types.ts';

export function statusTone(status: string): string {
  if (status === 'SUCCEEDED') return 'ok';
  if (status === 'RUNNING') return 'running';
  return 'danger';
}

type Show = 'all' | 'import' | 'sweep' | 'rotation' | 'FAILED' | 'RUNNING';

const WORKFLOW_LABEL: Record<string, string> = {
  'import-key-material': 'import',
  'reimport-expiring-keys': 'sweep',
  'rotate-key-material': 'rotation',
};

export function RunsPage() {
  const polled = usePolling(() => getJson<{ runs: RunSummary[] }>('/api/runs'), 5000);
  const [filter, setFilter] = useState('');
  const [show, setShow] = useState<Show>('all');
  const text = filter.trim().toLowerCase();
  const runs = (polled.data?.runs ?? [])
    .filter((run) =>
      show === 'import'
        ? run.workflow === 'import-key-material'
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
        [run.name, run.keyId ?? '', run.error ?? ''].some((field) => field.toLowerCase().includes(text)),
    );
  return (
    <>
      <h1 tabIndex={-1}>Runs</h1>
      <p class="lead">
        Executions of the import (<code>import-key-material</code>), sweep (
        <code>reimport-expiring-keys</code>) and rotation (<code>rotate-key-material</code>) state machines,
        newest first. <a href="#/start">Start an import</a>
      </p>
      <form class="toolbar" onSubmit={(event) => event.preventDefault()}>
        <label>
          Filter
          <input
            type="search"
            name="filter"
            value={filter}
            placeholder="run name, key id, error"
            onInput={(event) => setFilter(event.currentTarget.value)}
          />
        </label>
        <label>
          Show
          <select name="show" value={show} onChange={(event) => setShow(event.currentTarget.value as Show)}>
            <option value="all">all runs</option>
            <option value="import">imports</option>
            <option value="sweep">sweeps</option>
            <option value="rotation">rotations</option>
            <option value="FAILED">failed, timed out or aborted</option>
            <option value="RUNNING">running</option>
          </select>
        </label>
        <span class="muted">refreshed every 5 s</span>
      </form>
      {polled.error && <ErrorBox error={polled.error} title="Could not list the runs" />}
      {polled.data && runs.length === 0 && (
        <p>{polled.data.runs.length === 0 ? 'No runs yet.' : 'No run matches the filter.'}</p>
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
                    <a href={`#/runs/${encodeURIComponent(run.executionArn)}`}>{run.name}</a>
                  </th>
                  <td>{WORKFLOW_LABEL[run.workflow] ?? run.workflow}</td>
                  <td>
                    <span class={`badge tone-${statusTone(run.status)}`}>{run.status}</span>
                  </td>
                  <td>
                    <code title={run.keyId ?? ''}>
                      {run.workflow === 'reimport-expiring-keys' ? 'all due keys' : shortKeyId(run.keyId)}
                    </code>
                  </td>
                  <td>{formatDate(run.startDate)}</td>
                  <td>{formatDuration(run.durationMs)}</td>
                  <td>{run.error ? <code class="tone-danger">{run.error}</code> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
