// A user mistake must end in one clear line, never a stack trace. Every error byok raises is a
// named …Error class (see each module's errors.ts) with a message written for the user; a stack is
// shown only with BYOK_DEBUG=1. An error without a hint of its own gets the hint table's for its name.
import { ByokError } from '../../core/shared/errors.ts';
import { hintForName } from '../../core/shared/hints.ts';
import { escapeUnprintable } from '../../core/shared/text.ts';
import { ConnectionRefusedError, NoAnswerError, UnknownHostError } from './errors.ts';

export function reportError(error: unknown, stream: NodeJS.WritableStream = process.stderr): number {
  error = namedNetworkError(error) ?? error;
  if (error instanceof Error) {
    // Names, messages and details quote what others wrote (an AWS service's message, a task's error
    // and cause, a key's label): each is kept on its line, so none can fake a hint or another error.
    const message = escapeUnprintable(meaningfulMessage(error.message));
    stream.write(`byok: ${escapeUnprintable(error.name || 'Error')}${message ? `: ${message}` : ''}\n`);
    const details = (error as { details?: unknown }).details;
    if (Array.isArray(details))
      for (const line of details) stream.write(`byok: ${escapeUnprintable(String(line))}\n`);
    const hint = (error as { hint?: unknown }).hint ?? awsSetupHint(error) ?? hintForName(error.name);
    if (typeof hint === 'string' && hint.length > 0) stream.write(`hint: ${escapeUnprintable(hint)}\n`);
    if (process.env.BYOK_DEBUG === '1' && error.stack) stream.write(`${error.stack}\n`);
  } else {
    stream.write(`byok: ${escapeUnprintable(String(error))}\n`);
  }
  return 1;
}

/**
 * The message, or nothing when there is none to show: empty, or the AWS SDK's placeholder
 * `UnknownError` for a service error that came without one (the name then says it all).
 */
function meaningfulMessage(message: string): string {
  const trimmed = message.trim();
  return trimmed === 'UnknownError' ? '' : trimmed;
}

/**
 * A raw network failure (an SDK client's or fetch's `connect ECONNREFUSED …`, `getaddrinfo
 * ENOTFOUND …`, possibly as the cause of `fetch failed`) as a named error with a hint; an error
 * byok named itself is left as it is.
 */
export function namedNetworkError(error: unknown): Error | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    // An error byok already named (StepFunctionsUnreachableError, WorkerEndpointUnreachableError, …)
    // says more than the socket's code: keep it.
    if (current instanceof ByokError) return undefined;
    const failure = current as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
    if (failure.code === 'ECONNREFUSED') {
      const address = failure.address
        ? `${failure.address}${failure.port ? `:${failure.port}` : ''}`
        : (/ECONNREFUSED (\S+)/.exec(failure.message)?.[1] ?? 'the endpoint');
      return new ConnectionRefusedError(address, { cause: error });
    }
    if (failure.code === 'ENOTFOUND' || failure.code === 'EAI_AGAIN') {
      const host =
        failure.hostname ?? /(?:ENOTFOUND|EAI_AGAIN) (\S+)/.exec(failure.message)?.[1] ?? 'the host';
      return new UnknownHostError(host, { cause: error });
    }
    // The SDK's per-attempt deadline (clients.ts) after its retries, or a fetch's AbortSignal.timeout.
    if (current.name === 'TimeoutError') {
      const detail = current.message.replace(/^@smithy\/node-http-handler - \[ERROR\] /, '');
      return new NoAnswerError(detail, { cause: error });
    }
    current = current.cause;
  }
  return undefined;
}

/** Whether the command line named --endpoint (then a hint never tells the user to pass it). */
function endpointGiven(argv: readonly string[] = process.argv): boolean {
  return argv.some((arg) => arg === '--endpoint' || arg.startsWith('--endpoint='));
}

/** The AWS SDK's own set-up errors carry no hint; these are the ones a first run meets. */
function awsSetupHint(error: Error): string | undefined {
  if (error.name === 'CredentialsProviderError') {
    return endpointGiven()
      ? 'the local stack takes your identity from AWS_ACCESS_KEY_ID (no secret needed): e.g. AWS_ACCESS_KEY_ID=alice'
      : 'configure AWS credentials (aws configure, AWS_PROFILE or an instance role), or pass --endpoint for the local stack';
  }
  if (/^Region (is missing|not accepted)/.test(error.message)) {
    return 'pass --region or set AWS_REGION (or --endpoint for the local stack)';
  }
  return undefined;
}
