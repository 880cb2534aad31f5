// AWS-shaped EventBridge events from KMS (source aws.kms), as AWS documents them.
import { randomUUID } from 'node:crypto';
import type { KeyRecord } from './registry.ts';

export interface KmsEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: 'aws.kms';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, string>;
}

export type KmsEventListener = (event: KmsEvent) => void | Promise<void>;

function awsTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function kmsEvent(key: KeyRecord, detailType: string, at: Date, detail: Record<string, string>): KmsEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'aws.kms',
    account: key.accountId,
    time: awsTime(at),
    region: key.region,
    resources: [key.arn],
    detail,
  };
}

export function materialExpirationEvent(key: KeyRecord, at: Date, keyMaterialId?: string): KmsEvent {
  return kmsEvent(key, 'KMS Imported Key Material Expiration', at, {
    'key-id': key.keyId,
    ...(keyMaterialId ? { 'key-material-id': keyMaterialId } : {}),
  });
}

export function rotationEvent(
  key: KeyRecord,
  at: Date,
  previousId: string | undefined,
  currentId: string,
): KmsEvent {
  return kmsEvent(key, 'KMS CMK Rotation', at, {
    'key-id': key.keyId,
    'key-origin': key.origin,
    'rotation-type': 'ON_DEMAND',
    ...(previousId ? { 'previous-key-material-id': previousId } : {}),
    'current-key-material-id': currentId,
  });
}

export function deletionEvent(key: KeyRecord, at: Date): KmsEvent {
  return kmsEvent(key, 'KMS CMK Deletion', at, { 'key-id': key.keyId });
}
