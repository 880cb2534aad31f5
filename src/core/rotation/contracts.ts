// The rotation workflow's state payloads (statemachines/rotate-key-material.asl.json), one zod
// schema per contract. They carry ids, ARNs, labels, public evidence (the AES key check value), a
// probe ciphertext and the hash of its plaintext: never key material, never the task token (which
// only the approval step sees, and hands to the approvals store).
import { z } from 'zod';
import { ROTATION_OUTCOMES } from '../approvals/contracts.ts';
import { HsmEvidenceSchema, ImportParametersSchema } from '../import/contracts.ts';

export const MAX_ON_DEMAND_ROTATIONS = 25;
/** The approval wait: the request's deadline, at most 72 h (and at least a minute) from now. */
export const MAX_APPROVAL_TIMEOUT_SECONDS = 72 * 3600;
export const MIN_APPROVAL_TIMEOUT_SECONDS = 60;
/** How many times CheckKeyRotation looks before the rotation is RotationIncompleteError. */
export const MAX_ROTATION_CHECKS = 60;

/** The execution input, as the approvals API starts it: `{requestId, keyId}` (keyId = key ARN). */
export const RotationExecutionInputSchema = z.strictObject({
  requestId: z.uuid(),
  keyId: z.string().min(1).max(2048),
});

export const ValidateRotationInputSchema = z.object({
  request: z.unknown(),
  executionId: z.string().optional(),
});

/** What ValidateRotation learns and decides; every later state reads it as `$.rotation`. */
export const RotationPlanSchema = z.object({
  requestId: z.uuid(),
  keyArn: z.string().min(1),
  keyId: z.string().min(1),
  requester: z.string(),
  reason: z.string(),
  deadline: z.iso.datetime(),
  approvalsRequired: z.number().int().min(1),
  approvalTimeoutSeconds: z
    .number()
    .int()
    .min(MIN_APPROVAL_TIMEOUT_SECONDS)
    .max(MAX_APPROVAL_TIMEOUT_SECONDS),
  /** The HSM key holding the current material (tag byok:hsm-key-label). */
  currentHsmKeyLabel: z.string().min(1),
  /** Where the new material is made: derived from the current label, a sequence and the request. */
  newHsmKeyLabel: z.string().min(1).max(128),
  sequence: z.number().int().min(2),
  oldKeyMaterialId: z.string().min(1),
  /** Replica key ARNs of a multi-Region primary (each gets the material as EXISTING_KEY_MATERIAL). */
  replicaArns: z.array(z.string()),
  /** Encrypted before the rotation; must still decrypt with oldKeyMaterialId afterwards. */
  probe: z.object({ ciphertext: z.base64(), plaintextSha256: z.string().regex(/^[0-9a-f]{64}$/) }),
});
export type RotationPlan = z.infer<typeof RotationPlanSchema>;

export const NewMaterialSchema = z.object({
  hsmKeyLabel: z.string().min(1),
  hsmKeyType: z.literal('AES_256'),
  /** AES key check value (first 3 bytes of AES-ECB(K, 0^128)), public evidence. */
  checkValue: z.string().regex(/^[0-9a-f]{6}$/),
});
export type NewMaterial = z.infer<typeof NewMaterialSchema>;

export const CreateRotationMaterialInputSchema = z.object({ rotation: RotationPlanSchema });

export const OpenApprovalInputSchema = z.object({
  taskToken: z.string().min(1),
  rotation: RotationPlanSchema,
  material: NewMaterialSchema,
  /** The execution that scheduled the step ($$.Execution.Id): the step checks it did. */
  executionId: z.string().optional(),
});

export const RecheckApprovalInputSchema = z.object({
  rotation: RotationPlanSchema,
  material: NewMaterialSchema,
});
const RecheckApprovalOutputSchema = z.object({
  requestId: z.uuid(),
  approvers: z.array(z.string()),
});

