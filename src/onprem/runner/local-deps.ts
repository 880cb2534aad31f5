// The dependencies of a local run: real SDK clients pointed at the local stack (or at AWS when no
// endpoint is given), the HSM from its configuration, the stack's clock, and a Powertools logger.

import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { ApprovalsStore } from '../../core/approvals/store.ts';
import {
  createEventBridgeClient,
  createKmsClient,
  createOrganizationsClient,
  createRegionalKmsClients,
  createS3Client,
  createSfnClient,
  createStsClient,
} from '../../core/aws/clients.ts';
import { createFleetKmsClients } from '../../core/aws/fleet-clients.ts';
import { createBindingsStore } from '../../core/bindings/factory.ts';
import type { BindingsStore } from '../../core/bindings/port.ts';
import type { Clock } from '../../core/clock.ts';
import type { FleetConfig } from '../../core/fleet/config.ts';
import type { HsmConfig } from '../../core/hsm/config.ts';
import type { Hsm } from '../../core/hsm/port.ts';
import type { KmsForAccount, KmsForRegion } from '../../core/import/regional-kms.ts';
import { rotationKeyFacts } from '../../core/rotation/orphan-facts.ts';
import { retireAbandonedKeysWith } from '../../core/rotation/orphans.ts';
import { createLogger } from '../../core/shared/logger.ts';
import type { HsmPlacement } from './hsm-placement.ts';
import type { RunnerDeps } from './run-execution.ts';
import type { TaskStsClients } from './sts-integration.ts';

export interface LocalDeps extends RunnerDeps {
  kms: KMSClient;
  /** KMS in another Region (a multi-Region key's replicas); the default Region's is `kms`. */
  kmsForRegion: KmsForRegion;
  events: EventBridgeClient;
  sfn: SFNClient;
  hsm: Hsm;
  /**
   * The administrators' bindings: the local stack's (`/_byok/bindings`) with an endpoint, else the
   * deployed table (BYOK_BINDINGS_TABLE, or found by name on first use).
   */
  bindings: BindingsStore;
  clock: Clock;
  logger: Logger;
  region: string;
  accountId: string;
  /** The approvals store the rotation workflow reads, when one is configured. */
  approvals?: ApprovalsStore | undefined;
  /** The fleet bucket's client (reimport-fleet: targets, Map Run results, reports). */
  s3: S3Client;
  organizations: OrganizationsClient;
  /** STS for `aws-sdk:sts:*` tasks, as the run or as a Task's Credentials role. */
  taskClients: TaskStsClients;
  /** Fleet mode: the settings, and every spoke account's KMS through its spoke role. */
  fleet?: FleetConfig | undefined;
  kmsForAccount?: KmsForAccount | undefined;
  spokeRoleArnOf?: ((accountId: string) => string) | undefined;
  /** Closes the HSM session and the clients. */
  close(): Promise<void>;
}

export interface CreateLocalDepsOptions {
  /** The local stack's URL; absent means AWS with the default credentials chain. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** A profile of the shared AWS files (`--profile`): its credentials sign every client's calls. */
  profile?: string | undefined;
  accountId?: string | undefined;
  clock: Clock;
  /** The HSM to open, or an already open one (tests, decorators). */
  hsmConfig?: HsmConfig | undefined;
  hsm?: Hsm | undefined;
  /**
   * 'activity': the HSM steps run in `byok worker`, elsewhere; no HSM is opened here (nor the
   * PKCS#11 module loaded) and the deps carry none.
   */
  hsmPlacement?: HsmPlacement | undefined;
  /** Handler log level (default: BYOK_LOG_LEVEL, else SILENT so CLI output stays readable). */
  logLevel?: LogLevel | undefined;
  /** Where handler logs go (default stderr: stdout is the command's result). */
  logStream?: NodeJS.WritableStream | undefined;
  logger?: Logger | undefined;
  /** The approvals store (the local stack's, or the deployed table) for the rotation workflow. */
  approvals?: ApprovalsStore | undefined;
  /** The bindings store (default: the endpoint's, else the deployed table). */
  bindings?: BindingsStore | undefined;
  /** Fleet mode (the hub): the settings; spokes are reached through `spokeRoleName` with `externalId`. */
  fleet?: FleetConfig | undefined;
}

