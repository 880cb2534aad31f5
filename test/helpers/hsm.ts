// Real software tokens for tests: a fresh NSS or SoftHSM2 token in a temp BYOK_HOME, opened once.
// pkcs11js allows one module per library and process (vitest runs each file in its own process):
// close one token of a kind (cleanup) before creating the next of the same kind.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HsmConfig } from '../../src/core/hsm/config.ts';
import { initLocalToken, type LocalTokenKind } from '../../src/core/hsm/local-token.ts';
import { openHsm, type Pkcs11Hsm } from '../../src/core/hsm/pkcs11-adapter.ts';
import type { HsmKeyType } from '../../src/core/hsm/port.ts';

export interface TestToken {
  kind: LocalTokenKind;
  /** The temp BYOK_HOME; the token lives in <byokHome>/hsm. */
  byokHome: string;
  config: HsmConfig;
  /** Open handle (absent with `open: false`). */
  hsm: Pkcs11Hsm | undefined;
  /** Closes the handle and deletes the temp directory. */
  cleanup(): Promise<void>;
}

export interface CreateTestTokenOptions {
  /** Open the token (default true). */
  open?: boolean;
  /** Keys to generate in the token up front (needs open). */
  keys?: Array<{ label: string; type: HsmKeyType }>;
}

export async function createTestToken(
  kind: LocalTokenKind,
  options: CreateTestTokenOptions = {},
): Promise<TestToken> {
  const byokHome = await mkdtemp(join(tmpdir(), `byok-test-${kind}-`));
  try {
    const { config } = await initLocalToken({ byokHome, kind });
    const hsm = options.open === false ? undefined : await openHsm(config, { env: {} });
    for (const key of options.keys ?? []) {
      if (!hsm) throw new Error('createTestToken: keys need an open token');
      await hsm.createKey(key);
    }
    return {
      kind,
      byokHome,
      config,
      hsm,
      async cleanup() {
        await hsm?.close();
        await rm(byokHome, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(byokHome, { recursive: true, force: true });
    throw error;
  }
}