export const ImportNewMaterialInputSchema = z.object({
  rotation: RotationPlanSchema,
  importParameters: ImportParametersSchema,
  wrappedKeyMaterial: z.base64().min(1),
  /**
   * The token of the wrapping key the blob was wrapped under (WrapKeyMaterial's output): step 1's,
   * or, from `byok worker`, the one it got from KMS itself. Default: step 1's.
   */
  importToken: z.base64().min(1).optional(),
  /** WrapKeyMaterial's public evidence: the new material's check value is recorded with it. */
  hsmEvidence: HsmEvidenceSchema.optional(),
  /** The execution that scheduled the step ($$.Execution.Id): the step checks it did. */
  executionId: z.string().optional(),
});
export const ImportedMaterialSchema = z.object({
  keyMaterialId: z.string().min(1),
  importedAt: z.iso.datetime(),
});

export const ReplicaImportParametersInputSchema = z.object({
  replicaArn: z.string().min(1),
  importParameters: ImportParametersSchema,
});

export const ImportReplicaMaterialInputSchema = z.object({
  importParameters: ImportParametersSchema,
  wrappedKeyMaterial: z.base64().min(1),
  /** As ImportNewMaterial's: the token that goes with the blob (default: the replica's step's). */
  importToken: z.base64().min(1).optional(),
  keyMaterialId: z.string().min(1),
  /** The execution that scheduled the step ($$.Execution.Id): the step checks it did. */
  executionId: z.string().optional(),
});

export const StartKeyRotationInputSchema = z.object({
  rotation: RotationPlanSchema,
  newMaterial: ImportedMaterialSchema,
  /** The execution that scheduled the step ($$.Execution.Id): the step checks it did. */
  executionId: z.string().optional(),
});

/** After a failed RotateKeyOnDemand: did KMS take the rotation anyway (an ambiguous failure)? */
export const ConfirmRotationStartedInputSchema = z.object({
  rotation: RotationPlanSchema,
  newMaterial: ImportedMaterialSchema,
});

export const CheckKeyRotationInputSchema = z.object({
  rotation: RotationPlanSchema,
  newMaterial: ImportedMaterialSchema,
  attempt: z.number().int().min(0),
});

export const VerifyRotationInputSchema = z.object({
  rotation: RotationPlanSchema,
  newMaterial: ImportedMaterialSchema,
  material: NewMaterialSchema,
  approval: RecheckApprovalOutputSchema,
});

export const RotationResultSchema = z.object({
  requestId: z.uuid(),
  keyArn: z.string(),
  requester: z.string(),
  approvers: z.array(z.string()),
  oldKeyMaterialId: z.string(),
  newKeyMaterialId: z.string(),
  newHsmKeyLabel: z.string(),
  checkValue: z.string(),
  replicaArns: z.array(z.string()),
  checks: z.array(z.object({ name: z.string(), passed: z.boolean(), detail: z.string() })),
});
export type RotationResult = z.infer<typeof RotationResultSchema>;

/** The Catch's `$.failure`: what stopped the rotation. */
const FailureSchema = z.object({ Error: z.string(), Cause: z.string().optional() });

export const AbandonRotationInputSchema = z.object({
  request: z.unknown(),
  rotation: RotationPlanSchema.nullable(),
  material: NewMaterialSchema.nullable(),
  newMaterial: ImportedMaterialSchema.nullable(),
  failure: FailureSchema,
  executionId: z.string().optional(),
});
export const AbandonedRotationSchema = z.object({
  requestId: z.string().nullable(),
  keyId: z.string().nullable(),
  outcome: z.enum(ROTATION_OUTCOMES),
  error: z.string(),
  cause: z.string(),
  /** The pending material deleted from KMS (primary and replicas), when one had been imported. */
  deletedKeyMaterialId: z.string().nullable(),
  /** The HSM key made for the rotation, destroyed by RetireRotationMaterial. */
  hsmKeyLabel: z.string().nullable(),
  /** What could not be cleaned (a replica pending deletion, the approvals store), by name. */
  cleanupFailures: z.array(z.string().max(2300)).max(20).optional(),
});
export type AbandonedRotation = z.infer<typeof AbandonedRotationSchema>;

export const RetireRotationMaterialInputSchema = z.object({ abandoned: AbandonedRotationSchema });
