// What `byok approvals` does: reads the open requests (awaiting material, or pending votes) and
// prints them as a table or JSON.
import type { ApprovalRequestView } from '../../../../core/approvals/contracts.ts';
import { approvalsClientFor, callApi } from '../../approvals-client.ts';
import { cell, terminalJson } from '../../terminal.ts';
import type { ApprovalsListOptions } from './options.ts';

const OPEN = new Set(['AWAITING_MATERIAL', 'PENDING']);

function row(request: ApprovalRequestView): string[] {
  return [
    request.requestId,
    request.keyArn,
    request.requester,
    request.reason,
    request.checkValue ?? '(making)',
    `${request.approvals}/${request.approvalsRequired}`,
    request.deadline,
  ];
}

export async function runApprovals(
  options: ApprovalsListOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const client = await approvalsClientFor(options);
  const { requests } = await callApi(() => client.listRequests(), client);
  const open = requests.filter((request) => OPEN.has(request.status));
  if (options.output === 'json') {
    out.write(`${terminalJson(open)}\n`);
    return;
  }
  if (open.length === 0) {
    out.write('No open rotation requests.\n');
    return;
  }
  out.write(formatApprovals(open));
}

/** The open requests as a table; requester, reason and key come from whoever asked (terminal.ts). */
export function formatApprovals(open: readonly ApprovalRequestView[]): string {
  const header = ['request', 'key', 'requester', 'reason', 'check value', 'votes', 'deadline'];
  const rows = [header, ...open.map((request) => row(request).map(cell))];
  const widths = header.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)));
  return rows
    .map(
      (cells) =>
        `${cells
          .map((text, column) => text.padEnd(widths[column] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}
