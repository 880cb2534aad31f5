// KMS's limits on an import request that byok checks before it sends one: how long imported
// material may stay valid and which RSA wrapping keys GetParametersForImport offers. Defined once
// here, without dependencies, so the CLI's option parsers, the zod contracts and the expiry policy
// all read the same numbers and parsing options does not load the schemas.

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** The shortest validity byok requests, in whole days. */
export const MIN_VALID_FOR_DAYS = 1;

/** The longest validity KMS accepts: ValidTo at most 365 days ahead. */
export const MAX_VALID_FOR_DAYS = 365;

/** The RSA wrapping key specs KMS offers for importing into a symmetric, HMAC, RSA or ECC key. */
export const WRAPPING_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const;
export type WrappingKeySpec = (typeof WRAPPING_KEY_SPECS)[number];
