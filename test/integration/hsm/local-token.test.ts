// Local tokens under BYOK_HOME: created once with owner-only secrets, found again by label after the
// library is finalised (a restart), and never overwritten by a second init.
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HsmLoginError, HsmPinUnavailableError, HsmTokenSetupError } from '../../../src/core/hsm/errors.ts';
import { initLocalToken } from '../../../src/core/hsm/local-token.ts';
import { finalizeIdleModules, openHsm } from '../../../src/core/hsm/pkcs11-adapter.ts';

let byokHome: string;

beforeEach(async () => {
  byokHome = await mkdtemp(join(tmpdir(), 'byok-local-token-'));
});

afterEach(async () => {
  finalizeIdleModules();
  await rm(byokHome, { recursive: true, force: true });
});

describe.each(['nss', 'softhsm'] as const)('initLocalToken(%s)', (kind) => {
  it('creates the token once, with owner-only PIN and configuration files', async () => {
    // Act
    const first = await initLocalToken({ byokHome, kind });
    const configText = await readFile(first.configFile, 'utf8');
    const second = await initLocalToken({ byokHome, kind: kind === 'nss' ? 'softhsm' : 'nss' });

    // Assess
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.config).toEqual(first.config);
    expect(await readFile(first.configFile, 'utf8')).toBe(configText);
    expect((await stat(first.configFile)).mode & 0o777).toBe(0o600);
    expect((await stat(first.config.pinFile ?? '')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(configText).pinFile).toBe('pin');
  });

  it('keeps keys across a restart of the PKCS#11 library', async () => {
    // Prepare
    const { config } = await initLocalToken({ byokHome, kind });
    const before = await openHsm(config, { env: {} });
    await before.createKey({ label: 'kept', type: 'AES_256' });
    const kcv = await before.evidence('kept');
    await before.close();
    finalizeIdleModules();

    // Act
    const after = await openHsm(config, { env: {} });
    const info = await after.describeKey('kept');
    const kcvAfter = await after.evidence('kept');
    await after.close();

    // Assess
    expect(info).toMatchObject({ label: 'kept', type: 'AES_256', sensitive: true });
    expect(kcvAfter).toEqual(kcv);
  });

  it('refuses a wrong PIN at the token, and a missing one before trying', async () => {
    // Prepare
    const { config } = await initLocalToken({ byokHome, kind });

    // Act
    const wrong = openHsm(config, { pin: 'not-the-pin' });
    const missing = openHsm({ ...config, pinFile: undefined }, { env: {} });

    // Assess
    await expect(wrong).rejects.toBeInstanceOf(HsmLoginError);
    await expect(wrong).rejects.toMatchObject({ returnCode: { name: 'CKR_PIN_INCORRECT' } });
    await expect(missing).rejects.toBeInstanceOf(HsmPinUnavailableError);
  });

  it('is measured the same under the generic profile the Lambda uses, which tries both RFC 5649 codes', async () => {
    // Prepare
    const { config } = await initLocalToken({ byokHome, kind });
    const hsm = await openHsm({ ...config, profile: 'custom' }, { env: {} });

    // Act
    const capabilities = await hsm.tokenCapabilities();
    const aes = await hsm.wrappingAlgorithms('AES_256');
    await hsm.close();

    // Assess
    if (kind === 'nss') {
      expect(capabilities.kwp).toMatchObject({ mechanism: 0x210b, exactFor: 'all' });
      expect(aes).toHaveLength(4);
    } else {
      // 0x210B does not exist in SoftHSM2 2.6.1; 0x210A is kept for multiples of 8 only.
      expect(capabilities.findings).toContain('mechanism 0x210B: wrap failed: CKR_MECHANISM_INVALID (0x70)');
      expect(capabilities.kwp).toMatchObject({ mechanism: 0x210a, exactFor: 'multiple-of-8' });
      expect(aes).toEqual(['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1']);
    }
  });

  it('refuses to guess when a token directory exists without its configuration', async () => {
    // Prepare
    await mkdir(join(byokHome, 'hsm', kind), { recursive: true });

    // Act
    const act = initLocalToken({ byokHome, kind });

    // Assess
    await expect(act).rejects.toBeInstanceOf(HsmTokenSetupError);
    await expect(act).rejects.toThrow(/exists but .*config\.json does not/);
  });
});
