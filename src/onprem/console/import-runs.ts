// Runs of `byok import` (which runs the import workflow in its own process, not as a Step Functions
// execution) as the console lists them next to the executions: read from the import-runs record that
// `byok import` writes (src/onprem/import-runs, engineer ops's module: one DynamoDB item per run,
// interrupted ones included). Where the record is: locally, the stack says at GET /_byok/import-runs
// ({dynamoDbUrl, tableName}); against AWS, the table named by BYOK_IMPORT_RUNS_TABLE, else the one
// table whose name ends in -import-runs. No record to read is not an error: the page says so.
import {
  type AwsClientOptions,
  createDynamoDbClient,
  createDynamoDbDocumentClient,
} from '../../core/aws/clients.ts';
import { listTableNames } from '../../core/aws/paginate-dynamodb.ts';
import { DynamoDbImportRunRecord } from '../import-runs/store.ts';
import { IMPORT_RUNS_TABLE_SUFFIX } from '../import-runs/table.ts';
import type { ImportRunsView } from './wire.ts';

/** How many of the newest `byok import` runs the Runs page lists. */
const IMPORT_RUNS_LISTED = 25;

export interface ImportRunsReader {
  list(): Promise<ImportRunsView>;
  close(): void;
}

interface Located {
  record: DynamoDbImportRunRecord;
  close(): void;
}

async function locateLocal(endpoint: string, region: string | undefined): Promise<Located | string> {
  const response = await fetch(new URL('/_byok/import-runs', endpoint), {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) return 'this local stack keeps no record of `byok import` runs';
  const where = (await response.json()) as { dynamoDbUrl?: unknown; tableName?: unknown };
  if (typeof where.dynamoDbUrl !== 'string' || typeof where.tableName !== 'string') {
    return 'this local stack keeps no record of `byok import` runs';
  }
  const client = createDynamoDbDocumentClient({ endpoint: where.dynamoDbUrl, region });
  return {
    record: new DynamoDbImportRunRecord({ client, tableName: where.tableName, where: where.dynamoDbUrl }),
    close: () => client.destroy(),
  };
}

async function locateAws(options: AwsClientOptions): Promise<Located | string> {
  const base = createDynamoDbClient(options);
  const client = createDynamoDbDocumentClient(options, base);
  let tableName = process.env.BYOK_IMPORT_RUNS_TABLE;
  if (!tableName) {
    const names = (await listTableNames(base)).filter((name) => name.endsWith(IMPORT_RUNS_TABLE_SUFFIX));
    if (names.length !== 1) {
      client.destroy();
      return names.length === 0
        ? 'no import-runs table here (deploy byok, or set BYOK_IMPORT_RUNS_TABLE)'
        : `several import-runs tables here (${names.join(', ')}): set BYOK_IMPORT_RUNS_TABLE`;
    }
    tableName = names[0] as string;
  }
  return {
    record: new DynamoDbImportRunRecord({ client, tableName, where: tableName }),
    close: () => client.destroy(),
  };
}

export function createImportRunsReader(options: AwsClientOptions): ImportRunsReader {
  let located: Promise<Located | string> | undefined;
  const locate = () => {
    located ??= (options.endpoint ? locateLocal(options.endpoint, options.region) : locateAws(options)).catch(
      (error: unknown) => {
        located = undefined;
        return `the import-runs record cannot be found: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
    return located;
  };
  return {
    async list() {
      const where = await locate();
      if (typeof where === 'string') return { runs: [], unavailable: where };
      try {
        return { runs: await where.record.list({ limit: IMPORT_RUNS_LISTED }), unavailable: null };
      } catch (error) {
        return { runs: [], unavailable: error instanceof Error ? error.message : String(error) };
      }
    },
    close() {
      void located?.then((where) => {
        if (typeof where !== 'string') where.close();
      });
    },
  };
}
