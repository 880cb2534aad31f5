// Conformance with AWS's documented procedure, using the real AWS CLI and openssl against the local
// endpoint: what a user following AWS's guide would type, with only --endpoint-url added.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../src/local/stack.ts';

const run = promisify(execFile);
let stack: LocalStack;
let work: string;
let childEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  work = mkdtempSync(join(tmpdir(), 'byok-cli-conformance-'));
  childEnv = {
    PATH: process.env.PATH,
    HOME: work,
    AWS_ACCESS_KEY_ID: 'byoklocal',
    AWS_SECRET_ACCESS_KEY: 'byoklocal',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: join(work, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
});

afterAll(async () => {
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
});

async function aws(...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/aws', ['kms', ...args, '--endpoint-url', stack.url], {
    env: childEnv,
  });
  return stdout.trim();
}

async function awsJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await aws(...args, '--output', 'json')) as T;
}

async function openssl(...args: string[]): Promise<string> {
  const { stdout } = await run('openssl', args, { env: childEnv, cwd: work });
  return stdout.trim();
}

function file(name: string): string {
  return join(work, name);
}

/** `aws ... --output text --query X` gives base64; the guide decodes it with openssl into a .bin file. */
async function saveBase64(name: string, base64: string): Promise<string> {
  writeFileSync(file(`${name}.b64`), base64);
  await openssl('enc', '-d', '-base64', '-A', '-in', file(`${name}.b64`), '-out', file(`${name}.bin`));
  return file(`${name}.bin`);
}

interface KeyMetadata {
  KeyId: string;
  Arn: string;
  KeyState: string;
  ExpirationModel?: string;
  ValidTo?: number | string;
}

async function createExternalKey(prefix: string, ...extra: string[]) {
  const { KeyMetadata } = await awsJson<{ KeyMetadata: KeyMetadata }>(
    'create-key',
    '--origin',
    'EXTERNAL',
    ...extra,
  );
  const parameters = async (algorithm: string, wrappingKeySpec = 'RSA_2048') => {
    const [token, publicKey] = (
      await aws(
        'get-parameters-for-import',
        '--key-id',
        KeyMetadata.KeyId,
        '--wrapping-algorithm',
        algorithm,
        '--wrapping-key-spec',
        wrappingKeySpec,
        '--output',
        'text',
        '--query',
        '[ImportToken, PublicKey]',
      )
    ).split(/\s+/);
    return {
      token: await saveBase64(`${prefix}-ImportToken`, token ?? ''),
      publicKey: await saveBase64(`${prefix}-PublicKey`, publicKey ?? ''),
    };
  };
  return { key: KeyMetadata, parameters };
}

const OAEP_SHA256 = [
  '-pkeyopt',
  'rsa_padding_mode:oaep',
  '-pkeyopt',
  'rsa_oaep_md:sha256',
  '-pkeyopt',
  'rsa_mgf1_md:sha256',
];

/** RSAES-OAEP with SHA-256 under KMS's wrapping public key (DER), as in the guide. */
async function encryptOaepSha256(input: string, output: string, publicKey: string): Promise<string> {
  await openssl(
    'pkeyutl',
    '-encrypt',
    '-in',
    input,
    '-out',
    output,
    '-inkey',
    publicKey,
    '-keyform',
    'DER',
    '-pubin',
    ...OAEP_SHA256,
  );
  return output;
}

/** A key pair made with openssl: the private key as unencrypted PKCS#8 DER (what KMS imports) and the public key as PEM. */
async function generateKeyPair(prefix: string, algorithm: string, option: string) {
  const pem = file(`${prefix}.pem`);
  await openssl('genpkey', '-algorithm', algorithm, '-pkeyopt', option, '-out', pem);
  const der = file(`${prefix}.der`);
  await openssl('pkcs8', '-topk8', '-inform', 'PEM', '-outform', 'DER', '-nocrypt', '-in', pem, '-out', der);
  const publicPem = file(`${prefix}-public.pem`);
  await openssl('pkey', '-in', pem, '-pubout', '-out', publicPem);
  return { der, publicPem };
}

/** `aws kms sign` of a message file; the base64 signature decoded into a .bin file. */
async function signWithKms(
  keyId: string,
  message: string,
  algorithm: string,
  prefix: string,
  ...extra: string[]
) {
  const signature = await aws(
    'sign',
    '--key-id',
    keyId,
    '--message',
    `fileb://${message}`,
    ...extra,
    '--signing-algorithm',
    algorithm,
    '--output',
    'text',
    '--query',
    'Signature',
  );
  return saveBase64(prefix, signature);
}

