// The approvals client the CLI's rotate/approvals/approve/reject commands use: the API's URL from
// --endpoint (a local stack tells where its approvals API listens at /_byok/approvals; any other URL
// is the deployed function URL itself) or BYOK_APPROVALS_URL, and the caller's identity from the AWS
// credential chain only (locally: whatever AWS_ACCESS_KEY_ID says). Loaded only when such a command
// runs. A refusal becomes an error named after the API's rule.
import { ApprovalsApiError, ApprovalsClient } from '../../core/approvals/client.ts';
import { createSfnClient } from '../../core/aws/clients.ts';
import { APPROVALS_URL_ENV, type ApprovalsEndpointOptions } from './approvals-options.ts';
import { resolveAwsTarget } from './aws-target.ts';
import { ApprovalRefusedError, ApprovalsEndpointError } from './errors.ts';
import { type HintTargets, placeCommands } from './hints.ts';

/** The approvals API a local stack at `endpoint` advertises, or undefined when it is no local stack. */
export async function localApprovalsUrl(endpoint: string): Promise<string | undefined> {
  try {
    const response = await fetch(new URL('/_byok/approvals', endpoint), {
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { url?: unknown };
    return typeof body.url === 'string' ? body.url : undefined;
  } catch {
    return undefined;
  }
}

export async function approvalsClientFor(options: ApprovalsEndpointOptions): Promise<ApprovalsClient> {
  const given = options.endpoint ?? process.env[APPROVALS_URL_ENV];
  if (!given) {
    throw new ApprovalsEndpointError(
      'no approvals API to talk to',
      `pass --endpoint (the local stack, or the deployed ApprovalsApiUrl) or set ${APPROVALS_URL_ENV}`,
    );
  }
  const local = await localApprovalsUrl(given);
  // A deployed function URL names its Region (https://<id>.lambda-url.<region>.on.aws/): the
  // Region the request must be signed for. Locally, the stack's.
  const urlRegion = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(new URL(given).hostname)?.[1];
  const target = await resolveAwsTarget({
    region: options.region ?? urlRegion,
    profile: options.profile,
    ...(local ? { endpoint: given } : {}),
  });
  // The credential chain, or --profile's credentials (never a secret typed on the command line):
  // built by the SDK. Not the local stack's dummy keys: the caller's identity is what is signed.
  const credentialSource = createSfnClient({ region: target.region, profile: target.profile });
  const credentials = localIdentityOnly(local, target.profile) ?? credentialSource.config.credentials;
  const client = new ApprovalsClient({
    endpoint: local ?? given,
    region: target.region,
    credentials,
    service: 'lambda',
  });
  HINT_TARGETS.set(client, {
    // byok's approvals commands take the same --endpoint; an AWS CLI command goes to the local
    // stack only when that is what --endpoint named.
    byok: { endpoint: given, region: options.region, profile: options.profile },
    aws: local
      ? { endpoint: given, region: target.region }
      : { region: target.region, profile: target.profile },
  });
  return client;
}

/** Where a client's calls went, for the commands in the API's hints (placeCommands). */
const HINT_TARGETS = new WeakMap<ApprovalsClient, HintTargets>();

/**
 * Runs an API call; a refusal is rethrown named after the API's rule. Given the client, the
 * commands in the API's hint are completed to run where the call went (--endpoint, --region).
 */
export async function callApi<T>(call: () => Promise<T>, client?: ApprovalsClient): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApprovalsApiError) {
      const targets = client ? HINT_TARGETS.get(client) : undefined;
      const hint = error.hint && targets ? placeCommands(error.hint, targets) : error.hint;
      throw new ApprovalRefusedError(error.code, error.status, error.message, hint, { cause: error });
    }
    if (error instanceof TypeError && /fetch failed/.test(error.message)) {
      throw new ApprovalsEndpointError(
        'the approvals API did not answer',
        'check --endpoint (start the local stack with `byok local up`)',
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The local stack takes the caller's identity from the access key id alone and checks no signature
 * without a secret it knows (docs/rotation.md, "The local convention"), so locally
 * `AWS_ACCESS_KEY_ID=alice byok rotate --endpoint …` needs no secret key: with the access key id
 * set and no secret, requests are signed with a placeholder secret. Never against AWS, never with
 * --profile, and never when a secret is given (then the chain's credentials are used as they are).
 */
export function localIdentityOnly(
  localUrl: string | undefined,
  profile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { accessKeyId: string; secretAccessKey: string } | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  if (!localUrl || profile || !accessKeyId || env.AWS_SECRET_ACCESS_KEY) return undefined;
  return { accessKeyId, secretAccessKey: 'byok-local-unverified' };
}
