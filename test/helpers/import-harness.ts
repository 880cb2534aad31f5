// Shared setup for the import workflow's integration tests: a real local stack (KMS endpoint over
// HTTP), a real NSS token in a temp BYOK_HOME, real SDK clients, and the real ASL run by the runner.

import type { Logger } from '@aws-lambda-powertools/logger';
import type { KeySpec, KeyUsageType, Tag } from '@aws-sdk/client-kms';
import type { LocalTokenKind } from '../../src/core/hsm/local-token.ts';
import type { Hsm, HsmKeyType, WrapKeyInput } from '../../src/core/hsm/port.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../src/local/stack.ts';
import { createLocalDeps, type LocalDeps } from '../../src/onprem/runner/local-deps.ts';
import {
  type ExecutionResult,
  type RunOverrides,
  runExecution,
} from '../../src/onprem/runner/run-execution.ts';
import { createTestToken, type TestToken } from './hsm.ts';
import { createManagedExternalKey } from './managed-key.ts';

/** Retries in tests wait 1 ms instead of the ASL's backoff. */
export const NO_BACKOFF: RunOverrides = {
  retryIntervalOverrides: {
    GetParametersForImport: 1,
    WrapKeyMaterial: 1,
    ImportKeyMaterial: 1,
    VerifyImport: 1,
    PublishSucceeded: 1,
    PublishFailed: 1,
  },
};

export interface ImportHarness {
  stack: LocalStack;
  token: TestToken;
  deps: LocalDeps;
  /** An EXTERNAL key tagged for byok; its HSM key (and `bind`) bound to it on the stack. */
  createExternalKey(options: {
    keySpec: KeySpec;
    keyUsage: KeyUsageType;
    hsmKeyLabel?: string;
    tags?: Tag[];
    bind?: readonly string[];
    unbound?: boolean;
  }): Promise<string>;
  run(input: unknown, overrides?: RunOverrides): Promise<ExecutionResult>;
  stop(): Promise<void>;
}

export async function startImportHarness(
  options: {
    keys?: Array<{ label: string; type: HsmKeyType }>;
    stack?: LocalStackOptions;
    logger?: Logger;
    decorate?: (deps: LocalDeps) => LocalDeps;
    /** The software token to use (default NSS, which wraps with SHA-256). */
    tokenKind?: LocalTokenKind;
  } = {},
): Promise<ImportHarness> {
  const stack = await startLocalStack({ port: 0, ...options.stack });
  let token: TestToken | undefined;
  let baseDeps: LocalDeps;
  try {
    token = await createTestToken(options.tokenKind ?? 'nss', { keys: options.keys ?? [] });
    baseDeps = await createLocalDeps({
      endpoint: stack.url,
      region: stack.region,
      accountId: stack.accountId,
      clock: stack.clock,
      hsm: token.hsm,
      logger: options.logger,
    });
  } catch (error) {
    // A failed setup leaves no token directory or listening stack behind.
    await token?.cleanup();
    await stack.stop();
    throw error;
  }
  const deps = options.decorate ? options.decorate(baseDeps) : baseDeps;
  return {
    stack,
    token,
    deps,
    createExternalKey(options) {
      return createManagedExternalKey(deps.kms, options);
    },
    run(input, overrides = NO_BACKOFF) {
      return runExecution({ stateMachine: 'import-key-material', input, deps, overrides });
    },
    async stop() {
      await baseDeps.close();
      await token.cleanup();
      await stack.stop();
    },
  };
}

/** Names of the states the execution entered, in order. */
export function statesEntered(result: ExecutionResult): string[] {
  return result.events
    .filter((event) => event.type === 'StateEntered')
    .map((event) => (event as unknown as { state: { name: string } }).state.name);
}

/**
 * A `decorate` for startImportHarness: the real token's HSM port with wrapKey replaced by `wrapKey`,
 * which gets the real one to call (to stall the run or fail a wrap on purpose).
 */
export function decorateWrapKey(
  wrapKey: (input: WrapKeyInput, real: Hsm['wrapKey']) => ReturnType<Hsm['wrapKey']>,
): (deps: LocalDeps) => LocalDeps {
  return (deps) => {
    const real = deps.hsm;
    const hsm: Hsm = {
      tokenLabel: real.tokenLabel,
      describeKey: (label) => real.describeKey(label),
      wrappingAlgorithms: (type) => real.wrappingAlgorithms(type),
      evidence: (label, challenge) => real.evidence(label, challenge),
      close: () => real.close(),
      wrapKey: (input) => wrapKey(input, (next) => real.wrapKey(next)),
    };
    return { ...deps, hsm };
  };
}
