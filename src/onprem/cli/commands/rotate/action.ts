// What `byok rotate` does: POST /requests as the caller, print the request id (or one JSON object),
// and with --wait follow the request until a vote or the deadline ends it.
import type { ApprovalRequestView } from '../../../../core/approvals/contracts.ts';
import { approvalsClientFor, callApi } from '../../approvals-client.ts';
import { RotationNotApprovedError } from '../../errors.ts';
import { cell, terminalJson } from '../../terminal.ts';
import type { RotateOptions } from './options.ts';

const OPEN = new Set(['AWAITING_MATERIAL', 'PENDING']);

export async function runRotate(
  options: RotateOptions,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<void> {
  const client = await approvalsClientFor(options);
  const { request } = await callApi(
    () => client.requestRotation({ keyId: options.keyId, reason: options.reason }),
    client,
  );
  if (options.output !== 'json') {
    err.write(
      `${cell(
        `rotation requested by ${request.requester} for ${request.keyArn}: ${request.approvalsRequired} approval(s) needed by ${request.deadline}`,
      )}\n`,
    );
  }
  let final: ApprovalRequestView = request;
  if (options.wait) {
    // Says what it waits for; Ctrl-C or SIGTERM stops the waiting, never the request, and says so
    // with the request id (printed on stdout only at the end: it was lost with the process).
    err.write(
      `${cell(`request ${request.requestId}: waiting for its votes until ${request.deadline} (Ctrl-C stops waiting, not the request)`)}\n`,
    );
    const onSignal = (signal: NodeJS.Signals) => {
      err.write(
        `${cell(
          `byok rotate: ${signal}: stopped waiting; request ${request.requestId} stays ${final.status} until its votes or its deadline (${request.deadline}) end it; nothing was cancelled. See it with byok approvals`,
        )}\n`,
      );
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      while (OPEN.has(final.status)) {
        await new Promise((resolve) => setTimeout(resolve, options.pollInterval));
        final = (await callApi(() => client.getRequest(request.requestId), client)).request;
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  if (options.output === 'json')
    out.write(`${terminalJson({ requestId: request.requestId, request: final })}\n`);
  else out.write(`${cell(request.requestId)}\n`);
  if (options.wait && final.status !== 'APPROVED') {
    throw new RotationNotApprovedError(request.requestId, final.status, final.endReason);
  }
}
