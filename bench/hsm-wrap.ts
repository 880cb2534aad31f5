// In-token wrapping throughput on the two software tokens, against a baseline measured in the same
// run: node:crypto RSA-OAEP encryption of a 32-byte key with the same public key (what wrapping
// costs without a token) and node:crypto unwrapping (what KMS does with each blob).
// Run: npx tsx bench/hsm-wrap.ts
import { constants, generateKeyPairSync, type KeyObject, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pkcs11js from 'pkcs11js';
import { unwrapAsKms } from '../src/core/hsm/kms-unwrap.ts';
import { initLocalToken } from '../src/core/hsm/local-token.ts';
import { finalizeIdleModules, openHsm, type Pkcs11Hsm } from '../src/core/hsm/pkcs11-adapter.ts';
import type { HsmKeyType, WrappingAlgorithm } from '../src/core/hsm/port.ts';
import { createRawWrappingKey, findRawKey } from '../test/helpers/raw-pkcs11.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '0.6');

async function rate(run: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i += 1) await run(); // warm-up
  let count = 0;
  const start = performance.now();
  const until = start + SECONDS * 1000;
  while (performance.now() < until) {
    await run();
    count += 1;
  }
  return count / ((performance.now() - start) / 1000);
}

function fmt(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`.padStart(10);
}

const wrappingKeys: Record<'RSA_2048' | 'RSA_4096', { publicKey: KeyObject; privateKey: KeyObject }> = {
  RSA_2048: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  RSA_4096: generateKeyPairSync('rsa', { modulusLength: 4096 }),
};

const secret = randomBytes(32);
console.log(`byok bench: in-token wrap (one thread, ${SECONDS}s per figure)\n`);
const baseline: Record<string, number> = {};
for (const [spec, pair] of Object.entries(wrappingKeys)) {
  baseline[spec] = await rate(() =>
    publicEncrypt(
      { key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      secret,
    ),
  );
  console.log(`baseline node:crypto OAEP-SHA256 encrypt, 32 bytes, ${spec}: ${fmt(baseline[spec] ?? 0)}`);
}
console.log('');

const cases: Array<{ type: HsmKeyType; algorithms: WrappingAlgorithm[] }> = [
  { type: 'AES_256', algorithms: ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1'] },
  { type: 'ECC_NIST_P256', algorithms: ['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256'] },
  { type: 'RSA_2048', algorithms: ['RSA_AES_KEY_WRAP_SHA_256'] },
];

for (const kind of ['nss', 'softhsm'] as const) {
  const byokHome = await mkdtemp(join(tmpdir(), `byok-bench-${kind}-`));
  try {
    const { config } = await initLocalToken({ byokHome, kind });
    let start = performance.now();
    const hsm = await openHsm(config, { env: {} });
    const openMs = performance.now() - start;
    start = performance.now();
    await hsm.tokenCapabilities();
    const probeMs = performance.now() - start;
    console.log(`${kind}: openHsm ${openMs.toFixed(1)} ms, capability self-test ${probeMs.toFixed(0)} ms`);
    for (const { type, algorithms } of cases) {
      await hsm.createKey({ label: type, type });
      const available = await hsm.wrappingAlgorithms(type);
      for (const algorithm of algorithms) {
        if (!available.includes(algorithm)) {
          console.log(`  ${type.padEnd(14)} ${algorithm.padEnd(25)} not available on ${kind}`);
          continue;
        }
        for (const spec of ['RSA_2048', 'RSA_4096'] as const) {
          const pair = wrappingKeys[spec];
          const wrappingPublicKey = pair.publicKey.export({ format: 'der', type: 'spki' });
          const input = { label: type, algorithm, wrappingPublicKey };
          const wrap = await rate(() => hsm.wrapKey(input));
          const { wrappedKeyMaterial } = await hsm.wrapKey(input);
          const unwrap = await rate(() =>
            unwrapAsKms({ algorithm, wrappingPrivateKey: pair.privateKey, wrappedKeyMaterial }),
          );
          const ratio = wrap / (baseline[spec] ?? 1);
          console.log(
            `  ${type.padEnd(14)} ${algorithm.padEnd(25)} ${spec}: wrap ${fmt(wrap)} (${ratio.toFixed(2)}x baseline), KMS-side unwrap ${fmt(unwrap)}`,
          );
        }
      }
    }
    const raw = await rawOaepWrapRate(hsm, 'AES_256', wrappingKeys.RSA_2048.publicKey);
    console.log(
      `  AES_256        bare C_WrapKey OAEP-SHA1, RSA_2048 (no lookup, checks or key import): ${fmt(raw)}` +
        ' (the part of wrapKey spent in the token)',
    );
    await hsm.close();
    finalizeIdleModules();
  } finally {
    await rm(byokHome, { recursive: true, force: true });
  }
  console.log('');
}

/** C_WrapKey alone on a prepared session: what wrapKey would cost without finding the key, checking
 * its attributes and importing the KMS public key each time. */
async function rawOaepWrapRate(hsm: Pkcs11Hsm, label: string, publicKey: KeyObject): Promise<number> {
  const raw = hsm.unsafeRawAccess();
  const { pkcs11, session } = raw;
  const key = findRawKey(raw, label, pkcs11js.CKO_SECRET_KEY);
  const wrappingKey = createRawWrappingKey(raw, publicKey);
  const parameter: pkcs11js.RsaOAEP = {
    type: pkcs11js.CK_PARAMS_RSA_OAEP,
    hashAlg: pkcs11js.CKM_SHA_1,
    mgf: pkcs11js.CKG_MGF1_SHA1,
    source: 1,
  };
  const mechanism = { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter };
  try {
    return await rate(() => pkcs11.C_WrapKey(session, mechanism, wrappingKey, key, Buffer.alloc(256)));
  } finally {
    pkcs11.C_DestroyObject(session, wrappingKey);
  }
}
