// The import-runs record on DynamoDB (AWS, or the local stack's dynalite): `record` writes one run
// as one item, `list` reads the most recent ones (newest first, optionally of one key). Both go
// through the same table definition (./table.ts), so what `byok import` writes against AWS and
// against the local stack is listed the same way by `byok status` and the console.
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { scanAll } from '../../core/aws/paginate-dynamodb.ts';
import { type ImportRun, ImportRunSchema } from './contracts.ts';
import { ImportRunsUnavailableError, InvalidImportRunError } from './errors.ts';
import { IMPORT_RUNS_TTL_ATTRIBUTE, RUN_RETENTION_DAYS } from './table.ts';

export interface ListImportRunsOptions {
  /** At most this many runs (default 100). */
  limit?: number | undefined;
  /** Only the runs of this key id or ARN (matched as given and by its last path part). */
  keyId?: string | undefined;
}

export interface ImportRunRecord {
  record(run: ImportRun): Promise<void>;
  list(options?: ListImportRunsOptions): Promise<ImportRun[]>;
}

/** `arn:aws:kms:…:key/<id>` and `<id>` name the same key. */
function keyTail(keyId: string): string {
  return keyId.split('/').pop() ?? keyId;
}

export class DynamoDbImportRunRecord implements ImportRunRecord {
  constructor(
    private readonly options: {
      client: DynamoDBDocumentClient;
      tableName: string;
      /** Where the table is, for error messages (a Region or a URL). */
      where?: string | undefined;
    },
  ) {}

  async record(run: ImportRun): Promise<void> {
    const parsed = ImportRunSchema.safeParse(run);
    if (!parsed.success) {
      throw new InvalidImportRunError(parsed.error.issues.map((issue) => issue.message).join('; '));
    }
    const expiresAt = Math.floor(Date.parse(parsed.data.endedAt) / 1000) + RUN_RETENTION_DAYS * 86_400;
    await this.call(() =>
      this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...parsed.data, [IMPORT_RUNS_TTL_ATTRIBUTE]: expiresAt },
        }),
      ),
    );
  }

  async list(options: ListImportRunsOptions = {}): Promise<ImportRun[]> {
    const limit = options.limit ?? 100;
    const wanted = options.keyId ? keyTail(options.keyId) : undefined;
    const runs: ImportRun[] = [];
    const items = await this.call(() => scanAll(this.options.client, { TableName: this.options.tableName }));
    for (const item of items) {
      const { [IMPORT_RUNS_TTL_ATTRIBUTE]: _expiresAt, ...fields } = item;
      const parsed = ImportRunSchema.safeParse(fields);
      // An item another version wrote, or one edited by hand, is skipped rather than shown wrong.
      if (!parsed.success) continue;
      if (wanted && keyTail(parsed.data.keyId) !== wanted) continue;
      runs.push(parsed.data);
    }
    runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
    return runs.slice(0, limit);
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      throw new ImportRunsUnavailableError(
        `${this.options.tableName}${this.options.where ? ` (${this.options.where})` : ''}`,
        {
          cause: error,
          hint:
            name === 'ResourceNotFoundException'
              ? 'deploy byok (serverless.yml ImportRunsTable) or set BYOK_IMPORT_RUNS_TABLE'
              : name === 'AccessDeniedException'
                ? 'allow dynamodb:PutItem and dynamodb:Scan on the import-runs table'
                : undefined,
        },
      );
    }
  }
}
