// Each key's binding as the console shows it (src/onprem/console/key-bindings.ts), by the rule the
// workflow enforces: the tagged HSM key's own binding, else (symmetric keys) its rotation base's.
import { describe, expect, it } from 'vitest';
import type { Binding } from '../../../../src/core/bindings/contracts.ts';
import { keyBindingsFrom } from '../../../../src/onprem/console/key-bindings.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER = '99999999-12ab-34cd-56ef-1234567890ab';
const arn = (id: string, region = 'eu-west-1') => `arn:aws:kms:${region}:111122223333:key/${id}`;
const binding = (hsmKeyLabel: string, keyArn: string): Binding => ({
  hsmKeyLabel,
  keyArn,
  createdAt: '2026-12-01T00:00:00.000Z',
});
const AWS = { endpoint: undefined, region: 'eu-west-1' };

describe('the console’s view of each key’s binding', () => {
  it('is bound when the tagged HSM key is bound to the key, listing every HSM key bound to it', () => {
    // Prepare
    const bindingOf = keyBindingsFrom(
      [binding('payments', arn(KEY)), binding('payments-old', arn(KEY)), binding('other', arn(OTHER))],
      AWS,
    );

    // Act
    const view = bindingOf({ keyId: KEY, keySpec: 'HMAC_256', hsmKeyLabel: 'payments' });

    // Assess
    expect(view).toEqual({
      state: 'bound',
      boundLabels: ['payments', 'payments-old'],
      detail: null,
      boundElsewhere: null,
    });
  });

  it('covers a symmetric key’s rotated label by its base label’s binding, and no other family’s', () => {
    // Prepare
    const bindingOf = keyBindingsFrom([binding('payments', arn(KEY))], AWS);
    const rotated = 'payments-r1-0a1b2c3d';

    // Act / Assess
    expect(bindingOf({ keyId: KEY, keySpec: 'SYMMETRIC_DEFAULT', hsmKeyLabel: rotated }).state).toBe('bound');
    expect(bindingOf({ keyId: KEY, keySpec: 'HMAC_256', hsmKeyLabel: rotated }).state).toBe('unbound');
  });

  it('is unbound, naming the other key and the administrator’s command, when the HSM key is bound elsewhere', () => {
    // Prepare
    const bindingOf = keyBindingsFrom([binding('payments', arn(OTHER))], AWS);

    // Act
    const view = bindingOf({ keyId: KEY, keySpec: 'SYMMETRIC_DEFAULT', hsmKeyLabel: 'payments' });

    // Assess
    expect(view).toEqual({
      state: 'unbound',
      boundLabels: [],
      detail: `byok bindings add --hsm-key payments --key-id ${KEY} --region eu-west-1`,
      boundElsewhere: arn(OTHER),
    });
  });

  it('names the local stack in the command locally, and is unbound without a tag', () => {
    // Prepare
    const bindingOf = keyBindingsFrom([], { endpoint: 'http://127.0.0.1:4599', region: 'us-east-1' });

    // Act / Assess
    expect(bindingOf({ keyId: KEY, keySpec: 'SYMMETRIC_DEFAULT', hsmKeyLabel: 'p' }).detail).toBe(
      `byok bindings add --hsm-key p --key-id ${KEY} --endpoint http://127.0.0.1:4599`,
    );
    expect(bindingOf({ keyId: KEY, keySpec: 'SYMMETRIC_DEFAULT', hsmKeyLabel: null })).toMatchObject({
      state: 'unbound',
      detail: null,
    });
  });

  it('matches a replica by its primary’s binding (the same key id in another Region)', () => {
    // Prepare
    const mrk = `mrk-${'a'.repeat(32)}`;
    const bindingOf = keyBindingsFrom([binding('payments', arn(mrk, 'us-east-1'))], AWS);

    // Act / Assess
    expect(bindingOf({ keyId: mrk, keySpec: 'SYMMETRIC_DEFAULT', hsmKeyLabel: 'payments' }).state).toBe(
      'bound',
    );
  });

  it('says unknown, with why, for every key when the bindings cannot be read: never a guess', () => {
    // Act
    const view = keyBindingsFrom(
      new Error('no bindings table'),
      AWS,
    )({
      keyId: KEY,
      keySpec: 'SYMMETRIC_DEFAULT',
      hsmKeyLabel: 'payments',
    });

    // Assess
    expect(view).toEqual({
      state: 'unknown',
      boundLabels: [],
      detail: 'the bindings could not be read: no bindings table',
      boundElsewhere: null,
    });
  });
});
