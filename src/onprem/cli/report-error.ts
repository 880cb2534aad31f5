// A user mistake must end in one clear line, never a stack trace. Every error byok raises is a
// named …Error class (see each module's errors.ts) with a message written for the user; a stack is
// shown only with BYOK_DEBUG=1.
export function reportError(error: unknown, stream: NodeJS.WritableStream = process.stderr): number {
  if (error instanceof Error) {
    const message = meaningfulMessage(error.message);
    stream.write(`byok: ${error.name || 'Error'}${message ? `: ${message}` : ''}\n`);
    const details = (error as { details?: unknown }).details;
    if (Array.isArray(details)) for (const line of details) stream.write(`byok: ${String(line)}\n`);
    const hint = (error as { hint?: unknown }).hint ?? awsSetupHint(error);
    if (typeof hint === 'string' && hint.length > 0) stream.write(`hint: ${hint}\n`);
    if (process.env.BYOK_DEBUG === '1' && error.stack) stream.write(`${error.stack}\n`);
  } else {
    stream.write(`byok: ${String(error)}\n`);
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

/** The AWS SDK's own set-up errors carry no hint; these are the ones a first run meets. */
function awsSetupHint(error: Error): string | undefined {
  if (error.name === 'CredentialsProviderError') {
    return 'configure AWS credentials (aws configure, AWS_PROFILE or an instance role), or pass --endpoint for the local stack';
  }
  if (/^Region (is missing|not accepted)/.test(error.message)) {
    return 'pass --region or set AWS_REGION (or --endpoint for the local stack)';
  }
  return undefined;
}
