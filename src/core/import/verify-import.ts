// Step 4: prove that KMS now holds the HSM's key, as far as KMS allows proving it, and that the
// key is usable with the expiry that was asked for — without making the step an oracle: its role
// may neither sign, nor compute MACs, nor decrypt anything but byok's own probes.
//   HMAC        KMS VerifyMac accepts the HSM's MAC of a random challenge (the HSM computed it
//               when wrapping). VerifyMac only says yes or no to a MAC the caller already has; it
//               produces none, so whoever runs as this role cannot forge a MAC.
//   RSA / ECC   the public key KMS derives from the imported private key (GetPublicKey) equals the
//               HSM's public key. KMS accepts only a well-formed private key, and one private key
//               has one public key, so this proves which key KMS holds as much as a signature or
//               a decryption would, and needs no right to sign or decrypt with it.
//   symmetric   KMS cannot show the key itself: an Encrypt/Decrypt round trip of a random
//               challenge under byok's probe encryption context (the only context the role may
//               use, src/core/import/probe-context.ts), plus the key material id KMS reports as
//               current being the one this import created.
// Every family also checks DescribeKey: Enabled, the expiration model and ValidTo. The HSM side of
// each comparison is the evidence step 2 took when wrapping, so this step talks to KMS only.
// Symmetric keys are checked per material (ListKeyRotations): a rotated key holds several, each
// with its own ValidTo, and the key stays PendingImport until every one of them is imported. A
// multi-Region replica is checked in its own Region, and for symmetric keys a ciphertext made in
// the primary's Region must decrypt in the replica's: both hold the same material.
import { createHash, createPublicKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetPublicKeyCommand,
  type KMSClient,
  KMSInvalidMacException,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import type { StepLogger } from '../step-kernel/logger.ts';
import type { ImportEvidence, ImportResult, VerificationCheck, VerifyImportInput } from './contracts.ts';
import { VerificationFailedError } from './errors.ts';
import { isPermanentlyAssociated, type KeyMaterial, listKeyMaterials } from './key-materials.ts';
import { probeEncryptionContext } from './probe-context.ts';
import { type KmsForAccount, type KmsForRegion, kmsForKey } from './regional-kms.ts';

export interface VerifyImportDeps {
  kms: KMSClient;
  kmsForRegion?: KmsForRegion | undefined;
  /** Other accounts' keys through their spoke roles (fleet mode). */
  kmsForAccount?: KmsForAccount | undefined;
  logger: StepLogger;
}

const CHALLENGE_BYTES = 32;

export async function verifyImport(
  input: VerifyImportInput,
  regionalDeps: VerifyImportDeps,
): Promise<ImportResult> {
  const { importParameters: parameters, imported } = input;
  // Every call about this key goes to its own Region.
  const deps = { ...regionalDeps, kms: kmsForKey(regionalDeps, parameters.keyId) };
  const evidence = await proveIdentity(input, deps);
  if (parameters.primaryKeyArn && parameters.family === 'SYMMETRIC') {
    evidence.checks.push(
      await primaryCiphertextDecrypts(parameters.primaryKeyArn, parameters.keyId, regionalDeps),
    );
  }
  const stateChecks = await checkKeyState(input, deps.kms);
  const checks = [...evidence.checks, ...stateChecks.checks];
  const failed = checks.find((check) => !check.passed);
  if (failed) throw new VerificationFailedError(parameters.keyId, failed.name, failed.detail);
  deps.logger.info('import verified', {
    keyId: parameters.keyId,
    method: evidence.method,
    checks: checks.map((check) => check.name),
  });
  return {
    keyId: parameters.keyId,
    keySpec: parameters.keySpec,
    family: parameters.family,
    hsmKeyLabel: parameters.hsmKeyLabel,
    wrappingAlgorithm: parameters.wrappingAlgorithm,
    wrappingKeySpec: parameters.wrappingKeySpec,
    expirationModel: parameters.expirationModel,
    ...(parameters.validTo ? { validTo: parameters.validTo } : {}),
    ...(imported.keyMaterialId ? { keyMaterialId: imported.keyMaterialId } : {}),
    keyState: stateChecks.keyState,
    importTokenAttempts: parameters.importTokenAttempt,
    importedAt: imported.importedAt,
    ...(parameters.reason ? { reason: parameters.reason } : {}),
    ...(parameters.region ? { region: parameters.region } : {}),
    evidence: { ...evidence, checks },
  };
}

/**
 * A replica holds the primary's material: a random challenge encrypted by the primary in its Region
 * decrypts with the replica in the replica's Region (a symmetric ciphertext names the key id, which
 * the two share). While the primary itself has no usable material the check says so and passes on
 * KMS's own identity check (EXISTING_KEY_MATERIAL with the primary's KeyMaterialId).
 */
async function primaryCiphertextDecrypts(
  primaryArn: string,
  replicaArn: string,
  deps: VerifyImportDeps,
): Promise<VerificationCheck> {
  const primary = kmsForKey(deps, primaryArn);
  const replica = kmsForKey(deps, replicaArn);
  const primaryState = (await primary.send(new DescribeKeyCommand({ KeyId: primaryArn }))).KeyMetadata
    ?.KeyState;
  if (primaryState !== 'Enabled') {
    return {
      name: 'primary-ciphertext-decrypts-in-replica',
      passed: true,
      detail: `not run: the primary is ${primaryState ?? 'unknown'}; KMS accepted the primary's KeyMaterialId`,
    };
  }
  const challenge = randomBytes(CHALLENGE_BYTES);
  const encrypted = await primary.send(
    new EncryptCommand({
      KeyId: primaryArn,
      Plaintext: challenge,
      EncryptionContext: probeEncryptionContext(),
    }),
  );
  const decrypted = await replica.send(
    new DecryptCommand({
      KeyId: replicaArn,
      CiphertextBlob: encrypted.CiphertextBlob,
      EncryptionContext: probeEncryptionContext(),
    }),
  );
  const same = equalBytes(decrypted.Plaintext, challenge);
  return {
    name: 'primary-ciphertext-decrypts-in-replica',
    passed: same,
    detail: `a challenge encrypted in the primary's Region ${same ? 'decrypts unchanged' : 'does not decrypt'} in the replica's`,
  };
}

async function proveIdentity(input: VerifyImportInput, deps: VerifyImportDeps): Promise<ImportEvidence> {
  const { importParameters: parameters } = input;
  switch (parameters.family) {
    case 'HMAC':
      return proveHmac(input, deps);
    case 'RSA':
    case 'ECC':
      return proveAsymmetric(input, deps);
    case 'SYMMETRIC':
      return proveSymmetric(input, deps);
  }
}

async function proveHmac(
  { importParameters: parameters, hsmEvidence }: VerifyImportInput,
  deps: VerifyImportDeps,
) {
  if (hsmEvidence.kind !== 'hmac') throw unexpectedEvidence(parameters.keyId, hsmEvidence.kind);
  const challenge = Buffer.from(hsmEvidence.challenge, 'base64');
  const hsmMac = Buffer.from(hsmEvidence.mac, 'base64');
  let accepted: boolean;
  try {
    const verified = await deps.kms.send(
      new VerifyMacCommand({
        KeyId: parameters.keyId,
        Message: challenge,
        Mac: hsmMac,
        MacAlgorithm: hsmEvidence.macAlgorithm,
      }),
    );
    accepted = verified.MacValid === true;
  } catch (error) {
    // KMS answers a MAC that does not verify with an error, not with MacValid false.
    if (!(error instanceof KMSInvalidMacException)) throw error;
    accepted = false;
  }
  return {
    method: 'mac-challenge' as const,
    summary: `KMS VerifyMac(${hsmEvidence.macAlgorithm}) accepts the HSM's MAC of a random ${challenge.byteLength}-byte challenge`,
    checks: [
      {
        name: 'mac-matches-hsm',
        passed: accepted,
        detail: `challenge ${hex(challenge)}, HSM MAC ${hex(hsmMac)}: KMS ${accepted ? 'accepts' : 'rejects'} it`,
      },
    ],
  };
}

function unexpectedEvidence(keyId: string, kind: string): VerificationFailedError {
  return new VerificationFailedError(
    keyId,
    'hsm-evidence',
    `the HSM gave ${kind} evidence for this key family`,
  );
}

async function proveAsymmetric(
  { importParameters: parameters, hsmEvidence }: VerifyImportInput,
  deps: VerifyImportDeps,
) {
  if (hsmEvidence.kind !== 'public-key') throw unexpectedEvidence(parameters.keyId, hsmEvidence.kind);
  const hsmPublicKey = createPublicKey({
    key: Buffer.from(hsmEvidence.spki, 'base64'),
    format: 'der',
    type: 'spki',
  });
  const kmsPublic = await deps.kms.send(new GetPublicKeyCommand({ KeyId: parameters.keyId }));
  const publicKeyMatches =
    kmsPublic.PublicKey !== undefined &&
    equalBytes(
      spkiDer(createPublicKey({ key: Buffer.from(kmsPublic.PublicKey), format: 'der', type: 'spki' })),
      spkiDer(hsmPublicKey),
    );
  const checks: VerificationCheck[] = [
    {
      name: 'public-key-matches-hsm',
      passed: publicKeyMatches,
      detail: `SHA-256 of the public key: HSM ${fingerprint(spkiDer(hsmPublicKey))}${
        kmsPublic.PublicKey
          ? `, KMS ${fingerprint(new Uint8Array(kmsPublic.PublicKey))}`
          : ', KMS returned none'
      }`,
    },
  ];
  return {
    method: 'public-key' as const,
    summary: 'the public key KMS derives from the imported private key equals the HSM public key',
    checks,
  };
}

async function proveSymmetric(
  { importParameters: parameters, hsmEvidence }: VerifyImportInput,
  deps: VerifyImportDeps,
) {
  const kcvText = hsmEvidence.kind === 'aes-kcv' ? ` (HSM key check value ${hsmEvidence.kcv})` : '';
  const state = (await deps.kms.send(new DescribeKeyCommand({ KeyId: parameters.keyId }))).KeyMetadata
    ?.KeyState;
  if (state === 'PendingImport') {
    // Another of the key's materials is still missing (checked below): nothing can be encrypted
    // yet, and KMS itself checked this material's identity (EXISTING_KEY_MATERIAL + KeyMaterialId).
    return {
      method: 'encrypt-decrypt' as const,
      summary: `KMS accepted the material under its KeyMaterialId; the round trip waits for the key's other materials${kcvText}`,
      checks: [],
    };
  }
  const challenge = randomBytes(CHALLENGE_BYTES);
  const encrypted = await deps.kms.send(
    new EncryptCommand({
      KeyId: parameters.keyId,
      Plaintext: challenge,
      EncryptionContext: probeEncryptionContext(),
    }),
  );
  const decrypted = await deps.kms.send(
    new DecryptCommand({
      KeyId: parameters.keyId,
      CiphertextBlob: encrypted.CiphertextBlob,
      EncryptionContext: probeEncryptionContext(),
    }),
  );
  const roundTrip = equalBytes(decrypted.Plaintext, challenge) && decrypted.KeyId === parameters.keyId;
  return {
    method: 'encrypt-decrypt' as const,
    summary: `KMS encrypts and decrypts a random challenge with the imported material, under byok's probe encryption context${kcvText}`,
    checks: [
      {
        name: 'encrypt-decrypt-round-trip',
        passed: roundTrip,
        detail: `challenge ${hex(challenge)} ${roundTrip ? 'came back unchanged' : 'did not come back'}`,
      },
    ],
  };
}

async function checkKeyState({ importParameters: parameters, imported }: VerifyImportInput, kms: KMSClient) {
  const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: parameters.keyId }))).KeyMetadata;
  const keyState = metadata?.KeyState ?? 'unknown';
  // KMS reports materials (and CurrentKeyMaterialId) for symmetric keys only.
  if (parameters.family === 'SYMMETRIC') {
    return {
      keyState,
      checks: checkMaterial(
        parameters,
        imported.keyMaterialId,
        keyState,
        metadata?.CurrentKeyMaterialId,
        await listKeyMaterials(kms, parameters.keyId),
      ),
    };
  }
  const checks: VerificationCheck[] = [
    { name: 'key-enabled', passed: keyState === 'Enabled', detail: `KeyState ${keyState}` },
    {
      name: 'expiration-model',
      passed: metadata?.ExpirationModel === parameters.expirationModel,
      detail: `ExpirationModel ${metadata?.ExpirationModel ?? 'absent'}, expected ${parameters.expirationModel}`,
    },
  ];
  if (parameters.validTo) {
    const reported = metadata?.ValidTo?.toISOString();
    checks.push({
      name: 'valid-to',
      passed: reported === new Date(parameters.validTo).toISOString(),
      detail: `ValidTo ${reported ?? 'absent'}, expected ${parameters.validTo}`,
    });
  }
  return { keyState, checks };
}

