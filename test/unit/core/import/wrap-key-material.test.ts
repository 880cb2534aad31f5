import { describe, expect, it } from 'vitest';
import { HsmKeyNotFoundError } from '../../../../src/core/hsm/errors.ts';
import {
  KeySpecMismatchError,
  WrappingAlgorithmNotInTokenError,
} from '../../../../src/core/import/errors.ts';
import { wrapKeyMaterial } from '../../../../src/core/import/wrap-key-material.ts';
import { silentLogger } from '../../../../src/core/step-kernel/logger.ts';
import { hmacImportParameters } from '../../../helpers/import/import-parameters.ts';
import { InMemoryHsm } from '../../../helpers/import/in-memory-hsm.ts';

const parameters = hmacImportParameters();

describe('wrapKeyMaterial', () => {
  it('wraps with the chosen algorithm and returns the blob with HMAC evidence over a fresh challenge', async () => {
    // Prepare
    const challenges: Uint8Array[] = [];
    const hsm = new InMemoryHsm([{ label: 'mac', type: 'HMAC_256' }], undefined, (_label, challenge) => {
      if (challenge) challenges.push(challenge);
      return {
        kind: 'hmac',
        macAlgorithm: 'HMAC_SHA_256',
        keyLength: 32,
        challenge: challenge ?? new Uint8Array(),
        mac: new Uint8Array([9, 9]),
      };
    });

    // Act
    const output = await wrapKeyMaterial({ importParameters: parameters }, { hsm, logger: silentLogger });

    // Assess
    expect(hsm.wraps).toEqual([
      { label: 'mac', algorithm: 'RSAES_OAEP_SHA_256', wrappingPublicKey: new Uint8Array([4, 5, 6]) },
    ]);
    expect(Buffer.from(output.wrappedKeyMaterial, 'base64').toString()).toBe(
      'wrapped:mac:RSAES_OAEP_SHA_256',
    );
    expect(challenges).toHaveLength(1);
    expect(challenges[0]?.byteLength).toBe(32);
    expect(output.hsmEvidence).toEqual({
      kind: 'hmac',
      macAlgorithm: 'HMAC_SHA_256',
      challenge: Buffer.from(challenges[0] ?? []).toString('base64'),
      mac: 'CQk=',
    });
  });

  it('throws KeySpecMismatchError when the HSM key changed type since step 1', async () => {
    // Prepare
    const hsm = new InMemoryHsm([{ label: 'mac', type: 'AES_256' }]);

    // Act
    const act = wrapKeyMaterial({ importParameters: parameters }, { hsm, logger: silentLogger });

    // Assess
    await expect(act).rejects.toThrow(KeySpecMismatchError);
    expect(hsm.wraps).toHaveLength(0);
  });

  it('throws WrappingAlgorithmNotInTokenError naming what the token can do', async () => {
    // Prepare
    const hsm = new InMemoryHsm([{ label: 'mac', type: 'HMAC_256' }], ['RSAES_OAEP_SHA_1']);

    // Act
    const act = wrapKeyMaterial({ importParameters: parameters }, { hsm, logger: silentLogger });

    // Assess
    await expect(act).rejects.toThrow(WrappingAlgorithmNotInTokenError);
    await expect(act).rejects.toThrow('it can: RSAES_OAEP_SHA_1');
    expect(hsm.wraps).toHaveLength(0);
  });

  it('lets HsmKeyNotFoundError through under its own name', async () => {
    // Prepare
    const hsm = new InMemoryHsm([]);

    // Act
    const act = wrapKeyMaterial({ importParameters: parameters }, { hsm, logger: silentLogger });

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'HsmKeyNotFoundError' });
    await expect(act).rejects.toBeInstanceOf(HsmKeyNotFoundError);
  });
});
