// runWrapTask never uses the task's wrapping key: it asks KMS for its own (for the bound key, with
// step 1's algorithm and spec), refuses an answer that disagrees with step 1's decision before the
// HSM is touched, and returns its own import token with the blob.
import { generateKeyPairSync } from 'node:crypto';
import { GetParametersForImportCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/core/import/logger.ts';
import { KeyBindings } from '../../../../src/onprem/worker/bindings.ts';
import {
  WorkerImportParametersMismatchError,
  WorkerKeyNotBoundError,
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
  return { kms: new KMSClient({ region: 'us-east-1' }), hsm, bindings, clock, logger: silentLogger };
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
});
