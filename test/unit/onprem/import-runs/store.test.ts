import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../../src/local/dynamodb/server.ts';
import { clip, type ImportRun } from '../../../../src/onprem/import-runs/contracts.ts';
import {
  ImportRunsUnavailableError,
  InvalidImportRunError,
} from '../../../../src/onprem/import-runs/errors.ts';
import { DynamoDbImportRunRecord } from '../../../../src/onprem/import-runs/store.ts';
import { ensureImportRunsTable } from '../../../../src/onprem/import-runs/table.ts';

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
  client = new DynamoDBClient({
    endpoint: dynamo.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'byoklocal', secretAccessKey: 'byoklocal' },
    maxAttempts: 1,
  });
  documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

async function newRecord(): Promise<{ record: DynamoDbImportRunRecord; tableName: string }> {
  const tableName = `byok-import-runs-${randomUUID()}`;
  await ensureImportRunsTable(client, tableName);
  return { record: new DynamoDbImportRunRecord({ client: documents, tableName }), tableName };
}

function run(fields: Partial<ImportRun> & Pick<ImportRun, 'startedAt'>): ImportRun {
  return {
    runId: randomUUID(),
    keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    target: 'http://127.0.0.1:4599',
    endedAt: fields.startedAt,
    outcome: 'SUCCEEDED',
    ...fields,
  };
}

describe('the import-runs record on DynamoDB (dynalite)', () => {
  it('lists recorded runs newest first, an interrupted one with what KMS holds and the next command', async () => {
    // Prepare
    const { record } = await newRecord();
    const first = run({ startedAt: '2026-12-01T10:00:00.000Z' });
    const interrupted = run({
      startedAt: '2026-12-02T10:00:00.000Z',
      endedAt: '2026-12-02T10:00:03.000Z',
      outcome: 'INTERRUPTED',
      error: 'SIGINT',
      kms: 'unverified',
      lastState: 'VerifyImport',
      next: 'byok import --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --endpoint http://127.0.0.1:4599',
    });

    // Act
    await record.record(first);
    await record.record(interrupted);
    const listed = await record.list();

    // Assess
    expect(listed).toEqual([interrupted, first]);
  });

  it('filters by key (an ARN and its id name the same key) and honours the limit', async () => {
    // Prepare
    const { record } = await newRecord();
    const other = run({
      startedAt: '2026-12-01T09:00:00.000Z',
      keyId: 'ffffffff-12ab-34cd-56ef-1234567890ab',
    });
    const mine = [1, 2, 3].map((day) =>
      run({
        startedAt: `2026-12-0${day}T10:00:00.000Z`,
        keyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      }),
    );
    for (const each of [other, ...mine]) await record.record(each);

    // Act
    const listed = await record.list({ keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', limit: 2 });

    // Assess
    expect(listed.map((each) => each.startedAt)).toEqual([
      '2026-12-03T10:00:00.000Z',
      '2026-12-02T10:00:00.000Z',
    ]);
  });

  it('skips an item that does not match the schema instead of listing it wrong', async () => {
    // Prepare
    const { record, tableName } = await newRecord();
    const good = run({ startedAt: '2026-12-01T10:00:00.000Z' });
    await record.record(good);
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: { runId: randomUUID(), outcome: 'MAYBE', importToken: 'x' },
      }),
    );

    // Act
    const listed = await record.list();

    // Assess
    expect(listed).toEqual([good]);
  });

  it('refuses a run that does not fit the record by name (no unknown fields such as a token)', async () => {
    // Prepare
    const { record } = await newRecord();
    const forged = { ...run({ startedAt: '2026-12-01T10:00:00.000Z' }), importToken: 'AQID' } as ImportRun;

    // Act
    const attempt = record.record(forged);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidImportRunError);
  });

  it('names a missing table with a hint', async () => {
    // Prepare
    const record = new DynamoDbImportRunRecord({
      client: documents,
      tableName: 'no-such-table',
      where: 'local',
    });

    // Act
    const attempt = record.list();

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ImportRunsUnavailableError);
    await expect(attempt).rejects.toMatchObject({ hint: expect.stringContaining('ImportRunsTable') });
  });

  it('ensureImportRunsTable is idempotent (a restarted stack finds its table)', async () => {
    // Prepare
    const { tableName } = await newRecord();

    // Act
    const again = ensureImportRunsTable(client, tableName);

    // Assess
    await expect(again).resolves.toBeUndefined();
  });

  it('clip keeps messages within the record', () => {
    expect(clip('x'.repeat(2000))?.length).toBe(1024);
    expect(clip('  ')).toBeUndefined();
    expect(clip(' ok ')).toBe('ok');
  });
});
