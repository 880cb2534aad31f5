// The deployed bindings store: one DynamoDB item per HSM key label (`hsmKeyLabel` is the table's
// key), written only by administrators. The table's resource policy (serverless.yml,
// BindingsTable) denies every write to anyone but the administrators' roles, and byok's own roles
// may only read it, so neither byok's Lambdas nor anyone who can tag a KMS key can make a binding.
// Each write is conditional on the label, so a label can never point at two keys, even when two
// administrators record at once.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { scanAll } from '../aws/paginate-dynamodb.ts';
import { type Binding, BindingSchema } from './contracts.ts';
import {
  BINDINGS_TABLE_KEY,
  bindingsTableUnavailable,
  checkedBinding,
  type DynamoDbBindingsTableOptions,
  getBindingItem,
} from './dynamodb-reader.ts';
import type { AddResult, BindingsStore, RemoveResult } from './port.ts';

export { BINDINGS_TABLE_ENV } from './dynamodb-reader.ts';

export type DynamoDbBindingsStoreOptions = DynamoDbBindingsTableOptions;

export class DynamoDbBindingsStore implements BindingsStore {
  private readonly client: DynamoDBDocumentClient;
  readonly tableName: string;

  constructor(options: DynamoDbBindingsStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  private unavailable(action: string, error: unknown): never {
    bindingsTableUnavailable(this.tableName, action, error);
  }

  get(hsmKeyLabel: string): Promise<Binding | undefined> {
    return getBindingItem({ client: this.client, tableName: this.tableName }, hsmKeyLabel);
  }

  async list(): Promise<Binding[]> {
    let items: Record<string, unknown>[];
    try {
      items = await scanAll(this.client, { TableName: this.tableName, ConsistentRead: true });
    } catch (error) {
      this.unavailable('list', error);
    }
    const bindings = items.map((item) => checkedBinding(item, this.tableName));
    return bindings.sort((a, b) => a.hsmKeyLabel.localeCompare(b.hsmKeyLabel));
  }

  async add(binding: Binding): Promise<AddResult> {
    const item = BindingSchema.parse(binding);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#label)',
          ExpressionAttributeNames: { '#label': BINDINGS_TABLE_KEY },
        }),
      );
      return { added: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) this.unavailable('write', error);
    }
    const existing = await this.get(binding.hsmKeyLabel);
    // Removed in between: the caller tries again and will find the label free.
    if (!existing) return this.add(binding);
    return { added: false, existing };
  }

  async remove(hsmKeyLabel: string, keyArn: string): Promise<RemoveResult> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [BINDINGS_TABLE_KEY]: hsmKeyLabel },
          ConditionExpression: 'keyArn = :keyArn',
          ExpressionAttributeValues: { ':keyArn': keyArn },
        }),
      );
      return { removed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) this.unavailable('write', error);
    }
    return { removed: false, existing: await this.get(hsmKeyLabel) };
  }
}

/** The table as the template declares it (serverless.yml BindingsTable); tests create it from this. */
export function bindingsTableDefinition(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [{ AttributeName: BINDINGS_TABLE_KEY, AttributeType: 'S' as const }],
    KeySchema: [{ AttributeName: BINDINGS_TABLE_KEY, KeyType: 'HASH' as const }],
  };
}
