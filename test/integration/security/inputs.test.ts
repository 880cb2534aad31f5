// Security review, inputs: HSM key labels with control or bidi-override characters are refused in the
// first step (the KMS key is untouched, no import token is handed out) and never reach a terminal
// raw, through the real state machine, the local KMS endpoint, a real NSS token and the CLI.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportHarness, startImportHarness, statesEntered } from '../../helpers/import-harness.ts';

const run = promisify(execFile);
const FORGED = 'payments\u001b[2K\rbyok: import verified';

describe('import workflow refuses labels that could forge output', () => {
  let harness: ImportHarness;

  beforeAll(async () => {
    harness = await startImportHarness({ keys: [{ label: 'payments', type: 'AES_256' }] });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('fails in GetParametersForImport with InvalidImportInputError and leaves the key PendingImport', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
    });

    // Act
    const result = await harness.run({ keyId, hsmKeyLabel: FORGED, validForDays: 30 });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidImportInputError');
    expect(result.cause).toContain('hsmKeyLabel: must be printable text');
    expect(result.cause).not.toContain('\u001b');
    expect(statesEntered(result)).not.toContain('WrapKeyMaterial');
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
  });

  it('prints one clean error line from byok import, exit 1', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
    });
    const env = { ...process.env, BYOK_HOME: harness.token.byokHome };

    // Act
    const refused: { stdout: string; stderr: string; code?: number } = await run(
      process.execPath,
      ['bin/byok.js', 'import', '--endpoint', harness.stack.url, '--key-id', keyId, '--hsm-key', FORGED],
      { env },
    ).catch((error: { stdout: string; stderr: string; code: number }) => error);

    // Assess
    expect(refused.code).toBe(1);
    const output = refused.stdout + refused.stderr;
    // The CLI's strict option parser refuses it before the workflow runs, quoting it escaped.
    expect(output).toContain('UnprintableOptionValueError');
    expect(output).not.toContain('\u001b');
    expect(output).not.toContain('\r');
    // The forged text appears only inside the escaped quote, never as a line of its own.
    expect(output.split('\n').filter((line) => line.startsWith('byok: import verified'))).toEqual([]);
  });
});
