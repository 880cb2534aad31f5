// Several AWS accounts on one local stack. The stack's own account keeps the KMS it always had;
// every other account a request names (src/local/identity.ts) gets its own KMS on first use, with
// its own keys in every Region. A key ARN of another account is AccessDenied, as on AWS without a
// key policy granting it; a session of an assumed role may only do what the role's identity
// policies allow (the key's tags are the `aws:ResourceTag/...` condition keys).

import { evaluatePolicies } from './iam/policy.ts';
import type { Principal } from './identity.ts';
import type { KmsService } from './kms/service.ts';
import { AWS_JSON_1_1, AwsServiceError, type LocalService, type RequestContext } from './protocol.ts';

/** KMS request members that name a key (ARNs of another account are refused before anything runs). */
const KEY_MEMBERS = ['KeyId', 'TargetKeyId', 'DestinationKeyId', 'SourceKeyId'] as const;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:(\d{12}):(?:key|alias)\//;
/** Request members KMS offers as `kms:<Member>` condition keys. */
const CONDITION_MEMBERS = [
  'WrappingAlgorithm',
  'WrappingKeySpec',
  'ExpirationModel',
  'EncryptionAlgorithm',
  'SigningAlgorithm',
  'MacAlgorithm',
  'KeySpec',
  'KeyUsage',
  'Origin',
] as const;
/** Operations on no particular key: the resource is `*`. */
const NO_KEY = new Set(['CreateKey', 'ListKeys', 'ListAliases', 'GenerateRandom']);

export class MultiAccountKms implements LocalService {
  readonly targetPrefix = 'TrentService';
  readonly contentType = AWS_JSON_1_1;
  private readonly others = new Map<string, KmsService>();

  constructor(
    private readonly home: { accountId: string; kms: KmsService },
    private readonly create: (accountId: string) => KmsService,
  ) {}

  /** The KMS of an account (created on first use). */
  forAccount(accountId: string): KmsService {
    if (accountId === this.home.accountId) return this.home.kms;
    let kms = this.others.get(accountId);
    if (!kms) {
      kms = this.create(accountId);
      this.others.set(accountId, kms);
    }
    return kms;
  }

  /** The accounts with a KMS of their own, the stack's first. */
  accounts(): string[] {
    return [this.home.accountId, ...[...this.others.keys()].sort()];
  }

  async handle(operation: string, input: Record<string, unknown>, context: RequestContext): Promise<unknown> {
    for (const member of KEY_MEMBERS) {
      const value = input[member];
      const owner = typeof value === 'string' ? KEY_ARN.exec(value)?.[1] : undefined;
      if (owner && owner !== context.accountId)
        throw denied(context.principal, operation, value as string, 'resource-based');
    }
    const kms = this.forAccount(context.accountId);
    if (context.principal?.session) await authorize(kms, operation, input, context, context.principal);
    return kms.handle(operation, input, context);
  }

  async close(): Promise<void> {
    for (const kms of this.others.values()) await kms.close();
  }
}

async function authorize(
  kms: KmsService,
  operation: string,
  input: Record<string, unknown>,
  context: RequestContext,
  principal: Principal,
): Promise<void> {
  const session = principal.session;
  if (!session) return;
  let resource = '*';
  const conditions: Record<string, string | string[] | undefined> = {
    'aws:PrincipalArn': principal.principalArn,
    'aws:PrincipalAccount': principal.accountId,
    'aws:RequestedRegion': context.region,
  };
  for (const member of CONDITION_MEMBERS) {
    const value = input[member];
    if (typeof value === 'string')
      conditions[member === 'Origin' ? 'kms:KeyOrigin' : `kms:${member}`] = value;
  }
  const encryptionContext = input.EncryptionContext;
  if (
    encryptionContext !== null &&
    typeof encryptionContext === 'object' &&
    !Array.isArray(encryptionContext)
  ) {
    for (const [key, value] of Object.entries(encryptionContext))
      conditions[`kms:EncryptionContext:${key}`] = String(value);
    conditions['kms:EncryptionContextKeys'] = Object.keys(encryptionContext);
  }
  // ImportKeyMaterial with a ValidTo and no ExpirationModel imports expiring material.
  if (
    operation === 'ImportKeyMaterial' &&
    input.ExpirationModel === undefined &&
    input.ValidTo !== undefined
  ) {
    conditions['kms:ExpirationModel'] = 'KEY_MATERIAL_EXPIRES';
  }
  if (operation === 'CreateKey' || operation === 'TagResource') {
    const tags = Array.isArray(input.Tags) ? (input.Tags as { TagKey?: unknown; TagValue?: unknown }[]) : [];
    for (const tag of tags) conditions[`aws:RequestTag/${String(tag.TagKey)}`] = String(tag.TagValue);
    conditions['aws:TagKeys'] = tags.map((tag) => String(tag.TagKey));
  }
  const keyId = typeof input.KeyId === 'string' ? input.KeyId : undefined;
  if (!NO_KEY.has(operation) && keyId) {
    // The stand-in asks its own KMS (read-only operations) which key this is and how it is tagged.
    const unchecked = { ...context, principal: undefined };
    const described = (await kms.handle('DescribeKey', { KeyId: keyId }, unchecked)) as {
      KeyMetadata: { Arn: string; KeyId: string; Origin?: string };
    };
    resource = described.KeyMetadata.Arn;
    if (described.KeyMetadata.Origin) conditions['kms:KeyOrigin'] = described.KeyMetadata.Origin;
    const listed = (await kms.handle(
      'ListResourceTags',
      { KeyId: described.KeyMetadata.KeyId },
      unchecked,
    )) as {
      Tags?: { TagKey: string; TagValue: string }[];
    };
    for (const tag of listed.Tags ?? []) conditions[`aws:ResourceTag/${tag.TagKey}`] = tag.TagValue;
  }
  const decision = evaluatePolicies(session.role.policies, {
    action: `kms:${operation}`,
    resource,
    context: conditions,
  });
  if (decision !== 'Allow') throw denied(principal, operation, resource, 'identity-based');
}

function denied(
  principal: Principal | undefined,
  operation: string,
  resource: string,
  kind: 'identity-based' | 'resource-based',
): AwsServiceError {
  const who = principal?.arn ?? 'anonymous';
  return new AwsServiceError(
    'AccessDeniedException',
    `User: ${who} is not authorized to perform: kms:${operation} on resource: ${resource} because no ${kind} policy allows the kms:${operation} action`,
  );
}
