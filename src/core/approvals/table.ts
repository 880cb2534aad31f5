// The approvals table: one item per approval request, keyed by requestId, holding its votes in a map
// keyed by voter identity. One item per request means every change (a vote, the quorum, the end) is
// a single conditional write, atomic in DynamoDB without transactions, and the same on dynalite,
// which implements no TransactWriteItems. The deployed template and the local stack create it from
// this definition.
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

const APPROVALS_TABLE_KEY = 'requestId';

function approvalsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: APPROVALS_TABLE_KEY, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: APPROVALS_TABLE_KEY, KeyType: 'HASH' }],
  };
}

/** Creates the table (locally, or in tests); DynamoDB creates it from the deployed template instead. */
export async function createApprovalsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(approvalsTableDefinition(tableName)));
}
