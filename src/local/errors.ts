// Errors of the embedded local stack itself (its clock, admin API, quotas, faults and state dir).
// AWS-shaped service errors that go on the wire are AwsServiceError in protocol.ts.
import { ByokError } from '../core/shared/errors.ts';

export class InvalidFaultError extends ByokError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFaultError';
  }
}

export class VirtualClockError extends ByokError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VirtualClockError';
  }
}

export class InvalidDurationError extends ByokError {
  override readonly hint = 'use a duration such as 90s, 25h, 400d or 1d12h';
  constructor(readonly input: string) {
    super(`'${input}' is not a duration`);
    this.name = 'InvalidDurationError';
  }
}

export class InvalidQuotaError extends ByokError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidQuotaError';
  }
}

export class AdminError extends ByokError {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export class LocalStateError extends ByokError {
  constructor(
    message: string,
    readonly path: string,
    hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, { ...options, hint });
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

/** Another local stack serves this state dir (its pid, and its port once it listens). */
export class LocalStateLockedError extends LocalStateError {
  constructor(
    dir: string,
    readonly ownerPid: number | undefined,
    readonly ownerPort: number | undefined,
    readonly ownerUrl?: string | undefined,
  ) {
    super(
      `the state dir ${dir} is in use by another local stack${ownerPid ? ` (pid ${ownerPid}${ownerPort ? `, port ${ownerPort}` : ''})` : ''}`,
      dir,
      ownerUrl
        ? `use that stack (--endpoint ${ownerUrl}), stop it, or start this one with another --state-dir or --memory`
        : 'stop it, or start this one with another --state-dir or --memory',
    );
    this.name = 'LocalStateLockedError';
  }
}

/** The state dir was made for another account or Region than the one asked for. */
export class LocalStateMismatchError extends LocalStateError {
  constructor(path: string, field: 'account' | 'Region', stored: string, asked: string) {
    super(
      `the state dir holds the state of ${field} ${stored}, not ${asked}`,
      path,
      `leave out --${field === 'account' ? 'account-id' : 'region'} to use ${stored}, or start with another --state-dir`,
    );
    this.name = 'LocalStateMismatchError';
  }
}

/** The stack cannot listen where asked: the port is taken (EADDRINUSE), not allowed, or no such address. */
export class LocalListenError extends ByokError {
  override readonly hint: string;
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: 'EADDRINUSE' | 'EACCES' | 'EADDRNOTAVAIL',
    options?: ErrorOptions,
  ) {
    super(
      code === 'EADDRINUSE'
        ? `port ${port} on ${host} is already in use`
        : code === 'EACCES'
          ? `not allowed to listen on port ${port} of ${host}`
          : `${host} is not an address of this machine`,
      options,
    );
    this.name = 'LocalListenError';
    this.hint =
      code === 'EADDRINUSE'
        ? `another process listens there (a byok local up already running? then use it with --endpoint http://${host}:${port}); or pass --port 0 for a free port`
        : code === 'EACCES'
          ? 'use a port above 1023, or --port 0 for a free one'
          : 'use --host 127.0.0.1';
  }
}
