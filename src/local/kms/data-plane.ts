// Cryptographic operations with the key material: Encrypt/Decrypt/GenerateDataKey (AES-256-GCM for
// symmetric keys, RSAES-OAEP for RSA encryption keys), GenerateMac/VerifyMac, Sign/Verify and
// GetPublicKey. A symmetric ciphertext names its key and material, so ciphertexts made before a
// rotation or before an expiry-and-reimport still decrypt.
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  type KeyObject,
  privateDecrypt,
  privateEncrypt,
  publicDecrypt,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { AwsServiceError } from '../protocol.ts';
import type { KmsCore, KmsInput, KmsOperation } from './core.ts';
import { signDigest, verifyDigest } from './ecdsa-digest.ts';
import {
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalStringMap,
  requiredBlob,
  requiredEnum,
  requiredString,
  validationError,
} from './input.ts';
import {
  currentMaterial,
  type KeyRecord,
  type MaterialRecord,
  pendingImport,
  requireState,
  requireUsage,
} from './registry.ts';
import {
  ALL_SIGNING_ALGORITHMS,
  ENCRYPTION_ALGORITHMS,
  HMAC_RULES,
  keyAlgorithmsFor,
  keyFamily,
  MAC_ALGORITHMS,
  type SigningAlgorithm,
} from './spec.ts';

const CIPHERTEXT_VERSION = 1;
const MATERIAL_ID_BYTES = 32;

function invalidCiphertext(): AwsServiceError {
  return new AwsServiceError('InvalidCiphertextException');
}

/** AAD binds the header and the encryption context (order-independent, as in KMS). */
function additionalData(header: Buffer, context: Record<string, string> | undefined): Buffer {
  const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.concat([header, Buffer.from(JSON.stringify(entries), 'utf8')]);
}

function usableKey(core: KmsCore, input: KmsInput, region: string): KeyRecord {
  const key = core.registry.resolve(region, requiredString(input, 'KeyId'), { allowAlias: true });
  requireState(key, 'usable');
  return key;
}

function liveCurrent(key: KeyRecord): MaterialRecord & { secret: Buffer } {
  const material = currentMaterial(key);
  if (!material?.secret) throw pendingImport(key);
  return material as MaterialRecord & { secret: Buffer };
}

function sealSymmetric(
  key: KeyRecord,
  plaintext: Buffer,
  context: Record<string, string> | undefined,
): Buffer {
  const material = liveCurrent(key);
  const keyIdBytes = Buffer.from(key.keyId, 'utf8');
  const header = Buffer.concat([
    Buffer.from([CIPHERTEXT_VERSION, keyIdBytes.length]),
    keyIdBytes,
    Buffer.from(material.id, 'hex'),
  ]);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', material.secret, iv);
  cipher.setAAD(additionalData(header, context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), body]);
}

interface ParsedCiphertext {
  keyId: string;
  materialId: string;
  header: Buffer;
  iv: Buffer;
  tag: Buffer;
  body: Buffer;
}

function parseSymmetric(blob: Buffer): ParsedCiphertext {
  const keyIdLength = blob[1] ?? 0;
  const headerLength = 2 + keyIdLength + MATERIAL_ID_BYTES;
  if (blob[0] !== CIPHERTEXT_VERSION || keyIdLength === 0 || blob.length < headerLength + 28)
    throw invalidCiphertext();
  return {
    keyId: blob.subarray(2, 2 + keyIdLength).toString('utf8'),
    materialId: blob.subarray(2 + keyIdLength, headerLength).toString('hex'),
    header: blob.subarray(0, headerLength),
    iv: blob.subarray(headerLength, headerLength + 12),
    tag: blob.subarray(headerLength + 12, headerLength + 28),
    body: blob.subarray(headerLength + 28),
  };
}

function rsaPublicKey(material: MaterialRecord): KeyObject {
  if (!material.publicKey) throw invalidCiphertext();
  return createPublicKey({ key: material.publicKey, format: 'der', type: 'spki' });
}

function rsaPrivateKey(material: MaterialRecord & { secret: Buffer }): KeyObject {
  return createPrivateKey({ key: material.secret, format: 'der', type: 'pkcs8' });
}

function requireEncryptionAlgorithm(key: KeyRecord, algorithm: string): void {
  if (!(keyAlgorithmsFor(key.keySpec, key.keyUsage).EncryptionAlgorithms ?? []).includes(algorithm)) {
    throw new AwsServiceError(
      'InvalidKeyUsageException',
      `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`,
    );
  }
}

