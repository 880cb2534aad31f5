// The bindings' named errors. HsmKeyNotBoundError surfaces in the import workflow under its class
// name (the Lambda error type): the ASL's Catch publishes it as a failure event, which the alert
// rule sends to the operators. Messages quote labels escaped and cut, and name the command an
// administrator runs to record the binding, because the state machine carries only the message.
import { ByokError, type ByokErrorOptions } from '../shared/errors.ts';
import { quoteUntrusted } from '../shared/text.ts';

/** Base class: anything the bindings refuse on purpose. */
export class BindingsError extends ByokError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'BindingsError';
  }
}

/** The command that records the binding of `hsmKeyLabel` to `keyArn` (for messages and hints). */
export function bindingsAddCommand(hsmKeyLabel: string, keyArn: string, endpoint?: string): string {
  const label = /^[A-Za-z0-9._:/@+=-]+$/.test(hsmKeyLabel)
    ? hsmKeyLabel
    : `'${quoteUntrusted(hsmKeyLabel, 128).replaceAll("'", "'\\''")}'`;
  return `byok bindings add --hsm-key ${label} --key-id ${keyArn}${endpoint ? ` --endpoint ${endpoint}` : ''}`;
}

/**
 * No administrator bound this HSM key to this KMS key. The KMS key's tags name an HSM key, but
 * anyone who may tag a key could name any HSM key: only a binding in the administrators' store
 * (`byok bindings add`) lets byok import the HSM key's material into the KMS key.
 */
export class HsmKeyNotBoundError extends BindingsError {
  readonly hsmKeyLabel: string;
  readonly keyArn: string;
  /** The KMS key the HSM key is bound to, when it is bound to another one. */
  readonly boundTo: string | undefined;
  constructor(hsmKeyLabel: string, keyArn: string, boundTo?: string, options?: ErrorOptions) {
    const label = quoteUntrusted(hsmKeyLabel, 128);
    const command = bindingsAddCommand(hsmKeyLabel, keyArn);
    super(
      boundTo
        ? `HSM key "${label}" is bound to KMS key ${boundTo}, not to ${keyArn}; nothing was imported (one HSM key goes into one KMS key; to move it, an administrator runs byok bindings remove --hsm-key ${label} --key-id ${boundTo}, then ${command})`
        : `HSM key "${label}" is not bound to KMS key ${keyArn}; nothing was imported (an administrator records the binding with: ${command})`,
      {
        ...options,
        hint: boundTo
          ? `an HSM key is bound to one KMS key; if ${keyArn} should hold it instead, an administrator runs byok bindings remove --hsm-key ${label} --key-id ${boundTo}, then ${command}`
          : `an administrator records the binding with: ${command}`,
      },
    );
    this.name = 'HsmKeyNotBoundError';
    this.hsmKeyLabel = hsmKeyLabel;
    this.keyArn = keyArn;
    this.boundTo = boundTo;
  }
}

/** `byok bindings add` for an HSM key that is already bound to another KMS key. */
export class HsmKeyAlreadyBoundError extends BindingsError {
  readonly hsmKeyLabel: string;
  readonly boundTo: string;
  constructor(hsmKeyLabel: string, boundTo: string, requested: string, options?: ErrorOptions) {
    const label = quoteUntrusted(hsmKeyLabel, 128);
    super(
      `HSM key "${label}" is already bound to KMS key ${boundTo}; one HSM key goes into one KMS key (two keys with the same material would make the same MACs and signatures), so it cannot also be bound to ${requested}`,
      {
        ...options,
        hint: `to move it, first: byok bindings remove --hsm-key ${label} --key-id ${boundTo}`,
      },
    );
    this.name = 'HsmKeyAlreadyBoundError';
    this.hsmKeyLabel = hsmKeyLabel;
    this.boundTo = boundTo;
  }
}

/** `byok bindings remove` of a binding that is not recorded. */
export class BindingNotFoundError extends BindingsError {
  constructor(hsmKeyLabel: string, keyArn: string, boundTo?: string, options?: ErrorOptions) {
    const label = quoteUntrusted(hsmKeyLabel, 128);
    super(
      boundTo
        ? `HSM key "${label}" is bound to ${boundTo}, not to ${keyArn}; nothing was removed`
        : `HSM key "${label}" is not bound to any KMS key; nothing was removed`,
      { ...options, hint: 'see the recorded bindings with: byok bindings list' },
    );
    this.name = 'BindingNotFoundError';
  }
}

/** A binding's label or key does not fit (an alias, a label with control characters, ...). */
export class InvalidBindingError extends BindingsError {
  constructor(message: string, options?: ErrorOptions & { hint?: string }) {
    super(message, options);
    this.name = 'InvalidBindingError';
  }
}

/** The KMS key named for a binding cannot hold imported material from byok. */
export class BindingKeyNotEligibleError extends BindingsError {
  readonly keyId: string;
  constructor(keyId: string, why: string, options?: ErrorOptions & { hint?: string }) {
    super(`KMS key ${keyId} cannot be bound: ${why}`, options);
    this.name = 'BindingKeyNotEligibleError';
    this.keyId = keyId;
  }
}

/** The store could not be read or written (table missing, access denied, local stack gone). */
export class BindingsStoreUnavailableError extends BindingsError {
  constructor(message: string, options?: ErrorOptions & { hint?: string }) {
    super(message, options);
    this.name = 'BindingsStoreUnavailableError';
  }
}

/** What the store holds does not fit its schema: refused whole, never half read. */
export class BindingsStoreCorruptError extends BindingsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BindingsStoreCorruptError';
  }
}
