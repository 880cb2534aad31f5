import type { APIGatewayProxyEvent, LambdaFunctionURLEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../../../../src/core/approvals/errors.ts';
import {
  identityFromApiGatewayEvent,
  identityFromFunctionUrlEvent,
} from '../../../../src/core/approvals/identity.ts';

const ROLE_SESSION =
  'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_KeyApprover_0123/alice@example.com';

function functionUrlEvent(userArn: string | undefined): LambdaFunctionURLEvent {
  return {
    version: '2.0',
    rawPath: '/requests',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      accountId: '111122223333',
      apiId: 'abc',
      domainName: 'abc.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc',
      http: {
        method: 'GET',
        path: '/requests',
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 'test',
      },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '30/Nov/2026:12:00:00 +0000',
      timeEpoch: 0,
      ...(userArn
        ? {
            authorizer: {
              iam: {
                accessKey: 'ASIAEXAMPLE',
                accountId: '111122223333',
                callerId: 'AROAEXAMPLE:alice@example.com',
                cognitoIdentity: null,
                principalOrgId: null,
                userArn,
                userId: 'AROAEXAMPLE:alice@example.com',
              },
            },
          }
        : {}),
    },
  } as LambdaFunctionURLEvent;
}

describe('identity from the deployed request context', () => {
  it('takes the function URL IAM principal, an assumed-role session included', () => {
    // Act
    const identity = identityFromFunctionUrlEvent(functionUrlEvent(ROLE_SESSION));

    // Assess
    expect(identity).toEqual({ arn: ROLE_SESSION, source: 'function-url', signatureVerified: true });
  });

  it('refuses a function URL event without IAM auth, and a context naming no ARN', () => {
    // Act
    const missing = () => identityFromFunctionUrlEvent(functionUrlEvent(undefined));
    const notAnArn = () => identityFromFunctionUrlEvent(functionUrlEvent('alice'));

    // Assess
    expect(missing).toThrow(UnauthenticatedError);
    expect(notAnArn).toThrow(UnauthenticatedError);
  });

  it('takes the API Gateway REST identity userArn', () => {
    // Prepare
    const event = {
      requestContext: { identity: { userArn: 'arn:aws:iam::111122223333:user/bob' } },
    } as unknown as APIGatewayProxyEvent;

    // Act
    const identity = identityFromApiGatewayEvent(event);

    // Assess
    expect(identity.arn).toBe('arn:aws:iam::111122223333:user/bob');
    expect(identity.source).toBe('api-gateway');
  });
});