export const encrypt: KmsOperation = (core, input, context) => {
  const key = usableKey(core, input, context.region);
  const plaintext = requiredBlob(input, 'Plaintext', 4096);
  const encryptionContext = optionalStringMap(input, 'EncryptionContext');
  const algorithm = optionalEnum(input, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  requireUsage(key, 'ENCRYPT_DECRYPT', 'Encrypt');
  requireEncryptionAlgorithm(key, algorithm);
  if (keyFamily(key.keySpec) === 'SYMMETRIC') {
    return {
      CiphertextBlob: sealSymmetric(key, plaintext, encryptionContext).toString('base64'),
      KeyId: key.arn,
      EncryptionAlgorithm: algorithm,
    };
  }
  if (encryptionContext)
    throw validationError('EncryptionContext is not supported with asymmetric KMS keys.');
  const material = liveCurrent(key);
  let ciphertext: Buffer;
  try {
    ciphertext = publicEncrypt(
      {
        key: rsaPublicKey(material),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256',
      },
      plaintext,
    );
  } catch {
    throw validationError('Plaintext is too long for the RSA key and encryption algorithm.');
  }
  return { CiphertextBlob: ciphertext.toString('base64'), KeyId: key.arn, EncryptionAlgorithm: algorithm };
};

export const decrypt: KmsOperation = (core, input, context) => {
  const blob = requiredBlob(input, 'CiphertextBlob', 6144);
  const encryptionContext = optionalStringMap(input, 'EncryptionContext');
  const algorithm = optionalEnum(input, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  const keyIdInput = optionalString(input, 'KeyId');
  if (algorithm !== 'SYMMETRIC_DEFAULT') {
    if (!keyIdInput) throw validationError('KeyId is required for asymmetric decryption.');
    const key = usableKey(core, input, context.region);
    requireUsage(key, 'ENCRYPT_DECRYPT', 'Decrypt');
    requireEncryptionAlgorithm(key, algorithm);
    const material = liveCurrent(key);
    try {
      const plaintext = privateDecrypt(
        {
          key: rsaPrivateKey(material),
          padding: constants.RSA_PKCS1_OAEP_PADDING,
          oaepHash: algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256',
        },
        blob,
      );
      return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: algorithm };
    } catch {
      throw invalidCiphertext();
    }
  }
  const parsed = parseSymmetric(blob);
  const key = core.registry.get(context.region, parsed.keyId);
  if (!key || keyFamily(key.keySpec) !== 'SYMMETRIC') throw invalidCiphertext();
  if (keyIdInput !== undefined) {
    const named = core.registry.resolve(context.region, keyIdInput, { allowAlias: true });
    if (named !== key) {
      throw new AwsServiceError(
        'IncorrectKeyException',
        'The key ID in the request does not identify a CMK that can perform this operation.',
      );
    }
  }
  requireState(key, 'usable');
  requireUsage(key, 'ENCRYPT_DECRYPT', 'Decrypt');
  const material = key.materials.find((candidate) => candidate.id === parsed.materialId);
  if (!material) throw invalidCiphertext();
  if (!material.secret) throw pendingImport(key);
  try {
    const decipher = createDecipheriv('aes-256-gcm', material.secret, parsed.iv);
    decipher.setAAD(additionalData(parsed.header, encryptionContext));
    decipher.setAuthTag(parsed.tag);
    const plaintext = Buffer.concat([decipher.update(parsed.body), decipher.final()]);
    return {
      KeyId: key.arn,
      Plaintext: plaintext.toString('base64'),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      KeyMaterialId: material.id,
    };
  } catch {
    throw invalidCiphertext();
  }
};

function dataKeyLength(input: KmsInput): number {
  const spec = optionalEnum(input, 'KeySpec', ['AES_256', 'AES_128'] as const);
  const bytes = optionalInteger(input, 'NumberOfBytes', 1, 1024);
  if (spec && bytes !== undefined)
    throw validationError('Please specify either number of bytes or key spec.');
  if (!spec && bytes === undefined)
    throw validationError('Please specify either number of bytes or key spec.');
  return bytes ?? (spec === 'AES_128' ? 16 : 32);
}

function generateDataKeyWith(operation: string, includePlaintext: boolean): KmsOperation {
  return (core, input, context) => {
    const key = usableKey(core, input, context.region);
    const length = dataKeyLength(input);
    const encryptionContext = optionalStringMap(input, 'EncryptionContext');
    requireUsage(key, 'ENCRYPT_DECRYPT', operation);
    if (keyFamily(key.keySpec) !== 'SYMMETRIC') {
      throw new AwsServiceError(
        'InvalidKeyUsageException',
        `${key.arn} key spec ${key.keySpec} is not valid for ${operation}.`,
      );
    }
    const plaintext = randomBytes(length);
    const ciphertext = sealSymmetric(key, plaintext, encryptionContext);
    return {
      CiphertextBlob: ciphertext.toString('base64'),
      ...(includePlaintext ? { Plaintext: plaintext.toString('base64') } : {}),
      KeyId: key.arn,
      KeyMaterialId: liveCurrent(key).id,
    };
  };
}

export const generateDataKey = generateDataKeyWith('GenerateDataKey', true);
export const generateDataKeyWithoutPlaintext = generateDataKeyWith('GenerateDataKeyWithoutPlaintext', false);

function macOf(key: KeyRecord, input: KmsInput, operation: string): { mac: Buffer; algorithm: string } {
  const message = requiredBlob(input, 'Message', 4096);
  const algorithm = requiredEnum(input, 'MacAlgorithm', MAC_ALGORITHMS);
  requireUsage(key, 'GENERATE_VERIFY_MAC', operation);
  const rule = HMAC_RULES[key.keySpec];
  if (!rule || rule.mac !== algorithm) {
    throw new AwsServiceError(
      'InvalidKeyUsageException',
      `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`,
    );
  }
  return { mac: createHmac(rule.digest, liveCurrent(key).secret).update(message).digest(), algorithm };
}

export const generateMac: KmsOperation = (core, input, context) => {
  const key = usableKey(core, input, context.region);
  const { mac, algorithm } = macOf(key, input, 'GenerateMac');
  return { Mac: mac.toString('base64'), MacAlgorithm: algorithm, KeyId: key.arn };
};

export const verifyMac: KmsOperation = (core, input, context) => {
  const key = usableKey(core, input, context.region);
  const expected = requiredBlob(input, 'Mac', 6144);
  const { mac, algorithm } = macOf(key, input, 'VerifyMac');
  if (expected.length !== mac.length || !timingSafeEqual(expected, mac)) {
    throw new AwsServiceError('KMSInvalidMacException');
  }
  return { KeyId: key.arn, MacValid: true, MacAlgorithm: algorithm };
};

interface SigningPlan {
  hash: string;
  digestBytes: number;
  pss: boolean;
}

function signingPlan(key: KeyRecord, algorithm: SigningAlgorithm): SigningPlan {
  if (!(keyAlgorithmsFor(key.keySpec, key.keyUsage).SigningAlgorithms ?? []).includes(algorithm)) {
    throw new AwsServiceError(
      'InvalidKeyUsageException',
      `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`,
    );
  }
  const bits = Number(algorithm.slice(-3));
  return { hash: `sha${bits}`, digestBytes: bits / 8, pss: algorithm.startsWith('RSASSA_PSS') };
}

function readSigningInput(key: KeyRecord, input: KmsInput, operation: string) {
  const message = requiredBlob(input, 'Message', 4096);
  const messageType = optionalEnum(input, 'MessageType', ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const) ?? 'RAW';
  const algorithm = requiredEnum(input, 'SigningAlgorithm', ALL_SIGNING_ALGORITHMS);
  requireUsage(key, 'SIGN_VERIFY', operation);
  const plan = signingPlan(key, algorithm);
  if (messageType === 'EXTERNAL_MU')
    throw validationError('MessageType EXTERNAL_MU is only valid for ML-DSA keys.');
  if (messageType === 'DIGEST' && message.length !== plan.digestBytes) {
    throw validationError(`Digest is invalid length for algorithm ${algorithm}.`);
  }
  return { message, messageType, algorithm, plan };
}

function keyOptions(key: KeyObject, plan: SigningPlan) {
  return plan.pss
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: plan.digestBytes }
    : { key, dsaEncoding: 'der' as const };
}

