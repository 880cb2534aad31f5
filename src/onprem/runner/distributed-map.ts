// Distributed Map states, run locally. The interpreter (aws-local-stepfunctions) runs every Map
// inline: it reads no ItemReader, writes no ResultWriter, ignores tolerated failures and starts no
// child executions. So before a run the runner replaces each Map whose ItemProcessor is DISTRIBUTED
// with a Task this module answers, keeping the state's name and its InputPath, ResultSelector,
// ResultPath, OutputPath, Retry and Catch, and moving the fields that take paths (ItemsPath, the
// reader's and writer's Parameters, MaxConcurrencyPath, ToleratedFailure*Path) into the Task's
// Parameters, so the interpreter evaluates them exactly as written. The Task then does what Step
// Functions does for a Map Run:
//   - items from the ItemReader (S3 GetObject, InputType JSON, ReaderConfig.MaxItems) or ItemsPath;
//   - each item through the ItemSelector (with `$$.Map.Item.Index` / `.Value`) into the input of a
//     child execution of the ItemProcessor, at most MaxConcurrency at once (0: no limit);
//   - failures counted against ToleratedFailureCount / ToleratedFailurePercentage (default 0): past
//     the threshold no more children start and the state fails with
//     States.ExceedToleratedFailureThreshold;
//   - with a ResultWriter, every child's result written to S3 (`<Prefix>/<map run id>/SUCCEEDED_0.json`,
//     `FAILED_0.json`, `manifest.json`) and the output `{MapRunArn, ResultWriterDetails}`; without
//     one, the children's outputs in item order (`{Error, Cause}` for a failed one).
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { mapStates } from '../../core/asl/walk.cjs';
import { TaskFailure, UnsupportedTaskResourceError } from './errors.ts';
import type { AslDefinition, AslState } from './state-machines.ts';
import type { ExecutionResult, IntegrationContext, JsonValue } from './types.ts';

/** The resource of the Task that stands for a Distributed Map locally (never deployed). */
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::byok-local:distributedMap';

export interface DistributedMapSpec {
  stateName: string;
  label: string;
  processor: AslDefinition;
  itemSelector: unknown;
  readerResource: string | undefined;
  readerConfig: { InputType?: string; MaxItems?: number } | undefined;
  writerResource: string | undefined;
}

/** What a child execution of a Map Run needs from the run that starts it. */
export type ChildRunner = (request: {
  definition: AslDefinition;
  stateMachineName: string;
  name: string;
  input: unknown;
}) => Promise<ExecutionResult>;

const MAP_FIELDS = new Set([
  'Type',
  'ItemsPath',
  'ItemReader',
  'ItemSelector',
  'Parameters',
  'ItemProcessor',
  'Iterator',
  'ItemBatcher',
  'MaxConcurrency',
  'MaxConcurrencyPath',
  'ToleratedFailureCount',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentage',
  'ToleratedFailurePercentagePath',
  'ResultWriter',
  'Label',
]);

function isDistributed(state: AslState): boolean {
  const config = (state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)
    ?.ProcessorConfig;
  return state.Type === 'Map' && config?.Mode === 'DISTRIBUTED';
}

/**
 * The definition with each Distributed Map (at any depth of Map and Parallel states) replaced by
 * its stand-in Task, and the specs of the maps replaced, by state name.
 */
export function rewriteDistributedMaps(definition: AslDefinition): {
  definition: AslDefinition;
  maps: Map<string, DistributedMapSpec>;
} {
  const maps = new Map<string, DistributedMapSpec>();
  // Innermost first: a Distributed Map's processor has its own Distributed Maps replaced already.
  const rewritten = mapStates<AslState, AslDefinition>(definition, (name, state) => {
    if (!isDistributed(state)) return state;
    if (state.ItemBatcher !== undefined) {
      throw new UnsupportedTaskResourceError(name, 'ItemBatcher (a Distributed Map batching its items)');
    }
    const reader = state.ItemReader as
      | { Resource?: string; Parameters?: unknown; ReaderConfig?: DistributedMapSpec['readerConfig'] }
      | undefined;
    const writer = state.ResultWriter as { Resource?: string; Parameters?: unknown } | undefined;
    const processor = state.ItemProcessor as AslDefinition;
    maps.set(name, {
      stateName: name,
      label: typeof state.Label === 'string' ? state.Label : name,
      processor: { StartAt: processor.StartAt, States: processor.States },
      itemSelector: state.ItemSelector ?? state.Parameters,
      readerResource: reader?.Resource,
      readerConfig: reader?.ReaderConfig,
      writerResource: writer?.Resource,
    });
    const parameters: Record<string, unknown> = { 'input.$': '$' };
    if (reader) parameters.reader = reader.Parameters ?? {};
    else parameters['items.$'] = typeof state.ItemsPath === 'string' ? state.ItemsPath : '$';
    if (writer) parameters.writer = writer.Parameters ?? {};
    for (const [field, key] of [
      ['MaxConcurrency', 'maxConcurrency'],
      ['ToleratedFailureCount', 'toleratedFailureCount'],
      ['ToleratedFailurePercentage', 'toleratedFailurePercentage'],
    ] as const) {
      if (typeof state[`${field}Path`] === 'string') parameters[`${key}.$`] = state[`${field}Path`];
      else if (state[field] !== undefined) parameters[key] = state[field];
    }
    const task: AslState = { Type: 'Task', Resource: DISTRIBUTED_MAP_RESOURCE, Parameters: parameters };
    for (const [field, value] of Object.entries(state)) if (!MAP_FIELDS.has(field)) task[field] = value;
    // A Map Run may take as long as its children (the interpreter's Task default is 60 s); the
    // interpreter's timer takes at most 2^31 - 1 ms, about 24 days.
    task.TimeoutSeconds ??= 2_000_000;
    return task;
  });
  return { definition: rewritten, maps };
}

