// The bindings table for the functions that check one binding before they act (ValidateRotation,
// the approvals API): GetItem only (src/core/bindings/dynamodb-reader.ts), so their bundles reach
// no write and no scan, and their roles hold dynamodb:GetItem on the table and nothing more.

import { createDynamoDbDocumentClient } from '../../src/core/aws/clients.ts';
import { BINDINGS_TABLE_ENV, DynamoDbBindingReader } from '../../src/core/bindings/dynamodb-reader.ts';
import { requireEnv } from './env.ts';

let reader: DynamoDbBindingReader | undefined;

/** The administrators' bindings table named by BYOK_BINDINGS_TABLE (serverless.yml), one item at a time. */
export function lambdaBindingReader(env: NodeJS.ProcessEnv = process.env): DynamoDbBindingReader {
  reader ??= new DynamoDbBindingReader({
    client: createDynamoDbDocumentClient(),
    tableName: requireEnv(BINDINGS_TABLE_ENV, env),
  });
  return reader;
}
