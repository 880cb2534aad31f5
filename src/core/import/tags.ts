// How a KMS key describes itself to byok: KMS tags on the key. The import workflow reads them for
// defaults (so a scheduled run needs only the key id); the sweep finds managed keys by them.
export const TAG_MANAGED = 'byok:managed';
export const TAG_MANAGED_VALUE = 'true';
/** Label of the HSM key that holds the master copy of the material. */
export const TAG_HSM_KEY_LABEL = 'byok:hsm-key-label';
/** Validity to request on each (re)import, in whole days (1..365), or `none` for no expiry. */
export const TAG_VALID_FOR_DAYS = 'byok:valid-for-days';
/** Optional: the wrapping algorithm to request (default: the strongest the KMS key and token allow). */
export const TAG_WRAPPING_ALGORITHM = 'byok:wrapping-algorithm';
/** Rotation approvals: how many distinct approvers (1..5, default 1) a rotation of this key needs. */
export const TAG_APPROVALS_REQUIRED = 'byok:approvals-required';
