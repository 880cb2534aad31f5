// `byok local up --console`: the stack and its web console in one process; the console's URL is the
// second line on stdout and opens onto the same stack.
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { consoleRequest } from '../../helpers/console.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

describe('byok local up --console', () => {
  let local: LocalUpProcess | undefined;
  let lines: Promise<string[]>;

  beforeAll(() => {
    local = spawnLocalUp(['--port', '0', '--memory', '--console']);
    const child = local.child;
    lines = new Promise((resolve, reject) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const complete = stdout.split('\n').slice(0, -1);
        if (complete.length >= 2) resolve(complete);
      });
      child.once('exit', (code) => reject(new Error(`byok local up exited ${code}`)));
    });
  });

  afterAll(async () => {
    await local?.stop();
  });

  it('prints the stack URL, then the console URL, and the console shows the stack’s managed keys', async () => {
    // Prepare
    const [stackUrl = '', consoleUrl = ''] = await lines;
    const kms = createKmsClient({ endpoint: stackUrl });
    const managed = await createManagedExternalKey(kms, { hsmKeyLabel: 'payments' });
    await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
    kms.destroy();

    // Act
    const secret = new URLSearchParams(new URL(consoleUrl).hash.slice(1)).get('session') ?? '';
    const keys = await consoleRequest(new URL(consoleUrl).origin, '/api/keys', {
      headers: { 'x-byok-session': secret },
    });

    // Assess
    expect(consoleUrl).toMatch(/^http:\/\/c-[0-9a-f]{16}\.localhost:\d+\/#session=[A-Za-z0-9_-]{43}$/);
    expect(keys.status).toBe(200);
    const view = JSON.parse(keys.body) as {
      keys: { keyId: string; hsmKeyLabel: string; withoutMaterial: boolean }[];
    };
    expect(view.keys).toEqual([
      expect.objectContaining({ keyId: managed, hsmKeyLabel: 'payments', withoutMaterial: true }),
    ]);
  });
});
