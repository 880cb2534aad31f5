// Dependencies of the rotation workflow's deployed functions, built lazily once per execution
// environment: KMS (and a client per replica Region), the approvals table named by
// BYOK_APPROVALS_TABLE, EventBridge for the approval notification, the system clock. The HSM steps
// use lambdaHsmDeps (the PKCS#11 layer, the token's key administration for the new material).
import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import { type ApprovalKeyCapabilities, approvalKeysWith } from '../../src/core/approvals/seals.ts';
import { ApprovalsStore } from '../../src/core/approvals/store.ts';
import {
  createDynamoDbDocumentClient,
  createEventBridgeClient,
  createKmsClient,
} from '../../src/core/aws/clients.ts';
import { type Clock, systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/shared/logger.ts';
import { requireEnv } from './env.ts';

export interface RotationFunctionDeps {
  kms: KMSClient;
  kmsForRegion(region: string): KMSClient;
  /** Only in the functions given BYOK_APPROVALS_TABLE (the others never reach the store). */
  approvals: ApprovalsStore | undefined;
  events: EventBridgeClient;
  clock: Clock;
  logger: Logger;
}

let deps: RotationFunctionDeps | undefined;

/**
 * `keys`: what this function may do with the approvals keys (e.g. VerifyMac only), built from the
 * KMS client; every other use fails closed (ApprovalKeyUnavailableError).
 */
export function lambdaRotationDeps(
  keys: (kms: KMSClient) => ApprovalKeyCapabilities = () => ({}),
): RotationFunctionDeps {
  if (deps) return deps;
  const kms = createKmsClient();
  const regional = new Map<string, KMSClient>();
  deps = {
    kms,
    kmsForRegion(region) {
      let client = regional.get(region);
      if (!client) {
        client = createKmsClient({ region });
        regional.set(region, client);
      }
      return client;
    },
    approvals: process.env.BYOK_APPROVALS_TABLE
      ? new ApprovalsStore({
          client: createDynamoDbDocumentClient(),
          tableName: requireEnv('BYOK_APPROVALS_TABLE'),
          clock: systemClock,
          keys: approvalKeysWith(process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'this function', keys(kms)),
        })
      : undefined,
    events: createEventBridgeClient(),
    clock: systemClock,
    logger: createLogger(),
  };
  return deps;
}
