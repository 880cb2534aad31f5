// Rotation HSM keys left by abandoned requests (issue 17): which keys are orphans (unknown request,
// a rotation ended without succeeding, a request ended before any rotation ran), which are not (a
// running rotation's, a succeeded rotation's), and that an orphan is destroyed only once KMS proves
// no material came from it; otherwise it is kept with the reason. The end-to-end case (a stopped
// execution, `byok hsm list --endpoint`, the next rotation) is in
// test/integration/rotation/abandoned-rotation.test.ts.
import { DescribeKeyCommand, KMSClient, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { describeHsmKey } from '../../../../src/core/import/key-material-description.ts';
import { rotationHsmKeyId } from '../../../../src/core/rotation/material-provenance.ts';
import {
  classifyRotationKey,
  type RotationKeyFacts,
  type RotationRequestFacts,
  retireOrphanRotationKeys,
  rotationRequestOf,
} from '../../../../src/core/rotation/orphans.ts';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ids = {
  running: '11111111-1111-4111-8111-111111111111',
  rotated: '22222222-2222-4222-8222-222222222222',
  stopped: '33333333-3333-4333-8333-333333333333',
  rejected: '44444444-4444-4444-8444-444444444444',
  unknown: '55555555-5555-4555-8555-555555555555',
  imported: '66666666-6666-4666-8666-666666666666',
};
const kms = new KMSClient({ region: 'us-east-1' });
const kmsMock = mockClient(kms);

afterEach(() => kmsMock.reset());

function facts(): RotationKeyFacts {
  const requests: Record<string, RotationRequestFacts> = {
    [ids.running]: { keyArn: KEY, status: 'PENDING', executionArn: 'exec-running' },
    [ids.rotated]: { keyArn: KEY, status: 'APPROVED', executionArn: 'exec-succeeded' },
    [ids.stopped]: { keyArn: KEY, status: 'PENDING', executionArn: 'exec-aborted' },
    [ids.rejected]: { keyArn: KEY, status: 'REJECTED' },
    [ids.imported]: { keyArn: KEY, status: 'APPROVED', executionArn: 'exec-failed' },
  };
  const executions: Record<string, string> = {
    'exec-running': 'RUNNING',
    'exec-succeeded': 'SUCCEEDED',
    'exec-aborted': 'ABORTED',
    'exec-failed': 'FAILED',
  };
  return {
    request: async (requestId) => requests[requestId],
    executionStatus: async (arn) => executions[arn],
  };
}

function token(labels: Record<string, string>) {
  const keys = new Map(
    Object.entries(labels).map(([label, requestId]) => [label, rotationHsmKeyId(requestId)]),
  );
  const destroyed: string[] = [];
  return {
    destroyed,
    hsm: {
      listKeys: async () => [...keys].map(([label, id]) => ({ label, id }) as never),
      destroyKey: async (label: string) => {
        destroyed.push(label);
        return keys.delete(label) ? 1 : 0;
      },
    },
  };
}

describe('rotation keys of abandoned requests', () => {
  it('reads the request from the CKA_ID only for rotation keys', () => {
    expect(rotationRequestOf({ id: rotationHsmKeyId(ids.running) })).toBe(ids.running);
    expect(rotationRequestOf({ id: 'byok:AES_256:payments' })).toBeUndefined();
    expect(rotationRequestOf({ id: undefined } as never)).toBeUndefined();
  });

  it('classifies running and succeeded rotations as kept, abandoned ones as orphans with the reason', async () => {
    // Act
    const states = await Promise.all(
      Object.entries(ids).map(async ([name, id]) => [
        name,
        await classifyRotationKey(`k-${name}`, id, facts()),
      ]),
    );

    // Assess
    expect(
      Object.fromEntries(states.map(([name, report]) => [name, (report as { state: string }).state])),
    ).toEqual({
      running: 'in-use',
      rotated: 'rotated',
      stopped: 'orphan',
      rejected: 'orphan',
      unknown: 'orphan',
      imported: 'orphan',
    });
    const stopped = states.find(([name]) => name === 'stopped')?.[1] as { reason: string };
    expect(stopped.reason).toBe('its rotation ended ABORTED without retiring it');
  });

  it('destroys only orphans KMS proves unused; keeps the rest with the reason, and never the running request', async () => {
    // Prepare: KMS lists a material that came from k-imported.
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY, MultiRegion: false } });
    kmsMock.on(ListKeyRotationsCommand).resolves({
      Rotations: [
        {
          KeyMaterialId: 'a'.repeat(64),
          KeyMaterialDescription: describeHsmKey('k-imported'),
          KeyMaterialState: 'CURRENT',
          ImportState: 'IMPORTED',
        },
      ],
    });
    const { hsm, destroyed } = token({
      'k-running': ids.running,
      'k-rotated': ids.rotated,
      'k-stopped': ids.stopped,
      'k-rejected': ids.rejected,
      'k-unknown': ids.unknown,
      'k-imported': ids.imported,
    });

    // Act
    const retired = await retireOrphanRotationKeys({ hsm, facts: facts(), kms }, { except: ids.rejected });

    // Assess
    expect(destroyed).toEqual(['k-stopped']);
    expect(retired.destroyed).toEqual([{ hsmKeyLabel: 'k-stopped', requestId: ids.stopped }]);
    expect(retired.kept).toEqual([
      {
        hsmKeyLabel: 'k-unknown',
        requestId: ids.unknown,
        reason: 'its rotation request is unknown: no KMS key to prove against',
      },
      {
        hsmKeyLabel: 'k-imported',
        requestId: ids.imported,
        reason: 'KMS does not prove it unused (RotationMaterialInUseError)',
      },
    ]);
  });
});
