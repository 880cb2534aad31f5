// Where the import-runs record is for a command's target. Against the local stack: the stack's own
// DynamoDB (advertised at GET /_byok/import-runs, kept in its state dir). Against AWS: the table
// BYOK_IMPORT_RUNS_TABLE names, else the one table named `*-import-runs` (serverless.yml's
// ImportRunsTable, `<service>-<stage>-import-runs`) in the target's Region. Undefined when there is
// none: recording is best effort, an import never fails for want of its record.
import { createDynamoDbClient, createDynamoDbDocumentClient } from '../../core/aws/clients.ts';
import { listTableNames } from '../../core/aws/paginate-dynamodb.ts';
import { DynamoDbImportRunRecord, type ImportRunRecord } from './store.ts';
import { IMPORT_RUNS_TABLE_SUFFIX } from './table.ts';

const IMPORT_RUNS_TABLE_ENV = 'BYOK_IMPORT_RUNS_TABLE';

export interface ImportRunRecordTarget {
  endpoint?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
}

export interface LocatedImportRunRecord extends ImportRunRecord {
  /** Where it is (a table name and Region, or the local stack's URL), for messages. */
  where: string;
  close(): void;
}

export async function locateImportRunRecord(
  target: ImportRunRecordTarget,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocatedImportRunRecord | undefined> {
  if (target.endpoint) {
    const advertised = await fetch(new URL('/_byok/import-runs', target.endpoint), {
      signal: AbortSignal.timeout(3000),
    })
      .then((response) =>
        response.ok
          ? (response.json() as Promise<{ dynamoDbUrl?: unknown; tableName?: unknown }>)
          : undefined,
      )
      .catch(() => undefined);
    if (typeof advertised?.dynamoDbUrl !== 'string' || typeof advertised.tableName !== 'string')
      return undefined;
    return open(
      advertised.tableName,
      { endpoint: advertised.dynamoDbUrl, region: target.region },
      target.endpoint,
    );
  }
  const clientOptions = { region: target.region, profile: target.profile };
  const base = createDynamoDbClient(clientOptions);
  const client = createDynamoDbDocumentClient(clientOptions, base);
  let tableName = env[IMPORT_RUNS_TABLE_ENV];
  if (!tableName) {
    try {
      const found = (await listTableNames(base)).filter((name) => name.endsWith(IMPORT_RUNS_TABLE_SUFFIX));
      tableName = found.length === 1 ? found[0] : undefined;
    } catch {
      tableName = undefined;
    }
  }
  client.destroy();
  if (!tableName) return undefined;
  return open(
    tableName,
    { region: target.region, profile: target.profile },
    `${tableName} in ${target.region ?? 'the default Region'}`,
  );
}

function open(
  tableName: string,
  clientOptions: { endpoint?: string | undefined; region?: string | undefined; profile?: string | undefined },
  where: string,
): LocatedImportRunRecord {
  const client = createDynamoDbDocumentClient(clientOptions);
  const record = new DynamoDbImportRunRecord({ client, tableName, where });
  return {
    where,
    record: (run) => record.record(run),
    list: (options) => record.list(options),
    close: () => client.destroy(),
  };
}
