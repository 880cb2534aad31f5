// The clients built in src/core/aws/clients.ts. A document client closes the DynamoDB client it is
// made on: lib-dynamodb's DynamoDBDocumentClient.destroy() does nothing, so closing a store left
// its base client's sockets (keep-alive agent) open. Every client has a deadline per attempt: a
// server that accepts and never answers ends in TimeoutError after the SDK's retries, never a hang.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createDynamoDbClient,
  createDynamoDbDocumentClient,
  createKmsClient,
  DEFAULT_REQUEST_TIMEOUT_MS,
  REQUEST_TIMEOUT_ENV,
  requestTimeoutOf,
} from '../../../../src/core/aws/clients.ts';
import { AwsRequestTimeoutSettingError } from '../../../../src/core/aws/errors.ts';
import { type SilentServer, startSilentServer } from '../../../helpers/silent-server.ts';

describe('the deadline of every AWS call', () => {
  let silent: SilentServer;
  let endpoint: string;

  beforeAll(async () => {
    silent = await startSilentServer();
    endpoint = silent.endpoint;
  });

  afterAll(async () => {
    await silent?.close();
  });

  it('ends a call nobody answers with TimeoutError after the retries, instead of waiting forever', async () => {
    // Prepare
    const kms = createKmsClient({ endpoint, requestTimeoutMs: 200 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const started = performance.now();

    // Act
    const outcome = await kms.send(new ListKeysCommand({})).catch((error: unknown) => error);

    // Assess
    expect(outcome).toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeLessThan(4000);
    expect(silent.connections()).toBeGreaterThanOrEqual(3);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    kms.destroy();
  }, 8000);

  it('takes the deadline from BYOK_AWS_REQUEST_TIMEOUT_MS when the caller names none', async () => {
    // Prepare
    vi.stubEnv(REQUEST_TIMEOUT_ENV, '200');
    const kms = createKmsClient({ endpoint });

    // Act
    const outcome = await kms.send(new ListKeysCommand({})).catch((error: unknown) => error);

    // Assess
    expect(outcome).toMatchObject({ name: 'TimeoutError' });
    vi.unstubAllEnvs();
    kms.destroy();
  }, 8000);

  it("is 60 s by default, the caller's own when given, and refuses a setting that is no duration", () => {
    // Assess
    expect(requestTimeoutOf({}, {})).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(60_000);
    expect(requestTimeoutOf({ requestTimeoutMs: 65_000 }, { [REQUEST_TIMEOUT_ENV]: '200' })).toBe(65_000);
    expect(requestTimeoutOf({}, { [REQUEST_TIMEOUT_ENV]: '30000' })).toBe(30_000);
    for (const bad of ['abc', '0', '-5', '1e3', '600001'])
      expect(() => requestTimeoutOf({}, { [REQUEST_TIMEOUT_ENV]: bad })).toThrow(
        AwsRequestTimeoutSettingError,
      );
  });
});

describe('createDynamoDbDocumentClient', () => {
  it('destroys the base client it was given when the document client is destroyed', () => {
    // Prepare
    const base = createDynamoDbClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
    const destroyed = vi.spyOn(base, 'destroy');
    const documents = createDynamoDbDocumentClient({}, base);

    // Act
    documents.destroy();

    // Assess
    expect(destroyed).toHaveBeenCalledTimes(1);
    expect(documents).toBeInstanceOf(DynamoDBDocumentClient);
  });

  it('destroys the base client it made itself: its request handler is closed', () => {
    // Prepare
    const closed = vi.spyOn(DynamoDBClient.prototype, 'destroy');
    const documents = createDynamoDbDocumentClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
    const handler = documents.config.requestHandler as { destroy?: () => void };
    const handlerClosed = vi.spyOn(handler, 'destroy' as never);

    // Act
    documents.destroy();

    // Assess
    expect(closed).toHaveBeenCalledTimes(1);
    expect(handlerClosed).toHaveBeenCalledTimes(1);
    closed.mockRestore();
  });

  it('still removes undefined values from items (the translate options the stores rely on)', async () => {
    // Prepare
    const documents = createDynamoDbDocumentClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });

    // Assess
    expect(documents.config.translateConfig).toEqual({ marshallOptions: { removeUndefinedValues: true } });
    documents.destroy();
  });
});
