// When imported material expires. KMS accepts a ValidTo in the future and at most 365 days ahead;
// byok works in whole seconds so the value round-trips through KMS's epoch-seconds wire format
// unchanged and verification can compare it exactly.
import type { Clock } from '../clock.ts';
import { ValidToOutOfRangeError } from './errors.ts';
import { DAY_MS, MAX_VALID_FOR_DAYS } from './validity-limits.ts';

export type ExpiryChoice =
  | { kind: 'validForDays'; days: number }
  | { kind: 'validTo'; validTo: string }
  | { kind: 'noExpiry' };

export type Expiration =
  | { expirationModel: 'KEY_MATERIAL_EXPIRES'; validTo: string }
  | { expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE'; validTo?: undefined };

/** Used when neither the input nor the key's tags say: the longest KMS allows, renewed by the sweep. */
export const DEFAULT_VALID_FOR_DAYS = MAX_VALID_FOR_DAYS;

function truncateToSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

export function resolveExpiration(choice: ExpiryChoice, clock: Clock): Expiration {
  if (choice.kind === 'noExpiry') return { expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' };
  const now = clock.now();
  const validTo =
    choice.kind === 'validForDays'
      ? truncateToSeconds(new Date(now.getTime() + choice.days * DAY_MS))
      : truncateToSeconds(new Date(choice.validTo));
  if (Number.isNaN(validTo.getTime())) {
    throw new ValidToOutOfRangeError(String(choice.kind === 'validTo' ? choice.validTo : ''), 'not a date');
  }
  assertValidToInRange(validTo, now);
  return { expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: validTo.toISOString() };
}

function assertValidToInRange(validTo: Date, now: Date): void {
  const iso = validTo.toISOString();
  if (validTo.getTime() <= now.getTime()) {
    throw new ValidToOutOfRangeError(iso, `it is not after now (${truncateToSeconds(now).toISOString()})`);
  }
  if (validTo.getTime() > now.getTime() + MAX_VALID_FOR_DAYS * DAY_MS) {
    throw new ValidToOutOfRangeError(iso, `KMS allows at most ${MAX_VALID_FOR_DAYS} days ahead`);
  }
}
