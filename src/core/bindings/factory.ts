// Which bindings store a process uses: a local stack's (`--endpoint`), else the deployed table,
// named by --bindings-table, else BYOK_BINDINGS_TABLE (the Lambdas' environment), else found by
// name (`bindings` or `*-bindings`, as the Serverless Framework names it `<service>-<stage>-bindings`);
// never a silent default.

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClientOptions, createDynamoDbClient, createDynamoDbDocumentClient } from '../aws/clients.ts';
import { listTableNames } from '../aws/paginate-dynamodb.ts';
import type { Binding } from './contracts.ts';
import { BINDINGS_TABLE_ENV, DynamoDbBindingsStore } from './dynamodb-store.ts';
import { BindingsStoreUnavailableError } from './errors.ts';
import { LocalBindingsStore } from './local-store.ts';
import type { AddResult, BindingsStore, RemoveResult } from './port.ts';

export interface BindingsStoreOptions extends AwsClientOptions {
  /** The deployed table's name (default: BYOK_BINDINGS_TABLE, else found by name). */
  tableName?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

/** The one table named `bindings` or `*-bindings` in the account and Region, or a named error. */
export async function findBindingsTable(client: DynamoDBClient): Promise<string> {
  const names = (await listTableNames(client)).filter(
    (name) => name === 'bindings' || name.endsWith('-bindings'),
  );
  if (names.length === 1) return names[0] as string;
  throw new BindingsStoreUnavailableError(
    names.length === 0
      ? 'no bindings table (named bindings or *-bindings) in this account and Region'
      : `several bindings tables: ${names.join(', ')}`,
    {
      hint: 'name it with --bindings-table or BYOK_BINDINGS_TABLE (the stack output BindingsTableName), or pass --endpoint for the local stack',
    },
  );
}

/** A DynamoDB store whose table name is settled on first use (found by name when not given). */
class DeployedBindingsStore implements BindingsStore {
  private store: Promise<DynamoDbBindingsStore> | undefined;

  constructor(
    private readonly base: DynamoDBClient,
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string | undefined,
  ) {}

  private resolve(): Promise<DynamoDbBindingsStore> {
    this.store ??= (async () =>
      new DynamoDbBindingsStore({
        client: this.client,
        tableName: this.tableName ?? (await findBindingsTable(this.base)),
      }))().catch((error: unknown) => {
      this.store = undefined;
      throw error;
    });
    return this.store;
  }

  async get(hsmKeyLabel: string): Promise<Binding | undefined> {
    return (await this.resolve()).get(hsmKeyLabel);
  }
  async list(): Promise<Binding[]> {
    return (await this.resolve()).list();
  }
  async add(binding: Binding): Promise<AddResult> {
    return (await this.resolve()).add(binding);
  }
  async remove(hsmKeyLabel: string, keyArn: string): Promise<RemoveResult> {
    return (await this.resolve()).remove(hsmKeyLabel, keyArn);
  }
  /** Destroys the document client, which destroys `base` too (createDynamoDbDocumentClient). */
  close(): void {
    this.client.destroy();
  }
}

export function createBindingsStore(options: BindingsStoreOptions = {}): BindingsStore {
  if (options.endpoint) return new LocalBindingsStore(options.endpoint);
  const env = options.env ?? process.env;
  const tableName = options.tableName ?? (env[BINDINGS_TABLE_ENV] || undefined);
  // --profile reaches the table's client: an administrator's profile signs the writes.
  const clientOptions = {
    region: options.region,
    profile: options.profile,
    requestTimeoutMs: options.requestTimeoutMs,
  };
  const base = createDynamoDbClient(clientOptions);
  return new DeployedBindingsStore(base, createDynamoDbDocumentClient(clientOptions, base), tableName);
}