/** openssl's answer to verifying a SHA-256 signature of a message file. */
function verifyWithOpenssl(publicPem: string, signature: string, message: string, ...options: string[]) {
  return openssl('dgst', '-sha256', ...options, '-verify', publicPem, '-signature', signature, message);
}

async function wrapRsaAes(prefix: string, publicKey: string, material: string): Promise<string> {
  await openssl('rand', '-out', file(`${prefix}-aes-key.bin`), '32');
  const aesHex = readFileSync(file(`${prefix}-aes-key.bin`)).toString('hex');
  await openssl(
    'enc',
    '-id-aes256-wrap-pad',
    '-K',
    aesHex,
    '-iv',
    'A65959A6',
    '-in',
    material,
    '-out',
    file(`${prefix}-material-wrapped.bin`),
  );
  await encryptOaepSha256(file(`${prefix}-aes-key.bin`), file(`${prefix}-aes-key-wrapped.bin`), publicKey);
  const combined = file(`${prefix}-EncryptedKeyMaterial.bin`);
  writeFileSync(
    combined,
    Buffer.concat([
      readFileSync(file(`${prefix}-aes-key-wrapped.bin`)),
      readFileSync(file(`${prefix}-material-wrapped.bin`)),
    ]),
  );
  return combined;
}

async function importKeyMaterial(keyId: string, token: string, encrypted: string, ...expiry: string[]) {
  // AWS CLI 2.9 predates KeyMaterialId in the response model, so this prints nothing (as in the guide).
  return aws(
    'import-key-material',
    '--key-id',
    keyId,
    '--encrypted-key-material',
    `fileb://${encrypted}`,
    '--import-token',
    `fileb://${token}`,
    ...(expiry.length > 0 ? expiry : ['--expiration-model', 'KEY_MATERIAL_DOES_NOT_EXPIRE']),
  );
}

/** An ISO 8601 instant with a -08:00 offset, as in the guide's `--valid-to 2016-11-08T12:00:00-08:00`. */
function pacificIso(date: Date): string {
  const shifted = new Date(date.getTime() - 8 * 3_600_000);
  return `${shifted.toISOString().slice(0, 19)}-08:00`;
}

