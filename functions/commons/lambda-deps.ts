// Dependencies of the deployed functions, built lazily on the first invocation and kept for the
// life of the execution environment: the KMS client (src/core/aws/clients.ts), the HSM session (PIN from
// Secrets Manager) and the system clock.

import type { Logger } from '@aws-lambda-powertools/logger';
import type { KMSClient } from '@aws-sdk/client-kms';
import {
  createDynamoDbDocumentClient,
  createKmsClient,
  createRegionalKmsClients,
} from '../../src/core/aws/clients.ts';
import { createFleetKmsClients } from '../../src/core/aws/fleet-clients.ts';
import { BINDINGS_TABLE_ENV, DynamoDbBindingsStore } from '../../src/core/bindings/dynamodb-store.ts';
import type { BindingsReader } from '../../src/core/bindings/port.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { HsmConfig } from '../../src/core/hsm/config.ts';
import { isWrappingAlgorithm, type WrappingAlgorithm } from '../../src/core/hsm/port.ts';
import { createLogger } from '../../src/core/shared/logger.ts';
import type { HsmStepDeps, KmsStepDeps } from '../../src/core/steps/deps.ts';
import { InvalidEnvironmentVariableError, requireEnv } from './env.ts';

/** A step's deps as a Lambda has them: always a Powertools logger. */
export type KmsFunctionDeps = KmsStepDeps & { logger: Logger };

/**
 * BYOK_TOKEN_WRAPPING_ALGORITHMS (comma-separated) tells the functions without HSM access which
 * algorithms the token can produce, so GetParametersForImport asks KMS for one the token can do.
 */
export function tokenWrappingAlgorithmsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): WrappingAlgorithm[] | undefined {
  const text = env.BYOK_TOKEN_WRAPPING_ALGORITHMS;
  if (!text) return undefined;
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const unknown = names.filter((name) => !isWrappingAlgorithm(name));
  if (unknown.length > 0) {
    throw new InvalidEnvironmentVariableError(
      'BYOK_TOKEN_WRAPPING_ALGORITHMS',
      `names unknown wrapping algorithms: ${unknown.join(', ')}`,
    );
  }
  return names.filter(isWrappingAlgorithm);
}

export type HsmFunctionDeps = HsmStepDeps & { logger: Logger };

let kmsDeps: KmsFunctionDeps | undefined;
let bindings: BindingsReader | undefined;

/**
 * The administrators' bindings table named by BYOK_BINDINGS_TABLE (serverless.yml), read-only:
 * this function's role may only GetItem/Scan it.
 */
export function lambdaBindings(env: NodeJS.ProcessEnv = process.env): BindingsReader {
  bindings ??= new DynamoDbBindingsStore({
    client: createDynamoDbDocumentClient(),
    tableName: requireEnv(BINDINGS_TABLE_ENV, env),
  });
  return bindings;
}
let hsmDeps: Promise<HsmFunctionDeps> | undefined;

export function lambdaKmsDeps(): KmsFunctionDeps {
  if (!kmsDeps) {
    // The function's own Region for bare key ids; a multi-Region key's replicas in their Regions.
    const regional = createRegionalKmsClients();
    const kmsForRegion = (region: string) => regional.forRegion(region);
    kmsDeps = {
      kms: createKmsClient(),
      kmsForRegion,
      clock: systemClock,
      logger: createLogger(),
      ...fleetKmsFromEnv(kmsForRegion),
    };
  }
  return kmsDeps;
}

/**
 * Fleet mode (the hub): BYOK_SPOKE_ROLE_NAME and BYOK_HUB_ACCOUNT_ID are set, and keys of other
 * accounts are reached through their spoke role with BYOK_FLEET_EXTERNAL_ID. Unset: nothing.
 */
export function fleetKmsFromEnv(
  hubKms: (region: string) => KMSClient,
  env: NodeJS.ProcessEnv = process.env,
): Pick<KmsFunctionDeps, 'kmsForAccount'> & { spokeRoleArnOf?: (accountId: string) => string } {
  const roleName = env.BYOK_SPOKE_ROLE_NAME;
  if (!roleName) return {};
  const clients = createFleetKmsClients({
    hubAccountId: requireEnv('BYOK_HUB_ACCOUNT_ID', env),
    spokeRoleName: roleName,
    externalId: env.BYOK_FLEET_EXTERNAL_ID || undefined,
    hubKms,
  });
  return {
    kmsForAccount: (accountId, region) => clients.forAccount(accountId, region),
    spokeRoleArnOf: (accountId) => clients.roleArnOf(accountId),
  };
}

/**
 * The token named by BYOK_HSM_TOKEN_LABEL in the PKCS#11 library at BYOK_PKCS11_LIBRARY (from the
 * PKCS#11 layer), logged in with the PIN from the secret at BYOK_PIN_SECRET_ARN (the one name for it, read by
 * resolvePin in src/core/hsm/config.ts).
 */
export function hsmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HsmConfig {
  return {
    profile: 'custom',
    library: requireEnv('BYOK_PKCS11_LIBRARY', env),
    tokenLabel: requireEnv('BYOK_HSM_TOKEN_LABEL', env),
  };
}

export function lambdaHsmDeps(): Promise<HsmFunctionDeps> {
  hsmDeps ??= (async () => {
    // The PKCS#11 binding is native and comes from a layer: load it only in the function that wraps.
    const { openHsm } = await import('../../src/core/hsm/pkcs11-adapter.ts');
    const hsm = await openHsm(hsmConfigFromEnv(), { env: process.env });
    return { hsm, logger: createLogger() };
  })().catch((error: unknown) => {
    // A failed open (network to the HSM, PIN) must not poison every later invocation.
    hsmDeps = undefined;
    throw error;
  });
  return hsmDeps;
}
