// One wrap task as `byok worker` runs it: the same wrap core as the WrapKeyMaterial Lambda
// (src/core/import/wrap-key-material.ts), behind two checks the Lambda cannot make. The HSM key must be
// bound to the task's KMS key in the worker's own configuration (KeyBindings), and the wrapping key
// is never the one in the task: the worker asks KMS itself (GetParametersForImport, for the bound
// key only, with step 1's algorithm and spec), wraps under that key and returns its own import
// token with the blob, which ImportKeyMaterial then uses. A compromised AWS side can therefore
// neither pick the HSM key for another KMS key nor make the HSM wrap under a key of its choosing.
// A rotation-derived label is wrapped only when the worker's journal shows it made that key for
// the bound KMS key; SHA-1 wrapping only when the worker was started with --allow-sha1. A replica
// of a bound multi-Region key is served in its own Region: the worker asks KMS there (after KMS
// confirms the replica belongs to the bound key's set) for the replica's own parameters.
import { createPublicKey } from 'node:crypto';
import { DescribeKeyCommand, GetParametersForImportCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Clock } from '../../core/clock.ts';
import { withHsmAvailability } from '../../core/hsm/availability.ts';
import {
  type WrapKeyMaterialInput,
  WrapKeyMaterialInputSchema,
  type WrapKeyMaterialOutput,
} from '../../core/import/contracts.ts';
import { type KmsForRegion, kmsForKey } from '../../core/import/regional-kms.ts';
import { type WrapKeyMaterialDeps, wrapKeyMaterial } from '../../core/import/wrap-key-material.ts';
import type { StepLogger } from '../../core/step-kernel/logger.ts';
import type { BindingGrant, KeyBindings } from './bindings.ts';
import {
  WorkerImportParametersMismatchError,
  WorkerKeyNotBoundError,
  WorkerRotationKeyUnknownError,
  WorkerSha1WrappingRefusedError,
} from './errors.ts';
import type { WorkerJournal } from './journal.ts';
import { parseBoundedTaskInput } from './task-inputs.ts';

export interface WrapTaskDeps {
  kms: KMSClient;
  /** KMS clients of other Regions (replicas of a bound multi-Region key). */
  kmsForRegion?: KmsForRegion | undefined;
  hsm: WrapKeyMaterialDeps['hsm'];
  bindings: KeyBindings;
  /** The keys this worker made for rotations (rotation-derived labels are wrapped only from it). */
  journal: Pick<WorkerJournal, 'madeFor'>;
  /** Started with --allow-sha1: SHA-1 wrapping algorithms are followed, not refused. */
  allowSha1?: boolean | undefined;
  clock: Clock;
  logger: StepLogger;
}

/**
 * The grant for a task's HSM key and KMS key: WorkerKeyNotBoundError when no binding covers them,
 * WorkerRotationKeyUnknownError for a rotation-derived label the journal does not show this
 * worker made for the bound key.
 */
async function grantFor(
  deps: Pick<WrapTaskDeps, 'bindings' | 'journal'>,
  hsmKeyLabel: string,
  keyId: string,
): Promise<BindingGrant> {
  const grant = deps.bindings.resolve(hsmKeyLabel, keyId);
  if (grant.via === 'rotation' && !(await deps.journal.madeFor(hsmKeyLabel, grant.boundArn))) {
    throw new WorkerRotationKeyUnknownError(
      hsmKeyLabel,
      keyId,
      `it looks like a rotation key of a bound HSM key, but this worker's journal shows it never made it for ${grant.boundArn}`,
    );
  }
  return grant;
}

/** A replica is served only once KMS, in the replica's Region, lists it in the bound key's set. */
async function confirmReplica(kms: KMSClient, grant: BindingGrant, hsmKeyLabel: string): Promise<void> {
  const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: grant.keyArn }))).KeyMetadata;
  const config = metadata?.MultiRegionConfiguration;
  const members = [config?.PrimaryKey?.Arn, ...(config?.ReplicaKeys ?? []).map((key) => key.Arn)];
  if (metadata?.Arn !== grant.keyArn || !members.includes(grant.boundArn)) {
    throw new WorkerKeyNotBoundError(hsmKeyLabel, grant.keyArn, grant.boundArn);
  }
}

