// Which HSM key holds a KMS key material, recorded where KMS keeps it with the material itself:
// ImportKeyMaterial's KeyMaterialDescription. After a rotation a key holds several materials, each
// from its own HSM key, and every one must be reimported from the right HSM key before it expires;
// the tags name one HSM key only. The format is `byok:hsm-key:<label>` (KMS allows only
// `[a-zA-Z0-9:/_\s.-]` in descriptions, so `=` cannot be used); a label with other characters is
// recorded hex-encoded as `byok:hsm-key-hex:<hex of its UTF-8>`. The rotation workflow writes the
// same description for the material it creates, so the sweep finds every material's HSM key.
// An AES material also records its key check value (KCV: the first 3 bytes of AES-ECB(K, 0^128),
// public evidence the HSM gave when wrapping) in front: `byok:kcv:<6 hex>:hsm-key:<label>`, so a
// custodian can compare each material KMS holds with the HSM's KCV (`byok hsm list`).
import { KeyMaterialDescriptionError } from './errors.ts';

const PREFIX = 'byok:hsm-key:';
const HEX_PREFIX = 'byok:hsm-key-hex:';
const KMS_DESCRIPTION_PATTERN = /^[a-zA-Z0-9:/_\s.-]+$/;
const MAX_DESCRIPTION_LENGTH = 256;

const CHECK_VALUE = /^[0-9a-f]{6}$/;
/** `byok:kcv:<kcv>:` in front of `hsm-key:…` / `hsm-key-hex:…`. */
const CHECK_VALUE_PREFIX = /^byok:kcv:([0-9a-f]{6}):(hsm-key(?:-hex)?:)/;

/**
 * The KeyMaterialDescription recording that HSM key `label` holds the material, with its check
 * value in front when one is given (and the whole still fits KMS's 256 characters).
 */
export function describeHsmKey(label: string, checkValue?: string): string {
  const described = describeLabel(label);
  const kcv = checkValue?.toLowerCase();
  if (!kcv || !CHECK_VALUE.test(kcv)) return described;
  const withCheckValue = `byok:kcv:${kcv}:${described.slice('byok:'.length)}`;
  return withCheckValue.length <= MAX_DESCRIPTION_LENGTH ? withCheckValue : described;
}

function describeLabel(label: string): string {
  const plain = `${PREFIX}${label}`;
  if (KMS_DESCRIPTION_PATTERN.test(label) && label.trim() === label) {
    if (plain.length <= MAX_DESCRIPTION_LENGTH) return plain;
  }
  const encoded = `${HEX_PREFIX}${Buffer.from(label, 'utf8').toString('hex')}`;
  if (encoded.length > MAX_DESCRIPTION_LENGTH) throw new KeyMaterialDescriptionError(label);
  return encoded;
}

/** The key check value a description records, or undefined. */
export function checkValueFromDescription(description: string | undefined): string | undefined {
  return description ? CHECK_VALUE_PREFIX.exec(description)?.[1] : undefined;
}

/** The HSM key label a description records, or undefined when it is not byok's (or absent). */
export function hsmKeyLabelFromDescription(recorded: string | undefined): string | undefined {
  if (!recorded) return undefined;
  // Without the check value in front, the description is the label's own form.
  const description = recorded.replace(CHECK_VALUE_PREFIX, 'byok:$2');
  if (description.startsWith(HEX_PREFIX)) {
    const hex = description.slice(HEX_PREFIX.length);
    if (!/^(?:[0-9a-f]{2})+$/.test(hex)) return undefined;
    return Buffer.from(hex, 'hex').toString('utf8');
  }
  if (description.startsWith(PREFIX)) {
    const label = description.slice(PREFIX.length);
    return label.length > 0 ? label : undefined;
  }
  return undefined;
}
