// The whole local path as a user runs it, in separate processes: `byok local up` serves the local
// stack with its Step Functions API over the token of $BYOK_HOME, and `byok start --endpoint` runs
// an import there and follows it to the end.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { type LocalUpOverToken, startLocalUpOverToken } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

const execFileAsync = promisify(execFile);
const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');

describe('byok local up + byok start --endpoint', () => {
  let local: LocalUpOverToken | undefined;
  let url: string;

  beforeAll(async () => {
    local = await startLocalUpOverToken([{ label: 'aes-up', type: 'AES_256' }]);
    url = await local.url;
  });

  afterAll(async () => {
    await local?.stop();
  });

  it('imports the token key into a new EXTERNAL key and leaves it Enabled', async () => {
    // Prepare
    const kms = createKmsClient({ endpoint: url });
    const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'aes-up' });

    // Act
    const { stdout, stderr } = await execFileAsync(process.execPath, [
      byok,
      'start',
      '--endpoint',
      url,
      '--key-id',
      keyId,
      '--valid-for',
      '7d',
      '--poll-interval',
      '100',
      '--output',
      'json',
    ]);

    // Assess
    expect(stderr).toContain('ok VerifyImport');
    expect(JSON.parse(stdout)).toMatchObject({
      status: 'SUCCEEDED',
      output: { keyState: 'Enabled', hsmKeyLabel: 'aes-up' },
    });
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('Enabled');
    kms.destroy();
  });
});
