import { describe, expect, it } from 'vitest';
import { HsmKeyAlreadyBoundError, HsmKeyNotBoundError } from '../../../../src/core/bindings/errors.ts';
import {
  baseHsmKeyLabel,
  checkNewBinding,
  indexBindings,
  isBound,
  requireBinding,
  requireRotationBinding,
} from '../../../../src/core/bindings/rules.ts';
import { MemoryBindingsStore } from '../../../helpers/bindings.ts';

const PAYMENTS_KEY = 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const OTHER_KEY = 'arn:aws:kms:us-east-1:111122223333:key/99999999-2222-3333-4444-555555555555';

describe('bindings rules', () => {
  it('strips every rotation suffix to find the base label, and nothing else', () => {
    // Prepare
    const labels = [
      'payments',
      'payments-r1-0a1b2c3d',
      'payments-r1-0a1b2c3d-r2-ffffffff',
      'payments-r1-XYZ',
    ];

    // Act
    const bases = labels.map(baseHsmKeyLabel);

    // Assess
    expect(bases).toEqual(['payments', 'payments', 'payments', 'payments-r1-XYZ']);
  });

  it('allows the bound pairing and refuses another KMS key with HsmKeyNotBoundError naming the bound one', async () => {
    // Prepare
    const store = new MemoryBindingsStore([{ hsmKeyLabel: 'payments', keyArn: PAYMENTS_KEY }]);

    // Act
    const allowed = await requireBinding(store, {
      hsmKeyLabel: 'payments',
      keyArn: PAYMENTS_KEY,
      rotationLabels: false,
    });
    const refused = await requireBinding(store, {
      hsmKeyLabel: 'payments',
      keyArn: OTHER_KEY,
      rotationLabels: false,
    }).catch((error: unknown) => error);

    // Assess
    expect(allowed.keyArn).toBe(PAYMENTS_KEY);
    expect(refused).toBeInstanceOf(HsmKeyNotBoundError);
    expect((refused as HsmKeyNotBoundError).boundTo).toBe(PAYMENTS_KEY);
  });

  it('refuses an unbound label with the byok bindings add command in message and hint', async () => {
    // Prepare
    const store = new MemoryBindingsStore();

    // Act
    const refused = (await requireBinding(store, {
      hsmKeyLabel: 'payments',
      keyArn: OTHER_KEY,
      rotationLabels: true,
    }).catch((error: unknown) => error)) as HsmKeyNotBoundError;

    // Assess
    expect(refused).toBeInstanceOf(HsmKeyNotBoundError);
    expect(refused.name).toBe('HsmKeyNotBoundError');
    expect(refused.message).toContain(`byok bindings add --hsm-key payments --key-id ${OTHER_KEY}`);
    expect(refused.hint).toContain(`byok bindings add --hsm-key payments --key-id ${OTHER_KEY}`);
  });

  it('covers rotation-derived labels by the base binding only for the same key and only when asked', async () => {
    // Prepare
    const store = new MemoryBindingsStore([{ hsmKeyLabel: 'payments', keyArn: PAYMENTS_KEY }]);
    const derived = 'payments-r1-0a1b2c3d';

    // Act
    const symmetric = await requireBinding(store, {
      hsmKeyLabel: derived,
      keyArn: PAYMENTS_KEY,
      rotationLabels: true,
    });
    const otherKey = await requireBinding(store, {
      hsmKeyLabel: derived,
      keyArn: OTHER_KEY,
      rotationLabels: true,
    }).catch((error: unknown) => error);
    const notSymmetric = await requireBinding(store, {
      hsmKeyLabel: derived,
      keyArn: PAYMENTS_KEY,
      rotationLabels: false,
    }).catch((error: unknown) => error);

    // Assess
    expect(symmetric.hsmKeyLabel).toBe('payments');
    expect(otherKey).toBeInstanceOf(HsmKeyNotBoundError);
    expect(notSymmetric).toBeInstanceOf(HsmKeyNotBoundError);
  });

  it('gives the sweep the same answers from one listing', () => {
    // Prepare
    const index = indexBindings([
      { hsmKeyLabel: 'payments', keyArn: PAYMENTS_KEY, createdAt: '2027-01-01T00:00:00Z' },
    ]);

    // Act
    const answers = [
      isBound(index, { hsmKeyLabel: 'payments', keyArn: PAYMENTS_KEY, rotationLabels: false }),
      isBound(index, { hsmKeyLabel: 'payments', keyArn: OTHER_KEY, rotationLabels: false }),
      isBound(index, { hsmKeyLabel: 'payments-r2-00000000', keyArn: PAYMENTS_KEY, rotationLabels: true }),
      isBound(index, { hsmKeyLabel: 'payments-r2-00000000', keyArn: PAYMENTS_KEY, rotationLabels: false }),
      isBound(index, { hsmKeyLabel: 'orders', keyArn: PAYMENTS_KEY, rotationLabels: true }),
    ];

    // Assess
    expect(answers).toEqual([true, false, true, false, false]);
  });

  it('refuses to bind a rotation-derived label to another key than its base is bound to', async () => {
    // Prepare
    const store = new MemoryBindingsStore([{ hsmKeyLabel: 'payments', keyArn: PAYMENTS_KEY }]);

    // Act
    const elsewhere = await checkNewBinding(store, 'payments-r1-0a1b2c3d', OTHER_KEY).catch(
      (error: unknown) => error,
    );
    const sameKey = await checkNewBinding(store, 'payments-r1-0a1b2c3d', PAYMENTS_KEY);

    // Assess
    expect(elsewhere).toBeInstanceOf(HsmKeyAlreadyBoundError);
    expect(sameKey).toBeUndefined();
  });

  it("checks a rotation's new label through its base label's binding, and names the base label when refused", async () => {
    // Prepare
    const bound = new MemoryBindingsStore([{ hsmKeyLabel: 'payments', keyArn: PAYMENTS_KEY }]);

    // Act
    const ok = await requireRotationBinding(bound, 'payments-r2-0a1b2c3d', PAYMENTS_KEY);
    const elsewhere = await requireRotationBinding(bound, 'payments-r2-0a1b2c3d', OTHER_KEY).catch(
      (error: unknown) => error,
    );
    const unbound = await requireRotationBinding(
      new MemoryBindingsStore(),
      'payments-r2-0a1b2c3d',
      OTHER_KEY,
    ).catch((error: unknown) => error);

    // Assess
    expect(ok.hsmKeyLabel).toBe('payments');
    expect(elsewhere).toBeInstanceOf(HsmKeyNotBoundError);
    expect(elsewhere).toMatchObject({ hsmKeyLabel: 'payments', keyArn: OTHER_KEY, boundTo: PAYMENTS_KEY });
    expect(unbound).toMatchObject({ hsmKeyLabel: 'payments', keyArn: OTHER_KEY, boundTo: undefined });
    expect((unbound as HsmKeyNotBoundError).hint).toContain(
      `byok bindings add --hsm-key payments --key-id ${OTHER_KEY}`,
    );
  });
});
