// Reading one binding from the deployed bindings table (GetItem only). The steps that check one
// binding before they act (ValidateRotation, the approvals API) take this reader, not the whole
// store: their bundles then reach no write and no scan of the table, and their roles hold
// dynamodb:GetItem on it and nothing else (test/deploy/template.test.ts, iam-evaluation.test.ts).
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Binding, BindingSchema } from './contracts.ts';
import { BindingsStoreCorruptError, BindingsStoreUnavailableError } from './errors.ts';
import type { BindingsReader } from './port.ts';

/** The Lambdas' environment variable naming the table (serverless.yml). */
export const BINDINGS_TABLE_ENV = 'BYOK_BINDINGS_TABLE';

/** The table's partition key. */
export const BINDINGS_TABLE_KEY = 'hsmKeyLabel';

export interface DynamoDbBindingsTableOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** An item of the table as a binding, or BindingsStoreCorruptError (refused whole, never half read). */
export function checkedBinding(item: unknown, tableName: string): Binding {
  const parsed = BindingSchema.safeParse(item);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new BindingsStoreCorruptError(
    `an item of the bindings table ${tableName} does not fit a binding (${issue?.path.join('.') || 'item'}: ${issue?.message ?? 'invalid'}); nothing was imported`,
    { cause: parsed.error },
  );
}

/** A failed call on the table as BindingsStoreUnavailableError, with what to do about it. */
export function bindingsTableUnavailable(tableName: string, action: string, error: unknown): never {
  const name = error instanceof Error ? error.name : 'Error';
  throw new BindingsStoreUnavailableError(
    `cannot ${action} the bindings table ${tableName} (${name}${error instanceof Error && error.message ? `: ${error.message}` : ''})`,
    {
      cause: error,
      hint:
        name === 'AccessDeniedException'
          ? 'only the administrators named in the stack parameter BindingsAdministratorArns may change bindings; byok itself may only read them'
          : name === 'ResourceNotFoundException'
            ? 'name the deployed table with --bindings-table or BYOK_BINDINGS_TABLE (the stack output BindingsTableName)'
            : undefined,
    } as ErrorOptions & { hint?: string },
  );
}

/** The binding recorded for exactly this label, read consistently (GetItem). */
export async function getBindingItem(
  options: DynamoDbBindingsTableOptions,
  hsmKeyLabel: string,
): Promise<Binding | undefined> {
  let item: Record<string, unknown> | undefined;
  try {
    item = (
      await options.client.send(
        new GetCommand({
          TableName: options.tableName,
          Key: { [BINDINGS_TABLE_KEY]: hsmKeyLabel },
          ConsistentRead: true,
        }),
      )
    ).Item;
  } catch (error) {
    bindingsTableUnavailable(options.tableName, 'read', error);
  }
  return item === undefined ? undefined : checkedBinding(item, options.tableName);
}

/** One binding at a time from the deployed table: what a step that checks one binding needs. */
export class DynamoDbBindingReader implements Pick<BindingsReader, 'get'> {
  constructor(private readonly options: DynamoDbBindingsTableOptions) {}

  get(hsmKeyLabel: string): Promise<Binding | undefined> {
    return getBindingItem(this.options, hsmKeyLabel);
  }
}
