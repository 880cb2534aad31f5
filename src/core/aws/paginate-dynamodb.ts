// DynamoDB's list calls, every page, through the SDK's paginators (one place for this service).
import { type DynamoDBClient, paginateListTables } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, paginateScan, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';

/** Every table name of the account and Region (the paginator takes a plain client, not a document client). */
export async function listTableNames(client: DynamoDBClient): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListTables({ client }, {})) names.push(...(page.TableNames ?? []));
  return names;
}

/** Every item a Scan returns (all pages), as the document client unmarshals them. */
export async function scanAll(
  client: DynamoDBDocumentClient,
  input: ScanCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client }, input)) items.push(...(page.Items ?? []));
  return items;
}
