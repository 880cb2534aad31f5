// runWrapTask never uses the task's wrapping key: it asks KMS for its own (for the bound key, with
// step 1's algorithm and spec), refuses an answer that disagrees with step 1's decision before the
// HSM is touched, and returns its own import token with the blob.
import { generateKeyPairSync } from 'node:crypto';
import { DescribeKeyCommand, GetParametersForImportCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/core/step-kernel/logger.ts';
import { KeyBindings } from '../../../../src/onprem/worker/bindings.ts';
import {
  WorkerImportParametersMismatchError,
  WorkerKeyNotBoundError,
  WorkerRotationKeyUnknownError,
  WorkerSha1WrappingRefusedError,
} from '../../../../src/onprem/worker/errors.ts';
import { runWrapTask } from '../../../../src/onprem/worker/wrap-task.ts';
import { hmacImportParameters } from '../../../helpers/import/import-parameters.ts';
import { InMemoryHsm } from '../../../helpers/import/in-memory-hsm.ts';

const now = new Date('2027-01-10T12:00:00.000Z');
const clock = { now: () => now };
const parameters = hmacImportParameters({ wrappingKeySpec: 'RSA_2048' });
const spkiOf = (bits: number) =>
  new Uint8Array(
    generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'der' }),
  );
const kmsMock = mockClient(KMSClient);

afterEach(() => kmsMock.reset());

function deps(
  hsm: InMemoryHsm,
  bindings = new KeyBindings([{ hsmKeyLabel: 'mac', kmsKeyArn: parameters.keyId }]),
) {
  return {
    kms: new KMSClient({ region: 'us-east-1' }),
    hsm,
    bindings,
    journal: { madeFor: async () => undefined },
    clock,
    logger: silentLogger,
  };
}

