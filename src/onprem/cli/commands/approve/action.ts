// What `byok approve` (and `byok reject`) do: POST /requests/{id}/votes as the caller and print the
// outcome. Refusals (self-approval, second vote, ended or unknown request) are named one-line errors.
import type { Decision } from '../../../../core/approvals/contracts.ts';
import { approvalsClientFor, callApi } from '../../approvals-client.ts';
import { cell, terminalJson } from '../../terminal.ts';
import type { ApproveOptions } from './options.ts';

export async function runVote(
  requestId: string,
  decision: Decision,
  options: ApproveOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const client = await approvalsClientFor(options);
  const answer = await callApi(() => client.vote(requestId, { decision, reason: options.reason }), client);
  if (options.output === 'json') {
    out.write(`${terminalJson(answer)}\n`);
    return;
  }
  const { request } = answer;
  const what =
    answer.outcome === 'approved'
      ? 'approved: quorum reached, the rotation proceeds'
      : answer.outcome === 'rejected'
        ? 'rejected: the rotation is abandoned'
        : `vote recorded (${request.approvals}/${request.approvalsRequired} approvals)`;
  out.write(`${cell(`${request.requestId}: ${what}`)}\n`);
}
