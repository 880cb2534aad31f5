// Every AWS SDK client byok uses is built here, so region, endpoint and credentials are decided in
// one place. Against the embedded local stack the clients are the same classes with an endpoint and
// static dummy credentials (or a profile's, when one is named); against AWS they use the default
// provider chain, or the named profile's (the SDK's own shared-file provider: keys, roles, SSO).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AwsRequestTimeoutSettingError } from './errors.ts';

export interface AwsClientOptions {
  /** e.g. http://127.0.0.1:4599 for the local stack; absent for AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** A profile of the shared config/credentials files (`--profile`): its credentials sign the calls. */
  profile?: string | undefined;
  /**
   * Milliseconds one attempt of a call may take from its start to its answer (a GetActivityTask
   * long poll is held up to 60 s, so a worker gives it 65 s), at most 5 s of it to connect; past
   * it the attempt fails with TimeoutError and the SDK's retries (3 attempts in all) decide.
   * Default: BYOK_AWS_REQUEST_TIMEOUT_MS, else DEFAULT_REQUEST_TIMEOUT_MS. Never unbounded: the
   * SDK's own default is no limit at all, and its requestTimeout alone only logs a warning.
   */
  requestTimeoutMs?: number | undefined;
}

/** Per attempt, unless a caller or BYOK_AWS_REQUEST_TIMEOUT_MS says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const REQUEST_TIMEOUT_ENV = 'BYOK_AWS_REQUEST_TIMEOUT_MS';
const MIN_REQUEST_TIMEOUT_MS = 100;
const MAX_REQUEST_TIMEOUT_MS = 600_000;

/** The per-attempt deadline: the caller's, else the environment's, else the default. */
export function requestTimeoutOf(options: AwsClientOptions, env: NodeJS.ProcessEnv = process.env): number {
  if (options.requestTimeoutMs !== undefined) return options.requestTimeoutMs;
  const raw = env[REQUEST_TIMEOUT_ENV];
  if (raw === undefined || raw === '') return DEFAULT_REQUEST_TIMEOUT_MS;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= MIN_REQUEST_TIMEOUT_MS && value <= MAX_REQUEST_TIMEOUT_MS)) {
    throw new AwsRequestTimeoutSettingError(raw);
  }
  return value;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'byoklocal', secretAccessKey: 'byoklocal' } as const;
export const DEFAULT_LOCAL_REGION = 'us-east-1';

function config(options: AwsClientOptions) {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const requestTimeout = requestTimeoutOf(options);
  const timeout = {
    requestHandler: {
      requestTimeout,
      // Without it @smithy/node-http-handler (4.14) only logs "[WARN] a request has exceeded the
      // configured requestTimeout" and goes on waiting: the deadline would be no deadline.
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(requestTimeout, 5_000),
    },
  };
  // A named profile wins over credentials in the environment, as with the AWS CLI's --profile.
  const profile = options.profile
    ? { profile: options.profile, credentials: fromIni({ profile: options.profile }) }
    : undefined;
  if (options.endpoint) {
    return {
      ...timeout,
      endpoint: options.endpoint,
      region: region ?? DEFAULT_LOCAL_REGION,
      ...(profile ?? { credentials: LOCAL_CREDENTIALS }),
      // The SDK's own retries (standard mode: 3 attempts, exponential backoff with full jitter,
      // throttling and 5xx) run locally exactly as against AWS (issue 17: with maxAttempts 1 a
      // local sweep under AWS-default quotas skipped almost every key); the state machines' Retry
      // blocks come on top, as in Lambda.
    };
  }
  return { ...(region ? { region } : {}), ...profile, ...timeout };
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

/** The fleet bucket's client: path-style against the local stack, which serves S3 on its own port. */
export function createS3Client(options: AwsClientOptions = {}): S3Client {
  return new S3Client({
    ...config(options),
    ...(options.endpoint ? { forcePathStyle: true } : {}),
    // Checksums only where S3 requires them: the objects are small JSON, CSV and HTML.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createOrganizationsClient(options: AwsClientOptions = {}): OrganizationsClient {
  return new OrganizationsClient(config(options));
}

export function createStsClient(options: AwsClientOptions = {}): STSClient {
  return new STSClient(config(options));
}

export function createSecretsManagerClient(options: AwsClientOptions = {}): SecretsManagerClient {
  return new SecretsManagerClient(config(options));
}

/** A plain DynamoDB client (the SDK's DynamoDB paginators take only this kind). */
export function createDynamoDbClient(options: AwsClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(config(options));
}

/**
 * A document client whose destroy() closes the client it is made on: lib-dynamodb's own destroy()
 * does nothing (3.1164.0: "destroy() {}"), which left the base client's sockets open.
 */
class ClosingDocumentClient extends DynamoDBDocumentClient {
  constructor(private readonly base: DynamoDBClient) {
    super(base, { marshallOptions: { removeUndefinedValues: true } });
  }

  override destroy(): void {
    this.base.destroy();
  }
}

/**
 * The approvals table's client (locally, `endpoint` is the local DynamoDB's own URL), on `base`
 * when given (a plain client the caller also lists tables with). Its destroy() destroys `base`
 * too: close the document client last, once `base` is no longer used.
 */
export function createDynamoDbDocumentClient(
  options: AwsClientOptions = {},
  base: DynamoDBClient = createDynamoDbClient(options),
): DynamoDBDocumentClient {
  return new ClosingDocumentClient(base);
}
