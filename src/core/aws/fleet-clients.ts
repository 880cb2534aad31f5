// The hub's KMS clients for the whole fleet: the hub's own account through its own credentials, and
// every spoke account through its spoke role (STS AssumeRole with the fleet's external id), one
// client per account and Region. Credentials of a spoke are fetched on first use and again before
// they expire; a refused AssumeRole is not cached, so a later run tries again.

import { KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { type AwsClientOptions, createKmsClient, LOCAL_CREDENTIALS } from './clients.ts';

export interface FleetClientOptions extends AwsClientOptions {
  /** The hub's account: its keys are reached with the hub's own credentials. */
  hubAccountId: string;
  spokeRoleName: string;
  externalId?: string | undefined;
  /** The hub's own KMS client of a Region (shared with the single-account deps). */
  hubKms?: ((region: string) => KMSClient) | undefined;
  /** Session name shown in the spoke's CloudTrail. */
  sessionName?: string | undefined;
}

export interface FleetKmsClients {
  /** The KMS client for `accountId` in `region`. */
  forAccount(accountId: string, region: string): KMSClient;
  /** The spoke role of an account. */
  roleArnOf(accountId: string): string;
  destroy(): void;
}

/** Renew assumed credentials this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60_000;

export function createFleetKmsClients(options: FleetClientOptions): FleetKmsClients {
  const sts = new STSClient({
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          region: options.region ?? 'us-east-1',
          credentials: LOCAL_CREDENTIALS,
        }
      : options.region
        ? { region: options.region }
        : {}),
  });
  const clients = new Map<string, KMSClient>();
  const providers = new Map<string, () => Promise<AwsCredentialIdentity>>();
  const roleArnOf = (accountId: string) => `arn:aws:iam::${accountId}:role/${options.spokeRoleName}`;

  const providerFor = (accountId: string) => {
    let provider = providers.get(accountId);
    if (provider) return provider;
    let cached: AwsCredentialIdentity | undefined;
    let pending: Promise<AwsCredentialIdentity> | undefined;
    provider = async () => {
      if (cached?.expiration && cached.expiration.getTime() - RENEW_BEFORE_MS > Date.now()) return cached;
      pending ??= (async () => {
        try {
          const answer = await sts.send(
            new AssumeRoleCommand({
              RoleArn: roleArnOf(accountId),
              RoleSessionName: options.sessionName ?? 'byok-hub',
              ...(options.externalId ? { ExternalId: options.externalId } : {}),
              DurationSeconds: 3600,
            }),
          );
          const credentials = answer.Credentials;
          if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
            throw new Error(`AssumeRole ${roleArnOf(accountId)} returned no credentials`);
          }
          cached = {
            accessKeyId: credentials.AccessKeyId,
            secretAccessKey: credentials.SecretAccessKey,
            sessionToken: credentials.SessionToken,
            expiration: credentials.Expiration,
          };
          return cached;
        } finally {
          pending = undefined;
        }
      })();
      return pending;
    };
    providers.set(accountId, provider);
    return provider;
  };

  return {
    roleArnOf,
    forAccount(accountId, region) {
      if (accountId === options.hubAccountId) {
        return options.hubKms
          ? options.hubKms(region)
          : cachedClient(clients, `${accountId}/${region}`, () => createKmsClient({ ...options, region }));
      }
      return cachedClient(
        clients,
        `${accountId}/${region}`,
        () =>
          new KMSClient({
            region,
            ...(options.endpoint ? { endpoint: options.endpoint } : {}),
            credentials: providerFor(accountId),
          }),
      );
    },
    destroy() {
      for (const client of clients.values()) client.destroy();
      clients.clear();
      sts.destroy();
    },
  };
}

function cachedClient(clients: Map<string, KMSClient>, key: string, make: () => KMSClient): KMSClient {
  let client = clients.get(key);
  if (!client) {
    client = make();
    clients.set(key, client);
  }
  return client;
}
