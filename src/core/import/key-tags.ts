// Reads the byok tags of a KMS key into import defaults, so a scheduled run needs only the key id.
import type { Tag } from '@aws-sdk/client-kms';
import type { WrappingAlgorithm } from '../hsm/port.ts';
import { isPrintableText } from '../shared/text.ts';
import { WrappingAlgorithmSchema } from './contracts.ts';
import { InvalidKeyTagError } from './errors.ts';
import {
  TAG_HSM_KEY_LABEL,
  TAG_MANAGED,
  TAG_MANAGED_VALUE,
  TAG_VALID_FOR_DAYS,
  TAG_WRAPPING_ALGORITHM,
} from './tags.ts';
import { MAX_VALID_FOR_DAYS, MIN_VALID_FOR_DAYS } from './validity-limits.ts';

export interface KeyTagDefaults {
  /** byok:managed=true: byok may import into this key (the deployed IAM allows nothing else). */
  managed: boolean;
  hsmKeyLabel?: string | undefined;
  validForDays?: number | 'none' | undefined;
  wrappingAlgorithm?: WrappingAlgorithm | undefined;
}

export function readTagDefaults(tags: readonly Tag[]): KeyTagDefaults {
  const value = (key: string) => tags.find((tag) => tag.TagKey === key)?.TagValue;
  const defaults: KeyTagDefaults = { managed: value(TAG_MANAGED) === TAG_MANAGED_VALUE };
  const label = value(TAG_HSM_KEY_LABEL);
  if (label !== undefined && label.length > 0) {
    if (!isPrintableText(label)) {
      throw new InvalidKeyTagError(TAG_HSM_KEY_LABEL, label, 'printable text (no control characters)');
    }
    defaults.hsmKeyLabel = label;
  }
  const days = value(TAG_VALID_FOR_DAYS);
  if (days !== undefined) defaults.validForDays = parseValidForDaysTag(days);
  const algorithm = value(TAG_WRAPPING_ALGORITHM);
  if (algorithm !== undefined) {
    const parsed = WrappingAlgorithmSchema.safeParse(algorithm);
    if (!parsed.success) {
      throw new InvalidKeyTagError(
        TAG_WRAPPING_ALGORITHM,
        algorithm,
        WrappingAlgorithmSchema.options.join(' | '),
      );
    }
    defaults.wrappingAlgorithm = parsed.data;
  }
  return defaults;
}

function parseValidForDaysTag(text: string): number | 'none' {
  if (text.trim().toLowerCase() === 'none') return 'none';
  if (/^\d+$/.test(text.trim())) {
    const days = Number(text.trim());
    if (days >= MIN_VALID_FOR_DAYS && days <= MAX_VALID_FOR_DAYS) return days;
  }
  throw new InvalidKeyTagError(
    TAG_VALID_FOR_DAYS,
    text,
    `a whole number of days ${MIN_VALID_FOR_DAYS}..${MAX_VALID_FOR_DAYS}, or none`,
  );
}
