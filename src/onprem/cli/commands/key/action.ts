// What `byok key create` does (see register.ts): check, create, tag, alias, replicate, bind, import.
// Everything that can be refused is refused before CreateKey, so bad input leaves no key behind.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  type KeyUsageType,
  type KMSClient,
  NotFoundException,
  ReplicateKeyCommand,
  type Tag,
} from '@aws-sdk/client-kms';
import { createKmsClient } from '../../../../core/aws/clients.ts';
import { addBinding } from '../../../../core/bindings/admin.ts';
import { HsmKeyAlreadyBoundError } from '../../../../core/bindings/errors.ts';
import { checkNewBinding } from '../../../../core/bindings/rules.ts';
import { systemClock } from '../../../../core/clock.ts';
import { defaultByokHome, loadHsmConfig } from '../../../../core/hsm/config.ts';
import { KeySpecMismatchError } from '../../../../core/import/errors.ts';
import { hsmKeyTypeForKeySpec } from '../../../../core/import/key-families.ts';
import {
  TAG_APPROVALS_REQUIRED,
  TAG_HSM_KEY_LABEL,
  TAG_MANAGED,
  TAG_MANAGED_VALUE,
  TAG_VALID_FOR_DAYS,
} from '../../../../core/import/tags.ts';
import { resolveAwsTarget } from '../../aws-target.ts';
import { AwsSetupError } from '../../errors.ts';
import { recorder, storeFor } from '../bindings/action.ts';
import { runImport } from '../import/action.ts';
import { InvalidReplicaRegionsError, KeyAliasExistsError, ReplicaNotReadyError } from './errors.ts';
import { type KeyCreateProgress, keyCreateInterrupted } from './interrupted.ts';
import type { KeyCreateOptions } from './options.ts';

const DEFAULT_USAGE: Record<string, KeyUsageType> = {
  SYMMETRIC: 'ENCRYPT_DECRYPT',
  HMAC: 'GENERATE_VERIFY_MAC',
  RSA: 'SIGN_VERIFY',
  ECC: 'SIGN_VERIFY',
};

/** How long a new replica may stay `Creating` before the import is left for later (AWS: seconds). */
const REPLICA_READY_TIMEOUT_MS = 120_000;

