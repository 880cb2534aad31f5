// The worker's checks for the rotation's HSM steps: a rotation key label is covered by the binding of
// its base label for the same KMS key only when the worker's journal shows it made that key (for
// that request); CreateRotationMaterial journals what it makes and never reuses a key it did not
// make; RetireRotationMaterial destroys only what its journal shows and KMS proves unused in every
// Region. Refusals are named and touch nothing in the HSM.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, KMSClient, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HsmKeyNotFoundError } from '../../../../src/core/hsm/errors.ts';
import { describeHsmKey } from '../../../../src/core/import/key-material-description.ts';
import { RotationMaterialInUseError } from '../../../../src/core/rotation/errors.ts';
import { newHsmKeyLabel } from '../../../../src/core/rotation/validate-rotation.ts';
import { silentLogger } from '../../../../src/core/step-kernel/logger.ts';
import { baseHsmKeyLabel, isRotationLabelOf, KeyBindings } from '../../../../src/onprem/worker/bindings.ts';
import {
  WorkerKeyNotBoundError,
  WorkerRetireRefusedError,
  WorkerRotationKeyUnknownError,
} from '../../../../src/onprem/worker/errors.ts';
import { WorkerJournal } from '../../../../src/onprem/worker/journal.ts';
import {
  type CreateRotationMaterialTask,
  type RetireRotationMaterialTask,
  runCreateRotationMaterialTask,
  runRetireRotationMaterialTask,
} from '../../../../src/onprem/worker/rotation-tasks.ts';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const OTHER = 'arn:aws:kms:eu-west-1:111122223333:key/66666666-7777-8888-9999-000000000000';
const REQUEST = 'abcdef01-2345-4678-9abc-def012345678';
const LATER = '12345678-aaaa-4bbb-8ccc-dddddddddddd';
const clock = { now: () => new Date('2027-01-10T12:00:00.000Z') };
const kmsMock = mockClient(KMSClient);

