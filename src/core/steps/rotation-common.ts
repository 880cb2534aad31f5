// What the rotation workflow's steps share: their input errors are InvalidRotationInputError, and
// they log with the request id and key ARN of the plan.
import { InvalidRotationInputError } from '../rotation/errors.ts';

export const invalidInput = (issues: string[]) => new InvalidRotationInputError(issues);

export const planKeys = (input: { rotation: { requestId: string; keyArn: string } | null }) => ({
  executionId: input.rotation?.requestId,
  keyId: input.rotation?.keyArn,
});
