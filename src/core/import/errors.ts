// The import workflow's named errors. Each surfaces in the state machine under its class name (the
// Lambda error type), so the ASL's Retry/Catch and the failure event name what went wrong. Messages
// are written for the person running the import and never contain key material.

import { ByokError, type ByokErrorOptions } from '../shared/errors.ts';
import { escapeUnprintable } from '../shared/text.ts';
import { TAG_MANAGED, TAG_MANAGED_VALUE } from './tags.ts';

/** Base class: anything the import workflow rejects on purpose. */
export class ImportError extends ByokError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'ImportError';
  }
}

/** The execution input (or a state's input) does not match its schema. */
export class InvalidImportInputError extends ImportError {
  readonly issues: string[];
  constructor(issues: string[], options?: ByokErrorOptions) {
    super(`invalid import input: ${issues.join('; ')}`, options);
    this.name = 'InvalidImportInputError';
    this.issues = issues;
  }
}

/** KMS import operations take a key id or key ARN; an alias could silently move to another key. */
export class AliasNotAcceptedError extends ImportError {
  readonly keyId: string;
  constructor(keyId: string, options?: ErrorOptions) {
    super(`"${escapeUnprintable(keyId)}" is an alias; importing key material needs the key id or key ARN`, {
      ...options,
      hint: 'resolve the alias first, e.g. aws kms describe-key --key-id <alias> --query KeyMetadata.Arn',
    });
    this.name = 'AliasNotAcceptedError';
    this.keyId = keyId;
  }
}

export class KmsKeyNotFoundError extends ImportError {
  readonly keyId: string;
  constructor(keyId: string, options?: ErrorOptions) {
    super(`KMS key ${keyId} does not exist in this account and Region`, options);
    this.name = 'KmsKeyNotFoundError';
    this.keyId = keyId;
  }
}

/**
 * The key lacks byok:managed=true. byok only touches keys it manages: the deployed stack's IAM
 * allows KMS calls on tagged keys only, and a local or on-prem run refuses the same keys, so a
 * workflow that passes locally does not fail on AWS with AccessDenied.
 */
export class KeyNotManagedError extends ImportError {
  readonly keyId: string;
  constructor(keyId: string, options?: ErrorOptions) {
    super(`KMS key ${keyId} is not managed by byok: it has no ${TAG_MANAGED}=${TAG_MANAGED_VALUE} tag`, {
      ...options,
      hint: `only the bindings administrators may set byok:* tags: one creates a managed EXTERNAL key bound to the HSM key with \`byok key create --hsm-key <label> --key-spec <spec>\`, or tags this key ${TAG_MANAGED}=${TAG_MANAGED_VALUE} and binds the HSM key to it with \`byok bindings add --hsm-key <label> --key-id ${keyId}\``,
    });
    this.name = 'KeyNotManagedError';
    this.keyId = keyId;
  }
}

export class KeyOriginNotExternalError extends ImportError {
  readonly keyId: string;
  readonly origin: string;
  constructor(keyId: string, origin: string, options?: ErrorOptions) {
    super(
      `KMS key ${keyId} has origin ${origin}; only keys created with origin EXTERNAL accept imported material`,
      {
        ...options,
        hint: 'only a key with origin EXTERNAL holds imported material; a bindings administrator creates one, tagged and bound to the HSM key, with `byok key create --hsm-key <label> --key-spec <spec>`',
      },
    );
    this.name = 'KeyOriginNotExternalError';
    this.keyId = keyId;
    this.origin = origin;
  }
}

export class KeyPendingDeletionError extends ImportError {
  readonly keyId: string;
  constructor(keyId: string, options?: ErrorOptions) {
    super(`KMS key ${keyId} is pending deletion; cancel the deletion before importing`, {
      ...options,
      hint: 'aws kms cancel-key-deletion --key-id <key>',
    });
    this.name = 'KeyPendingDeletionError';
    this.keyId = keyId;
  }
}

/** The KMS key is in a state in which it cannot take imported material (e.g. Disabled). */
export class KeyStateNotImportableError extends ImportError {
  readonly keyId: string;
  readonly keyState: string;
  constructor(keyId: string, keyState: string, options?: ErrorOptions) {
    super(`KMS key ${keyId} is ${keyState}; import needs it Enabled or PendingImport`, options);
    this.name = 'KeyStateNotImportableError';
    this.keyId = keyId;
    this.keyState = keyState;
  }
}

/** The KMS key spec has no HSM counterpart byok can import (e.g. SM2, ECC_SECG_P256K1). */
export class UnsupportedKeySpecError extends ImportError {
  readonly keySpec: string;
  constructor(keySpec: string, options?: ErrorOptions) {
    super(`KMS key spec ${keySpec} is not supported by byok`, options);
    this.name = 'UnsupportedKeySpecError';
    this.keySpec = keySpec;
  }
}

/** The HSM key's type does not match the KMS key's spec (e.g. an AES key for an HMAC_256 KMS key). */
export class KeySpecMismatchError extends ImportError {
  readonly keySpec: string;
  readonly hsmKeyType: string;
  constructor(keySpec: string, hsmKeyLabel: string, hsmKeyType: string, options?: ErrorOptions) {
    super(
      `HSM key "${hsmKeyLabel}" is ${hsmKeyType}, but the KMS key spec ${keySpec} needs ${expectedHsmKeyTypeText(keySpec)}`,
      options,
    );
    this.name = 'KeySpecMismatchError';
    this.keySpec = keySpec;
    this.hsmKeyType = hsmKeyType;
  }
}

