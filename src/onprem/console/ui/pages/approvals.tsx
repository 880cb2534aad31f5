// Rotations and approvals: request a rotation with a reason, see what waits for a vote (who asked,
// why, the new material's check value, votes, deadline) and approve or reject with a reason. The
// page sends no identity: the console server votes under its own credentials through the approvals
// API, which refuses self-approval and second votes; the page shows the refusal by name and hint.
import { useState } from 'preact/hooks';
import type { ApiError, ApprovalsView, ApprovalView, KeyView } from '../../wire.ts';
import { getJson, postJson, toApiError } from '../api.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { KeyPicker } from '../components/key-picker.tsx';
import { nameOfKey, useManagedKeys } from '../components/managed-keys.ts';
import { usePolling } from '../components/use-polling.ts';
import { formatDate, shortKeyId } from '../format.ts';

const OPEN = new Set(['AWAITING_MATERIAL', 'PENDING']);

type Outcome = { tone: 'ok'; text: string } | { tone: 'error'; error: ApiError; title: string };

/** `user/alice` of `arn:aws:iam::111122223333:user/alice`: the table's short form (the title has it all). */
function principalName(principal: string): string {
  return principal.split(':').pop() ?? principal;
}

function isMine(identity: string, principal: string): boolean {
  return identity !== '' && (principal === identity || principal.endsWith(`:${identity}`));
}

function Votes({ request }: { request: ApprovalView }) {
  return request.votes.length > 0 ? (
    <ul class="votes">
      {request.votes.map((vote) => (
        <li key={vote.identity} data-vote={vote.decision}>
          <code title={vote.identity}>{principalName(vote.identity)}</code>{' '}
          {vote.decision === 'approve' ? 'approved' : 'rejected'}{' '}
          <time dateTime={vote.at}>{formatDate(vote.at)}</time>: {vote.reason}
        </li>
      ))}
    </ul>
  ) : (
    <span class="muted">no votes</span>
  );
}

