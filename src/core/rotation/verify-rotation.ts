// The proof after the rotation: the probe encrypted before it still decrypts with the old
// KeyMaterialId, a fresh encryption decrypts with the new one, both materials are IMPORTED and the
// new one is current. Every Encrypt and Decrypt carries byok's probe encryption context, the only
// one the rotation's roles may use (src/core/import/probe-context.ts).
import { createHash, randomBytes } from 'node:crypto';
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
} from '@aws-sdk/client-kms';
import { listKeyRotations } from '../aws/paginate-kms.ts';
import { probeEncryptionContext } from '../import/probe-context.ts';
import type { NewMaterial, RotationPlan, RotationResult } from './contracts.ts';
import type { RotationKmsDeps } from './deps.ts';
import { RotationVerificationFailedError } from './errors.ts';

interface Imported {
  keyMaterialId: string;
  importedAt: string;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function verifyRotation(
  input: {
    rotation: RotationPlan;
    newMaterial: Imported;
    material: NewMaterial;
    approval: { approvers: string[] };
  },
  deps: RotationKmsDeps,
): Promise<RotationResult> {
  const { rotation, newMaterial } = input;
  const keyArn = rotation.keyArn;
  const checks: RotationResult['checks'] = [];
  const check = (name: string, passed: boolean, detail: string) => {
    checks.push({ name, passed, detail });
    if (!passed) throw new RotationVerificationFailedError(name, detail);
  };

  const metadata = (await deps.kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
  check(
    'current-material',
    metadata?.CurrentKeyMaterialId === newMaterial.keyMaterialId,
    `CurrentKeyMaterialId ${metadata?.CurrentKeyMaterialId}, expected ${newMaterial.keyMaterialId}`,
  );
  check('key-enabled', metadata?.KeyState === 'Enabled', `KeyState ${metadata?.KeyState}`);

  const old = await deps.kms.send(
    new DecryptCommand({
      KeyId: keyArn,
      CiphertextBlob: Buffer.from(rotation.probe.ciphertext, 'base64'),
      EncryptionContext: probeEncryptionContext(),
    }),
  );
  const oldPlaintext = old.Plaintext ?? new Uint8Array();
  check(
    'old-ciphertext-old-material',
    old.KeyMaterialId === rotation.oldKeyMaterialId &&
      sha256(oldPlaintext) === rotation.probe.plaintextSha256,
    `ciphertext from before the rotation decrypted with ${old.KeyMaterialId}, expected ${rotation.oldKeyMaterialId}`,
  );
  oldPlaintext.fill(0);

  const plaintext = randomBytes(32);
  const expected = sha256(plaintext);
  const encrypted = await deps.kms.send(
    new EncryptCommand({ KeyId: keyArn, Plaintext: plaintext, EncryptionContext: probeEncryptionContext() }),
  );
  plaintext.fill(0);
  const fresh = await deps.kms.send(
    new DecryptCommand({
      KeyId: keyArn,
      CiphertextBlob: encrypted.CiphertextBlob,
      EncryptionContext: probeEncryptionContext(),
    }),
  );
  const freshPlaintext = fresh.Plaintext ?? new Uint8Array();
  check(
    'new-ciphertext-new-material',
    fresh.KeyMaterialId === newMaterial.keyMaterialId && sha256(freshPlaintext) === expected,
    `a new encryption decrypted with ${fresh.KeyMaterialId}, expected ${newMaterial.keyMaterialId}`,
  );
  freshPlaintext.fill(0);

  const materials = await listKeyRotations(deps.kms, keyArn);
  for (const id of [rotation.oldKeyMaterialId, newMaterial.keyMaterialId]) {
    const entry = materials.find((candidate) => candidate.KeyMaterialId === id);
    check(
      `material-imported:${id.slice(0, 12)}`,
      entry?.ImportState === 'IMPORTED',
      `ImportState ${entry?.ImportState}`,
    );
  }
  const status = await deps.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));
  check('rotation-finished', !status.OnDemandRotationStartDate, 'no on-demand rotation in progress');

  return {
    requestId: rotation.requestId,
    keyArn,
    requester: rotation.requester,
    approvers: input.approval.approvers,
    oldKeyMaterialId: rotation.oldKeyMaterialId,
    newKeyMaterialId: newMaterial.keyMaterialId,
    newHsmKeyLabel: input.material.hsmKeyLabel,
    checkValue: input.material.checkValue,
    replicaArns: rotation.replicaArns,
    checks,
  };
}
