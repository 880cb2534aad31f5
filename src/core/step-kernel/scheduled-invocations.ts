// Which payloads byok's own workflows scheduled for a function. A step that puts material into KMS
// (ImportKeyMaterial, the rotation's ImportNewMaterial and ImportReplicaMaterial) acts only on a
// payload that a running execution of byok's state machines scheduled for it: its role may import
// into every managed key, and anyone who may invoke the function (lambda:InvokeFunction, or
// lambda:invoke from a state machine of their own) could otherwise hand it a blob of bytes they
// know, wrapped under parameters they asked byok's GetParametersForImport for (docs/security.md,
// "Account principals"). The payload's blob came from WrapKeyMaterial in that same execution, so
// it holds the HSM's material. AbandonRotation (deletes pending material, closes the request a
// plan names), AwaitApproval's OpenApproval (opens a request for votes with a task token and a
// check value) and RotateKeyOnDemand take the same check: a made-up plan no longer closes, opens
// or rotates anything.
//
// Deployed, the execution history is the record (src/lambda/scheduled-invocations.ts); locally,
// the runner's own record of the payloads it is invoking (src/onprem/runner/scheduled-invocations.ts).
import type { z } from 'zod';
import { UnscheduledInvocationError } from './errors.ts';

export interface ScheduledInvocations {
  /**
   * Whether a running execution `executionArn` of byok's workflows scheduled this function with a
   * payload `matches` accepts. False for an execution that is not byok's, that has ended, or that
   * does not exist.
   */
  wasScheduled(executionArn: string, matches: (payload: unknown) => boolean): Promise<boolean>;
}

export interface ScheduledInvocationDeps {
  scheduledInvocations: ScheduledInvocations;
}

/** JSON with object keys sorted, so that two parses of one payload compare equal. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    field && typeof field === 'object' && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : field,
  );
}

/**
 * Resolves when the step's (parsed) input is what byok's execution `executionId` scheduled for it:
 * a scheduled payload that parses with the same schema to the same value. Else
 * UnscheduledInvocationError, before anything is sent to KMS.
 */
export async function requireScheduledInvocation<Input>(
  deps: ScheduledInvocationDeps,
  invocation: { step: string; executionId: string | undefined; input: Input; schema: z.ZodType<Input> },
): Promise<void> {
  const { step, executionId, input, schema } = invocation;
  if (!executionId) throw new UnscheduledInvocationError(step, 'the payload names no execution');
  const wanted = canonicalJson(input);
  const scheduled = await deps.scheduledInvocations.wasScheduled(executionId, (payload) => {
    const parsed = schema.safeParse(payload);
    return parsed.success && canonicalJson(parsed.data) === wanted;
  });
  if (!scheduled) {
    throw new UnscheduledInvocationError(
      step,
      'no running execution of its workflows scheduled this payload',
    );
  }
}
