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
