// The step kernel's own error: a state's input that does not match the step's schema. Steps of a
// feature may name their own (the import steps keep InvalidImportInputError, which the import's
// callers know); the kernel itself belongs to no feature.
import { ByokError } from '../shared/errors.ts';

export class InvalidStepInputError extends ByokError {
  readonly step: string;
  readonly issues: string[];
  constructor(step: string, issues: string[], options?: ErrorOptions) {
    super(`invalid input for ${step}: ${issues.join('; ')}`, options);
    this.name = 'InvalidStepInputError';
    this.step = step;
    this.issues = issues;
  }
}

/**
 * A step that puts material into KMS (or deletes it, or closes a request) was invoked with a
 * payload no running execution of byok's own workflows scheduled for it: a direct invoke
 * (lambda:InvokeFunction, or lambda:invoke from someone else's state machine), or a payload
 * changed on the way. Nothing was changed.
 */
export class UnscheduledInvocationError extends ByokError {
  readonly step: string;
  constructor(step: string, reason: string, options?: ErrorOptions) {
    super(
      `${step} acts only on the payload a running execution of byok's workflows scheduled for it (${reason}); it did nothing`,
      options,
    );
    this.name = 'UnscheduledInvocationError';
    this.step = step;
  }
}
