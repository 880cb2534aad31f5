// The web console's named errors. The CLI prints each as one line with its hint; the API answers
// with `{ error: <name>, message, hint }` and never a stack.
import { ByokError, type ByokErrorOptions } from '../../core/shared/errors.ts';

/** Base class: anything the console refuses or cannot do on purpose. */
export class ConsoleError extends ByokError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'ConsoleError';
  }
}

/** A non-loopback listening address was asked for without TLS material or --allow-plain-http. */
export class ConsoleBindRefusedError extends ConsoleError {
  constructor(host: string, options?: ErrorOptions) {
    super(
      `refusing to serve the console on ${host} over plain HTTP: it acts with your AWS credentials, and its session secret would cross the network in clear`,
      {
        ...options,
        hint: 'leave out --host to serve on 127.0.0.1; or give --tls-cert <pem> --tls-key <pem> to serve HTTPS; or pass --allow-plain-http if you accept plain HTTP on that network',
      },
    );
    this.name = 'ConsoleBindRefusedError';
  }
}

/** The TLS private key file is readable by others (or not this user's): it is refused, not used. */
export class ConsoleTlsKeyExposedError extends ConsoleError {
  constructor(path: string, mode: string, options?: ErrorOptions) {
    super(`the TLS key ${path} (mode ${mode}) is not private to this user`, {
      ...options,
      hint: `chmod 600 ${path} (owned by you), and treat the key as exposed if others could read it`,
    });
    this.name = 'ConsoleTlsKeyExposedError';
  }
}

/** --tls-cert / --tls-key cannot be used: missing, unreadable, not PEM, expired or not a pair. */
export class ConsoleTlsMaterialError extends ConsoleError {
  constructor(problem: string, options?: ErrorOptions) {
    super(problem, {
      ...options,
      hint: 'give --tls-cert a PEM certificate (chain) and --tls-key its unencrypted PEM private key (mode 600)',
    });
    this.name = 'ConsoleTlsMaterialError';
  }
}

/** The browser app's static files are missing and cannot be built here. */
export class ConsoleAssetsMissingError extends ConsoleError {
  constructor(directory: string, options?: ErrorOptions) {
    super(`the console's browser assets are missing from ${directory}`, {
      ...options,
      hint: 'build them with: npm run build (needs the dev dependencies: npm ci)',
    });
    this.name = 'ConsoleAssetsMissingError';
  }
}

/** A request body does not match the contract the console checks it against. */
export class ConsoleInvalidRequestError extends ConsoleError {
  readonly issues: string[];
  constructor(issues: string[], options?: ErrorOptions) {
    super(`invalid request: ${issues.join('; ')}`, options);
    this.name = 'ConsoleInvalidRequestError';
    this.issues = issues;
  }
}

/**
 * A request body over the console's limit: refused as soon as its Content-Length (or, chunked, its
 * bytes so far) passes the limit, before the rest is read into memory.
 */
export class ConsoleBodyTooLargeError extends ConsoleError {
  constructor(maxBytes: number, options?: ErrorOptions) {
    super(`the request body is larger than ${maxBytes} bytes`, options);
    this.name = 'ConsoleBodyTooLargeError';
  }
}

/** The deployed (or local) stack has no state machine of this kind, or several. */
export class ConsoleStateMachineNotFoundError extends ConsoleError {
  constructor(kind: string, found: string[], options?: ErrorOptions) {
    super(
      found.length === 0
        ? `no state machine named ${kind} or *-${kind} here`
        : `several ${kind} state machines here: ${found.join(', ')}`,
      { ...options, hint: 'deploy the stack (docs/deploy.md) or start the local one with: byok local up' },
    );
    this.name = 'ConsoleStateMachineNotFoundError';
  }
}

/** An execution ARN the console was asked about is not one of byok's state machines' executions. */
export class ConsoleRunNotFoundError extends ConsoleError {
  constructor(executionArn: string, options?: ErrorOptions) {
    super(`no byok execution ${executionArn}`, options);
    this.name = 'ConsoleRunNotFoundError';
  }
}

/** The console cannot listen where it was asked (port taken, address not on this machine). */
export class ConsoleListenError extends ConsoleError {
  constructor(where: string, options?: ErrorOptions) {
    super(`the console cannot listen on ${where}`, {
      ...options,
      hint: 'choose another --port (or leave it out for a free one) and a --host address of this machine',
    });
    this.name = 'ConsoleListenError';
  }
}

/** An API request that did not finish within the console's deadline (an AWS call that never answered). */
export class ConsoleTimeoutError extends ConsoleError {
  constructor(what: string, deadlineMs: number, options?: ErrorOptions) {
    super(`${what} did not finish in ${deadlineMs / 1000} s`, {
      ...options,
      hint: 'the page asks again at the next refresh; if it keeps happening, check that AWS (or the local stack) answers: byok status --endpoint <the same endpoint>',
    });
    this.name = 'ConsoleTimeoutError';
  }
}
