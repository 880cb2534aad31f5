// Step 1: validate the request against the KMS key and its byok tags, decide expiry and wrapping,
// then ask KMS for the import parameters. Everything KMS-side that can be refused is refused here,
// before KMS hands out a token and long before anything is imported: the key is left untouched.
// In AWS this step's Lambda has no path to the HSM: it chooses the wrapping algorithm from KMS's
// rules (and the token's algorithms when configured), and step 2 checks the HSM key before wrapping.
// Where the HSM is at hand (local runs, `byok import` next to the HSM) it is checked here already,
// so a missing or mismatched HSM key fails before KMS hands out a token.
import {
  DescribeKeyCommand,
  GetParametersForImportCommand,
  type KeyMetadata,
  type KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import type { Clock } from '../clock.ts';
import { type Hsm, WRAPPING_ALGORITHMS, type WrappingAlgorithm } from '../hsm/port.ts';
import {
  describeIssues,
  type GetParametersForImportInput,
  type ImportExecutionInput,
  ImportExecutionInputSchema,
  type ImportParameters,
  isAlias,
} from './contracts.ts';
import {
  AliasNotAcceptedError,
  HsmKeyLabelMissingError,
  InvalidImportInputError,
  KeyNotManagedError,
  KeyOriginNotExternalError,
  KeyPendingDeletionError,
  KeySpecMismatchError,
  KeyStateNotImportableError,
  KmsKeyNotFoundError,
  UnexpectedKmsResponseError,
} from './errors.ts';
import { DEFAULT_VALID_FOR_DAYS, type ExpiryChoice, resolveExpiration } from './expiry-policy.ts';
import { hsmKeyTypeForKeySpec } from './key-families.ts';
import { listKeyTags, readTagDefaults } from './key-tags.ts';
import type { StepLogger } from './logger.ts';
import { TAG_WRAPPING_ALGORITHM } from './tags.ts';
import { chooseWrappingAlgorithm } from './wrapping-algorithms.ts';

export interface GetParametersForImportDeps {
  kms: KMSClient;
  clock: Clock;
  logger: StepLogger;
  /** The HSM when this process can reach it: enables the early HSM key check and a token-aware choice. */
  hsm?: Pick<Hsm, 'describeKey' | 'wrappingAlgorithms'> | undefined;
  /** Without an HSM: the algorithms the token is known to produce (default: all, KMS's rules decide). */
  tokenWrappingAlgorithms?: readonly WrappingAlgorithm[] | undefined;
}

/** Checks the raw execution input; aliases get their own error because they are a common mistake. */
export function parseImportExecutionInput(raw: unknown): ImportExecutionInput {
  if (raw !== null && typeof raw === 'object' && 'keyId' in raw) {
    const keyId = (raw as { keyId: unknown }).keyId;
    if (typeof keyId === 'string' && isAlias(keyId)) throw new AliasNotAcceptedError(keyId);
  }
  const parsed = ImportExecutionInputSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidImportInputError(describeIssues(parsed.error));
  return parsed.data;
}

const SHA_256_WRAPPING = new Set<WrappingAlgorithm>(['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256']);

const IMPORTABLE_STATES = new Set(['Enabled', 'PendingImport']);

export async function describeImportableKey(kms: KMSClient, keyId: string): Promise<KeyMetadata> {
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
  } catch (error) {
    if (error instanceof NotFoundException) throw new KmsKeyNotFoundError(keyId, { cause: error });
    throw error;
  }
  if (!metadata?.Arn) throw new KmsKeyNotFoundError(keyId);
  if (metadata.Origin !== 'EXTERNAL')
    throw new KeyOriginNotExternalError(keyId, metadata.Origin ?? 'unknown');
  const state = metadata.KeyState ?? 'unknown';
  if (state === 'PendingDeletion' || state === 'PendingReplicaDeletion')
    throw new KeyPendingDeletionError(keyId);
  if (!IMPORTABLE_STATES.has(state)) throw new KeyStateNotImportableError(keyId, state);
  return metadata;
}

