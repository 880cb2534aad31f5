import { describe, expect, it } from 'vitest';
import { ValidToOutOfRangeError } from '../../../../src/core/import/errors.ts';
import { resolveExpiration } from '../../../../src/core/import/expiry-policy.ts';

const clock = { now: () => new Date('2027-03-01T10:20:30.456Z') };

describe('resolveExpiration', () => {
  it('counts validForDays from the clock and truncates to whole seconds', () => {
    // Act
    const expiration = resolveExpiration({ kind: 'validForDays', days: 90 }, clock);

    // Assess
    expect(expiration).toEqual({
      expirationModel: 'KEY_MATERIAL_EXPIRES',
      validTo: '2027-05-30T10:20:30.000Z',
    });
  });

  it('allows exactly 365 days', () => {
    // Act
    const expiration = resolveExpiration({ kind: 'validForDays', days: 365 }, clock);

    // Assess
    expect(expiration.validTo).toBe('2028-02-29T10:20:30.000Z');
  });

  it('keeps an absolute validTo, truncated to seconds', () => {
    // Act
    const expiration = resolveExpiration({ kind: 'validTo', validTo: '2027-06-30T00:00:00.999Z' }, clock);

    // Assess
    expect(expiration.validTo).toBe('2027-06-30T00:00:00.000Z');
  });

  it.each([
    ['in the past', '2027-02-28T00:00:00Z', 'not after now'],
    ['now (after truncation)', '2027-03-01T10:20:30.900Z', 'not after now'],
    ['366 days ahead', '2028-03-01T10:20:31Z', 'at most 365 days'],
  ])('throws ValidToOutOfRangeError for a validTo %s', (_, validTo, reason) => {
    // Act
    const resolve = () => resolveExpiration({ kind: 'validTo', validTo }, clock);

    // Assess
    expect(resolve).toThrow(ValidToOutOfRangeError);
    expect(resolve).toThrow(reason);
  });

  it('returns no ValidTo for material that does not expire', () => {
    // Act
    const expiration = resolveExpiration({ kind: 'noExpiry' }, clock);

    // Assess
    expect(expiration).toEqual({ expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
  });
});
