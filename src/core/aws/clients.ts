// Every AWS SDK client byok uses is built here, so region, endpoint and credentials are decided in
// one place. Against the embedded local stack the clients are the same classes with an endpoint and
// static dummy credentials; against AWS they use the default provider chain.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface AwsClientOptions {
  /** e.g. http://127.0.0.1:4599 for the local stack; absent for AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /**
   * Milliseconds an answer may take (a GetActivityTask long poll is held up to 60 s, so a worker
   * waits 65 s); default: the SDK's.
   */
  requestTimeoutMs?: number | undefined;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'byoklocal', secretAccessKey: 'byoklocal' } as const;
export const DEFAULT_LOCAL_REGION = 'us-east-1';

function config(options: AwsClientOptions) {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const timeout =
    options.requestTimeoutMs !== undefined
      ? { requestHandler: { requestTimeout: options.requestTimeoutMs } }
      : {};
  if (options.endpoint) {
    return {
      ...timeout,
      endpoint: options.endpoint,
      region: region ?? DEFAULT_LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      // Retries belong to the state machine's Retry blocks, which the local stack must exercise
      // (throttling, injected faults); SDK retries would hide them.
      maxAttempts: 1,
    };
  }
  return region ? { region, ...timeout } : timeout;
}

export function createKmsClient(options: AwsClientOptions = {}): KMSClient {
  return new KMSClient(config(options));
}

/** KMS clients by Region, each made on first use with createKmsClient and kept. */
export interface RegionalKmsClients {
  forRegion(region: string): KMSClient;
  destroy(): void;
}

/**
 * Multi-Region keys: each replica's imports go to its own Region with that Region's client (and
 * quotas). `options.region` is only the default; every other option is shared.
 */
export function createRegionalKmsClients(options: AwsClientOptions = {}): RegionalKmsClients {
  const clients = new Map<string, KMSClient>();
  return {
    forRegion(region) {
      let client = clients.get(region);
      if (!client) {
        client = createKmsClient({ ...options, region });
        clients.set(region, client);
      }
      return client;
    },
    destroy() {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  };
}

export function createEventBridgeClient(options: AwsClientOptions = {}): EventBridgeClient {
  return new EventBridgeClient(config(options));
}

export function createSfnClient(options: AwsClientOptions = {}): SFNClient {
  return new SFNClient(config(options));
}

export function createSecretsManagerClient(options: AwsClientOptions = {}): SecretsManagerClient {
  return new SecretsManagerClient(config(options));
}

/** The approvals table's client (locally, `endpoint` is the local DynamoDB's own URL). */
export function createDynamoDbDocumentClient(options: AwsClientOptions = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config(options)), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
