// The lines under a failed import's error: the lost failure event, and whether KMS shows the key
// changed (DescribeKey before and after), with what to run next in each case.
import { describe, expect, it } from 'vitest';
import { type KeySnapshot, reportFailure } from '../../../../src/onprem/cli/outcome.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const PENDING: KeySnapshot = { keyState: 'PendingImport', validTo: undefined, keyMaterialId: undefined };
const ENABLED: KeySnapshot = {
  keyState: 'Enabled',
  validTo: '2027-07-01T00:00:00.000Z',
  keyMaterialId: 'm1',
};

describe('reportFailure', () => {
  it('says the key is unchanged when the run stopped before ImportKeyMaterial, without reading KMS', () => {
    // Act
    const report = reportFailure({ keyId: KEY, reachedImport: false, before: PENDING });

    // Assess
    expect(report.details).toEqual([`key ${KEY}: unchanged (the run stopped before ImportKeyMaterial)`]);
    expect(report.hint).toBe('fix the cause above and run the import again');
  });

  it('puts a lost failure event on a line of its own, before the key line', () => {
    // Act
    const report = reportFailure({
      keyId: KEY,
      reachedImport: false,
      publishFailure: { error: 'EventBridge.InternalException', cause: 'bus gone' },
    });

    // Assess
    expect(report.details[0]).toBe(
      'also: the failure event was not published (EventBridge.InternalException: bus gone)',
    );
  });

  it('names every field that changed, and points at byok status on the same endpoint', () => {
    // Act
    const report = reportFailure({
      keyId: KEY,
      reachedImport: true,
      before: PENDING,
      after: ENABLED,
      target: { endpoint: 'http://127.0.0.1:4599', region: 'us-east-1' },
    });

    // Assess
    expect(report.details).toEqual([
      `key ${KEY}: CHANGED, KMS shows state PendingImport -> Enabled, ValidTo none -> 2027-07-01T00:00:00.000Z, material none -> m1`,
    ]);
    expect(report.hint).toContain('byok status --endpoint http://127.0.0.1:4599');
  });

  it('says unchanged after ImportKeyMaterial when KMS shows the same state, ValidTo and material', () => {
    // Act
    const report = reportFailure({ keyId: KEY, reachedImport: true, before: ENABLED, after: { ...ENABLED } });

    // Assess
    expect(report.details[0]).toBe(
      `key ${KEY}: unchanged, KMS shows Enabled, ValidTo 2027-07-01T00:00:00.000Z, material m1`,
    );
  });

  it('says the key may have changed when KMS cannot be read after the run', () => {
    // Prepare
    const unreadable = Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' });

    // Act
    const report = reportFailure({ keyId: KEY, reachedImport: true, before: PENDING, after: unreadable });

    // Assess
    expect(report.details[0]).toBe(
      `key ${KEY}: may have changed; KMS could not be read to tell: TimeoutError: connect ECONNREFUSED`,
    );
    expect(report.hint).toContain(`aws kms describe-key --key-id ${KEY}`);
  });
});