/** The imported material as KMS lists it: imported, its own expiry, current or still associated. */
function checkMaterial(
  parameters: VerifyImportInput['importParameters'],
  keyMaterialId: string | undefined,
  keyState: string,
  currentKeyMaterialId: string | undefined,
  materials: readonly KeyMaterial[],
): VerificationCheck[] {
  const material = materials.find((entry) => entry.keyMaterialId === keyMaterialId);
  const missingOthers = materials.filter(
    (entry) => entry !== material && isPermanentlyAssociated(entry) && entry.importState !== 'IMPORTED',
  );
  const waiting = keyState === 'PendingImport' && missingOthers.length > 0;
  const checks: VerificationCheck[] = [
    {
      name: 'key-enabled',
      passed: keyState === 'Enabled' || waiting,
      detail: waiting
        ? `KeyState PendingImport until its other materials are imported too: ${missingOthers.map((entry) => entry.keyMaterialId).join(', ')}`
        : `KeyState ${keyState}`,
    },
    {
      name: 'key-material-imported',
      passed: material?.importState === 'IMPORTED',
      detail: `material ${keyMaterialId ?? 'absent'}: ${material ? `${material.importState}, ${material.state}` : 'not listed'}`,
    },
    {
      name: 'expiration-model',
      passed: material?.expirationModel === parameters.expirationModel,
      detail: `ExpirationModel ${material?.expirationModel ?? 'absent'}, expected ${parameters.expirationModel}`,
    },
  ];
  if (parameters.validTo) {
    const reported = material?.validTo?.toISOString();
    checks.push({
      name: 'valid-to',
      passed: reported === new Date(parameters.validTo).toISOString(),
      detail: `ValidTo ${reported ?? 'absent'}, expected ${parameters.validTo}`,
    });
  }
  // New material, or the only one: it is what the key uses now.
  if (parameters.importType === 'NEW_KEY_MATERIAL' || material?.state === 'CURRENT') {
    checks.push({
      name: 'current-key-material-id',
      passed: keyMaterialId !== undefined && currentKeyMaterialId === keyMaterialId,
      detail: `CurrentKeyMaterialId ${currentKeyMaterialId ?? 'absent'}, imported ${keyMaterialId ?? 'absent'}`,
    });
  }
  return checks;
}

function spkiDer(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}

function equalBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.byteLength !== b.byteLength) return false;
  return timingSafeEqual(a, b);
}

function hex(bytes: Uint8Array | undefined): string {
  return bytes ? Buffer.from(bytes).toString('hex') : '(none)';
}

function fingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}
