// Acceptance: the HSM stays beside the worker. Three processes, as on premises: `byok local up
// --hsm-placement activity` runs the workflow with no HSM (its process never maps a PKCS#11
// module), `byok worker` holds the NSS token and polls the wrap activity, and `byok import` runs
// one import of each key family through the stack; each is verified by the workflow itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';
import { mapsPkcs11, runByok, spawnWorker, type WorkerProcess } from '../../helpers/worker-process.ts';

const KEYS = [
  {
    label: 'aes-w',
    type: 'AES_256',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    family: 'SYMMETRIC',
  },
  { label: 'hmac-w', type: 'HMAC_256', keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', family: 'HMAC' },
  { label: 'rsa-w', type: 'RSA_2048', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY', family: 'RSA' },
  { label: 'ec-w', type: 'ECC_NIST_P256', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', family: 'ECC' },
] as const;

describe('byok local up (activity placement) + byok worker + byok import', () => {
  let token: TestToken;
  let stackHome: string;
  let stack: LocalUpProcess;
  let url: string;
  let kms: KMSClient;
  let worker: WorkerProcess;
  const keyArns = new Map<string, string>();

  beforeAll(async () => {
    token = await createTestToken('nss', { keys: KEYS.map(({ label, type }) => ({ label, type })) });
    await token.hsm?.close();
    stackHome = await mkdtemp(join(tmpdir(), 'byok-stack-home-'));
    stack = spawnLocalUp(['--port', '0', '--memory', '--hsm-placement', 'activity'], {
      BYOK_HOME: stackHome,
    });
    url = await stack.url;
    kms = createKmsClient({ endpoint: url });
    for (const key of KEYS) {
      const keyId = await createManagedExternalKey(kms, {
        keySpec: key.keySpec,
        keyUsage: key.keyUsage,
        hsmKeyLabel: key.label,
      });
      const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
      keyArns.set(key.label, described.KeyMetadata?.Arn as string);
    }
    worker = spawnWorker(
      ['--endpoint', url, ...KEYS.flatMap((key) => ['--bind', `${key.label}=${keyArns.get(key.label)}`])],
      { BYOK_HOME: token.byokHome },
    );
    await worker.polling;
  }, 60_000);

  afterAll(async () => {
    kms?.destroy();
    await worker?.stop();
    await stack?.stop();
    await token?.cleanup();
    if (stackHome) await rm(stackHome, { recursive: true, force: true });
  });

  it.each(KEYS)(
    'imports and verifies a $family key through the worker',
    async (key) => {
      // Prepare
      const keyArn = keyArns.get(key.label) as string;
      const before = worker.tasks().length;

      // Act
      const result = await runByok([
        'import',
        '--endpoint',
        url,
        '--key-id',
        keyArn,
        '--valid-for',
        '30d',
        '--wrapping-key-spec',
        'RSA_2048',
        '--json',
      ]);

      // Assess
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as { status: string; output: Record<string, unknown> };
      expect(summary.status).toBe('SUCCEEDED');
      expect(summary.output).toMatchObject({
        keyId: keyArn,
        family: key.family,
        keyState: 'Enabled',
        hsmKeyLabel: key.label,
      });
      expect(
        (summary.output.evidence as { checks: { passed: boolean }[] }).checks.every((check) => check.passed),
      ).toBe(true);
      const lines = await worker.waitForTasks(before + 1);
      expect(lines.at(-1)).toMatchObject({ keyId: keyArn, hsmKeyLabel: key.label, outcome: 'succeeded' });
      expect(lines.at(-1)?.execution).toContain(':execution:import-key-material:');
    },
    60_000,
  );

  it('never maps a PKCS#11 module into the stack process; the worker process does', async () => {
    // Act
    const inStack = await mapsPkcs11(stack.child.pid as number);
    const inWorker = await mapsPkcs11(worker.child.pid as number);

    // Assess: the check sees the module where it is loaded, and the stack has none.
    expect(inWorker.some((path) => path.endsWith('pkcs11.node'))).toBe(true);
    expect(inStack).toEqual([]);
  });
});
