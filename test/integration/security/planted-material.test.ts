// Red team, account principal (docs/security.md, "Account principals"): someone in the bank's
// account who may invoke byok's functions (lambda:InvokeFunction, or lambda:invoke from a state
// machine of their own) but has no KMS import rights. They ask the GetParametersForImport function
// for the import parameters of a managed key that was never imported (PendingImport; its binding is
// the administrators'), wrap bytes of their own under KMS's public key, and hand the blob to the
// ImportKeyMaterial function. Before the fix byok's role imported it: the bank's HMAC key made MACs
// the attacker could compute (a forgery oracle for everything the bank signs with it later). Now the
// import functions act only on the payload a running execution of byok's own workflows scheduled
// for them (the execution history on AWS; the runner's record locally): UnscheduledInvocationError,
// the key stays PendingImport. Real ASL runner, local KMS over HTTP, real NSS token.
import { createHmac, randomBytes } from 'node:crypto';
import { DescribeKeyCommand, GenerateMacCommand, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExecution } from '../../../src/onprem/runner/run-execution.ts';
import type { AslDefinition } from '../../../src/onprem/runner/state-machines.ts';
import { type ImportHarness, startImportHarness } from '../../helpers/import-harness.ts';
import { type TestWrappingAlgorithm, wrapMaterial } from '../../helpers/local-kms-support.ts';

const PAYMENTS = 'payments-mac';
const LEDGER = 'ledger-aes';

/** Mallory's state machine: one Task that invokes byok's function by name with her payload. */
function invoking(harness: ImportHarness, functionName: string, payload: unknown): AslDefinition {
  return {
    StartAt: 'Invoke',
    States: {
      Invoke: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: {
          FunctionName: `arn:aws:lambda:${harness.stack.region}:${harness.stack.accountId}:function:${functionName}`,
          Payload: payload,
        },
        OutputPath: '$.Payload',
        End: true,
      },
    },
  } as unknown as AslDefinition;
}

