// Errors of the embedded local stack itself (its clock, admin API, quotas, faults and state dir).
// AWS-shaped service errors that go on the wire are AwsServiceError in protocol.ts.

export class InvalidFaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFaultError';
  }
}

export class VirtualClockError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VirtualClockError';
  }
}

export class InvalidDurationError extends Error {
  readonly hint = 'use a duration such as 90s, 25h, 400d or 1d12h';
  constructor(readonly input: string) {
    super(`'${input}' is not a duration`);
    this.name = 'InvalidDurationError';
  }
}

export class InvalidQuotaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidQuotaError';
  }
}

export class AdminError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export class LocalStateError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LocalStateError';
  }
}

export class LocalStateCorruptError extends LocalStateError {
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(
      `local state file ${path} is unreadable: ${reason}`,
      path,
      'nothing was changed; move the state dir aside to start empty, or restore it from a copy',
      options,
    );
    this.name = 'LocalStateCorruptError';
  }
}

export class LocalStateInsecureError extends LocalStateError {
  constructor(path: string, reason: string) {
    super(`refusing to use ${path}: ${reason}`, path, `run: chmod go-rwx ${path}`);
    this.name = 'LocalStateInsecureError';
  }
}
