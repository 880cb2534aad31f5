// The worker's allowlist for the rotation's HSM steps: a rotation key label is covered by the
// binding of its base label for the same KMS key; RetireRotationMaterial destroys only the key its
// own rotation request made. Refusals are named and touch nothing in the HSM.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/core/import/logger.ts';
import { newHsmKeyLabel } from '../../../../src/core/rotation/validate-rotation.ts';
import { baseHsmKeyLabel, isRotationLabelOf, KeyBindings } from '../../../../src/onprem/worker/bindings.ts';
import { WorkerKeyNotBoundError, WorkerRetireRefusedError } from '../../../../src/onprem/worker/errors.ts';
import {
  type RetireRotationMaterialTask,
  runRetireRotationMaterialTask,
} from '../../../../src/onprem/worker/rotation-tasks.ts';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const OTHER = 'arn:aws:kms:eu-west-1:111122223333:key/66666666-7777-8888-9999-000000000000';
const REQUEST = 'abcdef01-2345-4678-9abc-def012345678';
const LATER = '12345678-aaaa-4bbb-8ccc-dddddddddddd';

function fakeHsm() {
  const destroyed: string[] = [];
  return {
    destroyed,
    hsm: {
      describeKey: async () => {
        throw new Error('not used');
      },
      evidence: async () => {
        throw new Error('not used');
      },
      destroyKey: async (label: string) => {
        destroyed.push(label);
        return 1;
      },
    },
  };
}

function retireTask(hsmKeyLabel: string, keyId: string, requestId = REQUEST): RetireRotationMaterialTask {
  return {
    abandoned: {
      requestId,
      keyId,
      outcome: 'REJECTED',
      error: 'RotationRejected',
      cause: 'rejected',
      deletedKeyMaterialId: null,
      hsmKeyLabel,
    },
  };
}

describe('KeyBindings and rotation labels', () => {
  it('covers the labels rotations derive from a bound label, for the same KMS key only', () => {
    // Prepare
    const bindings = new KeyBindings([{ hsmKeyLabel: 'payments', kmsKeyArn: KEY }]);
    const once = newHsmKeyLabel('payments', 2, REQUEST);
    const twice = newHsmKeyLabel(once, 3, LATER);

    // Act / Assess
    expect(baseHsmKeyLabel(twice)).toBe('payments');
    expect(bindings.require(once, KEY)).toBe(KEY);
    expect(bindings.require(twice, KEY)).toBe(KEY);
    expect(() => bindings.require(once, OTHER)).toThrow(WorkerKeyNotBoundError);
    expect(() => bindings.require(newHsmKeyLabel('billing', 2, REQUEST), KEY)).toThrow(
      WorkerKeyNotBoundError,
    );
    expect(isRotationLabelOf(twice, LATER)).toBe(true);
    expect(isRotationLabelOf(twice, REQUEST)).toBe(false);
  });
});

describe('runRetireRotationMaterialTask', () => {
  const bindings = new KeyBindings([{ hsmKeyLabel: 'payments', kmsKeyArn: KEY }]);

  it('destroys the key its rotation request made for a bound KMS key', async () => {
    // Prepare
    const { hsm, destroyed } = fakeHsm();
    const label = newHsmKeyLabel('payments', 2, REQUEST);

    // Act
    const result = await runRetireRotationMaterialTask(retireTask(label, KEY), {
      hsm,
      bindings,
      logger: silentLogger,
    });

    // Assess
    expect(result).toEqual({ hsmKeyLabel: label, destroyed: 1 });
    expect(destroyed).toEqual([label]);
  });

  it('refuses by name to destroy the bound key itself or a key made by another request', async () => {
    // Prepare
    const { hsm, destroyed } = fakeHsm();
    const deps = { hsm, bindings, logger: silentLogger };

    // Act / Assess
    await expect(runRetireRotationMaterialTask(retireTask('payments', KEY), deps)).rejects.toThrow(
      WorkerRetireRefusedError,
    );
    await expect(
      runRetireRotationMaterialTask(retireTask(newHsmKeyLabel('payments', 2, LATER), KEY), deps),
    ).rejects.toThrow(WorkerRetireRefusedError);
    await expect(
      runRetireRotationMaterialTask(retireTask(newHsmKeyLabel('payments', 2, REQUEST), OTHER), deps),
    ).rejects.toThrow(WorkerKeyNotBoundError);
    expect(destroyed).toEqual([]);
  });
});