export async function getParametersForImport(
  input: GetParametersForImportInput,
  deps: GetParametersForImportDeps,
): Promise<ImportParameters> {
  const request = parseImportExecutionInput(input.request);
  const { kms, clock, logger, hsm } = deps;

  const metadata = await describeImportableKey(kms, request.keyId);
  const keyArn = metadata.Arn as string;
  const keySpec = metadata.KeySpec ?? 'SYMMETRIC_DEFAULT';
  const { family, hsmKeyType } = hsmKeyTypeForKeySpec(keySpec);
  const tagDefaults = readTagDefaults(await listKeyTags(kms, keyArn));
  if (!tagDefaults.managed) throw new KeyNotManagedError(keyArn);

  const hsmKeyLabel = request.hsmKeyLabel ?? tagDefaults.hsmKeyLabel;
  if (!hsmKeyLabel) throw new HsmKeyLabelMissingError(request.keyId);
  if (hsm) {
    const hsmKey = await hsm.describeKey(hsmKeyLabel);
    if (hsmKey.type !== hsmKeyType) throw new KeySpecMismatchError(keySpec, hsmKeyLabel, hsmKey.type);
  }

  const expiration = resolveExpiration(expiryChoice(request, tagDefaults.validForDays), clock);
  const tokenAlgorithms = hsm
    ? await hsm.wrappingAlgorithms(hsmKeyType)
    : (deps.tokenWrappingAlgorithms ?? WRAPPING_ALGORITHMS);
  const wrapping = chooseWrappingAlgorithm(
    keySpec,
    tokenAlgorithms,
    request.wrappingAlgorithm ?? tagDefaults.wrappingAlgorithm,
    request.wrappingKeySpec,
  );

  const response = await kms.send(
    new GetParametersForImportCommand({
      KeyId: keyArn,
      WrappingAlgorithm: wrapping.wrappingAlgorithm,
      WrappingKeySpec: wrapping.wrappingKeySpec,
    }),
  );
  if (!response.ImportToken || !response.PublicKey || !response.ParametersValidTo) {
    throw new UnexpectedKmsResponseError(
      'GetParametersForImport',
      'ImportToken, PublicKey or ParametersValidTo',
    );
  }
  if (!SHA_256_WRAPPING.has(wrapping.wrappingAlgorithm)) {
    // SHA-1 is only ever used when named; say so where operators look, and who named it.
    logger.warn('SHA-1 wrapping in use because it was named for this import', {
      keyId: keyArn,
      wrappingAlgorithm: wrapping.wrappingAlgorithm,
      namedBy: request.wrappingAlgorithm ? 'execution input' : `tag ${TAG_WRAPPING_ALGORITHM}`,
    });
  }
  logger.info('import parameters received', {
    keyId: keyArn,
    keySpec,
    hsmKeyLabel,
    wrappingAlgorithm: wrapping.wrappingAlgorithm,
    wrappingKeySpec: wrapping.wrappingKeySpec,
    expirationModel: expiration.expirationModel,
    validTo: expiration.validTo,
    parametersValidTo: response.ParametersValidTo.toISOString(),
    importTokenAttempt: input.importTokenAttempt,
  });
  return {
    keyId: keyArn,
    keySpec,
    keyUsage: metadata.KeyUsage ?? 'ENCRYPT_DECRYPT',
    family,
    hsmKeyLabel,
    hsmKeyType,
    wrappingAlgorithm: wrapping.wrappingAlgorithm,
    wrappingKeySpec: wrapping.wrappingKeySpec,
    expirationModel: expiration.expirationModel,
    ...(expiration.validTo ? { validTo: expiration.validTo } : {}),
    importToken: Buffer.from(response.ImportToken).toString('base64'),
    wrappingPublicKey: Buffer.from(response.PublicKey).toString('base64'),
    parametersValidTo: response.ParametersValidTo.toISOString(),
    importTokenAttempt: input.importTokenAttempt,
    ...(request.reason ? { reason: request.reason } : {}),
  };
}

function expiryChoice(request: ImportExecutionInput, tagDays: number | 'none' | undefined): ExpiryChoice {
  if (request.noExpiry === true) return { kind: 'noExpiry' };
  if (request.validTo !== undefined) return { kind: 'validTo', validTo: request.validTo };
  if (request.validForDays !== undefined) return { kind: 'validForDays', days: request.validForDays };
  if (tagDays === 'none') return { kind: 'noExpiry' };
  return { kind: 'validForDays', days: tagDays ?? DEFAULT_VALID_FOR_DAYS };
}
