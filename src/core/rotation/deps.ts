// What the rotation steps reach, as ports: KMS (the key's Region and, for multi-Region keys, a
// client per replica Region), the approvals store (written only by the authenticated approvals
// API; the workflow reads it and opens its request for votes), EventBridge for the notification.
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { ApprovalsStore } from '../approvals/store.ts';
import type { Clock } from '../clock.ts';
import type { StepLogger } from '../step-kernel/logger.ts';
import { ApprovalsStoreUnavailableError } from './errors.ts';

export interface RotationKmsDeps {
  kms: KMSClient;
  /** A KMS client in another Region (replicas); absent where the run knows only one Region. */
  kmsForRegion?: ((region: string) => KMSClient) | undefined;
  clock: Clock;
  logger?: StepLogger | undefined;
}

export interface RotationApprovalsDeps {
  /** The approvals table; absent when none is configured (ApprovalsStoreUnavailableError). */
  approvals?: ApprovalsStore | undefined;
  clock: Clock;
  logger?: StepLogger | undefined;
}

export function requireApprovals(deps: RotationApprovalsDeps, step: string): ApprovalsStore {
  if (!deps.approvals) throw new ApprovalsStoreUnavailableError(step);
  return deps.approvals;
}

/** `arn:aws:kms:<region>:...` -> region. */
function regionOfArn(arn: string): string {
  const region = arn.split(':')[3];
  if (!region) throw new TypeError(`not an ARN: ${arn}`);
  return region;
}

/** The KMS client for the Region of `keyArn`. */
export function kmsFor(deps: RotationKmsDeps, keyArn: string): KMSClient {
  const region = regionOfArn(keyArn);
  if (deps.kmsForRegion) return deps.kmsForRegion(region);
  return deps.kms;
}

export type { EventBridgeClient };
