// The approvals client the CLI's rotate/approvals/approve/reject commands use: the API's URL from
// --endpoint (a local stack tells where its approvals API listens at /_byok/approvals; any other URL
// is the deployed function URL itself) or BYOK_APPROVALS_URL, and the caller's identity from the AWS
// credential chain only (locally: whatever AWS_ACCESS_KEY_ID says). Loaded only when such a command
// runs. A refusal becomes an error named after the API's rule.
import { ApprovalsApiError, ApprovalsClient } from '../../core/approvals/client.ts';
import { createSfnClient, DEFAULT_LOCAL_REGION } from '../../core/aws/clients.ts';
import { APPROVALS_URL_ENV, type ApprovalsEndpointOptions } from './approvals-options.ts';
import { ApprovalRefusedError, ApprovalsEndpointError } from './errors.ts';

async function localApprovalsUrl(endpoint: string): Promise<string | undefined> {
  try {
    const response = await fetch(new URL('/_byok/approvals', endpoint));
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
  const region =
    options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_LOCAL_REGION;
  // The default credential chain (never a name typed on the command line): built by the SDK.
  const credentialSource = createSfnClient({ region });
  const credentials = credentialSource.config.credentials;
  return new ApprovalsClient({ endpoint: local ?? given, region, credentials, service: 'lambda' });
}

/** Runs an API call; a refusal is rethrown named after the API's rule. */
export async function callApi<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApprovalsApiError) {
      throw new ApprovalRefusedError(error.code, error.status, error.message, error.hint, { cause: error });
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
