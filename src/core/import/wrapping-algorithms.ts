// The KMS rules for wrapping imported key material (GetParametersForImport's compatibility check
// as recorded against AWS, test/unit/core/import/wrapping-algorithms.test.ts) and the choice byok makes
// among them: the strongest algorithm that both KMS and the token allow, SHA-256 unless SHA-1 is named.
import {
  UnsupportedWrappingAlgorithmError,
  WrappingAlgorithmNotAllowedError,
  WrappingAlgorithmUnavailableError,
} from '../hsm/errors.ts';
import { isWrappingAlgorithm, type WrappingAlgorithm } from '../hsm/port.ts';
import { WRAPPING_KEY_SPECS, type WrappingKeySpec } from './validity-limits.ts';

/** Algorithms KMS knows but byok refuses: deprecated since 2023-10-10, or China Regions only. */
const REFUSED_WRAPPING_ALGORITHMS = ['RSAES_PKCS1_V1_5', 'SM2PKE'] as const;

const RSA_KEY_SPECS = new Set(['RSA_2048', 'RSA_3072', 'RSA_4096']);
const ECC_KEY_SPECS = new Set([
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
]);
/** Private keys too long for RSA-OAEP under a 2048-bit wrapping key. */
const NOT_WITH_OAEP_2048 = new Set(['ECC_NIST_P521', 'ECC_NIST_EDWARDS25519']);
const SYMMETRIC_KEY_SPECS = new Set(['SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512']);

function isKnownKmsKeySpec(keySpec: string): boolean {
  return RSA_KEY_SPECS.has(keySpec) || ECC_KEY_SPECS.has(keySpec) || SYMMETRIC_KEY_SPECS.has(keySpec);
}

/**
 * Whether KMS accepts this wrapping algorithm and wrapping key spec for a key of this key spec.
 * RSA_AES_* wraps only asymmetric (RSA and ECC) private keys; RSAES_OAEP_* wraps everything but
 * RSA private keys, and not P-521 or Ed25519 keys under RSA_2048.
 */
export function isWrappingAllowed(
  keySpec: string,
  algorithm: WrappingAlgorithm,
  wrappingKeySpec: WrappingKeySpec,
): boolean {
  if (!isKnownKmsKeySpec(keySpec)) return false;
  const asymmetric = RSA_KEY_SPECS.has(keySpec) || ECC_KEY_SPECS.has(keySpec);
  if (algorithm.startsWith('RSA_AES_KEY_WRAP')) return asymmetric;
  if (RSA_KEY_SPECS.has(keySpec)) return false;
  return !(NOT_WITH_OAEP_2048.has(keySpec) && wrappingKeySpec === 'RSA_2048');
}

/** Every (algorithm, wrapping key spec) KMS accepts for this key spec. */
export function allowedWrappings(
  keySpec: string,
): Array<{ wrappingAlgorithm: WrappingAlgorithm; wrappingKeySpecs: WrappingKeySpec[] }> {
  const result: Array<{ wrappingAlgorithm: WrappingAlgorithm; wrappingKeySpecs: WrappingKeySpec[] }> = [];
  for (const wrappingAlgorithm of PREFERENCE) {
    const wrappingKeySpecs = WRAPPING_KEY_SPECS.filter((spec) =>
      isWrappingAllowed(keySpec, wrappingAlgorithm, spec),
    );
    if (wrappingKeySpecs.length > 0) result.push({ wrappingAlgorithm, wrappingKeySpecs });
  }
  return result;
}

/** Strongest first. One RSA-OAEP layer before the two-layer construction when both are SHA-256. */
const PREFERENCE: readonly WrappingAlgorithm[] = [
  'RSAES_OAEP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_256',
  'RSAES_OAEP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_1',
];
const SHA_256_ALGORITHMS = new Set<WrappingAlgorithm>(['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256']);

export interface WrappingChoice {
  wrappingAlgorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
}

/**
 * Picks the wrapping algorithm and wrapping key spec for an import.
 * - `requested` (the caller's --wrapping-algorithm or tag) is used if KMS and the token allow it;
 *   RSAES_PKCS1_V1_5 and SM2PKE are refused.
 * - Otherwise the strongest SHA-256 algorithm both allow; SHA-1 is never chosen unasked, and when
 *   the token can only do SHA-1 the error names the algorithm to pass.
 * - The wrapping key spec is the largest KMS allows (RSA_4096) unless one is requested.
 */