export async function createLocalDeps(options: CreateLocalDepsOptions): Promise<LocalDeps> {
  const clientOptions = { endpoint: options.endpoint, region: options.region, profile: options.profile };
  const kms = createKmsClient(clientOptions);
  const events = createEventBridgeClient(clientOptions);
  const sfn = createSfnClient(clientOptions);
  let hsm = options.hsm;
  let ownsHsm = false;
  if (!hsm && options.hsmPlacement !== 'activity') {
    if (!options.hsmConfig) throw new TypeError('createLocalDeps needs hsm or hsmConfig');
    const { openHsm } = await import('../../core/hsm/pkcs11-adapter.ts');
    hsm = await openHsm(options.hsmConfig);
    ownsHsm = true;
  }
  const region = options.region ?? (await kms.config.region());
  const regionalKms = createRegionalKmsClients({ endpoint: options.endpoint, profile: options.profile });
  const kmsForRegion: KmsForRegion = (other) => (other === region ? kms : regionalKms.forRegion(other));
  const accountId = options.accountId ?? '111122223333';
  const s3 = createS3Client(clientOptions);
  const organizations = createOrganizationsClient(clientOptions);
  const sts = createStsClient(clientOptions);
  const assumed = new Map<string, STSClient>();
  const taskClients: TaskStsClients = {
    sts(roleArn) {
      if (!roleArn) return sts;
      let client = assumed.get(roleArn);
      if (!client) {
        // As Step Functions does for a Task's Credentials: the run's identity assumes the role.
        client = new STSClient({
          region,
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          credentials: async () => {
            const answer = await sts.send(
              new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'byok-states' }),
            );
            const c = answer.Credentials;
            if (!c?.AccessKeyId || !c.SecretAccessKey)
              throw new Error(`AssumeRole ${roleArn} returned no credentials`);
            return {
              accessKeyId: c.AccessKeyId,
              secretAccessKey: c.SecretAccessKey,
              sessionToken: c.SessionToken,
              expiration: c.Expiration,
            };
          },
        });
        assumed.set(roleArn, client);
      }
      return client;
    },
  };
  const fleetKms = options.fleet
    ? createFleetKmsClients({
        endpoint: options.endpoint,
        region,
        hubAccountId: accountId,
        spokeRoleName: options.fleet.spokeRoleName,
        externalId: options.fleet.externalId,
        hubKms: kmsForRegion,
      })
    : undefined;
  const logLevel = options.logLevel ?? ((process.env.BYOK_LOG_LEVEL as LogLevel | undefined) || 'SILENT');
  const openHsm = hsm;
  return {
    ...(options.approvals
      ? {
          approvals: options.approvals,
          // The next rotation run retires the HSM keys abandoned requests left (core/rotation/orphans.ts).
          retireAbandonedKeys: retireAbandonedKeysWith({
            facts: rotationKeyFacts(options.approvals, sfn),
            kms,
            kmsForRegion,
          }),
        }
      : {}),
    kms,
    kmsForRegion,
    events,
    sfn,
    bindings: options.bindings ?? createBindingsStore({ endpoint: options.endpoint, region }),
    s3,
    organizations,
    taskClients,
    ...(options.fleet && fleetKms
      ? {
          fleet: options.fleet,
          kmsForAccount: (account: string, where: string) => fleetKms.forAccount(account, where),
          spokeRoleArnOf: (account: string) => fleetKms.roleArnOf(account),
        }
      : {}),
    // Without an HSM (activity placement) no Task of a run is an HSM step, and the steps that
    // remain take the HSM as optional (GetParametersForImport checks it only where it is reachable).
    ...(openHsm ? { hsm: openHsm } : ({} as { hsm: Hsm })),
    ...(options.hsmPlacement ? { hsmPlacement: options.hsmPlacement } : {}),
    clock: options.clock,
    logger: options.logger ?? createLogger({ logLevel, stream: options.logStream ?? process.stderr }),
    region,
    accountId,
    async close() {
      if (ownsHsm) await openHsm?.close();
      kms.destroy();
      regionalKms.destroy();
      events.destroy();
      sfn.destroy();
      s3.destroy();
      organizations.destroy();
      sts.destroy();
      for (const client of assumed.values()) client.destroy();
      fleetKms?.destroy();
    },
  };
}
