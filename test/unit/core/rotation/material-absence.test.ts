// proveHsmKeyNeverImported reads every material of the key in every Region of its multi-Region set
// and refuses unless it can attribute each one to another HSM key: a material described as this
// key's (in any Region), one of unknown origin, two materials claiming one HSM key, or KMS not
// answering all refuse by name.
import {
  DescribeKeyCommand,
  KMSClient,
  ListKeyRotationsCommand,
  type RotationsListEntry,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { describeHsmKey } from '../../../../src/core/import/key-material-description.ts';
import {
  RotationMaterialInUseError,
  RotationMaterialUnprovenError,
} from '../../../../src/core/rotation/errors.ts';
import { proveHsmKeyNeverImported } from '../../../../src/core/rotation/material-absence.ts';

const PRIMARY = 'arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef';
const REPLICA = PRIMARY.replace('us-east-1', 'eu-west-1');
const OLD = 'a'.repeat(64);
const NEW = 'b'.repeat(64);

const primaryKms = new KMSClient({ region: 'us-east-1' });
const replicaKms = new KMSClient({ region: 'eu-west-1' });
const primaryMock = mockClient(primaryKms);
const replicaMock = mockClient(replicaKms);
const deps = {
  kms: primaryKms,
  kmsForRegion: (region: string) => (region === 'eu-west-1' ? replicaKms : primaryKms),
};

afterEach(() => {
  primaryMock.reset();
  replicaMock.reset();
});

function material(id: string, description?: string, state = 'NON_CURRENT'): RotationsListEntry {
  return {
    KeyMaterialId: id,
    ...(description ? { KeyMaterialDescription: description } : {}),
    KeyMaterialState: state as RotationsListEntry['KeyMaterialState'],
    ImportState: 'IMPORTED',
  };
}

function kmsShows(primary: RotationsListEntry[], replica: RotationsListEntry[]) {
  const metadata = {
    KeyId: 'mrk-0123456789abcdef0123456789abcdef',
    MultiRegion: true,
    MultiRegionConfiguration: {
      MultiRegionKeyType: 'PRIMARY' as const,
      PrimaryKey: { Arn: PRIMARY, Region: 'us-east-1' },
      ReplicaKeys: [{ Arn: REPLICA, Region: 'eu-west-1' }],
    },
  };
  primaryMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { ...metadata, Arn: PRIMARY } });
  primaryMock.on(ListKeyRotationsCommand).resolves({ Rotations: primary });
  replicaMock.on(ListKeyRotationsCommand).resolves({ Rotations: replica });
}

describe('proveHsmKeyNeverImported', () => {
  it('passes when every material in every Region came from other HSM keys (replicas through the primary)', async () => {
    // Prepare
    kmsShows([material(OLD, describeHsmKey('payments'), 'CURRENT')], [material(OLD)]);

    // Act
    const proof = await proveHsmKeyNeverImported(PRIMARY, 'payments-r2-abcdef01', deps);

    // Assess
    expect(proof.regions).toEqual([
      { keyArn: PRIMARY, materials: 1 },
      { keyArn: REPLICA, materials: 1 },
    ]);
    expect(replicaMock.commandCalls(ListKeyRotationsCommand)[0]?.args[0].input).toMatchObject({
      KeyId: REPLICA,
      IncludeKeyMaterial: 'ALL_KEY_MATERIAL',
    });
  });

  it.each<[string, RotationsListEntry[], RotationsListEntry[], new (...args: never[]) => Error]>([
    [
      'its material is CURRENT on the primary',
      [
        material(OLD, describeHsmKey('payments')),
        material(NEW, describeHsmKey('payments-r2-abcdef01'), 'CURRENT'),
      ],
      [material(OLD), material(NEW)],
      RotationMaterialInUseError,
    ],
    [
      'its material is pending on the primary (an ambiguous import KMS committed)',
      [
        material(OLD, describeHsmKey('payments'), 'CURRENT'),
        material(NEW, describeHsmKey('payments-r2-abcdef01'), 'PENDING_ROTATION'),
      ],
      [material(OLD)],
      RotationMaterialInUseError,
    ],
    [
      'a replica holds a material the primary does not describe',
      [material(OLD, describeHsmKey('payments'), 'CURRENT')],
      [material(OLD), material(NEW, undefined, 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION')],
      RotationMaterialUnprovenError,
    ],
    ['a material names no HSM key', [material(OLD, undefined, 'CURRENT')], [], RotationMaterialUnprovenError],
    [
      'two materials claim the same HSM key',
      [material(OLD, describeHsmKey('payments')), material(NEW, describeHsmKey('payments'), 'CURRENT')],
      [],
      RotationMaterialUnprovenError,
    ],
  ])('refuses when %s', async (_case, primary, replica, refusal) => {
    // Prepare
    kmsShows(primary, replica);

    // Act
    const act = proveHsmKeyNeverImported(PRIMARY, 'payments-r2-abcdef01', deps);

    // Assess
    await expect(act).rejects.toThrow(refusal);
  });

  it('refuses when KMS cannot be read in a Region, and says which', async () => {
    // Prepare
    kmsShows([material(OLD, describeHsmKey('payments'), 'CURRENT')], []);
    replicaMock
      .on(ListKeyRotationsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    // Act
    const act = proveHsmKeyNeverImported(PRIMARY, 'payments-r2-abcdef01', deps);

    // Assess
    await expect(act).rejects.toThrow(RotationMaterialUnprovenError);
    await expect(act).rejects.toThrow(/ListKeyRotations in .*eu-west-1.*AccessDeniedException/);
  });
});
