// One Powertools logger per function: structured JSON with the execution and key ids appended per
// invocation. The replacer redacts fields whose names suggest secrets. That is defence in depth
// only: the guarantee is that plaintext material never enters these processes (the HSM wraps in-token).
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogLevel } from '@aws-lambda-powertools/logger/types';
import { terminalJson } from './text.ts';

const SECRET_FIELD = /(plaintext|secret|password|passphrase|pin$|^pin|private|keyvalue|rawkey|material$)/i;
const PUBLIC_FIELDS = new Set(['wrappedKeyMaterial', 'keyMaterialId', 'hsmKeyLabel', 'privateKeyLabel']);

/** The members of a JSON Web Key that are the private key (RFC 7518: EC/RSA private parts, oct's k). */
const JWK_PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

/** What JSON.stringify hands a replacer for a Buffer: Buffer#toJSON runs first. */
function isSerializedBuffer(value: unknown): value is { type: 'Buffer'; data: unknown[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  );
}

function isJsonWebKey(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { kty?: unknown }).kty === 'string'
  );
}

/**
 * Replacer for JSON.stringify: keeps ids and public evidence, drops anything named like a secret,
 * and never prints bytes (Buffers, typed arrays, ArrayBuffers) or a JSON Web Key's private members.
 */
export function redactSecrets(key: string, value: unknown): unknown {
  if (key !== '' && !PUBLIC_FIELDS.has(key) && SECRET_FIELD.test(key)) return '[redacted]';
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer)
    return `[${value.byteLength} bytes]`;
  if (isSerializedBuffer(value)) return `[${value.data.length} bytes]`;
  if (isJsonWebKey(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([member, memberValue]) => [
        member,
        JWK_PRIVATE_MEMBERS.has(member) ? '[redacted]' : memberValue,
      ]),
    );
  }
  return value;
}

export interface CreateLoggerOptions {
  serviceName?: string;
  logLevel?: LogLevel;
  /**
   * Where the JSON lines go (default stdout, as in Lambda). A CLI sends them to stderr so its
   * stdout stays the result; tests collect them.
   */
  stream?: NodeJS.WritableStream;
}

/**
 * A Powertools Logger whose JSON lines go to a stream. Powertools has no output-stream option; it
 * is made for subclassing (`createLogger` is its documented factory for children, `printLog` and
 * `getJsonReplacer` are its protected extension points), so this overrides those and touches no
 * private field. A line is what Powertools would print: the same attributes through the same
 * replacer (ours first, then its BigInt/Error/circular handling).
 */
class StreamLogger extends Logger {
  /** Set after super(): anything Powertools prints while constructing goes its own way. */
  declare private output: NodeJS.WritableStream | undefined;

  constructor(options: ConstructorOptions, output: NodeJS.WritableStream) {
    super(options);
    this.output = output;
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new StreamLogger(options ?? {}, this.output as NodeJS.WritableStream);
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (!this.output) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    // terminalJson: a logged value's bidirectional and C1 controls as \uXXXX, not raw (the line is read
    // on a terminal; it parses to the same value).
    this.output.write(`${terminalJson(log.getAttributes(), undefined, this.getJsonReplacer())}\n`);
  }
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const settings: ConstructorOptions = {
    serviceName: options.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'byok',
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    jsonReplacerFn: redactSecrets,
  };
  // Default: Powertools' own output (stdout, as Lambda reads it).
  return options.stream ? new StreamLogger(settings, options.stream) : new Logger(settings);
}
