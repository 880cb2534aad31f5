// What an administrator does with bindings (`byok bindings add/list/remove`, and `byok key create`
// and `byok demo`, which record the binding they need): the KMS key is named by id, ARN or alias
// and recorded as its ARN, as DescribeKey answers it; a multi-Region replica is recorded as its
// primary, whose binding rules every replica. One label goes to one KMS key (rules.ts).
import { DescribeKeyCommand, type KeyMetadata, type KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import type { Clock } from '../clock.ts';
import { parseLabel } from '../shared/parse.ts';
import { quoteUntrusted } from '../shared/text.ts';
import { type Binding, KMS_KEY_ARN_PATTERN } from './contracts.ts';
import {
  BindingKeyNotEligibleError,
  BindingNotFoundError,
  HsmKeyAlreadyBoundError,
  InvalidBindingError,
} from './errors.ts';
import type { BindingsStore } from './port.ts';
import { checkNewBinding, sameKeyArn } from './rules.ts';

export interface BoundKey {
  /** The ARN recorded: the key's, or its primary's for a replica. */
  keyArn: string;
  keySpec: string;
  /** Set when the key named was a replica: its own ARN. */
  replicaArn?: string;
}

function checkLabel(hsmKeyLabel: string): string {
  const parsed = parseLabel(hsmKeyLabel);
  if (!parsed.ok) {
    throw new InvalidBindingError(`--hsm-key "${quoteUntrusted(hsmKeyLabel, 40)}" ${parsed.problem}`);
  }
  return parsed.value;
}

/** The KMS key a binding names, as an ARN: DescribeKey decides (an alias or id is resolved). */
async function resolveBoundKey(kms: KMSClient, keyId: string): Promise<BoundKey> {
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
  } catch (error) {
    if (error instanceof NotFoundException) {
      throw new BindingKeyNotEligibleError(keyId, 'no such key in this account and Region', {
        cause: error,
        hint: 'name the key by its ARN (its Region and account) or pass --region',
      });
    }
    throw error;
  }
  if (!metadata?.Arn) throw new BindingKeyNotEligibleError(keyId, 'DescribeKey returned no key');
  if (metadata.Origin !== 'EXTERNAL') {
    throw new BindingKeyNotEligibleError(
      metadata.Arn,
      `its origin is ${metadata.Origin ?? 'unknown'}; only EXTERNAL keys hold imported material`,
    );
  }
  const config = metadata.MultiRegion ? metadata.MultiRegionConfiguration : undefined;
  const primaryArn = config?.MultiRegionKeyType === 'REPLICA' ? config.PrimaryKey?.Arn : undefined;
  return {
    keyArn: primaryArn ?? metadata.Arn,
    keySpec: metadata.KeySpec ?? 'SYMMETRIC_DEFAULT',
    ...(primaryArn ? { replicaArn: metadata.Arn } : {}),
  };
}

export interface AddBindingInput {
  hsmKeyLabel: string;
  keyId: string;
  createdBy?: string | undefined;
}

export interface AddBindingOutcome {
  status: 'added' | 'unchanged';
  binding: Binding;
  key: BoundKey;
}

export async function addBinding(
  deps: { store: BindingsStore; kms: KMSClient; clock: Clock },
  input: AddBindingInput,
): Promise<AddBindingOutcome> {
  const hsmKeyLabel = checkLabel(input.hsmKeyLabel);
  const key = await resolveBoundKey(deps.kms, input.keyId);
  await checkNewBinding(deps.store, hsmKeyLabel, key.keyArn);
  const binding: Binding = {
    hsmKeyLabel,
    keyArn: key.keyArn,
    createdAt: deps.clock.now().toISOString(),
    ...(input.createdBy ? { createdBy: input.createdBy } : {}),
  };
  const result = await deps.store.add(binding);
  if (result.added) return { status: 'added', binding, key };
  if (sameKeyArn(result.existing.keyArn, key.keyArn)) {
    return { status: 'unchanged', binding: result.existing, key };
  }
  throw new HsmKeyAlreadyBoundError(hsmKeyLabel, result.existing.keyArn, key.keyArn);
}

/**
 * Removes the binding of `hsmKeyLabel` to the key named. A key ARN is taken as given (the key may
 * be gone already); a key id or alias is resolved with DescribeKey.
 */
export async function removeBinding(
  deps: { store: BindingsStore; kms: KMSClient },
  input: { hsmKeyLabel: string; keyId: string },
): Promise<Pick<Binding, 'hsmKeyLabel' | 'keyArn'>> {
  const hsmKeyLabel = checkLabel(input.hsmKeyLabel);
  const keyArn = KMS_KEY_ARN_PATTERN.test(input.keyId)
    ? input.keyId
    : (await resolveBoundKey(deps.kms, input.keyId)).keyArn;
  const existing = await deps.store.get(hsmKeyLabel);
  const recordedArn = existing && sameKeyArn(existing.keyArn, keyArn) ? existing.keyArn : keyArn;
  const result = await deps.store.remove(hsmKeyLabel, recordedArn);
  if (result.removed) return { hsmKeyLabel, keyArn: recordedArn };
  throw new BindingNotFoundError(hsmKeyLabel, keyArn, result.existing?.keyArn);
}
