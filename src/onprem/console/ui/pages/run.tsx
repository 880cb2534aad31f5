// One run: a verdict first (Verified with its proof, Failed with the error, its hint and what
// changed in KMS, or what it waits for, with the way to the vote), then the state machine with the
// path taken, and each state's input and output from the execution history. Followed live while it
// runs. The page is re-created for every run address (main.tsx), so it always shows the run named
// in the URL.
import { useMemo, useState } from 'preact/hooks';
import type { RunDetail } from '../../wire.ts';
import { getJson } from '../api.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { JsonView } from '../components/json-view.tsx';
import { nameOfKey, useManagedKeys } from '../components/managed-keys.ts';
import { StateGraph } from '../components/state-graph.tsx';
import { usePolling } from '../components/use-polling.ts';
import { formatDate, formatDuration } from '../format.ts';
import { graphModel, initialSelection } from '../graph-model.ts';
import { hrefOf } from '../routes.ts';
import { type Verdict, verdictOf } from '../verdict.ts';
import { statusTone } from './runs.tsx';

const WORKFLOW_WORDS: Record<string, string> = {
  'import-key-material': 'import',
  'reimport-expiring-keys': 'sweep (scheduled reimport)',
  'rotate-key-material': 'rotation',
};

function VerdictBanner({ verdict }: { verdict: Verdict }) {
  return (
    <section
      class={`verdict verdict-${verdict.kind}`}
      role={verdict.kind === 'failed' ? 'alert' : 'status'}
      aria-labelledby="verdict-title"
      data-verdict={verdict.kind}
    >
      <h2 id="verdict-title">{verdict.title}</h2>
      {verdict.lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
      {verdict.checks.length > 0 && (
        <ul class="checks">
          {verdict.checks.map((check) => (
            <li key={check.name} class={check.passed ? '' : 'tone-danger'}>
              {check.passed ? 'passed' : 'FAILED'}: {check.name} — {check.detail}
            </li>
          ))}
        </ul>
      )}
      {verdict.requestId && (
        <p>
          <a href={hrefOf({ page: 'approvals', requestId: verdict.requestId })} data-approval-link>
            {verdict.kind === 'waiting-approval' ? 'Review and vote on the request' : 'The approval request'}
          </a>
        </p>
      )}
    </section>
  );
}

export function RunPage({ executionArn }: { executionArn: string }) {
  const polled = usePolling(
    (_forced, signal) => getJson<RunDetail>(`/api/runs/${encodeURIComponent(executionArn)}`, { signal }),
    1000,
    (run) => run === undefined || run.status === 'RUNNING',
  );
  const keys = useManagedKeys();
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const run = polled.data;
  const shown = selected ?? (run ? initialSelection(run.visits) : undefined);
  const visitsOfShown = run?.visits.filter((visit) => visit.name === shown) ?? [];
  const keyName = nameOfKey(keys, run?.keyId ?? null);
  // Failure plumbing the run went through is never listed in green.
  const failurePath = useMemo(
    () =>
      new Set(
        run
          ? graphModel(run.definition, run.visits)
              .nodes.filter((node) => node.role === 'failure')
              .map((node) => node.id)
          : [],
      ),
    [run],
  );
  return (
    <>
      <p class="breadcrumb">
        <a href="#/runs">Runs</a> /
      </p>
      <h1 tabIndex={-1} data-run-name={run?.name}>
        {run?.name ?? 'Run'}
      </h1>
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
              <dd>{WORKFLOW_WORDS[run.workflow] ?? run.workflow}</dd>
            </div>
            {run.keyId && (
              <div>
                <dt>Key</dt>
                <dd data-run-key>
                  {keyName && <strong>{keyName} </strong>}
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
          <VerdictBanner verdict={verdictOf(run)} />
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
                      class={`link tone-${statusTone(
                        visit.status === 'succeeded' && !failurePath.has(visit.name)
                          ? 'SUCCEEDED'
                          : visit.status === 'running'
                            ? 'RUNNING'
                            : 'FAILED',
                      )}`}
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
