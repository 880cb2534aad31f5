// What `byok bindings add|list|remove` do (see register.ts). The store is the local stack's with
// --endpoint, else the deployed table in the command's Region; the KMS key is resolved with
// DescribeKey in the Region its ARN names (else the command's).
import { userInfo } from 'node:os';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createKmsClient, createStsClient } from '../../../../core/aws/clients.ts';
import { addBinding, removeBinding } from '../../../../core/bindings/admin.ts';
import type { Binding } from '../../../../core/bindings/contracts.ts';
import { createBindingsStore } from '../../../../core/bindings/factory.ts';
import type { BindingsStore } from '../../../../core/bindings/port.ts';
import { systemClock } from '../../../../core/clock.ts';
import { type AwsTarget, regionOfArn, resolveAwsTarget } from '../../aws-target.ts';
import { cell, terminalJson } from '../../terminal.ts';
import type {
  BindingsAddOptions,
  BindingsListOptions,
  BindingsRemoveOptions,
  BindingsStoreOptions,
} from './options.ts';

export function storeFor(target: AwsTarget, options: BindingsStoreOptions): BindingsStore {
  return createBindingsStore({ ...target, tableName: options.bindingsTable });
}

/** Who records a binding, as far as this process can tell: the caller's ARN on AWS, the local user locally. */
export async function recorder(target: AwsTarget): Promise<string | undefined> {
  if (target.endpoint) {
    try {
      return `local user ${userInfo().username}`;
    } catch {
      return undefined;
    }
  }
  const sts = createStsClient({ region: target.region, profile: target.profile });
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } catch {
    return undefined;
  } finally {
    sts.destroy();
  }
}

function kmsFor(target: AwsTarget, keyId: string) {
  return createKmsClient({ ...target, region: regionOfArn(keyId) ?? target.region });
}

export async function runBindingsAdd(options: BindingsAddOptions): Promise<void> {
  const target = await resolveAwsTarget(options);
  const kms = kmsFor(target, options.keyId);
  const store = storeFor(target, options);
  try {
    const outcome = await addBinding(
      { store, kms, clock: systemClock },
      { hsmKeyLabel: options.hsmKey, keyId: options.keyId, createdBy: await recorder(target) },
    );
    if (options.output === 'json') {
      process.stdout.write(`${terminalJson({ status: outcome.status, binding: outcome.binding }, 2)}\n`);
      return;
    }
    const { binding, key } = outcome;
    process.stdout.write(
      `${outcome.status === 'added' ? 'bound' : 'already bound'}: HSM key "${binding.hsmKeyLabel}" -> ${binding.keyArn}\n`,
    );
    if (key.replicaArn) {
      process.stderr.write(
        `${key.replicaArn} is a multi-Region replica: the binding names its primary and covers every replica\n`,
      );
    }
  } finally {
    kms.destroy();
    store.close?.();
  }
}

export function formatBindings(bindings: readonly Binding[]): string {
  if (bindings.length === 0) {
    return 'no bindings recorded (add one with: byok bindings add --hsm-key LABEL --key-id ARN)\n';
  }
  const rows = [
    ['HSM key', 'KMS key', 'recorded', 'by'],
    ...bindings.map((binding) => [
      binding.hsmKeyLabel,
      binding.keyArn,
      binding.createdAt,
      binding.createdBy ?? '',
    ]),
  ].map((row) => row.map(cell)); // labels and names from the store: each stays on its line
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return `${rows
    .map((row, index) => {
      const line = row
        .map((text, column) => text.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd();
      return index === 0 ? `${line}\n${widths.map((width) => '-'.repeat(width)).join('  ')}` : line;
    })
    .join('\n')}\n`;
}

export async function runBindingsList(options: BindingsListOptions): Promise<void> {
  const target = await resolveAwsTarget(options);
  const store = storeFor(target, options);
  const bindings = await store.list().finally(() => store.close?.());
  process.stdout.write(
    options.output === 'json' ? `${terminalJson({ bindings }, 2)}\n` : formatBindings(bindings),
  );
}

export async function runBindingsRemove(options: BindingsRemoveOptions): Promise<void> {
  const target = await resolveAwsTarget(options);
  const kms = kmsFor(target, options.keyId);
  const store = storeFor(target, options);
  try {
    const removed = await removeBinding(
      { store, kms },
      { hsmKeyLabel: options.hsmKey, keyId: options.keyId },
    );
    process.stdout.write(
      options.output === 'json'
        ? `${terminalJson({ status: 'removed', binding: removed }, 2)}\n`
        : `removed: HSM key "${cell(removed.hsmKeyLabel)}" -> ${cell(removed.keyArn)}\n`,
    );
  } finally {
    kms.destroy();
    store.close?.();
  }
}
