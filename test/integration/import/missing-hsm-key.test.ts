import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportHarness, startImportHarness, statesEntered } from '../../helpers/import-harness.ts';

const run = promisify(execFile);

describe('import workflow, HSM key that does not exist', () => {
  let harness: ImportHarness;

  beforeAll(async () => {
    harness = await startImportHarness({ keys: [{ label: 'present', type: 'HMAC_256' }] });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('fails in the first step with HsmKeyNotFoundError naming the label and the token, before KMS is asked', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({ keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' });

    // Act
    const result = await harness.run({ keyId, hsmKeyLabel: 'absent', validForDays: 30 });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('HsmKeyNotFoundError');
    expect(result.cause).toBe(`no key labelled "absent" in token "${harness.token.hsm?.tokenLabel}"`);
    expect(statesEntered(result)).toEqual([
      'StartImport',
      'GetParametersForImport',
      'FindFailedKeyId',
      'KeepFailedKeyId',
      'PublishFailed',
      'ImportFailed',
    ]);
    expect(result.events.filter((event) => event.type === 'StateRetried')).toHaveLength(0);
    expect(result.publishedEvents[0]?.detail).toMatchObject({ error: 'HsmKeyNotFoundError' });
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
  });

  it('makes byok import print one named error line with a hint, no stack, and exit 1', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({ keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' });

    // Act
    const failed: { stdout: string; stderr: string; code?: number } = await run(
      process.execPath,
      ['bin/byok.js', 'import', '--endpoint', harness.stack.url, '--key-id', keyId, '--hsm-key', 'absent'],
      { env: { ...process.env, BYOK_HOME: harness.token.byokHome } },
    ).then(
      () => ({ stdout: '', stderr: '', code: 0 }),
      (error: { stdout: string; stderr: string; code: number }) => error,
    );

    // Assess
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toContain(
      `byok: HsmKeyNotFoundError: no key labelled "absent" in token "${harness.token.hsm?.tokenLabel}"\n` +
        `byok: key ${keyId}: unchanged (the run stopped before ImportKeyMaterial)\n` +
        'hint: list the token keys with byok hsm list; fix the cause above and run the import again\n',
    );
    expect(failed.stderr).not.toMatch(/^\s+at /m);
  });
});
