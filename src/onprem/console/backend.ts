// The console's one way to AWS: the same SDK clients as every byok command (src/core/aws/clients.ts),
// against AWS with the default credential chain or against the local stack with an endpoint. The
// browser never calls AWS; only the server does, through this.
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { createKmsClient, createRegionalKmsClients, createSfnClient } from '../../core/aws/clients.ts';
import { findStateMachineArns } from '../../core/aws/state-machines.ts';
import { createBindingsStore } from '../../core/bindings/factory.ts';
import type { BindingsReader } from '../../core/bindings/port.ts';
import { type Clock, systemClock } from '../../core/clock.ts';
import {
  type LastRuns,
  type LastSweep,
  lastRunsFromLocalStack,
  lastRunsFromStepFunctions,
  lastSweepOfStack,
} from '../../core/sweep/status.ts';
import { endpointClock } from '../runner/remote-clock.ts';
import { ConsoleStateMachineNotFoundError } from './errors.ts';
import { createImportRunsReader, type ImportRunsReader } from './import-runs.ts';
import type { Workflow } from './wire.ts';

/** byok's workflows, by the name of their statemachines/<name>.asl.json. */
export const WORKFLOWS = [
  'import-key-material',
  'reimport-expiring-keys',
  'rotate-key-material',
] as const satisfies readonly Workflow[];

export interface ConsoleBackend {
  /** Absent for AWS. */
  endpoint: string | undefined;
  kms: KMSClient;
  /** A multi-Region key's replicas are read in their own Regions. */
  kmsForRegion(region: string): KMSClient;
  sfn: SFNClient;
  /** The stack's time: the local stack's virtual clock, or the system clock on AWS. */
  clock(): Promise<Clock>;
  /** How each key's last import went (as `byok status` reads it). */
  lastRuns(): Promise<LastRuns>;
  /** The last sweep's report (as `byok status` reads it), undefined when none can be read. */
  lastSweep(): Promise<LastSweep | undefined>;
  /** The deployed (or local) state machine of a workflow: `<name>` or `<stack>-<name>`. */
  stateMachineArn(workflow: Workflow): Promise<string>;
  /** Runs of `byok import` (its own record, not Step Functions executions). */
  importRuns: ImportRunsReader;
  /** The administrators' bindings (read only): which HSM key may go into which KMS key. */
  bindings: BindingsReader;
  /** The workflow a state machine ARN belongs to, if it is one of byok's. */
  workflowOf(stateMachineArn: string): Promise<Workflow | undefined>;
  close(): void;
}

export interface BackendOptions {
  endpoint?: string | undefined;
  region?: string | undefined;
  /** `byok console --profile`: the shared-file profile whose credentials sign every call. */
  profile?: string | undefined;
}

/**
 * How long one AWS call of the console may wait for its answer (per attempt; the SDK retries up to
 * three times): an endpoint that never answers becomes a named error on the page, not a page that
 * waits for ever (the SDK's own default is no timeout at all).
 */
export const CONSOLE_AWS_REQUEST_TIMEOUT_MS = 10_000;

export function createConsoleBackend(options: BackendOptions): ConsoleBackend {
  const clientOptions = {
    endpoint: options.endpoint,
    region: options.region,
    profile: options.profile,
    requestTimeoutMs: CONSOLE_AWS_REQUEST_TIMEOUT_MS,
  };
  const kms = createKmsClient(clientOptions);
  const regional = createRegionalKmsClients({
    endpoint: options.endpoint,
    profile: options.profile,
    requestTimeoutMs: CONSOLE_AWS_REQUEST_TIMEOUT_MS,
  });
  const sfn = createSfnClient(clientOptions);
  let machines: Promise<Map<Workflow, string[]>> | undefined;
  const listMachines = () => {
    machines ??= findStateMachineArns(sfn, WORKFLOWS).catch((error: unknown) => {
      machines = undefined;
      throw error;
    });
    return machines;
  };
  const importRuns = createImportRunsReader(clientOptions);
  const bindings = createBindingsStore(clientOptions);
  return {
    endpoint: options.endpoint,
    importRuns,
    bindings,
    kms,
    kmsForRegion: (region) => regional.forRegion(region),
    sfn,
    clock: () => (options.endpoint ? endpointClock(options.endpoint) : Promise.resolve(systemClock)),
    async lastRuns() {
      if (options.endpoint) return lastRunsFromLocalStack(options.endpoint, sfn);
      return lastRunsFromStepFunctions(sfn, await this.stateMachineArn('import-key-material'));
    },
    lastSweep: () => lastSweepOfStack(sfn, options.endpoint),
    async stateMachineArn(workflow) {
      const found = (await listMachines()).get(workflow) ?? [];
      if (found.length !== 1) throw new ConsoleStateMachineNotFoundError(workflow, found);
      return found[0] as string;
    },
    async workflowOf(stateMachineArn) {
      for (const [workflow, arns] of await listMachines())
        if (arns.includes(stateMachineArn)) return workflow;
      return undefined;
    },
    close() {
      kms.destroy();
      regional.destroy();
      sfn.destroy();
      importRuns.close();
      bindings.close?.();
    },
  };
}

/** Every state machine named after one of byok's workflows, as `byok start` finds the import one. */
