// What `byok bindings add|list|remove` do (see register.ts). The store is the local stack's with
// --endpoint, else the deployed table; the KMS key is resolved by DescribeKey in its own Region.
import { userInfo } from 'node:os';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { addBinding, removeBinding } from '../../../bindings/admin.ts';
import type { Binding } from '../../../bindings/contracts.ts';
import { createBindingsStore } from '../../../bindings/factory.ts';
import type { BindingsStore } from '../../../bindings/port.ts';
import { createKmsClient } from '../../../aws/clients.ts';
import { systemClock } from '../../../clock.ts';
import {
  type BindingsAddOptions,
  type BindingsListOptions,
  type BindingsRemoveOptions,
  type BindingsStoreOptions,
  regionOfKmsArn,
} from './options.ts';

export function storeFor(options: BindingsStoreOptions): BindingsStore {
  return createBindingsStore({
    endpoint: options.endpoint,
    region: options.region,
    tableName: options.bindingsTable,
  });
}

/** Who records a binding, as far as this process can tell: the caller's ARN on AWS, the local user locally. */
export async function recorder(options: BindingsStoreOptions): Promise<string | undefined> {
  if (options.endpoint) {
    try {
      return `local user ${userInfo().username}`;
    } catch {
      return undefined;
    }
  }
  const sts = new STSClient(options.region ? { region: options.region } : {});
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } catch {
    return undefined;
  } finally {
    sts.destroy();
  }
}

function kmsFor(options: BindingsStoreOptions & { keyId: string }) {
  return createKmsClient({
    endpoint: options.endpoint,
    region: regionOfKmsArn(options.keyId) ?? options.region,
  });
}

export async function runBindingsAdd(options: BindingsAddOptions): Promise<void> {
  const kms = kmsFor(options);
  try {
    const outcome = await addBinding(
      { store: storeFor(options), kms, clock: systemClock },
      { hsmKeyLabel: options.hsmKey, keyId: options.keyId, createdBy: await recorder(options) },
    );
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ status: outcome.status, binding: outcome.binding }, null, 2)}\n`);
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
  }
}

export function formatBindings(bindings: readonly Binding[]): string {
  if (bindings.length === 0) return 'no bindings recorded (add one with: byok bindings add --hsm-key LABEL --key-id ARN)\n';
  const rows = [
    ['HSM key', 'KMS key', 'recorded', 'by'],
    ...bindings.map((binding) => [binding.hsmKeyLabel, binding.keyArn, binding.createdAt, binding.createdBy ?? '']),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return `${rows
    .map((row, index) => {
      const line = row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
      return index === 0 ? `${line}\n${widths.map((width) => '-'.repeat(width)).join('  ')}` : line;
    })
    .join('\n')}\n`;
}

export async function runBindingsList(options: BindingsListOptions): Promise<void> {
  const bindings = await storeFor(options).list();
  process.stdout.write(options.json ? `${JSON.stringify({ bindings }, null, 2)}\n` : formatBindings(bindings));
}

export async function runBindingsRemove(options: BindingsRemoveOptions): Promise<void> {
  const kms = kmsFor(options);
  try {
    const removed = await removeBinding(
      { store: storeFor(options), kms },
      { hsmKeyLabel: options.hsmKey, keyId: options.keyId },
    );
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ status: 'removed', binding: removed }, null, 2)}\n`
        : `removed: HSM key "${removed.hsmKeyLabel}" -> ${removed.keyArn}\n`,
    );
  } finally {
    kms.destroy();
  }
}
