// Which HSM key holds a KMS key material, recorded where KMS keeps it with the material itself:
// ImportKeyMaterial's KeyMaterialDescription. After a rotation a key holds several materials, each
// from its own HSM key, and every one must be reimported from the right HSM key before it expires;
// the tags name one HSM key only. The format is `byok:hsm-key:<label>` (KMS allows only
// `[a-zA-Z0-9:/_\s.-]` in descriptions, so `=` cannot be used); a label with other characters is
// recorded hex-encoded as `byok:hsm-key-hex:<hex of its UTF-8>`. The rotation workflow writes the
// same description for the material it creates, so the sweep finds every material's HSM key.
import { KeyMaterialDescriptionError } from './errors.ts';

const PREFIX = 'byok:hsm-key:';
const HEX_PREFIX = 'byok:hsm-key-hex:';
const KMS_DESCRIPTION_PATTERN = /^[a-zA-Z0-9:/_\s.-]+$/;
const MAX_DESCRIPTION_LENGTH = 256;

/** The KeyMaterialDescription recording that HSM key `label` holds the material. */
export function describeHsmKey(label: string): string {
  const plain = `${PREFIX}${label}`;
  if (KMS_DESCRIPTION_PATTERN.test(label) && label.trim() === label) {
    if (plain.length <= MAX_DESCRIPTION_LENGTH) return plain;
  }
  const encoded = `${HEX_PREFIX}${Buffer.from(label, 'utf8').toString('hex')}`;
  if (encoded.length > MAX_DESCRIPTION_LENGTH) throw new KeyMaterialDescriptionError(label);
  return encoded;
}

/** The HSM key label a description records, or undefined when it is not byok's (or absent). */
export function hsmKeyLabelFromDescription(description: string | undefined): string | undefined {
  if (!description) return undefined;
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