function fakeHsm(existing: string[] = []) {
  const keys = new Set(existing);
  const destroyed: string[] = [];
  const created: string[] = [];
  return {
    destroyed,
    created,
    hsm: {
      describeKey: async (label: string) => {
        if (!keys.has(label)) throw new HsmKeyNotFoundError(label, 'test');
        return { label, type: 'AES_256' } as never;
      },
      evidence: async () => ({
        kind: 'aes-kcv' as const,
        method: 'AES-ECB-zero-block' as const,
        block: '0'.repeat(32),
        kcv: 'abcdef',
      }),
      createKey: async ({ label }: { label: string }) => {
        keys.add(label);
        created.push(label);
        return { label } as never;
      },
      destroyKey: async (label: string) => {
        destroyed.push(label);
        keys.delete(label);
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

function createTask(newLabel: string, requestId = REQUEST, keyArn = KEY): CreateRotationMaterialTask {
  return {
    rotation: {
      requestId,
      keyArn,
      keyId: keyArn.slice(keyArn.lastIndexOf('/') + 1),
      requester: 'arn:aws:iam::111122223333:user/alice',
      reason: 'yearly',
      deadline: '2027-01-11T12:00:00.000Z',
      approvalsRequired: 1,
      approvalTimeoutSeconds: 3600,
      currentHsmKeyLabel: 'payments',
      newHsmKeyLabel: newLabel,
      sequence: 2,
      oldKeyMaterialId: 'a'.repeat(64),
      replicaArns: [],
      probe: { ciphertext: 'AAAA', plaintextSha256: '0'.repeat(64) },
    },
  };
}

/** KMS lists one material of KEY, from HSM key `label`. */
function kmsListsMaterialFrom(label: string) {
  kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: KEY.slice(-36), Arn: KEY } });
  kmsMock.on(ListKeyRotationsCommand).resolves({
    Rotations: [
      {
        KeyId: KEY,
        KeyMaterialId: 'a'.repeat(64),
        KeyMaterialDescription: describeHsmKey(label),
        KeyMaterialState: 'CURRENT',
        ImportState: 'IMPORTED',
      },
    ],
  });
}

describe('KeyBindings and rotation labels', () => {
  it('derives rotation labels from a bound label, for the same KMS key only, pending the journal', () => {
    // Prepare
    const bindings = new KeyBindings([{ hsmKeyLabel: 'payments', kmsKeyArn: KEY }]);
    const once = newHsmKeyLabel('payments', 2, REQUEST);
    const twice = newHsmKeyLabel(once, 3, LATER);

    // Act / Assess
    expect(baseHsmKeyLabel(twice)).toBe('payments');
    expect(bindings.resolve(once, KEY)).toEqual({ keyArn: KEY, boundArn: KEY, via: 'rotation' });
    expect(bindings.resolve(twice, KEY).via).toBe('rotation');
    expect(() => bindings.resolve(once, OTHER)).toThrow(WorkerKeyNotBoundError);
    expect(() => bindings.resolve(newHsmKeyLabel('billing', 2, REQUEST), KEY)).toThrow(
      WorkerKeyNotBoundError,
    );
    expect(isRotationLabelOf(twice, LATER)).toBe(true);
    expect(isRotationLabelOf(twice, REQUEST)).toBe(false);
  });
});

describe('the rotation tasks in the worker', () => {
  let home: string;
  let journal: WorkerJournal;
  const bindings = new KeyBindings([{ hsmKeyLabel: 'payments', kmsKeyArn: KEY }]);
  const deps = (hsm: ReturnType<typeof fakeHsm>['hsm']) => ({
    hsm,
    kms: new KMSClient({ region: 'eu-west-1' }),
    bindings,
    journal,
    clock,
    logger: silentLogger,
  });

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'byok-rotation-tasks-'));
    journal = await WorkerJournal.open(join(home, 'worker', 'journal.json'));
  });

  afterEach(async () => {
    kmsMock.reset();
    await rm(home, { recursive: true, force: true });
  });

  it('makes the key of its request, journals it, then destroys it once KMS shows no material from it', async () => {
    // Prepare
    const { hsm, created, destroyed } = fakeHsm();
    const label = newHsmKeyLabel('payments', 2, REQUEST);
    kmsListsMaterialFrom('payments');

    // Act
    const material = await runCreateRotationMaterialTask(createTask(label), deps(hsm));
    const journaled = await journal.madeFor(label, KEY);
    const retired = await runRetireRotationMaterialTask(retireTask(label, KEY), deps(hsm));

    // Assess
    expect(material).toEqual({ hsmKeyLabel: label, hsmKeyType: 'AES_256', checkValue: 'abcdef' });
    expect(created).toEqual([label]);
    expect(journaled).toMatchObject({ requestId: REQUEST, kmsKeyArn: KEY });
    expect(retired).toEqual({ hsmKeyLabel: label, destroyed: 1 });
    expect(destroyed).toEqual([label]);
    expect(await journal.madeFor(label, KEY)).toBeUndefined();
  });

  it('refuses to reuse a planted look-alike it did not make', async () => {
    // Prepare
    const label = newHsmKeyLabel('payments', 2, REQUEST);
    const { hsm, created } = fakeHsm([label]);

    // Act
    const act = runCreateRotationMaterialTask(createTask(label), deps(hsm));

    // Assess
    await expect(act).rejects.toThrow(WorkerRotationKeyUnknownError);
    expect(created).toEqual([]);
    expect(await journal.madeFor(label, KEY)).toBeUndefined();
  });

  it('refuses by name to destroy the bound key, a key of another request, a key it did not make, or one KMS holds', async () => {
    // Prepare
    const label = newHsmKeyLabel('payments', 2, REQUEST);
    const { hsm, destroyed } = fakeHsm();
    await runCreateRotationMaterialTask(createTask(label), deps(hsm));
    kmsListsMaterialFrom(label);

    // Act / Assess
    await expect(runRetireRotationMaterialTask(retireTask('payments', KEY), deps(hsm))).rejects.toThrow(
      WorkerRotationKeyUnknownError,
    );
    await expect(runRetireRotationMaterialTask(retireTask(label, KEY, LATER), deps(hsm))).rejects.toThrow(
      WorkerRotationKeyUnknownError,
    );
    await expect(
      runRetireRotationMaterialTask(retireTask(newHsmKeyLabel('payments', 3, LATER), KEY, LATER), deps(hsm)),
    ).rejects.toThrow(WorkerRotationKeyUnknownError);
    await expect(runRetireRotationMaterialTask(retireTask(label, OTHER), deps(hsm))).rejects.toThrow(
      WorkerKeyNotBoundError,
    );
    await expect(
      runRetireRotationMaterialTask(
        { abandoned: { ...retireTask(label, KEY).abandoned, requestId: null } },
        deps(hsm),
      ),
    ).rejects.toThrow(WorkerRetireRefusedError);
    await expect(runRetireRotationMaterialTask(retireTask(label, KEY), deps(hsm))).rejects.toThrow(
      RotationMaterialInUseError,
    );
    expect(destroyed).toEqual([]);
    expect(await journal.madeFor(label, KEY)).toBeDefined();
  });
});
