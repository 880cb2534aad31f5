// FindExpiringKeys on a rotated multi-Region key (KMS mocked, aws-sdk-client-mock): every material
// in every Region is its own unit, with the HSM key its description records, the primary's
// KeyMaterialId, the Region's own key ARN, and a pacing slot of its own Region's quota.
import {
  DescribeKeyCommand,
  type KeyMetadata,
  KMSClient,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  type RotationsListEntry,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../../functions/find-expiring-keys.ts';
import { describeHsmKey } from '../../../../src/core/import/key-material-description.ts';
import { slotSpacingMs } from '../../../../src/core/sweep/pacing.ts';
import { MemoryBindingsStore } from '../../../helpers/bindings.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T03:00:00.000Z');
const REAL_NOW = new Date('2026-01-01T00:00:00.000Z');
const KEY = 'mrk-0123456789abcdef0123456789abcdef';
const arn = (region: string) => `arn:aws:kms:${region}:111122223333:key/${KEY}`;
const OLD = 'a'.repeat(64);
const NEW = 'b'.repeat(64);
const kmsMock = mockClient(KMSClient);

function metadata(region: string, role: 'PRIMARY' | 'REPLICA'): KeyMetadata {
  return {
    KeyId: KEY,
    Arn: arn(region),
    Origin: 'EXTERNAL',
    KeyManager: 'CUSTOMER',
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyState: 'PendingImport',
    MultiRegion: true,
    MultiRegionConfiguration: {
      MultiRegionKeyType: role,
      PrimaryKey: { Arn: arn('us-east-1'), Region: 'us-east-1' },
      ReplicaKeys: [{ Arn: arn('us-west-2'), Region: 'us-west-2' }],
    },
  };
}

describe('FindExpiringKeys on a rotated multi-Region key', () => {
  afterEach(() => {
    kmsMock.reset();
  });

  it('schedules each due material of each Region, from its own HSM key, paced per Region', async () => {
    // Prepare
    kmsMock.on(ListKeysCommand).resolves({ Keys: [{ KeyId: KEY }], Truncated: false });
    kmsMock
      .on(DescribeKeyCommand, { KeyId: KEY })
      .resolves({ KeyMetadata: metadata('us-east-1', 'PRIMARY') });
    kmsMock
      .on(DescribeKeyCommand, { KeyId: arn('us-west-2') })
      .resolves({ KeyMetadata: metadata('us-west-2', 'REPLICA') });
    kmsMock.on(ListResourceTagsCommand, { KeyId: KEY }).resolves({
      Tags: [
        { TagKey: 'byok:managed', TagValue: 'true' },
        { TagKey: 'byok:hsm-key-label', TagValue: 'tagged' },
        { TagKey: 'byok:valid-for-days', TagValue: '90' },
      ],
    });
    const material = (
      id: string,
      state: RotationsListEntry['KeyMaterialState'],
      importState: RotationsListEntry['ImportState'],
      days: number | undefined,
      label?: string,
    ): RotationsListEntry => ({
      KeyMaterialId: id,
      KeyMaterialState: state,
      ImportState: importState,
      ...(label ? { KeyMaterialDescription: describeHsmKey(label) } : {}),
      ...(days === undefined
        ? {}
        : {
            ExpirationModel: 'KEY_MATERIAL_EXPIRES' as const,
            ValidTo: new Date(NOW.getTime() + days * DAY),
          }),
    });
    kmsMock.on(ListKeyRotationsCommand, { KeyId: arn('us-east-1') }).resolves({
      Rotations: [
        material(OLD, 'NON_CURRENT', 'IMPORTED', 3, 'hsm-old'),
        material(NEW, 'CURRENT', 'IMPORTED', 60, 'hsm-new'),
      ],
    });
    kmsMock.on(ListKeyRotationsCommand, { KeyId: arn('us-west-2') }).resolves({
      Rotations: [
        material(OLD, 'NON_CURRENT', 'PENDING_IMPORT', undefined),
        material(NEW, 'CURRENT', 'IMPORTED', 5),
      ],
    });
    const handler = createHandler({
      kms: new KMSClient({ region: 'us-east-1' }),
      kmsForRegion: (region) => new KMSClient({ region }),
      clock: { now: () => NOW },
      pacingClock: { now: () => REAL_NOW },
      // The primary's binding rules every Region; the base label covers its rotation labels.
      bindings: new MemoryBindingsStore(
        ['tagged', 'hsm-old', 'hsm-new'].map((hsmKeyLabel) => ({ hsmKeyLabel, keyArn: arn('us-east-1') })),
      ),
    });

    // Act
    const found = await handler({});

    // Assess
    expect(found.materials).toBe(4);
    expect(
      found.keys.map((key) => [
        key.region,
        key.reason,
        key.importInput.keyMaterialId,
        key.importInput.hsmKeyLabel,
      ]),
    ).toEqual([
      ['us-west-2', 'pending-import', OLD, 'hsm-old'],
      ['us-east-1', 'expiring', OLD, 'hsm-old'],
      ['us-west-2', 'expiring', NEW, 'hsm-new'],
    ]);
    expect(found.keys.map((key) => key.importInput.keyId)).toEqual([
      arn('us-west-2'),
      arn('us-east-1'),
      arn('us-west-2'),
    ]);
    expect(found.keys.every((key) => key.importInput.importReplicas === false)).toBe(true);
    const spacing = Math.ceil(slotSpacingMs({ perSecond: 1, share: 0.8 }));
    expect(found.keys.map((key) => Date.parse(key.notBefore) - REAL_NOW.getTime())).toEqual([0, 0, spacing]);
    const names = found.keys.map((key) => key.executionName);
    expect(new Set(names).size).toBe(3);
    expect(Math.max(...names.map((name) => name.length))).toBeLessThanOrEqual(80);
  });
});
