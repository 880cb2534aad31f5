// One run: its status and error by name with the hint, the state machine with the path taken, and
// each state's input and output from the execution history. Followed live while it runs.
import { useState } from 'preact/hooks';
import { getJson } from '../api.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { JsonView } from '../components/json-view.tsx';
import { StateGraph } from '../components/state-graph.tsx';
import { usePolling } from '../components/use-polling.ts';
import { formatDate, formatDuration } from '../format.ts';
import type { RunDetail } from '../types.ts';
import { statusTone } from './runs.tsx';

export function RunPage({ executionArn }: { executionArn: string }) {
  const polled = usePolling(
    () => getJson<RunDetail>(`/api/runs/${encodeURIComponent(executionArn)}`),
    1000,
    (run) => run === undefined || run.status === 'RUNNING',
  );
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const run = polled.data;
  const failedVisit = run?.visits.find((visit) => visit.status === 'failed' && visit.error);
  const shown = selected ?? failedVisit?.name ?? run?.visits[run.visits.length - 1]?.name;
  const visitsOfShown = run?.visits.filter((visit) => visit.name === shown) ?? [];
  return (
    <>
      <p class="breadcrumb">
        <a href="#/runs">Runs</a> /
      </p>
      <h1 tabIndex={-1}>{run?.name ?? 'Run'}</h1>
      {polled.error && <ErrorBox error={polled.error} title="Could not read the run" />}
      {run && (
        <>
          <dl class="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <span class={`badge tone-${statusTone(run.status)}`} data-run-status={run.status}>
                  {run.status}
                </span>
              </dd>
            </div>
            <div>
              <dt>Workflow</dt>
              <dd>{run.workflow}</dd>
            </div>
            {run.keyId && (
              <div>
                <dt>Key</dt>
                <dd>
                  <code>{run.keyId}</code>
                </dd>
              </div>
            )}
            <div>
              <dt>Started</dt>
              <dd>{formatDate(run.startDate)}</dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd>{formatDuration(run.durationMs)}</dd>
            </div>
          </dl>
          {run.error && (
            <ErrorBox
              title={`Failed${failedVisit ? ` in ${failedVisit.name}` : ''}`}
              error={{ error: run.error, message: run.cause ?? '', ...(run.hint ? { hint: run.hint } : {}) }}
            />
          )}
          <div class="run-layout">
            <StateGraph
              definition={run.definition}
              visits={run.visits}
              selected={shown}
              onSelect={setSelected}
            />
            <section class="state-detail" aria-labelledby="state-heading" aria-live="polite">
              <h2 id="state-heading">{shown ? `State ${shown}` : 'States'}</h2>
              {shown && visitsOfShown.length === 0 && <p class="muted">This run did not enter {shown}.</p>}
              {visitsOfShown.map((visit, index) => (
                <article
                  key={`${visit.name}-${visit.enteredAt}-${index}`}
                  class={`visit visit-${visit.status}`}
                >
                  <h3>
                    {visitsOfShown.length > 1 ? `Visit ${index + 1}: ` : ''}
                    {visit.status} <span class="muted">at {formatDate(visit.enteredAt)}</span>
                  </h3>
                  {visit.error && (
                    <p>
                      <code class="tone-danger">{visit.error}</code> {visit.cause}
                    </p>
                  )}
                  <JsonView label="Input" value={visit.input} />
                  <JsonView label="Output" value={visit.output} />
                </article>
              ))}
              <h3>Path taken</h3>
              <ol class="path">
                {run.visits.map((visit, index) => (
                  <li key={`${visit.name}-${index}`}>
                    <button
                      type="button"
                      class={`link tone-${statusTone(visit.status === 'succeeded' ? 'SUCCEEDED' : visit.status === 'running' ? 'RUNNING' : 'FAILED')}`}
                      onClick={() => setSelected(visit.name)}
                    >
                      {visit.name}
                    </button>
                  </li>
                ))}
              </ol>
            </section>
          </div>
        </>
      )}
    </>
  );
}
