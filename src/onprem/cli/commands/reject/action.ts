// What `byok reject` does: the same vote as `byok approve`, deciding `reject`.
import { runVote } from '../approve/action.ts';
import type { RejectOptions } from './options.ts';

export function runReject(
  requestId: string,
  options: RejectOptions,
  out?: NodeJS.WritableStream,
): Promise<void> {
  return runVote(requestId, 'reject', options, out);
}
