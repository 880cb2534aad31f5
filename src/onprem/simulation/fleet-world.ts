// A whole fleet on one machine: the local stack serving a hub account and spoke accounts, each
// spoke holding the role of the real spoke template (`byok fleet spoke-template`, deployed into the
// account by the stack's IAM stand-in with the hub's external id), the hub's fleet bucket with its
// targets document, the hub's fleet rules (deploy/fleet-event-rules.json) beside byok's own, and
// the product wired as the hub: reimport-fleet, the sweep and the import workflow run unchanged and
// reach every spoke's KMS through AssumeRole. `byok simulate --accounts`, the fleet tests and
// bench/fleet.ts build on it.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CreateKeyCommand, type KeySpec, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { addBinding } from '../../core/bindings/admin.ts';
import { DEFAULT_FLEET_SETTINGS, type FleetConfig } from '../../core/fleet/config.ts';
import type { FleetInput, FleetReport, FleetSummary, TargetsDocument } from '../../core/fleet/contracts.ts';
import { spokeTemplate } from '../../core/fleet/spoke-template.ts';
import {
  TAG_HSM_KEY_LABEL,
  TAG_MANAGED,
  TAG_MANAGED_VALUE,
  TAG_VALID_FOR_DAYS,
} from '../../core/import/tags.ts';
import { EVENT_RULES_FILE, installRulesFile } from '../../local/events/attach.ts';
import { matchesEventPattern, parseEventPattern } from '../../local/events/event-pattern.ts';
import type { ExecutionResult } from '../runner/run-execution.ts';
import { runExecution } from '../runner/run-execution.ts';
import {
  KEY_KINDS,
  type ManagedKeySpec,
  type SweepWorld,
  type SweepWorldOptions,
  startSweepWorld,
} from './local-world.ts';

const FLEET_EVENT_RULES_FILE = join(EVENT_RULES_FILE, '..', 'fleet-event-rules.json');
export const FLEET_REGIONS = [
  'us-east-1',
  'eu-west-1',
  'ap-southeast-2',
  'us-west-2',
  'eu-central-1',
  'ca-central-1',
];

export interface FleetWorldOptions extends Omit<SweepWorldOptions, 'fleet'> {
  /** Accounts in the fleet, the hub's own included (default 3). */
  accounts?: number;
  /** Regions of every account (default the first two of FLEET_REGIONS). */
  regions?: readonly string[];
  /** Settings of the fleet beyond the defaults (MaxConcurrency, tolerated failures, alarm days). */
  settings?: Partial<Pick<FleetConfig, 'maxConcurrency' | 'toleratedFailurePercentage' | 'alarmDays'>>;
}

export interface FleetKeyRequest {
  accountId: string;
  region: string;
  keySpec: ManagedKeySpec;
  validForDays: number;
  hsmKeyLabel: string;
  multiRegion?: boolean;
}

export interface FleetWorld extends SweepWorld {
  hubAccountId: string;
  /** Every account of the fleet, the hub first. */
  accountIds: string[];
  regions: string[];
  fleet: FleetConfig;
  /** An administrator's KMS client in an account (its own 12-digit access key id). */
  adminKms(accountId: string, region: string): KMSClient;
  /** Creates a managed key (and its HSM key) in an account and Region; returns its ARN. */
  createFleetKey(request: FleetKeyRequest): Promise<string>;
  /** Replicates a multi-Region primary into `region`; returns the replica's ARN. */
  replicate(primaryArn: string, region: string): Promise<string>;
  /** Runs the import workflow in the hub for a key of any account (its ARN), as the sweep does. */
  importFleetKey(keyArn: string, hsmKeyLabel?: string): Promise<ExecutionResult>;
  /** Runs reimport-fleet now. */
  runFleet(input?: FleetInput): Promise<ExecutionResult>;
  /** Reads a report (JSON) the fleet wrote. */
  readReport(summary: FleetSummary): Promise<FleetReport>;
  /** Deletes an account's spoke role (its stack removed, or an operator's mistake). */
  deleteSpokeRole(accountId: string): void;
}

function fleetAccountId(index: number): string {
  return String(222_200_000_000 + index);
}

