// The local KMS's pool of RSA wrapping key pairs: by default a drained pool hands out its last pair
// again (a burst of imports does not wait for RSA generation); with `distinct`, closer to AWS, two
// GetParametersForImport calls in a row never get the same pair, so a token sent with a blob wrapped
// under the next call's public key cannot unwrap it (statemachines must send the wrap step's token).
import { describe, expect, it } from 'vitest';
import { WrappingKeyPool } from '../../../../src/local/kms/import-tokens.ts';

const fingerprint = (der: Buffer) => der.toString('base64');

describe('WrappingKeyPool', () => {
  it('hands out the last pair again when drained (the default)', async () => {
    // Prepare
    const pool = new WrappingKeyPool({ RSA_2048: 1 });

    // Act: the second take comes before the background refill can have made a pair.
    const first = await pool.take('RSA_2048');
    const second = await pool.take('RSA_2048');
    pool.close();
    await pool.settled();

    // Assess
    expect(fingerprint(second.publicKeyDer)).toBe(fingerprint(first.publicKeyDer));
  });

  it('never hands out the same pair twice in a row with distinct, even when drained', async () => {
    // Prepare
    const pool = new WrappingKeyPool({ RSA_2048: 1 }, { distinct: true });

    // Act: more takes than the pool holds, faster than it refills.
    const taken = [];
    for (let i = 0; i < 5; i += 1) taken.push(fingerprint((await pool.take('RSA_2048')).publicKeyDer));
    pool.close();
    await pool.settled();

    // Assess
    for (let i = 1; i < taken.length; i += 1) expect(taken[i]).not.toBe(taken[i - 1]);
  });

  it('refuses by name, instead of waiting forever, when closed before it has a pair', async () => {
    // Prepare
    const pool = new WrappingKeyPool({ RSA_2048: 1 }, { distinct: true });
    pool.close();

    // Act + Assess
    await expect(pool.take('RSA_2048')).rejects.toThrow(/wrapping key pool is closed/);
  });
});
