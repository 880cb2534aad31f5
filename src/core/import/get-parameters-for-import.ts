// Step 1: validate the request against the KMS key and its byok tags, check that an administrator
// bound the HSM key to this KMS key (src/bindings/: the tags only choose among bound pairings),
// decide expiry and wrapping, then ask KMS for the import parameters. Everything KMS-side that can be refused is refused here,
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
import { listResourceTags } from '../aws/paginate-kms.ts';
import type { BindingsReader } from '../bindings/port.ts';
import { requireBinding } from '../bindings/rules.ts';
import type { Clock } from '../clock.ts';
import { type Hsm, WRAPPING_ALGORITHMS, type WrappingAlgorithm } from '../hsm/port.ts';
import { describeIssues } from '../step-kernel/issues.ts';
import type { StepLogger } from '../step-kernel/logger.ts';
import {
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
  KeyMaterialNotFoundError,
  KeyMaterialNotIdentifiedError,
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
import { describeHsmKey } from './key-material-description.ts';
import { isPermanentlyAssociated, type KeyMaterial, listKeyMaterials } from './key-materials.ts';
import { type KeyTagDefaults, readTagDefaults } from './key-tags.ts';
import { type KmsForRegion, kmsForKey, regionOfKeyArn } from './regional-kms.ts';
import { TAG_WRAPPING_ALGORITHM } from './tags.ts';
import { chooseWrappingAlgorithm } from './wrapping-algorithms.ts';

export interface GetParametersForImportDeps {
  kms: KMSClient;
  /** The administrators' bindings: an HSM key goes only into the KMS key it is bound to. */
  bindings: BindingsReader;
  /** Clients of other Regions (multi-Region keys); without it every call goes to `kms`. */
  kmsForRegion?: KmsForRegion | undefined;
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

async function describeImportableKey(kms: KMSClient, keyId: string): Promise<KeyMetadata> {
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
  const newMaterial = input.importType === 'NEW_KEY_MATERIAL';
  if (newMaterial && request.keyMaterialId) {
    throw new InvalidImportInputError(['keyMaterialId cannot be used with importType NEW_KEY_MATERIAL']);
  }
  const { clock, logger, hsm } = deps;
  const kms = kmsForKey(deps, request.keyId);

  const metadata = await describeImportableKey(kms, request.keyId);
  const keyArn = metadata.Arn as string;
  const keySpec = metadata.KeySpec ?? 'SYMMETRIC_DEFAULT';
  const { family, hsmKeyType } = hsmKeyTypeForKeySpec(keySpec);
  // A multi-Region replica follows its primary's byok tags (its own may differ or be absent).
  const multiRegion = metadata.MultiRegion ? metadata.MultiRegionConfiguration : undefined;
  const primaryKeyArn =
    multiRegion?.MultiRegionKeyType === 'REPLICA' ? multiRegion.PrimaryKey?.Arn : undefined;
  const rulingArn = primaryKeyArn ?? keyArn;
  const rulingKms = kmsForKey(deps, rulingArn);
  const tagDefaults = readTagDefaults(await listResourceTags(rulingKms, rulingArn));
  if (!tagDefaults.managed) throw new KeyNotManagedError(rulingArn);

  const material =
    family === 'SYMMETRIC'
      ? await chooseMaterial(
          request,
          newMaterial,
          tagDefaults,
          await listKeyMaterials(rulingKms, rulingArn),
          keyArn,
        )
      : { hsmKeyLabel: request.hsmKeyLabel ?? tagDefaults.hsmKeyLabel };
  const hsmKeyLabel = material.hsmKeyLabel;
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

  // The administrators' decision, not the tag's: the last check before KMS hands out a token, so
  // an unbound pairing gets no import parameters at all (and a mistaken request still gets the
  // more specific error above). A replica is ruled by its primary's binding; a rotation's derived
  // labels by the binding of the label they derive from (symmetric keys only).
  await requireBinding(deps.bindings, {
    hsmKeyLabel,
    keyArn: rulingArn,
    rotationLabels: family === 'SYMMETRIC',
  });
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
  const replicas =
    multiRegion?.MultiRegionKeyType === 'PRIMARY' && request.importReplicas !== false && !newMaterial
      ? (multiRegion.ReplicaKeys ?? []).flatMap((replica) =>
          replica.Arn && replica.Region
            ? [
                {
                  keyArn: replica.Arn,
                  region: replica.Region,
                  request: replicaRequest(request, replica.Arn, hsmKeyLabel, material.keyMaterialId),
                },
              ]
            : [],
        )
      : [];
  const region = regionOfKeyArn(keyArn);
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
    importType: material.importType,
    keyMaterialId: material.keyMaterialId,
    replicaRegions: replicas.map((replica) => replica.region),
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
    ...(region ? { region } : {}),
    ...(material.importType ? { importType: material.importType } : {}),
    ...(material.keyMaterialId ? { keyMaterialId: material.keyMaterialId } : {}),
    // KMS keeps descriptions on the primary only (a replica refuses one).
    ...(family === 'SYMMETRIC' && !primaryKeyArn
      ? { keyMaterialDescription: describeHsmKey(hsmKeyLabel) }
      : {}),
    ...(primaryKeyArn ? { primaryKeyArn } : {}),
    ...(replicas.length > 0 ? { replicas } : {}),
  };
}

interface MaterialChoice {
  hsmKeyLabel: string | undefined;
  importType?: 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';
  keyMaterialId?: string;
}

/**
 * Which of a symmetric key's materials this import fills, and from which HSM key. New material
 * when the rotation workflow asks (beside the request: the replicas get it from the rotation
 * workflow, not from here). A named
 * KeyMaterialId is reimported from the HSM key its description records; otherwise the material
 * recorded as held by the HSM key (input, else tag) is; a key that never held material gets new
 * material. A key holding one material reimports that one (imported before descriptions were
 * recorded, or a different HSM key named, which KMS then refuses as IncorrectKeyMaterialException).
 * `materials` are the primary's (descriptions live there).
 */
function chooseMaterial(
  request: ImportExecutionInput,
  newMaterial: boolean,
  tags: KeyTagDefaults,
  materials: readonly KeyMaterial[],
  keyArn: string,
): MaterialChoice {
  if (newMaterial) {
    return { hsmKeyLabel: request.hsmKeyLabel ?? tags.hsmKeyLabel, importType: 'NEW_KEY_MATERIAL' };
  }
  const associated = materials.filter(isPermanentlyAssociated);
  const legacyLabel = associated.length <= 1 ? tags.hsmKeyLabel : undefined;
  if (request.keyMaterialId) {
    const named = materials.find((material) => material.keyMaterialId === request.keyMaterialId);
    if (!named) throw new KeyMaterialNotFoundError(keyArn, request.keyMaterialId);
    return {
      hsmKeyLabel: request.hsmKeyLabel ?? named.hsmKeyLabel ?? legacyLabel,
      importType: 'EXISTING_KEY_MATERIAL',
      keyMaterialId: named.keyMaterialId,
    };
  }
  const hsmKeyLabel = request.hsmKeyLabel ?? tags.hsmKeyLabel;
  if (materials.length === 0) return { hsmKeyLabel, importType: 'NEW_KEY_MATERIAL' };
  if (!hsmKeyLabel) return { hsmKeyLabel };
  const recorded = materials.find((material) => material.hsmKeyLabel === hsmKeyLabel);
  // One material: that one (KMS's own identity check refuses a different HSM key by name).
  const chosen = recorded ?? (associated.length === 1 ? associated[0] : undefined);
  if (!chosen) throw new KeyMaterialNotIdentifiedError(keyArn, hsmKeyLabel, materials.length);
  return { hsmKeyLabel, importType: 'EXISTING_KEY_MATERIAL', keyMaterialId: chosen.keyMaterialId };
}

/** The request for one replica Region: the primary's, for that Region's key, replicas not fanned out again. */
function replicaRequest(
  request: ImportExecutionInput,
  replicaArn: string,
  hsmKeyLabel: string,
  keyMaterialId: string | undefined,
): ImportExecutionInput {
  return {
    ...request,
    keyId: replicaArn,
    hsmKeyLabel,
    ...(keyMaterialId ? { keyMaterialId } : {}),
    importReplicas: false,
  };
}

function expiryChoice(request: ImportExecutionInput, tagDays: number | 'none' | undefined): ExpiryChoice {
  if (request.noExpiry === true) return { kind: 'noExpiry' };
  if (request.validTo !== undefined) return { kind: 'validTo', validTo: request.validTo };
  if (request.validForDays !== undefined) return { kind: 'validForDays', days: request.validForDays };
  if (tagDays === 'none') return { kind: 'noExpiry' };
  return { kind: 'validForDays', days: tagDays ?? DEFAULT_VALID_FOR_DAYS };
}