function digestInfoPrefix(hash: string): Buffer {
  // DER DigestInfo prefixes (RFC 8017) so a precomputed digest signs like its message would.
  const prefixes: Record<string, string> = {
    sha256: '3031300d060960864801650304020105000420',
    sha384: '3041300d060960864801650304020205000430',
    sha512: '3051300d060960864801650304020305000440',
  };
  return Buffer.from(prefixes[hash] ?? '', 'hex');
}

export const sign: KmsOperation = (core, input, context) => {
  const key = usableKey(core, input, context.region);
  const { message, messageType, algorithm, plan } = readSigningInput(key, input, 'Sign');
  const privateKey = createPrivateKey({ key: liveCurrent(key).secret, format: 'der', type: 'pkcs8' });
  let signature: Buffer;
  if (messageType === 'RAW') {
    signature = createSign(plan.hash).update(message).sign(keyOptions(privateKey, plan));
  } else if (keyFamily(key.keySpec) === 'ECC') {
    signature = signDigest(privateKey, message);
  } else if (plan.pss) {
    signature = signDigestPss(privateKey, message, plan);
  } else {
    // PKCS#1 v1.5 type-1 padding over DigestInfo is exactly an RSASSA-PKCS1-v1_5 signature.
    signature = privateEncrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([digestInfoPrefix(plan.hash), message]),
    );
  }
  return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: algorithm };
};