function expectedHsmKeyTypeText(keySpec: string): string {
  return keySpec === 'SYMMETRIC_DEFAULT' ? 'AES_256' : keySpec;
}

/** Neither the input nor the key's byok:hsm-key-label tag names the HSM key. */
export class HsmKeyLabelMissingError extends ImportError {
  readonly keyId: string;
  constructor(keyId: string, options?: ErrorOptions) {
    super(
      `no HSM key label for KMS key ${keyId}: pass hsmKeyLabel or tag the key with byok:hsm-key-label`,
      options,
    );
    this.name = 'HsmKeyLabelMissingError';
    this.keyId = keyId;
  }
}

/** The requested or computed ValidTo is not in the future or more than 365 days ahead. */
export class ValidToOutOfRangeError extends ImportError {
  readonly validTo: string;
  constructor(validTo: string, reason: string, options?: ErrorOptions) {
    super(`ValidTo ${validTo} is out of range: ${reason}`, options);
    this.name = 'ValidToOutOfRangeError';
    this.validTo = validTo;
  }
}

/** A tag byok reads for defaults holds a value byok cannot use. */
export class InvalidKeyTagError extends ImportError {
  readonly tagKey: string;
  constructor(tagKey: string, value: string, expected: string, options?: ErrorOptions) {
    super(`tag ${tagKey}="${escapeUnprintable(value)}" is invalid: expected ${expected}`, options);
    this.name = 'InvalidKeyTagError';
    this.tagKey = tagKey;
  }
}

/** The key material in KMS could not be shown to be the HSM's key. */
export class VerificationFailedError extends ImportError {
  readonly keyId: string;
  readonly check: string;
  constructor(keyId: string, check: string, detail: string, options?: ErrorOptions) {
    super(`verification of KMS key ${keyId} failed (${check}): ${detail}`, options);
    this.name = 'VerificationFailedError';
    this.keyId = keyId;
    this.check = check;
  }
}

/** The token cannot produce the wrapping algorithm step 1 asked KMS for. */
export class WrappingAlgorithmNotInTokenError extends ImportError {
  readonly algorithm: string;
  readonly available: readonly string[];
  constructor(
    algorithm: string,
    tokenLabel: string,
    hsmKeyType: string,
    available: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `token "${tokenLabel}" cannot wrap a ${hsmKeyType} key with ${algorithm} (it can: ${available.length > 0 ? available.join(', ') : 'none'})`,
      {
        ...options,
        hint: 'pass wrappingAlgorithm, or tag the KMS key with byok:wrapping-algorithm, naming one the token can do',
      },
    );
    this.name = 'WrappingAlgorithmNotInTokenError';
    this.algorithm = algorithm;
    this.available = available;
  }
}

/** KMS answered without a field the workflow needs (a KMS-compatible endpoint that is not quite). */
export class UnexpectedKmsResponseError extends ImportError {
  readonly operation: string;
  constructor(operation: string, missing: string, options?: ErrorOptions) {
    super(`${operation} answered without ${missing}`, options);
    this.name = 'UnexpectedKmsResponseError';
    this.operation = operation;
  }
}

/** An HSM key label too long to record in a KeyMaterialDescription (256 characters), even hex-encoded. */
export class KeyMaterialDescriptionError extends ImportError {
  readonly hsmKeyLabel: string;
  constructor(hsmKeyLabel: string, options?: ErrorOptions) {
    super(
      `the HSM key label "${escapeUnprintable(hsmKeyLabel)}" cannot be recorded in a KMS key material description (at most 256 characters)`,
      { ...options, hint: 'use a shorter HSM key label' },
    );
    this.name = 'KeyMaterialDescriptionError';
    this.hsmKeyLabel = hsmKeyLabel;
  }
}

/**
 * A key holding several materials where none is recorded as held by the HSM key asked for: reimporting
 * would guess which material the HSM key is, so the import stops instead.
 */
export class KeyMaterialNotIdentifiedError extends ImportError {
  readonly keyId: string;
  constructor(keyId: string, hsmKeyLabel: string, materials: number, options?: ErrorOptions) {
    super(
      `KMS key ${keyId} holds ${materials} key materials and none is recorded as held by HSM key "${escapeUnprintable(hsmKeyLabel)}"`,
      { ...options, hint: 'pass keyMaterialId (see byok status) to say which material to reimport' },
    );
    this.name = 'KeyMaterialNotIdentifiedError';
    this.keyId = keyId;
  }
}

/** The KeyMaterialId named for an import is not one of the key's materials. */
export class KeyMaterialNotFoundError extends ImportError {
  readonly keyId: string;
  readonly keyMaterialId: string;
  constructor(keyId: string, keyMaterialId: string, options?: ErrorOptions) {
    super(`KMS key ${keyId} has no key material ${keyMaterialId}`, options);
    this.name = 'KeyMaterialNotFoundError';
    this.keyId = keyId;
    this.keyMaterialId = keyMaterialId;
  }
}