function VoteForm({
  request,
  decision,
  onDone,
  onCancel,
}: {
  request: ApprovalView;
  decision: 'approve' | 'reject';
  onDone: (outcome: Outcome) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState('');
  const [sending, setSending] = useState(false);
  const id = `vote-${decision}-${request.requestId}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    setSending(true);
    try {
      const answer = await postJson<{ outcome: string; request: ApprovalView }>(
        `/api/approvals/${encodeURIComponent(request.requestId)}/vote`,
        { decision, reason },
      );
      onDone({
        tone: 'ok',
        text:
          answer.outcome === 'approved'
            ? `Approved ${request.requestId}: quorum reached, the rotation proceeds.`
            : answer.outcome === 'rejected'
              ? `Rejected ${request.requestId}: the rotation is abandoned.`
              : `Vote recorded on ${request.requestId} (${answer.request.approvals}/${answer.request.approvalsRequired} approvals).`,
      });
    } catch (error) {
      onDone({
        tone: 'error',
        error: toApiError(error),
        title: `Your ${decision === 'approve' ? 'approval' : 'rejection'} was refused`,
      });
    } finally {
      setSending(false);
    }
  };
  return (
    <form class="vote-form" onSubmit={submit}>
      <label for={id}>Reason to {decision}</label>
      <textarea
        id={id}
        name="reason"
        required
        maxLength={500}
        rows={2}
        value={reason}
        ref={(element) => element?.focus()}
        onInput={(event) => setReason(event.currentTarget.value)}
      />
      <div class="actions">
        <button type="submit" class={decision === 'approve' ? 'primary' : 'danger'} disabled={sending}>
          {decision === 'approve' ? 'Confirm approval' : 'Confirm rejection'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RequestCard({
  request,
  identity,
  keys,
  focused,
  onOutcome,
}: {
  request: ApprovalView;
  identity: string;
  keys: KeyView[] | undefined;
  focused: boolean;
  onOutcome: (outcome: Outcome) => void;
}) {
  const [voting, setVoting] = useState<'approve' | 'reject' | undefined>(undefined);
  const headingId = `request-${request.requestId}`;
  const mine = isMine(identity, request.requester);
  const keyName = nameOfKey(keys, request.keyArn) ?? nameOfKey(keys, request.keyId);
  return (
    <li
      class={`request-card${focused ? ' request-focused' : ''}`}
      data-request-id={request.requestId}
      aria-labelledby={headingId}
      ref={(element) => {
        if (focused) element?.scrollIntoView({ block: 'nearest' });
      }}
    >
      <h3 id={headingId}>
        <code>{request.requestId}</code> <span class="badge tone-running">{request.status}</span>
      </h3>
      <dl class="facts">
        <div>
          <dt>Key</dt>
          <dd>
            {keyName && <strong>{keyName} </strong>}
            <code>{request.keyArn}</code>
          </dd>
        </div>
        <div>
          <dt>Requested by</dt>
          <dd>
            <code>{request.requester}</code>
            {mine && ' (you)'}
          </dd>
        </div>
        <div>
          <dt>Reason</dt>
          <dd>{request.reason}</dd>
        </div>
        <div>
          <dt>New material check value</dt>
          <dd>
            {request.checkValue ? (
              <code data-check-value>{request.checkValue}</code>
            ) : (
              <span class="muted">being made in the HSM…</span>
            )}
            {request.newMaterialHsmKey && (
              <span class="muted">
                {' '}
                in HSM key <code>{request.newMaterialHsmKey}</code>
              </span>
            )}
            {request.checkValue && (
              <p class="note" data-check-how>
                Before approving, confirm it on the HSM's host: <code>byok hsm list</code> shows the KCV of
                HSM key <code>{request.newMaterialHsmKey ?? '(the new key)'}</code>; the same value means the
                same material.
              </p>
            )}
          </dd>
        </div>
        <div>
          <dt>Votes</dt>
          <dd data-votes>
            {request.approvals}/{request.approvalsRequired} approvals
            {request.votes.length > 0 && <Votes request={request} />}
          </dd>
        </div>
        <div>
          <dt>Deadline</dt>
          <dd>{formatDate(request.deadline)}</dd>
        </div>
        {request.executionArn && (
          <div>
            <dt>Run</dt>
            <dd>
              <a href={`#/runs/${encodeURIComponent(request.executionArn)}`}>the rotation's run</a>
            </dd>
          </div>
        )}
      </dl>
      {voting ? (
        <VoteForm
          request={request}
          decision={voting}
          onCancel={() => setVoting(undefined)}
          onDone={(outcome) => {
            setVoting(undefined);
            onOutcome(outcome);
          }}
        />
      ) : (
        <div class="actions">
          {mine ? (
            <p class="note" data-own-request>
              You requested this rotation, so you cannot approve it: dual control needs another person's
              approval (the approvals API would refuse your vote with SelfApprovalError).
            </p>
          ) : (
            <button type="button" class="primary" onClick={() => setVoting('approve')}>
              Approve…
            </button>
          )}
          <button type="button" class="danger" onClick={() => setVoting('reject')}>
            Reject…
          </button>
        </div>
      )}
    </li>
  );
}

