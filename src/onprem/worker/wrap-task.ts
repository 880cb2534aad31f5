// One wrap task as `byok worker` runs it: the same wrap core as the WrapKeyMaterial Lambda
// (src/core/import/wrap-key-material.ts), behind two checks the Lambda cannot make. The HSM key must be
// bound to the task's KMS key in the worker's own configuration (KeyBindings), and the wrapping key
// is never the one in the task: the worker asks KMS itself (GetParametersForImport, for the bound
// key only, with step 1's algorithm and spec), wraps under that key and returns its own import
// token with the blob, which ImportKeyMaterial then uses. A compromised AWS side can therefore
// neither pick the HSM key for another KMS key nor make the HSM wrap under a key of its choosing.
import { createPublicKey } from 'node:crypto';
import { GetParametersForImportCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Clock } from '../../core/clock.ts';
import {
  describeIssues,
  type WrapKeyMaterialInput,
  WrapKeyMaterialInputSchema,
  type WrapKeyMaterialOutput,
} from '../../core/import/contracts.ts';
import { withHsmAvailability } from '../../core/import/hsm-availability.ts';
import type { StepLogger } from '../../core/import/logger.ts';
import { type WrapKeyMaterialDeps, wrapKeyMaterial } from '../../core/import/wrap-key-material.ts';
import type { KeyBindings } from './bindings.ts';
import { WorkerImportParametersMismatchError, WorkerTaskInputError } from './errors.ts';

export interface WrapTaskDeps {
  kms: KMSClient;
  hsm: WrapKeyMaterialDeps['hsm'];
  bindings: KeyBindings;
  clock: Clock;
  logger: StepLogger;
}

/** The task's input, parsed; WorkerTaskInputError when it is not WrapKeyMaterial's input. */
export function parseWrapTaskInput(inputText: string): WrapKeyMaterialInput {
  let json: unknown;
  try {
    json = JSON.parse(inputText);
  } catch {
    throw new WorkerTaskInputError(['not JSON']);
  }
  const parsed = WrapKeyMaterialInputSchema.safeParse(json);
  if (!parsed.success) throw new WorkerTaskInputError(describeIssues(parsed.error));
  return parsed.data;
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
  const keyArn = deps.bindings.require(decided.hsmKeyLabel, decided.keyId);
  // The wrapping key comes from KMS, asked by this worker: never the one the task carries.
  const own = await deps.kms.send(
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