function signDigestPss(privateKey: KeyObject, digest: Buffer, plan: SigningPlan): Buffer {
  // Node cannot PSS-sign a precomputed digest, so encode EMSA-PSS (RFC 8017 9.1.1) and apply raw RSA.
  const modBits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  const em = emsaPssEncode(digest, modBits - 1, plan);
  return rawRsa(privateKey, em);
}

function mgf1(seed: Buffer, length: number, hash: string): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; Buffer.concat(blocks).length < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function emsaPssEncode(mHash: Buffer, emBits: number, plan: SigningPlan): Buffer {
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(plan.digestBytes);
  const mPrime = Buffer.concat([Buffer.alloc(8), mHash, salt]);
  const h = createHash(plan.hash).update(mPrime).digest();
  const ps = Buffer.alloc(emLen - salt.length - h.length - 2);
  const db = Buffer.concat([ps, Buffer.from([1]), salt]);
  const mask = mgf1(h, db.length, plan.hash);
  const maskedDb = Buffer.alloc(db.length);
  for (let index = 0; index < db.length; index++) maskedDb[index] = (db[index] ?? 0) ^ (mask[index] ?? 0);
  maskedDb[0] = (maskedDb[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  return Buffer.concat([maskedDb, h, Buffer.from([0xbc])]);
}

function rawRsa(privateKey: KeyObject, em: Buffer): Buffer {
  const modBytes = (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  const padded = Buffer.concat([Buffer.alloc(modBytes - em.length), em]);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, padded);
}

export const verify: KmsOperation = (core, input, context) => {
  const key = usableKey(core, input, context.region);
  const signature = requiredBlob(input, 'Signature', 6144);
  const { message, messageType, algorithm, plan } = readSigningInput(key, input, 'Verify');
  const publicKey = createPublicKey(
    createPrivateKey({ key: liveCurrent(key).secret, format: 'der', type: 'pkcs8' }),
  );
  let valid: boolean;
  try {
    if (messageType === 'RAW') {
      valid = createVerify(plan.hash).update(message).verify(keyOptions(publicKey, plan), signature);
    } else if (keyFamily(key.keySpec) === 'ECC') {
      valid = verifyDigest(publicKey, message, signature);
    } else if (plan.pss) {
      valid = verifyDigestPss(publicKey, message, signature, plan);
    } else {
      const recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
      valid = recovered.equals(Buffer.concat([digestInfoPrefix(plan.hash), message]));
    }
  } catch {
    valid = false;
  }
  if (!valid) throw new AwsServiceError('KMSInvalidSignatureException');
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
};

function verifyDigestPss(
  publicKey: KeyObject,
  digest: Buffer,
  signature: Buffer,
  plan: SigningPlan,
): boolean {
  const modBits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  const emLen = Math.ceil((modBits - 1) / 8);
  const decoded = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature);
  const em = decoded.subarray(decoded.length - emLen);
  if (em[em.length - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - plan.digestBytes - 1);
  const h = em.subarray(emLen - plan.digestBytes - 1, emLen - 1);
  const mask = mgf1(h, maskedDb.length, plan.hash);
  const db = Buffer.alloc(maskedDb.length);
  for (let index = 0; index < db.length; index++) db[index] = (maskedDb[index] ?? 0) ^ (mask[index] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >> (8 * emLen - (modBits - 1)));
  const separator = db.length - plan.digestBytes - 1;
  if (db[separator] !== 1 || db.subarray(0, separator).some((byte) => byte !== 0)) return false;
  const salt = db.subarray(separator + 1);
  const expected = createHash(plan.hash)
    .update(Buffer.concat([Buffer.alloc(8), digest, salt]))
    .digest();
  return expected.equals(h);
}

export const getPublicKey: KmsOperation = (core, input, context) => {
  const key = core.registry.resolve(context.region, requiredString(input, 'KeyId'), { allowAlias: true });
  requireState(key, 'not-pending-deletion');
  const family = keyFamily(key.keySpec);
  if (family === 'SYMMETRIC' || family === 'HMAC') {
    throw new AwsServiceError(
      'UnsupportedOperationException',
      `${key.arn} key usage is ${key.keyUsage} which is not valid for GetPublicKey.`,
    );
  }
  const material = currentMaterial(key);
  if (!material?.secret || !material.publicKey) throw pendingImport(key);
  return {
    KeyId: key.arn,
    PublicKey: material.publicKey.toString('base64'),
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    ...keyAlgorithmsFor(key.keySpec, key.keyUsage),
  };
};
