// The clients built in src/core/aws/clients.ts. A document client closes the DynamoDB client it is
// made on: lib-dynamodb's DynamoDBDocumentClient.destroy() does nothing, so closing a store left
// its base client's sockets (keep-alive agent) open.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { createDynamoDbClient, createDynamoDbDocumentClient } from '../../../../src/core/aws/clients.ts';

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
