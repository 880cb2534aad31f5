// Several accounts on one local stack, through the real SDK clients over HTTP: the account comes
// from a 12-digit access key id, STS AssumeRole really checks the role's trust policy and issues a
// session whose key id names the role's account, and a session may only do what the role allows.
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  KMSClient,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spokeTemplate } from '../../../src/core/fleet/spoke-template.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';

const HUB = '111122223333';
const SPOKE = '222233334444';
const OTHER = '333344445555';
const EXTERNAL_ID = 'fleet-external-id-0123456789';

let stack: LocalStack;
const clients: { destroy(): void }[] = [];

function credentials(accessKeyId: string, sessionToken?: string) {
  return { accessKeyId, secretAccessKey: 'x', ...(sessionToken ? { sessionToken } : {}) };
}

function kmsAs(accessKeyId: string, region = 'us-east-1', sessionToken?: string): KMSClient {
  const client = new KMSClient({
    endpoint: stack.url,
    region,
    credentials: credentials(accessKeyId, sessionToken),
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

function stsAs(accessKeyId: string): STSClient {
  const client = new STSClient({
    endpoint: stack.url,
    region: 'us-east-1',
    credentials: credentials(accessKeyId),
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

async function assumeSpoke(externalId: string | null = EXTERNAL_ID, account = SPOKE) {
  const answer = await stsAs(HUB).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/byok-spoke`,
      RoleSessionName: 'byok-hub',
      ...(externalId ? { ExternalId: externalId } : {}),
    }),
  );
  const c = answer.Credentials;
  if (!c?.AccessKeyId) throw new Error('no credentials');
  return kmsAs(c.AccessKeyId, 'us-east-1', c.SessionToken);
}

async function createKey(client: KMSClient, managed: boolean): Promise<string> {
  const created = await client.send(
    new CreateKeyCommand({
      Origin: 'EXTERNAL',
      Tags: managed
        ? [{ TagKey: 'byok:managed', TagValue: 'true' }]
        : [{ TagKey: 'team', TagValue: 'payments' }],
    }),
  );
  return created.KeyMetadata?.Arn as string;
}

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, accountId: HUB });
  stack.iam.deployTemplate(spokeTemplate({ hubAccountId: HUB, regions: ['us-east-1'] }), SPOKE, {
    region: 'us-east-1',
    parameters: { ExternalId: EXTERNAL_ID },
  });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

afterAll(async () => {
  await stack?.stop();
});

describe('accounts from access key ids', () => {
  it('keeps each account’s keys apart; other key ids stay the stack’s own account', async () => {
    // Prepare
    const hubKey = await createKey(kmsAs('byoklocal'), true);
    const spokeKey = await createKey(kmsAs(SPOKE), true);

    // Act
    const hubKeys = (await kmsAs(HUB).send(new ListKeysCommand({}))).Keys?.map((key) => key.KeyArn) ?? [];
    const spokeKeys = (await kmsAs(SPOKE).send(new ListKeysCommand({}))).Keys?.map((key) => key.KeyArn) ?? [];

    // Assess
    expect(hubKey).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${HUB}:key/`));
    expect(spokeKey).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${SPOKE}:key/`));
    expect(hubKeys).toContain(hubKey);
    expect(hubKeys).not.toContain(spokeKey);
    expect(spokeKeys).toEqual([spokeKey]);
  });

  it('refuses a key ARN of another account with AccessDeniedException', async () => {
    // Prepare
    const spokeKey = await createKey(kmsAs(SPOKE), true);

    // Act
    const attempt = kmsAs(HUB).send(new DescribeKeyCommand({ KeyId: spokeKey }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`kms:DescribeKey on resource: ${spokeKey}`),
    });
  });

  it('answers GetCallerIdentity with the account of the key id', async () => {
    // Act
    const hub = await stsAs(HUB).send(new GetCallerIdentityCommand({}));
    const spoke = await stsAs(SPOKE).send(new GetCallerIdentityCommand({}));

    // Assess
    expect(hub).toMatchObject({ Account: HUB, Arn: `arn:aws:iam::${HUB}:root` });
    expect(spoke).toMatchObject({ Account: SPOKE, Arn: `arn:aws:iam::${SPOKE}:root` });
  });

  it('lists the known accounts from Organizations to the management account only', async () => {
    // Prepare
    const asHub = new OrganizationsClient({
      endpoint: stack.url,
      region: 'us-east-1',
      credentials: credentials(HUB),
      maxAttempts: 1,
    });
    const asSpoke = new OrganizationsClient({
      endpoint: stack.url,
      region: 'us-east-1',
      credentials: credentials(SPOKE),
      maxAttempts: 1,
    });
    clients.push(asHub, asSpoke);

    // Act
    const listed = await asHub.send(new ListAccountsCommand({}));

    // Assess
    expect(listed.Accounts?.map((account) => account.Id)).toEqual(expect.arrayContaining([HUB, SPOKE]));
    expect(listed.Accounts?.every((account) => account.Status === 'ACTIVE')).toBe(true);
    await expect(asSpoke.send(new ListAccountsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});

describe('STS AssumeRole into a spoke role', () => {
  it('issues a session in the role’s account', async () => {
    // Prepare
    const session = await assumeSpoke();

    // Act
    const key = await createKey(kmsAs(SPOKE), true);
    const described = await session.send(new DescribeKeyCommand({ KeyId: key }));

    // Assess
    expect(described.KeyMetadata?.AWSAccountId).toBe(SPOKE);
  });

  it.each([
    ['without the external id', null, SPOKE],
    ['with a wrong external id', 'not-the-fleet-external-id', SPOKE],
    ['into an account without the role', EXTERNAL_ID, OTHER],
  ] as const)('is AccessDenied %s', async (_case, externalId, account) => {
    // Act
    const attempt = assumeSpoke(externalId, account);

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${HUB}:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${account}:role/byok-spoke`,
    });
  });

  it('is AccessDenied once the role is deleted', async () => {
    // Prepare
    const third = '444455556666';
    stack.iam.deployTemplate(spokeTemplate({ hubAccountId: HUB }), third, {
      region: 'us-east-1',
      parameters: { ExternalId: EXTERNAL_ID },
    });
    await assumeSpoke(EXTERNAL_ID, third);

    // Act
    stack.iam.delete(third, 'byok-spoke');

    // Assess
    await expect(assumeSpoke(EXTERNAL_ID, third)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('lets a session use managed keys only, as the role’s policy says', async () => {
    // Prepare
    const admin = kmsAs(SPOKE);
    const managed = await createKey(admin, true);
    const unmanaged = await createKey(admin, false);
    const session = await assumeSpoke();

    // Act
    const onManaged = await session.send(
      new GetParametersForImportCommand({
        KeyId: managed,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const sha1 = session.send(
      new GetParametersForImportCommand({
        KeyId: managed,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const onUnmanaged = session.send(
      new GetParametersForImportCommand({
        KeyId: unmanaged,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const encryptUnmanaged = session.send(
      new EncryptCommand({ KeyId: unmanaged, Plaintext: Buffer.from('x') }),
    );
    const createAsSession = session.send(new CreateKeyCommand({}));

    // Assess
    expect(onManaged.ImportToken).toBeDefined();
    for (const attempt of [sha1, onUnmanaged, encryptUnmanaged, createAsSession]) {
      await expect(attempt).rejects.toMatchObject({ name: 'AccessDeniedException' });
    }
    await expect(onUnmanaged).rejects.toMatchObject({
      message: expect.stringContaining(
        'assumed-role/byok-spoke/byok-hub is not authorized to perform: kms:GetParametersForImport',
      ),
    });
  });
});

describe('quotas per account and Region', () => {
  it('throttles each (account, Region) on its own bucket', async () => {
    // Prepare
    stack.limiter.configure({ GetParametersForImport: 1 });
    const keyA = await createKey(kmsAs(HUB), true);
    const keyB = await createKey(kmsAs(SPOKE), true);
    const keyC = await createKey(kmsAs(HUB, 'eu-west-1'), true);
    const params = (keyId: string) =>
      new GetParametersForImportCommand({
        KeyId: keyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      });

    try {
      // Act: one request in each of three (account, Region) pairs, then a second in the first
      const answers = await Promise.allSettled([
        kmsAs(HUB).send(params(keyA)),
        kmsAs(SPOKE).send(params(keyB)),
        kmsAs(HUB, 'eu-west-1').send(params(keyC)),
      ]);
      const second = kmsAs(HUB).send(params(keyA));

      // Assess
      expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      await expect(second).rejects.toMatchObject({ name: 'ThrottlingException' });
    } finally {
      stack.limiter.configure(null);
    }
  });
});
