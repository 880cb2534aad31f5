// Issue 17: "fix the cause and run it again" runs it again. `byok start` names executions from the
// input and the UTC day; after a failed run the same request starts attempt 2 (`<name>-2`) instead
// of following the old FAILED execution, and once an attempt succeeded the same command follows
// it (idempotent), as it does while one runs; but not once KMS no longer holds what it imported.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  type KMSClient,
  TagResourceCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { TAG_HSM_KEY_LABEL } from '../../../src/core/import/tags.ts';
import { bindOnLocalStack } from '../../helpers/bindings.ts';
import { type LocalUpOverToken, startLocalUpOverToken } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

const execFileAsync = promisify(execFile);
const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');

async function start(url: string, keyId: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return execFileAsync(process.execPath, [
    byok,
    'start',
    '--endpoint',
    url,
    '--key-id',
    keyId,
    '--valid-for-days',
    '7',
    '--poll-interval',
    '100',
    '--output',
    'json',
  ]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('byok start after a failed attempt', () => {
  let local: LocalUpOverToken | undefined;
  let url: string;
  let joinedKeyId: string;
  let joinedName: string;

  beforeAll(async () => {
    local = await startLocalUpOverToken([{ label: 'aes-attempts', type: 'AES_256' }]);
    url = await local.url;
  });

  afterAll(async () => {
    await local?.stop();
  });

  async function arnOf(kms: KMSClient, keyId: string): Promise<string> {
    return (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn ?? '';
  }

  it('starts attempt 2 once the cause is fixed, then follows the succeeded attempt', async () => {
    // Prepare: a managed key that names no HSM key: the first run fails; the fix is the tag (and
    // the administrator's binding it needs).
    const kms = createKmsClient({ endpoint: url });
    const keyId = await createManagedExternalKey(kms);
    const failed = await start(url, keyId);
    await kms.send(
      new TagResourceCommand({
        KeyId: keyId,
        Tags: [{ TagKey: TAG_HSM_KEY_LABEL, TagValue: 'aes-attempts' }],
      }),
    );
    await bindOnLocalStack(url, 'aes-attempts', await arnOf(kms, keyId));

    // Act
    const second = await start(url, keyId);
    const third = await start(url, keyId);
    kms.destroy();

    // Assess
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('HsmKeyLabelMissingError');
    const firstName = /started \S+:execution:import-key-material:(\S+)/.exec(failed.stderr)?.[1] as string;
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(
      `:${firstName}-2 (attempt 2; ${firstName} ended FAILED (HsmKeyLabelMissingError))`,
    );
    expect(second.stdout).toContain('"keyState": "Enabled"');
    expect(third.code).toBe(0);
    expect(third.stderr).toContain(
      `:${firstName}-2 already exists for this request: following it (SUCCEEDED)`,
    );
    joinedKeyId = keyId;
    joinedName = `${firstName}-2`;
  });

  it('refuses to pass off the succeeded attempt as the key now once its material is gone', async () => {
    // Prepare: the material that attempt imported, deleted since.
    const kms = createKmsClient({ endpoint: url });
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: joinedKeyId }));
    kms.destroy();

    // Act
    const again = await start(url, joinedKeyId);

    // Assess: exit 1, no proof on stdout, named, with the way to import it anew.
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(
      new RegExp(
        `byok: ImportResultStaleError: \\S+:${joinedName} imported this request earlier today \\(.*\\), but KMS now shows PendingImport, ValidTo none(, material \\w+)?: that proof no longer holds, and nothing was imported by this run`,
      ),
    );
    expect(again.stderr).toContain(
      `hint: start a new import of it under another name: byok start --key-id ${joinedKeyId} --name`,
    );
  });
});
