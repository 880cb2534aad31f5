// Local KMS endpoint throughput over real HTTP with the real SDK client: GetParametersForImport and
// ImportKeyMaterial requests per second for RSA_2048 and RSA_4096 wrapping keys, next to the
// node:crypto RSA-OAEP private-decrypt rate for the same key size measured in the same run (the
// floor cost of every ImportKeyMaterial). AWS's default quotas are 1/s and 15/s respectively.
// Run: npx tsx bench/local-kms.ts   (BENCH_SECONDS sets the time per figure, default 2)

import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { startLocalStack } from '../src/local/stack.ts';
import { kmsClient } from '../test/helpers/local-kms-support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '2');
type Spec = 'RSA_2048' | 'RSA_4096';

async function rate(run: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 3; i += 1) await run();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    await run();
    count += 1;
  }
  return count / ((performance.now() - start) / 1000);
}

function fmt(perSecond: number): string {
  return `${perSecond.toFixed(1)}/s`.padStart(10);
}

function oaep(publicKeyDer: Uint8Array, data: Buffer): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, data);
}

async function measure(kms: KMSClient, spec: Spec) {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
  const keyId = KeyMetadata?.KeyId;
  const ask = () =>
    kms.send(
      new GetParametersForImportCommand({
        KeyId: keyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: spec,
      }),
    );
  // The first request for a spec waits for a generation; later ones are served from the pool.
  const firstStart = performance.now();
  const parameters = await ask();
  const firstMs = performance.now() - firstStart;
  const getParameters = await rate(ask);
  const material = randomBytes(32);
  const encrypted = oaep(parameters.PublicKey ?? new Uint8Array(), material);
  const describeRate = await rate(() => kms.send(new DescribeKeyCommand({ KeyId: keyId })));
  const importRate = await rate(() =>
    kms.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: parameters.ImportToken,
        EncryptedKeyMaterial: encrypted,
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    ),
  );
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(4)) });
  const blob = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    material,
  );
  const decryptRate = await rate(() =>
    privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, blob),
  );
  return { firstMs, getParameters, importRate, decryptRate, describeRate };
}

const stack = await startLocalStack({ port: 0 });
const kms = kmsClient(stack.url);
console.log(`byok bench: local KMS endpoint over HTTP, sequential requests (${SECONDS}s per figure)\n`);
console.log(
  'wrapping key   GetParametersForImport   ImportKeyMaterial   node privateDecrypt   import/decrypt   DescribeKey (HTTP floor)   first GPFI',
);
try {
  for (const spec of ['RSA_2048', 'RSA_4096'] as const) {
    const result = await measure(kms, spec);
    console.log(
      `${spec.padEnd(14)} ${fmt(result.getParameters).padStart(22)}   ${fmt(result.importRate).padStart(17)}   ${fmt(result.decryptRate).padStart(19)}   ${(result.importRate / result.decryptRate).toFixed(2).padStart(14)}   ${fmt(result.describeRate).padStart(24)}   ${result.firstMs.toFixed(0).padStart(7)} ms`,
    );
  }
  console.log('\nAWS default quotas for comparison: GetParametersForImport 1/s, ImportKeyMaterial 15/s.');
} finally {
  kms.destroy();
  await stack.stop();
}