export function chooseWrappingAlgorithm(
  kmsKeySpec: string,
  tokenAlgorithms: readonly WrappingAlgorithm[],
  requested?: string,
  requestedWrappingKeySpec?: string,
): WrappingChoice {
  if (!isKnownKmsKeySpec(kmsKeySpec)) {
    throw new WrappingAlgorithmNotAllowedError(
      `byok cannot import material for KMS key spec ${kmsKeySpec}`,
      requested ?? '',
      kmsKeySpec,
      { hint: 'Supported: SYMMETRIC_DEFAULT, HMAC_224..512, RSA_2048..4096, ECC_NIST_P256..P521.' },
    );
  }
  const wrappingKeySpec = parseWrappingKeySpec(requestedWrappingKeySpec);
  if (requested !== undefined) {
    const algorithm = parseRequestedAlgorithm(requested);
    const specs = wrappingKeySpec ? [wrappingKeySpec] : [...WRAPPING_KEY_SPECS].reverse();
    const allowedSpec = specs.find((spec) => isWrappingAllowed(kmsKeySpec, algorithm, spec));
    if (!allowedSpec) {
      const allowed = allowedWrappings(kmsKeySpec).map((w) => w.wrappingAlgorithm);
      throw new WrappingAlgorithmNotAllowedError(
        `Wrapping algorithm ${algorithm}${wrappingKeySpec ? ` and wrapping key spec ${wrappingKeySpec}` : ''} cannot be used to import a ${kmsKeySpec} key`,
        algorithm,
        kmsKeySpec,
        { hint: `KMS allows for ${kmsKeySpec}: ${allowed.join(', ')}.` },
      );
    }
    if (!tokenAlgorithms.includes(algorithm)) {
      throw new WrappingAlgorithmUnavailableError(
        `the HSM token cannot produce ${algorithm} for a ${kmsKeySpec} key`,
        algorithm,
        tokenAlgorithms,
        { hint: hintFor(kmsKeySpec, tokenAlgorithms) },
      );
    }
    return { wrappingAlgorithm: algorithm, wrappingKeySpec: allowedSpec };
  }
  for (const algorithm of PREFERENCE) {
    if (!SHA_256_ALGORITHMS.has(algorithm) || !tokenAlgorithms.includes(algorithm)) continue;
    const specs = wrappingKeySpec ? [wrappingKeySpec] : [...WRAPPING_KEY_SPECS].reverse();
    const allowedSpec = specs.find((spec) => isWrappingAllowed(kmsKeySpec, algorithm, spec));
    if (allowedSpec) return { wrappingAlgorithm: algorithm, wrappingKeySpec: allowedSpec };
  }
  const sha1 = PREFERENCE.filter(
    (algorithm) =>
      !SHA_256_ALGORITHMS.has(algorithm) &&
      tokenAlgorithms.includes(algorithm) &&
      WRAPPING_KEY_SPECS.some((spec) => isWrappingAllowed(kmsKeySpec, algorithm, spec)),
  );
  const [firstSha1] = sha1;
  if (firstSha1) {
    throw new WrappingAlgorithmUnavailableError(
      `the HSM token cannot wrap a ${kmsKeySpec} key with SHA-256; byok uses SHA-1 only when you name it`,
      undefined,
      tokenAlgorithms,
      {
        hint: `Pass --wrapping-algorithm ${firstSha1} to accept SHA-1, or use a token that does SHA-256 (NSS).`,
      },
    );
  }
  throw new WrappingAlgorithmUnavailableError(
    `no wrapping algorithm both KMS and the HSM token allow for a ${kmsKeySpec} key`,
    undefined,
    tokenAlgorithms,
    { hint: hintFor(kmsKeySpec, tokenAlgorithms) },
  );
}

function hintFor(kmsKeySpec: string, tokenAlgorithms: readonly WrappingAlgorithm[]): string {
  const usable = allowedWrappings(kmsKeySpec)
    .map((w) => w.wrappingAlgorithm)
    .filter((algorithm) => tokenAlgorithms.includes(algorithm));
  if (usable.length > 0) return `Pass --wrapping-algorithm ${usable[0]} (the token and KMS both allow it).`;
  const allowed = allowedWrappings(kmsKeySpec).map((w) => w.wrappingAlgorithm);
  return `KMS allows ${allowed.join(', ')} for ${kmsKeySpec}; the token can produce ${
    tokenAlgorithms.length > 0 ? tokenAlgorithms.join(', ') : 'none of them'
  }. A token with SHA-256 RSA-OAEP and exact RFC 5649 (e.g. NSS) can do all.`;
}

function parseRequestedAlgorithm(requested: string): WrappingAlgorithm {
  if ((REFUSED_WRAPPING_ALGORITHMS as readonly string[]).includes(requested)) {
    throw new UnsupportedWrappingAlgorithmError(
      requested === 'SM2PKE'
        ? 'wrapping algorithm SM2PKE is refused: it exists only in AWS China Regions and byok does not support it'
        : 'wrapping algorithm RSAES_PKCS1_V1_5 is refused: KMS deprecated it in October 2023 (PKCS#1 v1.5 padding is not safe)',
      requested,
      { hint: 'Use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256.' },
    );
  }
  if (!isWrappingAlgorithm(requested)) {
    throw new UnsupportedWrappingAlgorithmError(`unknown wrapping algorithm "${requested}"`, requested, {
      hint: 'One of RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_256, RSAES_OAEP_SHA_1, RSA_AES_KEY_WRAP_SHA_1.',
    });
  }
  return requested;
}

function parseWrappingKeySpec(requested: string | undefined): WrappingKeySpec | undefined {
  if (requested === undefined) return undefined;
  if ((WRAPPING_KEY_SPECS as readonly string[]).includes(requested)) return requested as WrappingKeySpec;
  throw new UnsupportedWrappingAlgorithmError(`unknown wrapping key spec "${requested}"`, requested, {
    hint: 'One of RSA_2048, RSA_3072, RSA_4096 (SM2 is China Regions only and refused).',
  });
}

/**
 * The warning a command prints after an import wrapped with SHA-1 (byok uses SHA-1 only when it is
 * named, by the request or by the key's tag): said on the terminal by default, not only in the
 * WARN log entry that GetParametersForImport writes.
 */
export function sha1Disclosure(algorithm: string, namedBy: string): string | undefined {
  if (!algorithm.endsWith('_SHA_1')) return undefined;
  return `warning: this import was wrapped with ${algorithm} (SHA-1) because ${namedBy} named it; prefer RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256 where the HSM supports it`;
}
