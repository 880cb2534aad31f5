// The import-runs table: one item per `byok import` run, keyed by runId, expiring after
// RUN_RETENTION_DAYS (the TTL attribute `expiresAt`). The deployed template declares it
// (serverless.yml ImportRunsTable); the local stack creates it in its own DynamoDB (dynalite, in
// the state dir) from this definition.
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';

const IMPORT_RUNS_TABLE_KEY = 'runId';
export const IMPORT_RUNS_TTL_ATTRIBUTE = 'expiresAt';
export const RUN_RETENTION_DAYS = 400;
/** The local stack's table; deployed: `<service>-<stage>-import-runs`. */
export const LOCAL_IMPORT_RUNS_TABLE = 'byok-import-runs';
export const IMPORT_RUNS_TABLE_SUFFIX = '-import-runs';

function importRunsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: IMPORT_RUNS_TABLE_KEY, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: IMPORT_RUNS_TABLE_KEY, KeyType: 'HASH' }],
  };
}

/** Creates the table unless it exists (a local stack restarted on its state dir). */
export async function ensureImportRunsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(importRunsTableDefinition(tableName)));
  } catch (error) {
    if (error instanceof ResourceInUseException) return;
    throw error;
  }
}
