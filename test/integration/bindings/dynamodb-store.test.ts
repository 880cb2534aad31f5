// The deployed bindings store against a real DynamoDB API (dynalite over HTTP, the real SDK
// client): conditional writes keep one KMS key per label, and an item that is not a binding is
// refused rather than used.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDynamoDbClient,
  createDynamoDbDocumentClient,
  LOCAL_CREDENTIALS,
} from '../../../src/core/aws/clients.ts';
import { bindingsTableDefinition, DynamoDbBindingsStore } from '../../../src/core/bindings/dynamodb-store.ts';
import {
  BindingsStoreCorruptError,
  BindingsStoreUnavailableError,
} from '../../../src/core/bindings/errors.ts';
import { findBindingsTable } from '../../../src/core/bindings/factory.ts';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../src/local/dynamodb/server.ts';

const KEY_A = 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const KEY_B = 'arn:aws:kms:us-east-1:111122223333:key/99999999-2222-3333-4444-555555555555';
const AT = '2027-01-01T00:00:00.000Z';

let dynamo: LocalDynamoDb;
let control: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
  control = new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
});

afterAll(async () => {
  control.destroy();
  await dynamo.stop();
});

async function freshStore(tableName: string): Promise<DynamoDbBindingsStore> {
  await control.send(new CreateTableCommand(bindingsTableDefinition(tableName)));
  return new DynamoDbBindingsStore({
    client: createDynamoDbDocumentClient({ endpoint: dynamo.url, region: 'us-east-1' }),
    tableName,
  });
}

describe('DynamoDbBindingsStore', () => {
  it('adds, reads, lists and removes bindings with conditional writes', async () => {
    // Prepare
    const store = await freshStore('byok-test-bindings');

    // Act
    const added = await store.add({ hsmKeyLabel: 'payments', keyArn: KEY_A, createdAt: AT });
    const clash = await store.add({ hsmKeyLabel: 'payments', keyArn: KEY_B, createdAt: AT });
    await store.add({
      hsmKeyLabel: 'orders',
      keyArn: KEY_B,
      createdAt: AT,
      createdBy: 'arn:aws:iam::111122223333:role/Admin',
    });
    const listed = await store.list();
    const wrongRemove = await store.remove('payments', KEY_B);
    const rightRemove = await store.remove('payments', KEY_A);
    const after = await store.get('payments');

    // Assess
    expect(added).toEqual({ added: true });
    expect(clash).toEqual({
      added: false,
      existing: { hsmKeyLabel: 'payments', keyArn: KEY_A, createdAt: AT },
    });
    expect(listed.map((binding) => binding.hsmKeyLabel)).toEqual(['orders', 'payments']);
    expect(wrongRemove.removed).toBe(false);
    expect(rightRemove).toEqual({ removed: true });
    expect(after).toBeUndefined();
  });

  it('refuses an item that is not a binding (written around byok) instead of using it', async () => {
    // Prepare
    const store = await freshStore('byok-corrupt-bindings');
    const writer = createDynamoDbDocumentClient({ endpoint: dynamo.url, region: 'us-east-1' });
    await writer.send(
      new PutCommand({
        TableName: 'byok-corrupt-bindings',
        Item: { hsmKeyLabel: 'payments', keyArn: '*', createdAt: AT },
      }),
    );

    // Act
    const read = await store.get('payments').catch((error: unknown) => error);
    const listed = await store.list().catch((error: unknown) => error);

    // Assess
    expect(read).toBeInstanceOf(BindingsStoreCorruptError);
    expect(listed).toBeInstanceOf(BindingsStoreCorruptError);
    writer.destroy();
  });

  it('names a missing table with BindingsStoreUnavailableError and the hint to name it', async () => {
    // Prepare
    const store = new DynamoDbBindingsStore({
      client: createDynamoDbDocumentClient({ endpoint: dynamo.url, region: 'us-east-1' }),
      tableName: 'no-such-bindings',
    });

    // Act
    const error = (await store
      .get('payments')
      .catch((caught: unknown) => caught)) as BindingsStoreUnavailableError;

    // Assess
    expect(error).toBeInstanceOf(BindingsStoreUnavailableError);
    expect(error.message).toContain('no-such-bindings');
    expect(error.hint).toContain('--bindings-table');
  });

  it('finds the one *-bindings table when none is named, and refuses to guess among several', async () => {
    // Prepare
    const single = await startLocalDynamoDb();
    const singleControl = new DynamoDBClient({
      endpoint: single.url,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    await singleControl.send(new CreateTableCommand(bindingsTableDefinition('byok-prod-bindings')));
    await singleControl.send(new CreateTableCommand(bindingsTableDefinition('byok-prod-approvals')));
    await freshStore('byok-other-bindings');

    // Act
    const found = await findBindingsTable(
      createDynamoDbClient({ endpoint: single.url, region: 'us-east-1' }),
    );
    const ambiguous = (await findBindingsTable(
      createDynamoDbClient({ endpoint: dynamo.url, region: 'us-east-1' }),
    ).catch((error: unknown) => error)) as BindingsStoreUnavailableError;

    // Assess
    expect(found).toBe('byok-prod-bindings');
    expect(ambiguous).toBeInstanceOf(BindingsStoreUnavailableError);
    expect(ambiguous.message).toContain('byok-other-bindings');
    expect(ambiguous.message).toContain('byok-test-bindings');
    singleControl.destroy();
    await single.stop();
  });
});
