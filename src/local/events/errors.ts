// Errors raised inside the local EventBridge before they are turned into AWS-shaped answers
// (InvalidEventPatternException, ValidationException) at the service edge.
import { ByokError } from '../../core/shared/errors.ts';
export class LocalEventsError extends ByokError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalEventsError';
  }
}

/** An event pattern that EventBridge would refuse. */
export class EventPatternSyntaxError extends LocalEventsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventPatternSyntaxError';
  }
}

/** A `rate()` or `cron()` expression that EventBridge would refuse. */
export class ScheduleExpressionError extends LocalEventsError {
  readonly expression: string;
  constructor(expression: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ScheduleExpressionError';
    this.expression = expression;
  }
}

/** A target's InputPath or InputTransformer that cannot be applied to an event. */
export class TargetInputError extends LocalEventsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TargetInputError';
  }
}