/** The task's input, bounded and parsed; WorkerTaskInputError when it is not WrapKeyMaterial's input. */
export function parseWrapTaskInput(inputText: string): WrapKeyMaterialInput {
  return parseBoundedTaskInput('WrapKeyMaterial', WrapKeyMaterialInputSchema, inputText);
}

const WRAPPING_KEY_BITS: Record<WrapKeyMaterialInput['importParameters']['wrappingKeySpec'], number> = {
  RSA_2048: 2048,
  RSA_3072: 3072,
  RSA_4096: 4096,
};

/** The modulus size of an RSA SubjectPublicKeyInfo, or undefined for anything else. */
function rsaModulusBits(spki: Uint8Array): number | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'rsa' ? key.asymmetricKeyDetails?.modulusLength : undefined;
  } catch {
    return undefined;
  }
}

/** `arn:...:key/<id>` or `<id>`: the same key? */
function sameKey(answered: string | undefined, keyArn: string): boolean {
  if (!answered) return false;
  return answered === keyArn || answered === keyArn.slice(keyArn.lastIndexOf('/') + 1);
}

export async function runWrapTask(
  input: WrapKeyMaterialInput,
  deps: WrapTaskDeps,
): Promise<WrapKeyMaterialOutput> {
  const decided = input.importParameters;
  if (decided.wrappingAlgorithm.includes('SHA_1') && deps.allowSha1 !== true) {
    throw new WorkerSha1WrappingRefusedError(decided.hsmKeyLabel, decided.keyId, decided.wrappingAlgorithm);
  }
  const grant = await grantFor(deps, decided.hsmKeyLabel, decided.keyId);
  const keyArn = grant.keyArn;
  // The key's own Region: a replica's parameters come from KMS in the replica's Region.
  const kms = kmsForKey(deps, keyArn);
  if (grant.replicaOf) await confirmReplica(kms, grant, decided.hsmKeyLabel);
  // The wrapping key comes from KMS, asked by this worker: never the one the task carries.
  const own = await kms.send(
    new GetParametersForImportCommand({
      KeyId: keyArn,
      WrappingAlgorithm: decided.wrappingAlgorithm,
      WrappingKeySpec: decided.wrappingKeySpec,
    }),
  );
  if (!sameKey(own.KeyId, keyArn)) {
    throw new WorkerImportParametersMismatchError(`KMS answered for key ${own.KeyId}, not ${keyArn}`);
  }
  if (!own.PublicKey || !own.ImportToken) {
    throw new WorkerImportParametersMismatchError('KMS answered without a public key or import token');
  }
  const ownBits = rsaModulusBits(own.PublicKey);
  if (ownBits !== WRAPPING_KEY_BITS[decided.wrappingKeySpec]) {
    throw new WorkerImportParametersMismatchError(
      `KMS's wrapping key has ${ownBits ?? 'no RSA'} bits where the workflow decided ${decided.wrappingKeySpec}`,
    );
  }
  if (!own.ParametersValidTo || own.ParametersValidTo.getTime() <= deps.clock.now().getTime()) {
    throw new WorkerImportParametersMismatchError('KMS answered with parameters that are no longer valid');
  }
  return withHsmAvailability(() =>
    wrapKeyMaterial(
      {
        ...input,
        importParameters: {
          ...decided,
          keyId: keyArn,
          wrappingPublicKey: Buffer.from(own.PublicKey as Uint8Array).toString('base64'),
          importToken: Buffer.from(own.ImportToken as Uint8Array).toString('base64'),
          parametersValidTo: (own.ParametersValidTo as Date).toISOString(),
        },
      },
      { hsm: deps.hsm, logger: deps.logger },
    ),
  );
}
