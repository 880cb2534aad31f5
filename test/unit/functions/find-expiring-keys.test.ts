import {
  DescribeKeyCommand,
  type KeyMetadata,
  KMSClient,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/find-expiring-keys.ts';
import { InvalidSweepInputError } from '../../../src/core/sweep/errors.ts';
import { slotSpacingMs } from '../../../src/core/sweep/pacing.ts';
import { MemoryBindingsStore } from '../../helpers/bindings.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T03:00:00.000Z');
const REAL_NOW = new Date('2026-01-01T00:00:00.000Z');
const kmsMock = mockClient(KMSClient);
/** What an administrator bound: serve() binds every key's tagged HSM key unless told otherwise. */
let bindings = new MemoryBindingsStore();

interface FakeKey {
  id: string;
  metadata: Partial<KeyMetadata>;
  tags: Record<string, string>;
}

function managed(id: string, metadata: Partial<KeyMetadata>, tags: Record<string, string> = {}): FakeKey {
  return {
    id,
    metadata: { Origin: 'EXTERNAL', KeyManager: 'CUSTOMER', KeySpec: 'SYMMETRIC_DEFAULT', ...metadata },
    tags: { 'byok:managed': 'true', 'byok:hsm-key-label': `hsm-${id}`, 'byok:valid-for-days': '90', ...tags },
  };
}

