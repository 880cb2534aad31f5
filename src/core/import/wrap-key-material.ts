// Step 2: check the HSM key against what step 1 decided, have the HSM wrap it under KMS's one-time
// wrapping public key, and take the public evidence verification will compare KMS against. The
// wrap runs inside the token (C_WrapKey): this process only ever sees the wrapped blob. Failing
// here (no such HSM key, wrong type, algorithm the token cannot do) still leaves the KMS key as it was.
import { randomBytes } from 'node:crypto';
import type { Evidence, Hsm } from '../hsm/port.ts';
import type { StepLogger } from '../step-kernel/logger.ts';
import type { HsmEvidence, WrapKeyMaterialInput, WrapKeyMaterialOutput } from './contracts.ts';
import { KeySpecMismatchError, WrappingAlgorithmNotInTokenError } from './errors.ts';

export interface WrapKeyMaterialDeps {
  hsm: Pick<Hsm, 'describeKey' | 'wrappingAlgorithms' | 'wrapKey' | 'evidence' | 'tokenLabel'>;
  logger: StepLogger;
}

const CHALLENGE_BYTES = 32;

export async function wrapKeyMaterial(
  input: WrapKeyMaterialInput,
  deps: WrapKeyMaterialDeps,
): Promise<WrapKeyMaterialOutput> {
  const { importParameters: parameters } = input;
  const { hsm, logger } = deps;
  const hsmKey = await hsm.describeKey(parameters.hsmKeyLabel);
  if (hsmKey.type !== parameters.hsmKeyType) {
    throw new KeySpecMismatchError(parameters.keySpec, parameters.hsmKeyLabel, hsmKey.type);
  }
  const available = await hsm.wrappingAlgorithms(hsmKey.type);
  if (!available.includes(parameters.wrappingAlgorithm)) {
    throw new WrappingAlgorithmNotInTokenError(
      parameters.wrappingAlgorithm,
      hsm.tokenLabel,
      hsmKey.type,
      available,
    );
  }
  const { wrappedKeyMaterial } = await hsm.wrapKey({
    label: parameters.hsmKeyLabel,
    algorithm: parameters.wrappingAlgorithm,
    wrappingPublicKey: new Uint8Array(Buffer.from(parameters.wrappingPublicKey, 'base64')),
  });
  const evidence = await hsm.evidence(
    parameters.hsmKeyLabel,
    parameters.family === 'HMAC' ? new Uint8Array(randomBytes(CHALLENGE_BYTES)) : undefined,
  );
  logger.info('key material wrapped in the HSM', {
    keyId: parameters.keyId,
    hsmKeyLabel: parameters.hsmKeyLabel,
    token: hsm.tokenLabel,
    wrappingAlgorithm: parameters.wrappingAlgorithm,
    wrappedBytes: wrappedKeyMaterial.byteLength,
    evidence: evidence.kind,
  });
  return {
    wrappedKeyMaterial: Buffer.from(wrappedKeyMaterial).toString('base64'),
    hsmEvidence: publicEvidence(evidence),
    importToken: parameters.importToken,
  };
}

/** The port's evidence in payload form (base64 for bytes). */
function publicEvidence(evidence: Evidence): HsmEvidence {
  switch (evidence.kind) {
    case 'aes-kcv':
      return { kind: 'aes-kcv', kcv: evidence.kcv };
    case 'hmac':
      return {
        kind: 'hmac',
        macAlgorithm: evidence.macAlgorithm,
        challenge: Buffer.from(evidence.challenge).toString('base64'),
        mac: Buffer.from(evidence.mac).toString('base64'),
      };
    case 'public-key':
      return { kind: 'public-key', spki: Buffer.from(evidence.spki).toString('base64') };
  }
}
