// The approvals store on a real DynamoDB-compatible endpoint for tests: dynalite in memory on a
// random loopback port, a fresh table per call, the real SDK document client, and a settable clock.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApprovalsStore } from '../../src/core/approvals/store.ts';
import { createApprovalsTable } from '../../src/core/approvals/table.ts';
import { createDynamoDbDocumentClient } from '../../src/core/aws/clients.ts';
import type { Clock } from '../../src/core/clock.ts';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../src/local/dynamodb/server.ts';

export class TestClock implements Clock {
  constructor(private current = new Date('2026-11-30T12:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface ApprovalsTestBed {
  dynamo: LocalDynamoDb;
  client: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  /** A new table and a store on it (tests stay independent). */
  newStore(clock: Clock): Promise<{ store: ApprovalsStore; tableName: string }>;
  close(): Promise<void>;
}

export async function startApprovalsTestBed(): Promise<ApprovalsTestBed> {
  const dynamo = await startLocalDynamoDb();
  const documents = createDynamoDbDocumentClient({ endpoint: dynamo.url });
  // Table creation is a control-plane call the store never makes: a plain client for it.
  const client = new DynamoDBClient({
    endpoint: dynamo.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'byoklocal', secretAccessKey: 'byoklocal' },
    maxAttempts: 1,
  });
  return {
    dynamo,
    client,
    documents,
    async newStore(clock) {
      const tableName = `byok-approvals-${randomUUID()}`;
      await createApprovalsTable(client, tableName);
      return { store: new ApprovalsStore({ client: documents, tableName, clock }), tableName };
    },
    async close() {
      client.destroy();
      documents.destroy();
      await dynamo.stop();
    },
  };
}