interface MapRunParameters {
  input: JsonValue;
  items?: JsonValue;
  reader?: { Bucket?: string; Key?: string };
  writer?: { Bucket?: string; Prefix?: string };
  maxConcurrency?: number;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
}

export interface MapRunDeps {
  s3?: S3Client | undefined;
}

/** Runs one Distributed Map state (the stand-in Task's handler). */
export async function runDistributedMap(
  spec: DistributedMapSpec,
  parameters: JsonValue,
  context: IntegrationContext,
  runChild: ChildRunner,
): Promise<JsonValue> {
  const request = (parameters ?? {}) as unknown as MapRunParameters;
  const deps = context.deps as MapRunDeps;
  // The Map Run's own I/O counts as work in flight (the children count for themselves).
  const activity = context.deps.activity as { begin(): () => void } | undefined;
  const io = async <T>(work: () => Promise<T>): Promise<T> => {
    const end = activity?.begin();
    try {
      return await work();
    } finally {
      end?.();
    }
  };
  const items = request.reader
    ? await io(() => readItems(spec, request.reader as NonNullable<MapRunParameters['reader']>, deps))
    : request.items;
  if (!Array.isArray(items)) {
    throw new TaskFailure('States.Runtime', `${spec.stateName}: the items to process are not a JSON array`);
  }
  const maxConcurrency = nonNegative(request.maxConcurrency, 'MaxConcurrency', spec) || items.length || 1;
  const toleratedCount = nonNegative(request.toleratedFailureCount, 'ToleratedFailureCount', spec);
  const toleratedPercentage = nonNegative(
    request.toleratedFailurePercentage,
    'ToleratedFailurePercentage',
    spec,
  );
  if (toleratedPercentage > 100) {
    throw new TaskFailure(
      'States.Runtime',
      `${spec.stateName}: ToleratedFailurePercentage must be at most 100`,
    );
  }
  const [region, accountId, parentMachine] = arnParts(
    context.execution.arn,
    context.execution.stateMachineName,
  );
  const mapRunId = randomUUID();
  const childMachine = `${parentMachine}/${spec.label}`;
  const mapRunArn = `arn:aws:states:${region}:${accountId}:mapRun:${childMachine}:${mapRunId}`;
  const selector = spec.itemSelector === undefined ? undefined : selectorMachine(spec.itemSelector);

  const results: (ExecutionResult | undefined)[] = new Array(items.length);
  let failed = 0;
  let next = 0;
  // Each threshold counts only when set; with neither, no failure is tolerated.
  const countSet = request.toleratedFailureCount !== undefined && request.toleratedFailureCount !== null;
  const percentageSet =
    request.toleratedFailurePercentage !== undefined && request.toleratedFailurePercentage !== null;
  const exceeded = () =>
    (countSet && failed > toleratedCount) ||
    (percentageSet && items.length > 0 && (failed / items.length) * 100 > toleratedPercentage) ||
    (!countSet && !percentageSet && failed > 0);
  const worker = async () => {
    while (next < items.length && !exceeded() && !context.signal?.aborted) {
      const index = next++;
      const item = items[index] as JsonValue;
      const input = selector
        ? await io(
            () =>
              selector.run(request.input, {
                context: { Map: { Item: { Index: index, Value: item } } } as never,
              }).result,
          )
        : item;
      const result = await runChild({
        definition: spec.processor,
        stateMachineName: childMachine,
        name: `${mapRunId.slice(0, 8)}-${index}`,
        input,
      });
      results[index] = result;
      if (result.status !== 'SUCCEEDED') failed += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxConcurrency, Math.max(items.length, 1)) }, worker));

  const finished = results.filter((result): result is ExecutionResult => result !== undefined);
  const writer = request.writer;
  const output = writer
    ? await io(() => writeResults(spec, writer, deps, mapRunId, mapRunArn, finished))
    : (results.map((result) =>
        result?.status === 'SUCCEEDED'
          ? (result.output ?? null)
          : { Error: result?.error ?? 'States.Runtime', Cause: result?.cause ?? 'not started' },
      ) as JsonValue);
  if (exceeded()) {
    throw new TaskFailure(
      'States.ExceedToleratedFailureThreshold',
      `The specified tolerated failure threshold was exceeded: ${failed} of ${items.length} child executions failed (map run ${mapRunArn})`,
    );
  }
  return output;
}

