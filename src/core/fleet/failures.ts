// What went wrong reaching one account and Region, by name. The SDK reports an AssumeRole refusal,
// a Region that is not enabled, a Region that does not answer and throttling each its own way;
// the sweep of a pair and `byok fleet targets` turn them into the fleet's named errors, and the
// report gives each failed pair the hint that goes with its error name.
import {
  FleetError,
  RegionNotEnabledError,
  RegionUnreachableError,
  SpokeAccessDeniedError,
  SpokeThrottledError,
} from './errors.ts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message ? `${error.name}: ${error.message}` : error.name;
}

/** True for an error that never got an answer from the Region (no HTTP status at all). */
function isNoAnswer(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (error.name === 'TimeoutError' || error.name === 'RequestTimeout') return true;
  return status === undefined && /socket hang up|ECONNRESET|ECONNREFUSED|timed? ?out/i.test(error.message);
}

/**
 * The fleet's named error for a failure reaching `accountId`/`region` through `roleArn`, or the
 * error itself when it is none of those (a key's own failure stays the key's).
 */
export function classifySpokeError(
  error: unknown,
  accountId: string,
  region: string,
  roleArn: string,
): unknown {
  if (error instanceof FleetError) return error;
  if (!(error instanceof Error)) return error;
  if (error.name === 'AccessDenied' && /sts:AssumeRole/.test(error.message)) {
    return new SpokeAccessDeniedError(accountId, roleArn, error.message, { cause: error });
  }
  // A session of the spoke role that may no longer act: the role was deleted or its policy cut.
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  if (error.name === 'AccessDeniedException' && error.message.includes(`assumed-role/${roleName}/`)) {
    return new SpokeAccessDeniedError(accountId, roleArn, error.message, {
      cause: error,
      onAssumeRole: false,
    });
  }
  if (error.name === 'UnrecognizedClientException' || error.name === 'InvalidClientTokenId') {
    return new RegionNotEnabledError(accountId, region, describe(error), { cause: error });
  }
  if (error.name === 'ThrottlingException' || error.name === 'Throttling') {
    return new SpokeThrottledError(accountId, region, describe(error), { cause: error });
  }
  if (isNoAnswer(error))
    return new RegionUnreachableError(accountId, region, describe(error), { cause: error });
  return error;
}

/** The hint a report and `byok fleet status` print beside a failed pair's error name. */
export function hintForPairError(errorName: string, accountId: string, region: string): string {
  switch (errorName) {
    case 'SpokeAccessDeniedError':
      return new SpokeAccessDeniedError(accountId, `arn:aws:iam::${accountId}:role/…`, '').hint ?? '';
    case 'RegionUnreachableError':
      return new RegionUnreachableError(accountId, region, '').hint ?? '';
    case 'RegionNotEnabledError':
      return new RegionNotEnabledError(accountId, region, '').hint ?? '';
    case 'SpokeThrottledError':
      return new SpokeThrottledError(accountId, region, '').hint ?? '';
    case 'States.Timeout':
      return `the sweep of ${accountId}/${region} ran out of time; run the fleet again with retryFailedOf to sweep only what did not finish`;
    default:
      return `see the sweep execution of ${accountId}/${region}; run the fleet again with retryFailedOf to retry only what failed`;
  }
}
