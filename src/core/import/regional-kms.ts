// Which KMS client a call about a key goes to. A multi-Region key has one key per Region under the
// same id, each with its own material, ValidTo and request quotas, so a call about the replica in
// us-west-2 must go to us-west-2. Keys are addressed by ARN across Regions; the ARN says the Region.
import type { KMSClient } from '@aws-sdk/client-kms';

/** A KMS client for a Region (src/core/aws/clients.ts createRegionalKmsClients). */
export type KmsForRegion = (region: string) => KMSClient;

/** A KMS client for an account and Region: a fleet's hub reaches each spoke through its role (src/aws/fleet-clients.ts). */
export type KmsForAccount = (accountId: string, region: string) => KMSClient;

export interface RegionalKmsDeps {
  /** The default Region's client: bare key ids go here. */
  kms: KMSClient;
  /** Clients of other Regions; without it every call goes to `kms`. */
  kmsForRegion?: KmsForRegion | undefined;
  /** Clients of other accounts (fleet mode); without it every call stays in this account. */
  kmsForAccount?: KmsForAccount | undefined;
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\//;

/** The Region of a key ARN, or undefined for a bare key id. */
export function regionOfKeyArn(keyId: string): string | undefined {
  return KEY_ARN.exec(keyId)?.[1];
}

/** The client for the account and Region a key id or ARN lives in. */
export function kmsForKey(deps: RegionalKmsDeps, keyId: string): KMSClient {
  const match = KEY_ARN.exec(keyId);
  if (match?.[1] && match[2] && deps.kmsForAccount) return deps.kmsForAccount(match[2], match[1]);
  const region = match?.[1];
  return region && deps.kmsForRegion ? deps.kmsForRegion(region) : deps.kms;
}
