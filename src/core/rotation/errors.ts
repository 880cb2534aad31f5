// Named errors of the rotation workflow (statemachines/rotate-key-material.asl.json). Each name is
// what the ASL's Catch sees and what the rotation's failure event and the CLI print.
import { ByokError, type ByokErrorOptions } from '../shared/errors.ts';

import { quoteUntrusted } from '../shared/text.ts';

/** Base class: the rotation refused or stopped on purpose. */
export class RotationError extends ByokError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'RotationError';
  }
}

/** The execution input does not match the rotation's contract. */
export class InvalidRotationInputError extends RotationError {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid rotation input: ${issues.join('; ')}`);
    this.name = 'InvalidRotationInputError';
    this.issues = issues;
  }
}

/**
 * No approval request recorded by the authenticated approvals API serves this execution: a
 * direct StartExecution with a made-up request (or requester) rotates nothing.
 */
export class RotationRequestNotRecordedError extends RotationError {
  constructor(requestId: string, reason: string, options?: ErrorOptions) {
    super(`no approval request ${requestId} recorded by the approvals API for this rotation: ${reason}`, {
      ...options,
      hint: 'ask for a rotation with `byok rotate` (the approvals API records who asked)',
    });
    this.name = 'RotationRequestNotRecordedError';
  }
}

/** The key cannot be rotated by byok (not symmetric, not EXTERNAL, not managed, not Enabled...). */
export class KeyNotRotatableError extends RotationError {
  readonly keyId: string;
  constructor(keyId: string, reason: string, options?: ErrorOptions) {
    super(`key ${keyId} cannot be rotated by byok: ${reason}`, options);
    this.name = 'KeyNotRotatableError';
    this.keyId = keyId;
  }
}

/** KMS allows 25 on-demand rotations per key; this key has used them. */
export class RotationLimitReachedError extends RotationError {
  constructor(keyId: string, rotations: number, limit: number) {
    super(`key ${keyId} has been rotated on demand ${rotations} times; KMS allows ${limit}`);
    this.name = 'RotationLimitReachedError';
  }
}

/** A rotation is already in progress, or new material is waiting to be rotated in. */
export class RotationPendingError extends RotationError {
  constructor(keyId: string, reason: string) {
    super(`key ${keyId} already has a rotation pending: ${reason}`);
    this.name = 'RotationPendingError';
  }
}

/** The rotation did not complete within the workflow's bounded wait. */
export class RotationIncompleteError extends RotationError {
  constructor(keyId: string, attempts: number) {
    super(`key ${keyId}: the rotation was not complete after ${attempts} checks`);
    this.name = 'RotationIncompleteError';
  }
}

/** A check after the rotation failed (which one is in the message). */
export class RotationVerificationFailedError extends RotationError {
  readonly check: string;
  constructor(check: string, detail: string) {
    super(`rotation verification failed (${check}): ${detail}`);
    this.name = 'RotationVerificationFailedError';
    this.check = check;
  }
}

/** A rotation step needs the approvals store and the run has none (no table configured). */
export class ApprovalsStoreUnavailableError extends RotationError {
  constructor(step: string) {
    super(`${step} needs the approvals store, and none is configured`, {
      hint: 'set BYOK_APPROVALS_TABLE (deployed) or run with the local stack, which serves one',
    });
    this.name = 'ApprovalsStoreUnavailableError';
  }
}

/**
 * RetireRotationMaterial refuses: KMS lists a material of the key, in one of its Regions, that came
 * from the HSM key the task would destroy (it is, or was, imported: destroying it would lose the
 * material at its ValidTo).
 */
export class RotationMaterialInUseError extends RotationError {
  readonly hsmKeyLabel: string;
  readonly keyId: string;
  constructor(
    hsmKeyLabel: string,
    keyArn: string,
    keyMaterialId: string | undefined,
    state: string | undefined,
  ) {
    super(
      `HSM key "${quoteUntrusted(hsmKeyLabel, 128)}" holds material ${keyMaterialId ?? '(no id)'} of ${keyArn}` +
        ` (${state ?? 'state unknown'}): nothing was destroyed`,
      {
        hint: 'the HSM key is in use by KMS; it must stay in the HSM (the sweep reimports it before ValidTo)',
      },
    );
    this.name = 'RotationMaterialInUseError';
    this.hsmKeyLabel = hsmKeyLabel;
    this.keyId = keyArn;
  }
}

/**
 * RetireRotationMaterial refuses: KMS does not prove that the HSM key was never imported in any
 * Region of the key (a material of unknown origin, a description that cannot be trusted, or KMS
 * could not be read). Without a proof, nothing is destroyed.
 */
export class RotationMaterialUnprovenError extends RotationError {
  readonly hsmKeyLabel: string;
  readonly keyId: string;
  constructor(hsmKeyLabel: string, keyId: string, reason: string, options?: ErrorOptions) {
    super(
      `cannot prove that HSM key "${quoteUntrusted(hsmKeyLabel, 128)}" was never imported into ${keyId}: ${reason}; nothing was destroyed`,
      {
        ...options,
        hint: 'check the key materials (aws kms list-key-rotations --include-key-material ALL_KEY_MATERIAL) in every Region; destroy the HSM key by hand only once none came from it',
      },
    );
    this.name = 'RotationMaterialUnprovenError';
    this.hsmKeyLabel = hsmKeyLabel;
    this.keyId = keyId;
  }
}

/**
 * A key already sits under the rotation's new label and the token cannot prove this request made
 * it inside the token: it may hold known plaintext (planted), so it is never used as new material.
 */
export class RotationMaterialNotProvenError extends RotationError {
  readonly hsmKeyLabel: string;
  readonly problems: string[];
  constructor(hsmKeyLabel: string, tokenLabel: string, problems: string[], options?: ErrorOptions) {
    super(
      `HSM key "${quoteUntrusted(hsmKeyLabel, 128)}" in token "${tokenLabel}" already exists and is not provably the key this rotation request made: ${problems.join('; ')}`,
      {
        ...options,
        hint: 'nothing was approved or imported; remove the key from the token if nobody can account for it, then ask for a new rotation with `byok rotate`',
      },
    );
    this.name = 'RotationMaterialNotProvenError';
    this.hsmKeyLabel = hsmKeyLabel;
    this.problems = problems;
  }
}
