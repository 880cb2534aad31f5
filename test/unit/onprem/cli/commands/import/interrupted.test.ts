// What an interrupted `byok import` says KMS holds (src/onprem/cli/commands/import/interrupted.ts):
// "CHANGED and verified" only when VerifyImport succeeded for every Region. A run stopped on the
// failure path after a VerifyImport that failed (FindFailedKeyId … PublishFailed), or while its
// replicas were still being imported, was called verified because it had entered VerifyImport and
// then another state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AwsTarget } from '../../../../../../src/onprem/cli/aws-target.ts';
import { reportInterrupted } from '../../../../../../src/onprem/cli/commands/import/interrupted.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const BEFORE = { keyState: 'PendingImport', validTo: undefined, keyMaterialId: undefined };
const AFTER = { keyState: 'Enabled', validTo: '2027-03-01T00:00:00.000Z', keyMaterialId: 'm1' };
const TARGET = { endpoint: 'http://127.0.0.1:4599', region: 'us-east-1' } as AwsTarget;
const UP_TO_VERIFY = [
  'StartImport',
  'GetParametersForImport',
  'WrapKeyMaterial',
  'ImportKeyMaterial',
  'VerifyImport',
];

async function kmsViewAfter(entered: string[]): Promise<{ kms: string; printed: string }> {
  let printed = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
    printed += String(text);
    return true;
  });
  const { kms } = await reportInterrupted({
    signal: 'SIGINT',
    keyId: KEY,
    entered,
    before: BEFORE,
    after: AFTER,
    target: TARGET,
  });
  return { kms, printed };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('reportInterrupted', () => {
  it('reads the states of the import workflow as the ASL names and links them', () => {
    // Prepare
    const asl = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '../../../../../../statemachines/import-key-material.asl.json'),
        'utf8',
      ),
    ) as { States: Record<string, { Next?: string; Default?: string; Catch?: { Next: string }[] }> };

    // Assess: HasReplicas only after a VerifyImport that succeeded; its failure goes to FindFailedKeyId.
    expect(asl.States.VerifyImport?.Next).toBe('HasReplicas');
    expect(asl.States.VerifyImport?.Catch?.map((c) => c.Next)).toEqual(['FindFailedKeyId']);
    expect(asl.States.HasReplicas?.Default).toBe('PublishSucceeded');
    expect(asl.States.ImportIntoReplicas?.Next).toBe('PublishSucceeded');
  });

  it('never calls verified a run stopped on the failure path after VerifyImport failed', async () => {
    // Act
    const { kms, printed } = await kmsViewAfter([
      ...UP_TO_VERIFY,
      'FindFailedKeyId',
      'KeepFailedKeyId',
      'PublishFailed',
    ]);

    // Assess
    expect(kms).toBe('unverified');
    expect(printed).toContain(`key ${KEY}: UNVERIFIED`);
    expect(printed).not.toContain('verified:');
  });

  it('never calls verified a run stopped while its replicas were still being imported', async () => {
    // Act
    const { kms } = await kmsViewAfter([...UP_TO_VERIFY, 'HasReplicas', 'ImportIntoReplicas']);

    // Assess
    expect(kms).toBe('unverified');
  });

  it('calls verified a run that passed VerifyImport (no replicas) or reached PublishSucceeded', async () => {
    // Act
    const single = await kmsViewAfter([...UP_TO_VERIFY, 'HasReplicas']);
    const replicas = await kmsViewAfter([
      ...UP_TO_VERIFY,
      'HasReplicas',
      'ImportIntoReplicas',
      'PublishSucceeded',
    ]);
    const inVerify = await kmsViewAfter(UP_TO_VERIFY);

    // Assess
    expect(single.kms).toBe('changed');
    expect(single.printed).toContain(`key ${KEY}: CHANGED and verified`);
    expect(replicas.kms).toBe('changed');
    expect(inVerify.kms).toBe('unverified');
  });
});
