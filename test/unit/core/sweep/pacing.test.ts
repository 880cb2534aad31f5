// Pacing counts every GetParametersForImport an import makes: with the HSM steps in `byok worker`
// (which asks KMS for its own wrapping key) an import makes two, so its slots are twice as far apart.
import { describe, expect, it } from 'vitest';
import { requestsPerImportFromEnv, slotSpacingMs, slotStart } from '../../../../src/core/sweep/pacing.ts';

describe('sweep pacing', () => {
  it('spaces imports by the requests each makes', () => {
    // Act
    const one = slotSpacingMs({ perSecond: 1, share: 0.8 });
    const two = slotSpacingMs({ perSecond: 1, share: 0.8, requestsPerImport: 2 });

    // Assess
    expect(one).toBe(1250);
    expect(two).toBe(2500);
    expect(slotStart(new Date(0), 4, { perSecond: 10, share: 1, requestsPerImport: 2 }).getTime()).toBe(800);
  });

  it('reads the deployed setting, and falls back to one request for anything unusable', () => {
    // Act
    const values = [undefined, '2', '0', 'two', '9'].map((value) =>
      requestsPerImportFromEnv(value === undefined ? {} : { BYOK_GET_PARAMETERS_PER_IMPORT: value }),
    );

    // Assess
    expect(values).toEqual([1, 2, 1, 1, 1]);
  });
});
