// Whether an HSM key under the rotation's label is one this very request made inside the token.
// CreateRotationMaterial reuses an existing key (a retried step finds the key its first attempt
// made) only with that proof; otherwise a key planted under `<label>-r<seq>-<request8>` with known
// plaintext would be approved and imported as "new" material.
//
// The proof, from attributes the token sets itself (PKCS#11 makes CKA_LOCAL and
// CKA_ALWAYS_SENSITIVE read-only; SoftHSM2 refuses them in a template with CKR_ATTRIBUTE_READ_ONLY):
//  - CKA_LOCAL true: generated inside the token (C_GenerateKey), not imported or unwrapped;
//  - CKA_SENSITIVE and CKA_ALWAYS_SENSITIVE true: its value was never readable;
//  - CKA_ID the request's own id (`byok:AES_256:rotation-<request id>`), written at generation.
// CKA_NEVER_EXTRACTABLE cannot be asked for: the key must stay extractable to be wrapped for KMS.
// Measured: SoftHSM2 2.6.1 reports all of these faithfully (an imported key: CKA_LOCAL false; a key
// generated readable, then made sensitive: CKA_ALWAYS_SENSITIVE false). NSS softoken 3.87 reports
// CKA_LOCAL false even for keys it generated (and CKA_ALWAYS_SENSITIVE true beside CKA_SENSITIVE
// false), so on NSS nothing is ever proven and an existing key is never reused: the rotation fails
// by name and a new request starts over.
import type { HsmKeyInfo } from '../hsm/port.ts';
import { RotationMaterialNotProvenError } from './errors.ts';

/** The CKA_ID of the key a rotation request makes (its type first, as every byok CKA_ID). */
export function rotationHsmKeyId(requestId: string): string {
  return `byok:AES_256:rotation-${requestId}`;
}

/** Why `info` is not provably this request's own key; empty when it is. */
function provenanceProblems(info: HsmKeyInfo, requestId: string): string[] {
  const problems: string[] = [];
  if (info.type !== 'AES_256') problems.push(`it is ${info.type}, not AES_256`);
  if (info.local !== true)
    problems.push('the token does not report it as generated inside the token (CKA_LOCAL)');
  if (!info.sensitive || !info.alwaysSensitive) {
    problems.push('its value was readable at some time (CKA_SENSITIVE / CKA_ALWAYS_SENSITIVE)');
  }
  if (info.id !== rotationHsmKeyId(requestId)) problems.push('its CKA_ID is not bound to this request');
  return problems;
}

/** Throws RotationMaterialNotProvenError unless `info` is provably the key this request made. */
export function assertMadeForRequest(info: HsmKeyInfo, requestId: string): void {
  const problems = provenanceProblems(info, requestId);
  if (problems.length > 0) throw new RotationMaterialNotProvenError(info.label, info.token, problems);
}
