import { createServer } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startLocalDynamoDb } from '../../../../src/local/dynamodb/server.ts';

function client(url: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'byoklocal', secretAccessKey: 'byoklocal' },
    maxAttempts: 1,
  });
}

describe('startLocalDynamoDb', () => {
  it('serves DynamoDB to the real SDK on a random loopback port, conditional writes included, and frees the port', async () => {
    // Prepare
    const dynamo = await startLocalDynamoDb();
    const dynamodb = client(dynamo.url);
    const put = (condition?: string) =>
      dynamodb.send(
        new PutItemCommand({
          TableName: 'byok-check',
          Item: { id: { S: 'one' } },
          ...(condition ? { ConditionExpression: condition } : {}),
        }),
      );

    // Act
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'byok-check',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await put('attribute_not_exists(id)');
    const second = await put('attribute_not_exists(id)').catch((error: Error) => error.name);
    const transaction = await dynamodb
      .send(new TransactWriteItemsCommand({ TransactItems: [] }))
      .catch((error: Error) => error.name);
    const port = Number(new URL(dynamo.url).port);
    dynamodb.destroy();
    await dynamo.stop();
    const reusable = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });

    // Assess
    expect(dynamo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(second).toBe('ConditionalCheckFailedException');
    // Why the approvals store uses one conditional write per change and no transactions:
    expect(transaction).toBe('UnknownOperationException');
    expect(reusable).toBe(true);
  });
});