function serve(keys: FakeKey[], options: { bind?: boolean } = {}): void {
  kmsMock.on(ListKeysCommand).resolves({ Keys: keys.map((key) => ({ KeyId: key.id })), Truncated: false });
  for (const key of keys) {
    const label = key.tags['byok:hsm-key-label'];
    if (options.bind !== false && label) {
      bindings.byLabel.set(label, {
        hsmKeyLabel: label,
        keyArn: `arn:aws:kms:us-east-1:111122223333:key/${key.id}`,
        createdAt: '2026-01-01T00:00:00.000Z',
      });
    }
    kmsMock.on(DescribeKeyCommand, { KeyId: key.id }).resolves({
      KeyMetadata: {
        KeyId: key.id,
        Arn: `arn:aws:kms:us-east-1:111122223333:key/${key.id}`,
        ...key.metadata,
      } as KeyMetadata,
    });
    // A symmetric key's only material, as ListKeyRotations (ALL_KEY_MATERIAL) shows it.
    kmsMock
      .on(ListKeyRotationsCommand, { KeyId: `arn:aws:kms:us-east-1:111122223333:key/${key.id}` })
      .resolves({
        Rotations: [
          {
            KeyId: key.id,
            KeyMaterialId: 'a'.repeat(64),
            KeyMaterialState: 'CURRENT',
            ImportState: key.metadata.KeyState === 'PendingImport' ? 'PENDING_IMPORT' : 'IMPORTED',
            ExpirationModel: key.metadata.ExpirationModel,
            ValidTo: key.metadata.ValidTo,
          },
        ],
        Truncated: false,
      });
    kmsMock.on(ListResourceTagsCommand, { KeyId: key.id }).resolves({
      Tags: Object.entries(key.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
      Truncated: false,
    });
  }
}

function handler() {
  return createHandler({
    kms: new KMSClient({ region: 'us-east-1' }),
    clock: { now: () => NOW },
    pacingClock: { now: () => REAL_NOW },
    bindings,
  });
}

describe('FindExpiringKeys', () => {
  afterEach(() => {
    kmsMock.reset();
    bindings = new MemoryBindingsStore();
  });

  it('refuses a due key whose HSM key no administrator bound to it: listed as HsmKeyNotBoundError, not imported', async () => {
    // Prepare: two due keys tagged alike; only the first is bound to the HSM key.
    const due = { KeyState: 'PendingImport' } as const;
    serve(
      [
        managed('bound', due, { 'byok:hsm-key-label': 'payments' }),
        managed('clone', due, { 'byok:hsm-key-label': 'payments' }),
      ],
      { bind: false },
    );
    bindings.byLabel.set('payments', {
      hsmKeyLabel: 'payments',
      keyArn: 'arn:aws:kms:us-east-1:111122223333:key/bound',
      createdAt: '2026-01-01T00:00:00.000Z',
    });

    // Act
    const output = await handler()({}, {} as never);

    // Assess
    expect(output.keys.map((key) => key.keyId)).toEqual(['bound']);
    expect(output.refusedCount).toBe(1);
    expect(output.refused).toEqual([
      expect.objectContaining({
        keyId: 'clone',
        error: 'HsmKeyNotBoundError',
        cause: expect.stringContaining('is bound to KMS key arn:aws:kms:us-east-1:111122223333:key/bound'),
      }),
    ]);
  });

  it('returns keys expiring within the lead window and PendingImport keys, urgent first', async () => {
    // Prepare
    serve([
      managed('k-later', {
        KeyState: 'Enabled',
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: new Date(NOW.getTime() + 30 * DAY),
      }),
      managed('k-soon', {
        KeyState: 'Enabled',
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: new Date(NOW.getTime() + 3 * DAY),
      }),
      managed('k-sooner', {
        KeyState: 'Enabled',
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: new Date(NOW.getTime() + 1 * DAY),
      }),
      managed('k-gone', { KeyState: 'PendingImport' }),
      managed('k-forever', { KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
    ]);

    // Act
    const found = await handler()({});

    // Assess
    expect(found.keys.map((key) => [key.keyId, key.reason])).toEqual([
      ['k-gone', 'pending-import'],
      ['k-sooner', 'expiring'],
      ['k-soon', 'expiring'],
    ]);
    expect(found.managedKeys).toBe(5);
    expect(found.sweepId).toBe('20260601T030000Z');
    expect(found.keys[1]?.importInput.reason).toContain('2026-06-02T03:00:00.000Z');
  });

  it('spaces import starts by the quota minus headroom, in real time', async () => {
    // Prepare
    serve(Array.from({ length: 4 }, (_, i) => managed(`k-${i}`, { KeyState: 'PendingImport' })));

    // Act
    const found = await handler()({ getParametersForImportPerSecond: 2, quotaShare: 0.8 });

    // Assess
    const starts = found.keys.map((key) => Date.parse(key.notBefore) - REAL_NOW.getTime());
    expect(slotSpacingMs({ perSecond: 2, share: 0.8 })).toBe(625);
    expect(starts).toEqual([0, 625, 1250, 1875]);
  });

  it('ignores keys that are not byok-managed or not EXTERNAL, and skips disabled ones with a reason', async () => {
    // Prepare
    const unmanaged = managed('k-unmanaged', { KeyState: 'PendingImport' });
    unmanaged.tags = {};
    serve([
      unmanaged,
      managed('k-aws', { KeyState: 'Enabled', Origin: 'AWS_KMS' }),
      managed('k-disabled', {
        KeyState: 'Disabled',
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: new Date(NOW.getTime() + DAY),
      }),
      managed('k-deleting', { KeyState: 'PendingDeletion' }),
    ]);

    // Act
    const found = await handler()({});

    // Assess
    expect(found.keys).toEqual([]);
    expect(found.skipped.map((key) => key.keyId).sort()).toEqual(['k-deleting', 'k-disabled']);
    expect(found.skippedCount).toBe(2);
    expect(found.skipped.find((key) => key.keyId === 'k-disabled')?.why).toMatch(/disabled/);
    expect(kmsMock.commandCalls(ListResourceTagsCommand, { KeyId: 'k-aws' })).toHaveLength(0);
  });

  it('reports a managed key with an unreadable tag as skipped instead of failing the sweep', async () => {
    // Prepare
    serve([
      managed('k-bad', { KeyState: 'PendingImport' }, { 'byok:valid-for-days': 'forever' }),
      managed('k-ok', { KeyState: 'PendingImport' }),
    ]);

    // Act
    const found = await handler()({});

    // Assess
    expect(found.keys.map((key) => key.keyId)).toEqual(['k-ok']);
    expect(found.skipped).toEqual([
      { keyId: 'k-bad', why: expect.stringContaining('byok:valid-for-days'), error: 'InvalidKeyTagError' },
    ]);
    expect(found.unreadCount).toBe(1);
  });

  it('never uses more than half of a short validity as lead time', async () => {
    // Prepare: valid for 10 days, 6 days left: inside a 14-day window but not yet at half-life.
    serve([
      managed(
        'k-short',
        {
          KeyState: 'Enabled',
          ExpirationModel: 'KEY_MATERIAL_EXPIRES',
          ValidTo: new Date(NOW.getTime() + 6 * DAY),
        },
        { 'byok:valid-for-days': '10' },
      ),
    ]);

    // Act
    const found = await handler()({ leadWindowDays: 14 });

    // Assess
    expect(found.keys).toEqual([]);
  });

  it('defers keys beyond maxKeys to the next sweep and says how many', async () => {
    // Prepare
    serve(Array.from({ length: 5 }, (_, i) => managed(`k-${i}`, { KeyState: 'PendingImport' })));

    // Act
    const found = await handler()({ maxKeys: 3 });

    // Assess
    expect(found.keys).toHaveLength(3);
    expect(found.deferred).toBe(2);
  });

  it('rejects unknown input fields with a named error', async () => {
    // Act
    const run = handler()({ leadWindowDays: 14, leadDays: 3 });

    // Assess
    await expect(run).rejects.toBeInstanceOf(InvalidSweepInputError);
    await expect(run).rejects.toThrow(/leadDays|Unrecognized/);
  });
});