function tagsFor(options: KeyCreateOptions): Tag[] {
  return [
    { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
    { TagKey: TAG_HSM_KEY_LABEL, TagValue: options.hsmKey },
    ...(options.validFor !== undefined
      ? [{ TagKey: TAG_VALID_FOR_DAYS, TagValue: String(options.validFor) }]
      : []),
    ...(options.approvalsRequired !== undefined
      ? [{ TagKey: TAG_APPROVALS_REQUIRED, TagValue: String(options.approvalsRequired) }]
      : []),
  ];
}

async function aliasTarget(kms: KMSClient, alias: string): Promise<string | undefined | null> {
  try {
    return (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.KeyId;
  } catch (error) {
    if (error instanceof NotFoundException) return null;
    throw error;
  }
}

async function checkHsmKey(options: KeyCreateOptions, hsmKeyType: string): Promise<void> {
  const { openHsm, finalizeIdleModules } = await import('../../../../core/hsm/pkcs11-adapter.ts');
  const hsm = await openHsm(await loadHsmConfig(defaultByokHome()));
  try {
    const info = await hsm.describeKey(options.hsmKey);
    if (info.type !== hsmKeyType) throw new KeySpecMismatchError(options.keySpec, options.hsmKey, info.type);
  } finally {
    await hsm.close();
    finalizeIdleModules();
  }
}

async function waitUntilCreated(kms: KMSClient, replicaArn: string, primaryArn: string): Promise<void> {
  const deadline = Date.now() + REPLICA_READY_TIMEOUT_MS;
  for (;;) {
    const state = (await kms.send(new DescribeKeyCommand({ KeyId: replicaArn }))).KeyMetadata?.KeyState;
    if (state && state !== 'Creating') return;
    if (Date.now() > deadline) throw new ReplicaNotReadyError(replicaArn, state ?? 'unknown', primaryArn);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

export async function runKeyCreate(options: KeyCreateOptions): Promise<void> {
  const { family, hsmKeyType } = hsmKeyTypeForKeySpec(options.keySpec);
  const target = await resolveAwsTarget(options);
  const { region } = target;
  const replicaRegions = options.replicaRegions ?? [];
  const multiRegion = options.multiRegion === true || replicaRegions.length > 0;
  const kms = createKmsClient(target);
  const store = storeFor(target, options);
  // Ctrl-C or SIGTERM between the steps says what was done, what was in flight and how to finish;
  // the import, while it runs, reports an interruption itself (import/interrupted.ts).
  const progress: KeyCreateProgress = { done: [], bound: false };
  const step = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    progress.inFlight = what;
    const result = await call();
    progress.inFlight = undefined;
    return result;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const report = keyCreateInterrupted(signal, progress, { hsmKey: options.hsmKey, target });
    for (const line of report.lines) process.stderr.write(`${line}\n`);
    process.exit(report.exitCode);
  };
  const watch = () => {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  };
  const unwatch = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  watch();
  try {
    if (replicaRegions.includes(region)) {
      throw new InvalidReplicaRegionsError(`--replica-regions names ${region}, the primary key's own Region`);
    }
    if (replicaRegions.length > 0 && !options.import) {
      throw new InvalidReplicaRegionsError(
        '--replica-regions needs the import (KMS replicates a primary key only once it holds material); leave out --no-import, or replicate after byok import',
      );
    }

    // Checks: nothing is created when one fails.
    const bound = await store.get(options.hsmKey);
    if (bound) throw new HsmKeyAlreadyBoundError(options.hsmKey, bound.keyArn, 'a new key');
    if (options.alias) {
      const target = await aliasTarget(kms, options.alias);
      if (target !== null) throw new KeyAliasExistsError(options.alias, target);
    }
    if (options.import) await checkHsmKey(options, hsmKeyType);

    const tags = tagsFor(options);
    const created = (
      await step('CreateKey (tagged)', () =>
        kms.send(
          new CreateKeyCommand({
            Origin: 'EXTERNAL',
            KeySpec: options.keySpec,
            KeyUsage: options.keyUsage ?? DEFAULT_USAGE[family],
            ...(options.description ? { Description: options.description } : {}),
            MultiRegion: multiRegion,
            Tags: tags,
          }),
        ),
      )
    ).KeyMetadata;
    const keyArn = created?.Arn;
    progress.keyArn = keyArn;
    if (!keyArn)
      throw new AwsSetupError('CreateKey returned no key ARN', 'check the key in KMS before trying again');
    process.stdout.write(
      `created: KMS key ${keyArn} (${options.keySpec}, origin EXTERNAL${multiRegion ? ', multi-Region' : ''})\n`,
    );
    process.stdout.write(`tagged:  ${tags.map((tag) => `${tag.TagKey}=${tag.TagValue}`).join(' ')}\n`);
    progress.done.push(`created and tagged ${keyArn}`);
    if (options.alias) {
      const alias = options.alias;
      await step(`CreateAlias ${alias}`, () =>
        kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyArn })),
      );
      process.stdout.write(`alias:   ${alias}\n`);
      progress.done.push(`alias ${alias}`);
    }
    await checkNewBinding(store, options.hsmKey, keyArn);
    const createdBy = await recorder(target);
    const outcome = await step(`the binding of HSM key "${options.hsmKey}"`, () =>
      addBinding(
        { store, kms, clock: systemClock },
        { hsmKeyLabel: options.hsmKey, keyId: keyArn, createdBy },
      ),
    );
    process.stdout.write(`bound:   HSM key "${outcome.binding.hsmKeyLabel}" -> ${outcome.binding.keyArn}\n`);
    progress.done.push(`bound HSM key "${outcome.binding.hsmKeyLabel}"`);
    progress.bound = true;
    if (!options.import) {
      process.stdout.write(
        `not imported (--no-import): byok import --key-id ${keyArn}${options.endpoint ? ` --endpoint ${options.endpoint}` : ''}\n`,
      );
      return;
    }
    const importOptions = {
      keyId: keyArn,
      expiry: true,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      // The import is signed as the key was made: it dropped --profile (the default chain, or
      // locally the stack's dummy keys, imported into the administrator's new key).
      ...(target.profile ? { profile: target.profile } : {}),
      region,
    } as const;
    process.stdout.write('\n');
    unwatch();
    await runImport(importOptions);
    // A failed or interrupted import has said so and set the exit code: no replicas then.
    if (replicaRegions.length === 0 || (process.exitCode ?? 0) !== 0) return;
    // KMS replicates a primary only once it holds material (ReplicateKey on a PendingImport primary
    // is KMSInvalidStateException, measured): replicate now, then import again, which reimports
    // the same material into the primary and imports it into every replica.
    for (const replicaRegion of replicaRegions) {
      const replica = await kms.send(
        new ReplicateKeyCommand({ KeyId: keyArn, ReplicaRegion: replicaRegion, Tags: tags }),
      );
      const replicaArn = replica.ReplicaKeyMetadata?.Arn ?? `${keyArn} in ${replicaRegion}`;
      process.stdout.write(`replica: ${replicaArn}\n`);
      const regional = createKmsClient({ ...target, region: replicaRegion });
      try {
        await waitUntilCreated(regional, replicaArn, keyArn);
      } finally {
        regional.destroy();
      }
    }
    process.stdout.write('\n');
    await runImport(importOptions);
  } finally {
    unwatch();
    kms.destroy();
  }
}