function nonNegative(value: unknown, field: string, spec: DistributedMapSpec): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TaskFailure(
      'States.Runtime',
      `${spec.stateName}: ${field} must be a non-negative number, not ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function arnParts(executionArn: string, stateMachineName: string): [string, string, string] {
  const [, , , region = 'us-east-1', accountId = '111122223333'] = executionArn.split(':');
  return [region, accountId, stateMachineName];
}

function selectorMachine(selector: unknown): StateMachine {
  return new StateMachine(
    {
      StartAt: 'ItemSelector',
      States: { ItemSelector: { Type: 'Pass', Parameters: selector, End: true } },
    } as never as StateMachineDefinition,
    { validationOptions: { noValidate: true } },
  );
}

function s3Of(deps: MapRunDeps, spec: DistributedMapSpec): S3Client {
  if (!deps.s3) throw new TaskFailure('States.Runtime', `${spec.stateName}: no S3 client in the run's deps`);
  return deps.s3;
}

async function readItems(
  spec: DistributedMapSpec,
  reader: NonNullable<MapRunParameters['reader']>,
  deps: MapRunDeps,
): Promise<JsonValue> {
  if (spec.readerResource !== 'arn:aws:states:::s3:getObject') {
    throw new TaskFailure(
      'States.ItemReaderFailed',
      `${spec.stateName}: the local runner reads items with arn:aws:states:::s3:getObject only`,
    );
  }
  if ((spec.readerConfig?.InputType ?? 'JSON') !== 'JSON') {
    throw new TaskFailure(
      'States.ItemReaderFailed',
      `${spec.stateName}: the local runner reads InputType JSON only`,
    );
  }
  let text: string;
  try {
    const object = await s3Of(deps, spec).send(
      new GetObjectCommand({ Bucket: reader.Bucket, Key: reader.Key }),
    );
    text = (await object.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    throw new TaskFailure(
      'States.ItemReaderFailed',
      `${spec.stateName}: reading s3://${reader.Bucket}/${reader.Key} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
  }
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (error) {
    throw new TaskFailure(
      'States.ItemReaderFailed',
      `${spec.stateName}: s3://${reader.Bucket}/${reader.Key} is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!Array.isArray(items)) {
    throw new TaskFailure(
      'States.ItemReaderFailed',
      `${spec.stateName}: s3://${reader.Bucket}/${reader.Key} is not a JSON array`,
    );
  }
  const maxItems = spec.readerConfig?.MaxItems;
  return (typeof maxItems === 'number' && maxItems > 0 ? items.slice(0, maxItems) : items) as JsonValue;
}

function childResult(result: ExecutionResult): Record<string, JsonValue> {
  return {
    ExecutionArn: result.executionArn,
    Input: JSON.stringify(result.input ?? null),
    InputDetails: { Included: true },
    Name: result.name,
    ...(result.status === 'SUCCEEDED'
      ? { Output: JSON.stringify(result.output ?? null), OutputDetails: { Included: true } }
      : { Error: result.error ?? 'States.Runtime', Cause: result.cause ?? '' }),
    StartDate: result.startDate.toISOString(),
    StateMachineArn: result.stateMachineArn,
    Status: result.status,
    StopDate: result.stopDate.toISOString(),
  };
}

async function writeResults(
  spec: DistributedMapSpec,
  writer: NonNullable<MapRunParameters['writer']>,
  deps: MapRunDeps,
  mapRunId: string,
  mapRunArn: string,
  results: readonly ExecutionResult[],
): Promise<JsonValue> {
  if (spec.writerResource !== 'arn:aws:states:::s3:putObject') {
    throw new TaskFailure(
      'States.ResultWriterFailed',
      `${spec.stateName}: the local runner writes results with arn:aws:states:::s3:putObject only`,
    );
  }
  const s3 = s3Of(deps, spec);
  const prefix = writer.Prefix ? `${writer.Prefix.replace(/\/+$/, '')}/` : '';
  const files: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size: number }[]> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  const put = async (key: string, body: string) => {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: writer.Bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
        }),
      );
    } catch (error) {
      throw new TaskFailure(
        'States.ResultWriterFailed',
        `${spec.stateName}: writing s3://${writer.Bucket}/${key} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
    }
  };
  for (const status of ['SUCCEEDED', 'FAILED'] as const) {
    const chosen = results.filter((result) => (status === 'SUCCEEDED') === (result.status === 'SUCCEEDED'));
    if (chosen.length === 0) continue;
    const key = `${prefix}${mapRunId}/${status}_0.json`;
    const body = JSON.stringify(chosen.map(childResult));
    await put(key, body);
    files[status].push({ Key: key, Size: Buffer.byteLength(body) });
  }
  const manifestKey = `${prefix}${mapRunId}/manifest.json`;
  await put(
    manifestKey,
    JSON.stringify({ DestinationBucket: writer.Bucket, MapRunArn: mapRunArn, ResultFiles: files }),
  );
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: writer.Bucket ?? '', Key: manifestKey } };
}
