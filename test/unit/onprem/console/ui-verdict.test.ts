// The verdict a run page opens with (src/onprem/console/ui/verdict.ts): the proof of a verified
// import, a failure by name with its hint and what changed in KMS, a rotation waiting for its vote.
import { describe, expect, it } from 'vitest';
import type { SweepReport } from '../../../../src/core/sweep/contracts.ts';
import { checkValueOf, kmsChangeOf, verdictOf } from '../../../../src/onprem/console/ui/verdict.ts';
import type { RunDetail, StateVisit, Workflow } from '../../../../src/onprem/console/wire.ts';

function visit(name: string, status: StateVisit['status'], extra: Partial<StateVisit> = {}): StateVisit {
  return {
    name,
    type: 'Task',
    status,
    enteredAt: '2026-12-07T10:00:00Z',
    exitedAt: null,
    input: {},
    output: {},
    error: null,
    cause: null,
    ...extra,
  };
}

function run(overrides: Partial<RunDetail>): RunDetail {
  return {
    executionArn: 'arn:aws:states:us-east-1:111122223333:execution:import-key-material:r1',
    name: 'r1',
    workflow: 'import-key-material',
    status: 'SUCCEEDED',
    keyId: 'k',
    requestId: null,
    startDate: '2026-12-07T10:00:00Z',
    stopDate: '2026-12-07T10:00:03Z',
    durationMs: 3000,
    error: null,
    outcome: null,
    input: {},
    output: {},
    cause: null,
    hint: null,
    definition: { StartAt: 'A', States: {} },
    visits: [],
    ...overrides,
  };
}

const WRAPPED = visit('WrapKeyMaterial', 'succeeded', {
  input: { importParameters: { hsmKeyLabel: 'payments' } },
  output: { wrapped: { hsmEvidence: { kind: 'aes-kcv', kcv: '7cfe5d' }, wrappedKeyMaterial: '[redacted]' } },
});

