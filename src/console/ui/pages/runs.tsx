// Runs: the newest executions of the import and sweep state machines, with status, key and duration.
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

export function RunsPage() {
  const polled = usePolling(() => getJson<{ runs: RunSummary[] }>('/api/runs'), 5000);
  const runs = polled.data?.runs ?? [];
  return (
    <>
      <h1 tabIndex={-1}>Runs</h1>
      <p class="lead">
        Executions of the import (<code>import-key-material</code>) and sweep (
        <code>reimport-expiring-keys</code>) state machines, newest first.{' '}
        <a href="#/start">Start an import</a>
      </p>
      {polled.error && <ErrorBox error={polled.error} title="Could not list the runs" />}
      {polled.data && runs.length === 0 && <p>No runs yet.</p>}
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
                  <td>{run.workflow === 'import-key-material' ? 'import' : 'sweep'}</td>
                  <td>
                    <span class={`badge tone-${statusTone(run.status)}`}>{run.status}</span>
                  </td>
                  <td>
                    <code title={run.keyId ?? ''}>
                      {run.workflow === 'import-key-material' ? shortKeyId(run.keyId) : 'all due keys'}
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