describe('an account principal invokes the import functions directly', () => {
  let harness: ImportHarness;
  let keyArn: string;

  beforeAll(async () => {
    harness = await startImportHarness({
      keys: [
        { label: PAYMENTS, type: 'HMAC_256' },
        { label: LEDGER, type: 'AES_256' },
      ],
    });
    // The administrators' new key, bound to its HSM key and never imported: PendingImport.
    const keyId = await harness.createExternalKey({
      keySpec: 'HMAC_256',
      keyUsage: 'GENERATE_VERIFY_MAC',
      hsmKeyLabel: PAYMENTS,
    });
    keyArn = (await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
      ?.Arn as string;
  }, 60_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it('imports nothing of theirs into a managed key (UnscheduledInvocationError), and the real import still works', async () => {
    // Prepare: the import parameters, from byok's own GetParametersForImport function.
    const mallory = {
      executionId: `arn:aws:states:${harness.stack.region}:${harness.stack.accountId}:execution:import-key-material:mallory`,
    };
    const asked = await runExecution({
      stateMachine: 'mallory-parameters',
      createdDefinition: invoking(harness, 'get-parameters-for-import', {
        request: { keyId: keyArn, validForDays: 30 },
        importTokenAttempt: 1,
        ...mallory,
      }),
      input: {},
      deps: harness.deps,
    });
    expect(asked.status, `${asked.error}: ${asked.cause}`).toBe('SUCCEEDED');
    const importParameters = asked.output as {
      wrappingPublicKey: string;
      wrappingAlgorithm: TestWrappingAlgorithm;
    };
    const known = randomBytes(32);
    const wrappedKeyMaterial = wrapMaterial(
      Buffer.from(importParameters.wrappingPublicKey, 'base64'),
      importParameters.wrappingAlgorithm,
      known,
    ).toString('base64');

    // Act: the blob of her own bytes, handed to byok's ImportKeyMaterial function.
    const planted = await runExecution({
      stateMachine: 'mallory-import',
      createdDefinition: invoking(harness, 'import-key-material', {
        importParameters,
        wrappedKeyMaterial,
        ...mallory,
      }),
      input: {},
      deps: harness.deps,
    });

    // Assess: refused by name; the key holds no material, so it makes no MAC at all.
    expect(planted.status).toBe('FAILED');
    expect(planted.error).toBe('UnscheduledInvocationError');
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
    const message = Buffer.from('transfer 1,000,000 to mallory');
    const mac = await harness.deps.kms
      .send(new GenerateMacCommand({ KeyId: keyArn, MacAlgorithm: 'HMAC_SHA_256', Message: message }))
      .then(
        (answer) => Buffer.from(answer.Mac as Uint8Array),
        (error: unknown) => error as Error,
      );
    expect(mac).not.toEqual(createHmac('sha256', known).update(message).digest());
    expect((mac as Error).name).toBe('KMSInvalidStateException');

    // The workflow itself still imports the HSM's material into the key.
    const real = await harness.run({ keyId: keyArn, validForDays: 30 });
    expect(real.status, `${real.error}: ${real.cause}`).toBe('SUCCEEDED');
  }, 30_000);
  it("plants no new material for a later rotation through the rotation's ImportNewMaterial function", async () => {
    // Prepare: the bank's AES key, imported by the workflow; Mallory asks for parameters for new
    // material (a direct invoke may set importType) and wraps bytes she knows.
    const ledgerId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: LEDGER,
    });
    const ledgerArn = (await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: ledgerId }))).KeyMetadata
      ?.Arn as string;
    const first = await harness.run({ keyId: ledgerArn, validForDays: 30 });
    expect(first.status, `${first.error}: ${first.cause}`).toBe('SUCCEEDED');
    const executionId = `arn:aws:states:${harness.stack.region}:${harness.stack.accountId}:execution:rotate-key-material:mallory`;
    const asked = await runExecution({
      stateMachine: 'mallory-rotation-parameters',
      createdDefinition: invoking(harness, 'get-parameters-for-import', {
        request: { keyId: ledgerArn, validForDays: 30 },
        importTokenAttempt: 1,
        importType: 'NEW_KEY_MATERIAL',
        executionId,
      }),
      input: {},
      deps: harness.deps,
    });
    expect(asked.status, `${asked.error}: ${asked.cause}`).toBe('SUCCEEDED');
    const importParameters = asked.output as {
      wrappingPublicKey: string;
      wrappingAlgorithm: TestWrappingAlgorithm;
    };
    const wrappedKeyMaterial = wrapMaterial(
      Buffer.from(importParameters.wrappingPublicKey, 'base64'),
      importParameters.wrappingAlgorithm,
      randomBytes(32),
    ).toString('base64');
    const rotation = {
      requestId: '6f1c2b9e-3d4a-4b5c-8d6e-7f8091a2b3c4',
      keyArn: ledgerArn,
      keyId: ledgerArn,
      requester: 'mallory',
      reason: 'routine',
      deadline: '2030-01-01T00:00:00.000Z',
      approvalsRequired: 1,
      approvalTimeoutSeconds: 3600,
      currentHsmKeyLabel: LEDGER,
      newHsmKeyLabel: `${LEDGER}-r2-6f1c2b9e`,
      sequence: 2,
      oldKeyMaterialId: 'a'.repeat(64),
      replicaArns: [],
      probe: { ciphertext: 'AQID', plaintextSha256: '0'.repeat(64) },
    };
    const before = await harness.deps.kms.send(
      new ListKeyRotationsCommand({ KeyId: ledgerArn, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );

    // Act
    const planted = await runExecution({
      stateMachine: 'mallory-new-material',
      createdDefinition: invoking(harness, 'import-new-material', {
        rotation,
        importParameters,
        wrappedKeyMaterial,
        executionId,
      }),
      input: {},
      deps: harness.deps,
    });

    // Assess: refused by name; the key holds the materials it held, no PENDING_ROTATION one.
    expect(planted.status).toBe('FAILED');
    expect(planted.error).toBe('UnscheduledInvocationError');
    const after = await harness.deps.kms.send(
      new ListKeyRotationsCommand({ KeyId: ledgerArn, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    expect(after.Rotations).toEqual(before.Rotations);
  }, 30_000);
});