describe('run verdict', () => {
  it('says how KMS proved it, the check value and what to compare it with, the state and ValidTo', () => {
    // Act
    const verdict = verdictOf(
      run({
        visits: [WRAPPED, visit('ImportKeyMaterial', 'succeeded'), visit('VerifyImport', 'succeeded')],
        output: {
          keyState: 'Enabled',
          validTo: '2027-03-01T00:00:00.000Z',
          keyMaterialId: 'a'.repeat(64),
          evidence: {
            method: 'encrypt-decrypt',
            summary: 'KMS encrypts and decrypts a random challenge with the imported material',
            checks: [{ name: 'encrypt-decrypt-round-trip', passed: true, detail: 'came back unchanged' }],
          },
        },
      }),
    );

    // Assess
    expect(verdict.kind).toBe('verified');
    expect(verdict.title).toBe('Verified: decrypt matches');
    expect(verdict.lines.join('\n')).toContain(
      'Check value 7cfe5d: compare it with the KCV that `byok hsm list` shows for HSM key payments',
    );
    expect(verdict.lines.join('\n')).toContain('Key state Enabled, valid to 2027-03-01 00:00 UTC');
    expect(verdict.checks).toEqual([
      { name: 'encrypt-decrypt-round-trip', passed: true, detail: 'came back unchanged' },
    ]);
  });

  it('never calls a run verified when a check failed', () => {
    // Act
    const verdict = verdictOf(
      run({
        output: {
          evidence: {
            method: 'mac-challenge',
            summary: 's',
            checks: [{ name: 'mac', passed: false, detail: 'd' }],
          },
        },
      }),
    );

    // Assess
    expect(verdict.kind).toBe('failed');
    expect(verdict.title).toBe('Verification failed');
  });

  it('names a failure where it happened, with its message, hint and what changed in KMS', () => {
    // Act
    const verdict = verdictOf(
      run({
        status: 'FAILED',
        error: 'HsmKeyNotFoundError',
        cause: 'no key labelled "x"',
        hint: 'List the keys with `byok hsm list`.',
        visits: [
          visit('StartImport', 'succeeded'),
          visit('GetParametersForImport', 'failed', { error: 'HsmKeyNotFoundError' }),
          visit('PublishFailed', 'succeeded'),
          visit('ImportFailed', 'failed', { type: 'Fail', error: 'HsmKeyNotFoundError' }),
        ],
      }),
    );

    // Assess
    expect(verdict).toMatchObject({
      kind: 'failed',
      title: 'Failed: HsmKeyNotFoundError',
      lines: [
        'In GetParametersForImport.',
        'no key labelled "x"',
        'Hint: List the keys with `byok hsm list`.',
        'Nothing changed in KMS: the run stopped before ImportKeyMaterial.',
      ],
    });
  });

  it.each<[string, Workflow, string[], RegExp]>([
    ['import', 'import-key-material', ['ImportKeyMaterial'], /accepted the material .* not verified/],
    ['import', 'import-key-material', [], /Nothing changed in KMS/],
    [
      'rotation',
      'rotate-key-material',
      ['ImportNewMaterial', 'AbandonRotation'],
      /removed again when the rotation was abandoned/,
    ],
    [
      'rotation',
      'rotate-key-material',
      ['ImportNewMaterial', 'RotateKeyOnDemand'],
      /rotated to the new material/,
    ],
  ])('says what a failed %s changed in KMS (%s after %o)', (_kind, workflow, passed, said) => {
    // Act / Assess
    expect(kmsChangeOf({ workflow, visits: passed.map((name) => visit(name, 'succeeded')) })).toMatch(said);
  });

  it('sends a rotation waiting for votes to its request', () => {
    // Act
    const verdict = verdictOf(
      run({
        workflow: 'rotate-key-material',
        status: 'RUNNING',
        requestId: '3f2c9a1e-0b7d-4c55-9a2e-5b1d2c3e4f50',
        visits: [visit('CreateRotationMaterial', 'succeeded'), visit('AwaitApproval', 'running')],
      }),
    );

    // Assess
    expect(verdict).toMatchObject({
      kind: 'waiting-approval',
      requestId: '3f2c9a1e-0b7d-4c55-9a2e-5b1d2c3e4f50',
    });
  });

  it('finds no check value where the HSM gave none (asymmetric keys)', () => {
    // Act / Assess
    expect(
      checkValueOf([
        visit('WrapKeyMaterial', 'succeeded', {
          output: { wrapped: { hsmEvidence: { kind: 'public-key' } } },
        }),
      ]),
    ).toBeUndefined();
    expect(checkValueOf([WRAPPED])).toEqual({ kcv: '7cfe5d', hsmKeyLabel: 'payments' });
  });

  it('proves a rotation: new material current, the approved check value, who approved, each check', () => {
    // Prepare
    const output = {
      newKeyMaterialId: 'b'.repeat(64),
      oldKeyMaterialId: 'a'.repeat(64),
      newHsmKeyLabel: 'payments-r2-0a1b2c3d',
      checkValue: '6f5126',
      approvers: ['arn:aws:iam::111122223333:user/bob'],
      replicaArns: ['arn:aws:kms:eu-west-1:111122223333:key/mrk-1'],
      checks: [
        { name: 'current-material', passed: true, detail: 'CurrentKeyMaterialId bbbb' },
        { name: 'old-material-decrypts', passed: true, detail: 'the probe decrypts' },
      ],
    };

    // Act
    const verified = verdictOf(run({ workflow: 'rotate-key-material', output }));
    const broken = verdictOf(
      run({
        workflow: 'rotate-key-material',
        output: { ...output, checks: [{ name: 'current-material', passed: false, detail: 'still aaaa' }] },
      }),
    );

    // Assess
    expect(verified.kind).toBe('verified');
    expect(verified.title).toBe('Verified: rotated to the approved material');
    expect(verified.lines.join(' ')).toContain(
      'New material bbbbbbbbbbbb… is current in the primary and 1 replica Region',
    );
    expect(verified.lines.join(' ')).toContain(
      'Check value 6f5126: compare it with the KCV that `byok hsm list` shows for HSM key payments-r2-0a1b2c3d',
    );
    expect(verified.lines.join(' ')).toContain('Approved by arn:aws:iam::111122223333:user/bob.');
    expect(verified.checks.map((check) => check.name)).toEqual(['current-material', 'old-material-decrypts']);
    expect(broken).toMatchObject({ kind: 'failed', title: 'Rotation verification failed' });
  });

  it('never shows a PARTIAL sweep as a plain success: counts, reason and each failed key', () => {
    // Prepare: SummarizeSweep's report, as the sweep's execution output (typed: a renamed field fails)
    const report = {
      managedKeys: 12,
      due: 4,
      succeeded: 2,
      failed: 1,
      deferred: 0,
      unread: 1,
      outcome: 'PARTIAL',
      outcomeReason: '1 key could not be read (ThrottlingException), 1 import failed',
      failures: [{ keyId: 'k-9', error: 'HsmKeyNotBoundError', cause: 'not bound' }],
    } satisfies Partial<SweepReport>;

    // Act
    const partial = verdictOf(run({ workflow: 'reimport-expiring-keys', output: report }));
    const complete = verdictOf(
      run({
        workflow: 'reimport-expiring-keys',
        output: { ...report, failed: 0, unread: 0, succeeded: 4, outcome: 'COMPLETE', failures: [] },
      }),
    );

    // Assess
    expect(partial).toMatchObject({ kind: 'partial', title: 'Partial: not every key was kept imported' });
    expect(partial.lines).toEqual([
      '12 managed keys checked: 4 due, 2 reimported, 1 failed, 0 deferred to the next sweep, 1 could not be read.',
      '1 key could not be read (ThrottlingException), 1 import failed.',
      'k-9: HsmKeyNotBoundError.',
    ]);
    expect(complete).toMatchObject({ kind: 'succeeded', title: 'Complete: every due key reimported' });
  });
});