export async function startFleetWorld(options: FleetWorldOptions = {}): Promise<FleetWorld> {
  const regions = [...(options.regions ?? FLEET_REGIONS.slice(0, 2))];
  const accounts = options.accounts ?? 3;
  const externalId = randomBytes(16).toString('hex');
  const fleet: FleetConfig = {
    ...DEFAULT_FLEET_SETTINGS,
    bucket: 'byok-fleet-hub',
    regions,
    include: [],
    exclude: [],
    externalId,
    ...options.settings,
  };
  const world = await startSweepWorld({ ...options, fleet });
  try {
    const hub = world.stack.accountId;
    const accountIds = [
      hub,
      ...Array.from({ length: Math.max(0, accounts - 1) }, (_, i) => fleetAccountId(i + 1)),
    ];
    const template = spokeTemplate({ hubAccountId: hub, regions });
    for (const accountId of accountIds.slice(1)) {
      world.stack.iam.deployTemplate(template, accountId, {
        region: regions[0] ?? 'us-east-1',
        parameters: { ExternalId: externalId },
      });
    }
    // Each spoke's forwarding rule (the template's ForwardKmsEventsRule, one hop): the KMS events
    // of its account that match the rule's pattern reach the hub's bus, as they are.
    const forwarding = parseEventPattern(
      JSON.stringify(
        (template.Resources as { ForwardKmsEventsRule: { Properties: { EventPattern: unknown } } })
          .ForwardKmsEventsRule.Properties.EventPattern,
      ),
    );
    const unforward = accountIds.slice(1).map((accountId) =>
      world.stack.accounts.forAccount(accountId).onEvent(async (event) => {
        if (regions.includes(event.region) && matchesEventPattern(forwarding, event))
          await world.events.bus.publish(event);
      }),
    );
    await installRulesFile(world.events, FLEET_EVENT_RULES_FILE);
    // The hub sweeps its own account through the fleet too: the single-account sweep rule is off.
    await world.events.bus.handle(
      'DisableRule',
      { Name: 'byok-reimport-sweep' },
      { region: '', accountId: '', requestId: 'fleet-world' },
    );
    await world.deps.s3.send(new CreateBucketCommand({ Bucket: fleet.bucket }));
    const targets: TargetsDocument = { regions, accounts: accountIds };
    await world.deps.s3.send(
      new PutObjectCommand({
        Bucket: fleet.bucket,
        Key: fleet.targetsKey,
        Body: JSON.stringify(targets),
        ContentType: 'application/json',
      }),
    );
    const admins = new Map<string, KMSClient>();
    const adminKms = (accountId: string, region: string) => {
      const key = `${accountId}/${region}`;
      let client = admins.get(key);
      if (!client) {
        client = new KMSClient({
          endpoint: world.stack.url,
          region,
          credentials: { accessKeyId: accountId, secretAccessKey: 'local' },
        });
        admins.set(key, client);
      }
      return client;
    };
    const overrides = options.overrides ?? {};
    const stop = world.stop;
    return Object.assign(world, {
      hubAccountId: hub,
      accountIds,
      regions,
      fleet,
      adminKms,
      async createFleetKey(request: FleetKeyRequest) {
        const kind = KEY_KINDS[request.keySpec];
        await world.hsm.createKey({ label: request.hsmKeyLabel, type: kind.hsmKeyType });
        const created = await adminKms(request.accountId, request.region).send(
          new CreateKeyCommand({
            Origin: 'EXTERNAL',
            KeySpec: request.keySpec as KeySpec,
            KeyUsage: kind.keyUsage,
            ...(request.multiRegion ? { MultiRegion: true } : {}),
            Description: `byok fleet key (${request.keySpec}, ${request.validForDays} days)`,
            Tags: [
              { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
              { TagKey: TAG_HSM_KEY_LABEL, TagValue: request.hsmKeyLabel },
              { TagKey: TAG_VALID_FOR_DAYS, TagValue: String(request.validForDays) },
            ],
          }),
        );
        const arn = created.KeyMetadata?.Arn;
        if (!arn) throw new Error('CreateKey returned no ARN');
        // The hub's administrators bind every account's keys (docs/bindings.md), as for the hub's own.
        await addBinding(
          {
            store: world.deps.bindings,
            kms: adminKms(request.accountId, request.region),
            clock: world.stack.clock,
          },
          { hsmKeyLabel: request.hsmKeyLabel, keyId: arn, createdBy: 'byok simulation' },
        );
        return arn;
      },
      async replicate(primaryArn: string, region: string) {
        const [, , , primaryRegion = '', accountId = ''] = primaryArn.split(':');
        const answer = await adminKms(accountId, primaryRegion).send(
          // A replica's tags are its own: it must say byok manages it, for the spoke role's policy.
          new ReplicateKeyCommand({
            KeyId: primaryArn,
            ReplicaRegion: region,
            Tags: [{ TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE }],
          }),
        );
        const arn = answer.ReplicaKeyMetadata?.Arn;
        if (!arn) throw new Error('ReplicateKey returned no ARN');
        return arn;
      },
      importFleetKey(keyArn: string, hsmKeyLabel?: string) {
        const input = {
          keyId: keyArn,
          reason: 'initial import',
          importReplicas: false,
          ...(hsmKeyLabel ? { hsmKeyLabel } : {}),
        };
        const name = `initial-${keyArn.split('/').pop()}-${keyArn.split(':')[3]}`;
        return world.history.run('import-key-material', name, input, 'world', () =>
          runExecution({ stateMachine: 'import-key-material', name, input, deps: world.deps, overrides }),
        );
      },
      runFleet(input: FleetInput = {}) {
        const name = `fleet-${world.stack.clock.now().getTime()}-${randomBytes(2).toString('hex')}`;
        return world.history.run('reimport-fleet', name, input, 'world', () =>
          runExecution({ stateMachine: 'reimport-fleet', name, input, deps: world.deps, overrides }),
        );
      },
      async readReport(summary: FleetSummary) {
        const object = await world.deps.s3.send(
          new GetObjectCommand({ Bucket: summary.report.bucket, Key: summary.report.json }),
        );
        return JSON.parse((await object.Body?.transformToString()) ?? '') as FleetReport;
      },
      deleteSpokeRole(accountId: string) {
        world.stack.iam.delete(accountId, fleet.spokeRoleName);
      },
      async stop() {
        for (const stopForwarding of unforward) stopForwarding();
        for (const client of admins.values()) client.destroy();
        await stop();
      },
    });
  } catch (error) {
    await world.stop();
    throw error;
  }
}