describe('runWrapTask', () => {
  it("wraps under the key KMS gave the worker and returns the worker's import token", async () => {
    // Prepare
    const own = spkiOf(2048);
    kmsMock.on(GetParametersForImportCommand).resolves({
      KeyId: parameters.keyId,
      PublicKey: own,
      ImportToken: new Uint8Array([9, 9, 9]),
      ParametersValidTo: new Date(now.getTime() + 86_400_000),
    });
    const hsm = new InMemoryHsm([{ label: 'mac', type: 'HMAC_256' }]);

    // Act
    const output = await runWrapTask({ importParameters: parameters }, deps(hsm));

    // Assess
    expect(kmsMock.commandCalls(GetParametersForImportCommand).map((call) => call.args[0].input)).toEqual([
      { KeyId: parameters.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' },
    ]);
    expect(Buffer.from(hsm.wraps[0]?.wrappingPublicKey ?? []).equals(Buffer.from(own))).toBe(true);
    expect(output.importToken).toBe(Buffer.from([9, 9, 9]).toString('base64'));
  });

  it.each<[string, { bits?: number; KeyId?: string; ParametersValidTo?: Date }]>([
    ['a key of another size', { bits: 3072 }],
    [
      'another KMS key',
      { KeyId: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000' },
    ],
    ['parameters no longer valid', { ParametersValidTo: new Date(now.getTime() - 1) }],
  ])('refuses %s before the HSM wraps anything', async (_case, { bits = 2048, ...answer }) => {
    // Prepare
    kmsMock.on(GetParametersForImportCommand).resolves({
      KeyId: parameters.keyId,
      ImportToken: new Uint8Array([9]),
      ParametersValidTo: new Date(now.getTime() + 86_400_000),
      ...answer,
      PublicKey: spkiOf(bits),
    });
    const hsm = new InMemoryHsm([{ label: 'mac', type: 'HMAC_256' }]);

    // Act
    const act = runWrapTask({ importParameters: parameters }, deps(hsm));

    // Assess
    await expect(act).rejects.toThrow(WorkerImportParametersMismatchError);
    expect(hsm.wraps).toEqual([]);
  });

  it('asks KMS nothing for a pairing it does not bind', async () => {
    // Prepare
    const hsm = new InMemoryHsm([{ label: 'mac', type: 'HMAC_256' }]);
    const other = new KeyBindings([{ hsmKeyLabel: 'other', kmsKeyArn: parameters.keyId }]);

    // Act
    const act = runWrapTask({ importParameters: parameters }, deps(hsm, other));

    // Assess
    await expect(act).rejects.toThrow(WorkerKeyNotBoundError);
    expect(kmsMock.commandCalls(GetParametersForImportCommand)).toHaveLength(0);
    expect(hsm.wraps).toEqual([]);
  });

  it('refuses SHA-1 wrapping unless the worker allows it, before asking KMS anything', async () => {
    // Prepare
    const sha1 = { ...parameters, wrappingAlgorithm: 'RSAES_OAEP_SHA_1' as const };
    kmsMock.on(GetParametersForImportCommand).resolves({
      KeyId: parameters.keyId,
      PublicKey: spkiOf(2048),
      ImportToken: new Uint8Array([9]),
      ParametersValidTo: new Date(now.getTime() + 86_400_000),
    });
    const refusedHsm = new InMemoryHsm([{ label: 'mac', type: 'HMAC_256' }]);
    const allowedHsm = new InMemoryHsm([{ label: 'mac', type: 'HMAC_256' }]);

    // Act
    const refused = runWrapTask({ importParameters: sha1 }, deps(refusedHsm));
    const allowed = await runWrapTask({ importParameters: sha1 }, { ...deps(allowedHsm), allowSha1: true });

    // Assess
    await expect(refused).rejects.toThrow(WorkerSha1WrappingRefusedError);
    expect(refusedHsm.wraps).toEqual([]);
    expect(allowed.importToken).toBe(Buffer.from([9]).toString('base64'));
    expect(kmsMock.commandCalls(GetParametersForImportCommand)).toHaveLength(1);
  });

  it('wraps a rotation-derived label only when the journal shows the worker made it for the bound key', async () => {
    // Prepare
    const derived = { ...parameters, hsmKeyLabel: 'mac-r2-deadbeef' };
    kmsMock.on(GetParametersForImportCommand).resolves({
      KeyId: parameters.keyId,
      PublicKey: spkiOf(2048),
      ImportToken: new Uint8Array([9]),
      ParametersValidTo: new Date(now.getTime() + 86_400_000),
    });
    const hsm = new InMemoryHsm([{ label: 'mac-r2-deadbeef', type: 'HMAC_256' }]);
    const made = {
      madeFor: async (label: string, arn: string) =>
        label === 'mac-r2-deadbeef' && arn === parameters.keyId
          ? {
              requestId: 'deadbeef-0000-4000-8000-000000000000',
              hsmKeyLabel: label,
              kmsKeyArn: arn,
              createdAt: now.toISOString(),
            }
          : undefined,
    };

    // Act
    const planted = runWrapTask({ importParameters: derived }, deps(hsm));
    const ours = await runWrapTask({ importParameters: derived }, { ...deps(hsm), journal: made });

    // Assess
    await expect(planted).rejects.toThrow(WorkerRotationKeyUnknownError);
    expect(ours.wrappedKeyMaterial.length).toBeGreaterThan(0);
    expect(hsm.wraps).toHaveLength(1);
  });

  it("serves a replica of a bound multi-Region key with KMS of the replica's Region, once KMS lists it in the set", async () => {
    // Prepare
    const primary = 'arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef';
    const replica = primary.replace('us-east-1', 'eu-west-1');
    const replicaKms = new KMSClient({ region: 'eu-west-1' });
    const replicaMock = mockClient(replicaKms);
    replicaMock.on(DescribeKeyCommand).resolves({
      KeyMetadata: {
        KeyId: 'mrk-0123456789abcdef0123456789abcdef',
        Arn: replica,
        MultiRegionConfiguration: {
          MultiRegionKeyType: 'REPLICA',
          PrimaryKey: { Arn: primary, Region: 'us-east-1' },
          ReplicaKeys: [{ Arn: replica, Region: 'eu-west-1' }],
        },
      },
    });
    replicaMock.on(GetParametersForImportCommand).resolves({
      KeyId: replica,
      PublicKey: spkiOf(2048),
      ImportToken: new Uint8Array([7]),
      ParametersValidTo: new Date(now.getTime() + 86_400_000),
    });
    const hsm = new InMemoryHsm([{ label: 'mac', type: 'HMAC_256' }]);
    const bound = new KeyBindings([{ hsmKeyLabel: 'mac', kmsKeyArn: primary }]);

    // Act
    const output = await runWrapTask(
      { importParameters: { ...parameters, keyId: replica } },
      {
        ...deps(hsm, bound),
        kmsForRegion: (region) => (region === 'eu-west-1' ? replicaKms : new KMSClient({})),
      },
    );

    // Assess
    expect(output.importToken).toBe(Buffer.from([7]).toString('base64'));
    expect(replicaMock.commandCalls(GetParametersForImportCommand)[0]?.args[0].input.KeyId).toBe(replica);
    expect(kmsMock.commandCalls(GetParametersForImportCommand)).toHaveLength(0);
    replicaMock.restore();
  });
});