// Each AWS CLI call starts a Python interpreter (about a second of CPU); allow for a loaded CI machine.
describe('AWS CLI and openssl against the local KMS endpoint', { timeout: 180_000 }, () => {
  it('imports OAEP-wrapped symmetric material with an expiry, describes it, encrypts and decrypts', async () => {
    // Prepare
    const { key, parameters } = await createExternalKey('sym');
    const { token, publicKey } = await parameters('RSAES_OAEP_SHA_256');
    const material = file('sym-PlaintextKeyMaterial.bin');
    await openssl('rand', '-out', material, '32');
    const encrypted = await encryptOaepSha256(material, file('sym-EncryptedKeyMaterial.bin'), publicKey);
    const validTo = new Date(Math.floor((stack.clock.now().getTime() + 30 * 86_400_000) / 1000) * 1000);
    writeFileSync(file('message.txt'), 'conformance message');

    // Act
    await importKeyMaterial(
      key.KeyId,
      token,
      encrypted,
      '--expiration-model',
      'KEY_MATERIAL_EXPIRES',
      '--valid-to',
      pacificIso(validTo),
    );
    const described = await awsJson<{ KeyMetadata: KeyMetadata }>('describe-key', '--key-id', key.KeyId);
    const ciphertext = await aws(
      'encrypt',
      '--key-id',
      key.KeyId,
      '--plaintext',
      `fileb://${file('message.txt')}`,
      '--output',
      'text',
      '--query',
      'CiphertextBlob',
    );
    const ciphertextFile = await saveBase64('ciphertext', ciphertext);
    const plaintext = await aws(
      'decrypt',
      '--ciphertext-blob',
      `fileb://${ciphertextFile}`,
      '--output',
      'text',
      '--query',
      'Plaintext',
    );

    // Assess
    expect(key.KeyState).toBe('PendingImport');
    expect(described.KeyMetadata).toMatchObject({
      KeyState: 'Enabled',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
    });
    expect(new Date(described.KeyMetadata.ValidTo ?? 0).getTime()).toBe(validTo.getTime());
    expect(Buffer.from(plaintext, 'base64').toString()).toBe('conformance message');
  });

  it('imports an ECC key wrapped with RSA_AES_KEY_WRAP_SHA_256; KMS signatures verify with openssl', async () => {
    // Prepare
    const { key, parameters } = await createExternalKey(
      'ecc',
      '--key-spec',
      'ECC_NIST_P256',
      '--key-usage',
      'SIGN_VERIFY',
    );
    const pair = await generateKeyPair('ecc', 'EC', 'ec_paramgen_curve:P-256');
    const { token, publicKey } = await parameters('RSA_AES_KEY_WRAP_SHA_256');
    const encrypted = await wrapRsaAes('ecc', publicKey, pair.der);
    writeFileSync(file('ecc-message.txt'), 'sign me with ECDSA');

    // Act
    await importKeyMaterial(key.KeyId, token, encrypted);
    const signature = await signWithKms(
      key.KeyId,
      file('ecc-message.txt'),
      'ECDSA_SHA_256',
      'ecc-signature',
      '--message-type',
      'RAW',
    );
    const verified = await verifyWithOpenssl(pair.publicPem, signature, file('ecc-message.txt'));

    // Assess
    expect(verified).toBe('Verified OK');
  });

  it('imports an RSA signing key; PKCS#1 v1.5 and PSS signatures verify with openssl', async () => {
    // Prepare
    const { key, parameters } = await createExternalKey(
      'rsa',
      '--key-spec',
      'RSA_2048',
      '--key-usage',
      'SIGN_VERIFY',
    );
    const pair = await generateKeyPair('rsa', 'RSA', 'rsa_keygen_bits:2048');
    const { token, publicKey } = await parameters('RSA_AES_KEY_WRAP_SHA_256');
    const encrypted = await wrapRsaAes('rsa', publicKey, pair.der);
    writeFileSync(file('rsa-message.txt'), 'sign me with RSA');
    const signWith = (algorithm: string) =>
      signWithKms(key.KeyId, file('rsa-message.txt'), algorithm, `rsa-${algorithm}`);

    // Act
    await importKeyMaterial(key.KeyId, token, encrypted);
    const pkcs1 = await signWith('RSASSA_PKCS1_V1_5_SHA_256');
    const pss = await signWith('RSASSA_PSS_SHA_256');
    const verify = (signature: string, ...options: string[]) =>
      verifyWithOpenssl(pair.publicPem, signature, file('rsa-message.txt'), ...options);

    // Assess
    expect(await verify(pkcs1)).toBe('Verified OK');
    expect(await verify(pss, '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32')).toBe(
      'Verified OK',
    );
  });

  it('imports HMAC material; the MAC from KMS equals the MAC from openssl', async () => {
    // Prepare
    const { key, parameters } = await createExternalKey(
      'hmac',
      '--key-spec',
      'HMAC_256',
      '--key-usage',
      'GENERATE_VERIFY_MAC',
    );
    const material = file('hmac-PlaintextKeyMaterial.bin');
    await openssl('rand', '-out', material, '32');
    const { token, publicKey } = await parameters('RSAES_OAEP_SHA_256');
    const encrypted = await encryptOaepSha256(material, file('hmac-EncryptedKeyMaterial.bin'), publicKey);
    writeFileSync(file('hmac-message.txt'), 'mac me');

    // Act
    await importKeyMaterial(key.KeyId, token, encrypted);
    const kmsMac = await aws(
      'generate-mac',
      '--key-id',
      key.KeyId,
      '--message',
      `fileb://${file('hmac-message.txt')}`,
      '--mac-algorithm',
      'HMAC_SHA_256',
      '--output',
      'text',
      '--query',
      'Mac',
    );
    const opensslMac = await openssl(
      'dgst',
      '-sha256',
      '-mac',
      'HMAC',
      '-macopt',
      `hexkey:${readFileSync(material).toString('hex')}`,
      '-r',
      file('hmac-message.txt'),
    );

    // Assess
    expect(Buffer.from(kmsMac, 'base64').toString('hex')).toBe(opensslMac.split(' ')[0]);
  });

  it('reports AWS error names through the CLI', async () => {
    // Prepare
    const { key, parameters } = await createExternalKey('err');
    const { token, publicKey } = await parameters('RSAES_OAEP_SHA_256');
    const material = file('err-material.bin');
    await openssl('rand', '-out', material, '31');
    const encrypted = await encryptOaepSha256(material, file('err-EncryptedKeyMaterial.bin'), publicKey);

    // Act
    const failure = await importKeyMaterial(key.KeyId, token, encrypted).then(
      () => undefined,
      (error: { stderr?: string }) => error.stderr ?? '',
    );

    // Assess
    expect(failure).toMatch(/InvalidCiphertextException/);
  });
});