export function ApprovalsPage({
  keyId,
  requestId,
}: {
  keyId?: string | undefined;
  /** A request to show first (the link from a waiting run). */
  requestId?: string | undefined;
}) {
  const polled = usePolling((_forced, signal) => getJson<ApprovalsView>('/api/approvals', { signal }), 3000);
  const keys = useManagedKeys();
  const [newKeyId, setNewKeyId] = useState(keyId ?? '');
  const [reason, setReason] = useState('');
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const identity = polled.data?.identity ?? '';
  const requests = polled.data?.requests ?? [];
  const open = requests.filter((request) => OPEN.has(request.status));
  const endedAll = requests.filter((request) => !OPEN.has(request.status));
  // The newest ended requests, and the one the address names wherever it is.
  const ended = endedAll.filter((request, index) => index < 10 || request.requestId === requestId);

  const show = (next: Outcome) => {
    setOutcome(next);
    polled.refresh();
  };
  const requestRotation = async (event: Event) => {
    event.preventDefault();
    setSending(true);
    try {
      const answer = await postJson<{ request: ApprovalView }>('/api/rotations', {
        keyId: newKeyId.trim(),
        reason,
      });
      setReason('');
      show({
        tone: 'ok',
        text: `Rotation requested: ${answer.request.requestId} (${answer.request.approvalsRequired} approval(s) needed by ${formatDate(answer.request.deadline)}).`,
      });
    } catch (error) {
      show({ tone: 'error', error: toApiError(error), title: 'The rotation was not requested' });
    } finally {
      setSending(false);
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>Rotations and approvals</h1>
      <p class="lead">
        You are <code data-identity>{identity || '…'}</code>: requests and votes go to the approvals API under
        this console's own credentials. Someone else has to approve what you request.
      </p>
      <div class="outcome" aria-live="polite">
        {outcome?.tone === 'ok' && (
          <p class="note tone-ok" role="status">
            {outcome.text}
          </p>
        )}
        {outcome?.tone === 'error' && <ErrorBox error={outcome.error} title={outcome.title} />}
      </div>
      {polled.error && <ErrorBox error={polled.error} title="Could not read the approval requests" />}

      <h2>Request a rotation</h2>
      <form class="schema-form" onSubmit={requestRotation}>
        <KeyPicker
          id="rotation-keyId"
          name="keyId"
          label="Key to rotate"
          keys={keys}
          value={newKeyId}
          describedBy="rotation-keyId-help"
          onChange={setNewKeyId}
        >
          <p id="rotation-keyId-help" class="help">
            New material is made in the HSM and imported once enough other people approve.
          </p>
        </KeyPicker>
        <div class="field">
          <label for="rotation-reason">Reason</label>
          <textarea
            id="rotation-reason"
            name="reason"
            required
            maxLength={500}
            rows={2}
            value={reason}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={sending}>
            {sending ? 'Requesting…' : 'Request rotation'}
          </button>
        </div>
      </form>

      <h2>Waiting for a vote</h2>
      {polled.data && open.length === 0 && <p>No open rotation requests.</p>}
      {open.length > 0 && (
        <ul class="requests">
          {open.map((request) => (
            <RequestCard
              key={request.requestId}
              request={request}
              identity={identity}
              keys={keys}
              focused={request.requestId === requestId}
              onOutcome={show}
            />
          ))}
        </ul>
      )}

      {ended.length > 0 && (
        <>
          <h2>Ended</h2>
          <div class="table-wrap">
            <table class="ended-requests">
              <caption class="visually-hidden">Ended rotation requests</caption>
              <thead>
                <tr>
                  <th scope="col">Request</th>
                  <th scope="col">Status</th>
                  <th scope="col">Key</th>
                  <th scope="col">Requested by, why</th>
                  <th scope="col">Votes (who, when, why)</th>
                  <th scope="col">Run</th>
                </tr>
              </thead>
              <tbody>
                {ended.map((request) => (
                  <tr
                    key={request.requestId}
                    data-request-id={request.requestId}
                    class={request.requestId === requestId ? 'request-focused' : undefined}
                  >
                    <th scope="row">
                      <code>{request.requestId}</code>
                      <div class="note">requested {formatDate(request.createdAt)}</div>
                    </th>
                    <td>
                      <span class={`badge tone-${request.status === 'APPROVED' ? 'ok' : 'danger'}`}>
                        {request.status}
                      </span>
                      {request.endReason && <div class="note">{request.endReason}</div>}
                    </td>
                    <td>
                      {nameOfKey(keys, request.keyArn) ?? nameOfKey(keys, request.keyId) ?? (
                        <code title={request.keyArn}>{shortKeyId(request.keyId)}</code>
                      )}
                    </td>
                    <td>
                      <code title={request.requester}>{principalName(request.requester)}</code>
                      <div class="note">{request.reason}</div>
                    </td>
                    <td data-ended-votes>
                      <Votes request={request} />
                    </td>
                    <td>
                      {request.executionArn ? (
                        <a href={`#/runs/${encodeURIComponent(request.executionArn)}`}>run</a>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
