// Who is calling the approvals API, taken only from what authenticated the request: deployed, the
// IAM request context that the Lambda function URL (AuthType AWS_IAM) or API Gateway (IAM auth)
// fills in after AWS verified the SigV4 signature; locally, the SigV4 Authorization header (see
// local-identity.ts). Never from a body field, a query parameter or a flag.
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2WithIAMAuthorizer,
  LambdaFunctionURLEvent,
} from 'aws-lambda';
import { IdentityArnSchema } from './contracts.ts';
import { UnauthenticatedError } from './errors.ts';

export interface CallerIdentity {
  /** The principal ARN: arn:aws:iam::<account>:user/<name>, arn:aws:sts::<account>:assumed-role/<role>/<session>, … */
  arn: string;
  source: 'function-url' | 'api-gateway' | 'local-sigv4';
  /** Locally: whether the signature itself was checked against a known secret. Deployed: AWS did. */
  signatureVerified: boolean;
}

function principal(arn: string | null | undefined, source: CallerIdentity['source']): CallerIdentity {
  if (!arn)
    throw new UnauthenticatedError(`no IAM principal in the ${source} request context (is IAM auth on?)`);
  const parsed = IdentityArnSchema.safeParse(arn);
  if (!parsed.success) throw new UnauthenticatedError(`the ${source} request context names no principal ARN`);
  return { arn: parsed.data, source, signatureVerified: true };
}

/** Lambda function URL with AuthType AWS_IAM, or an API Gateway HTTP API route with IAM auth (payload v2). */
export function identityFromFunctionUrlEvent(
  event: LambdaFunctionURLEvent | APIGatewayProxyEventV2WithIAMAuthorizer,
): CallerIdentity {
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string | null } } }).authorizer
    ?.iam;
  return principal(iam?.userArn, 'function-url');
}

/** API Gateway REST API method with AWS_IAM authorization (payload v1). */
export function identityFromApiGatewayEvent(event: APIGatewayProxyEvent): CallerIdentity {
  return principal(event.requestContext.identity?.userArn, 'api-gateway');
}
