// One Powertools logger per function: structured JSON with the execution and key ids appended per
// invocation. The replacer redacts fields whose names suggest secrets. That is defence in depth
// only: the guarantee is that plaintext material never enters these processes (the HSM wraps in-token).
import { Console } from 'node:console';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';

const SECRET_FIELD = /(plaintext|secret|password|passphrase|pin$|^pin|private|keyvalue|rawkey|material$)/i;
const PUBLIC_FIELDS = new Set(['wrappedKeyMaterial', 'keyMaterialId', 'hsmKeyLabel', 'privateKeyLabel']);

/** Replacer for JSON.stringify: keeps ids and public evidence, drops anything named like a secret. */
export function redactSecrets(key: string, value: unknown): unknown {
  if (key !== '' && !PUBLIC_FIELDS.has(key) && SECRET_FIELD.test(key)) return '[redacted]';
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
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

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const logger = new Logger({
    serviceName: options.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'byok',
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    jsonReplacerFn: redactSecrets,
  });
  // Powertools has no option for its output stream; its console is a plain property set at
  // construction. Replacing it is the least invasive way to redirect (invocation loggers wrap this
  // instance instead of creating children, so the redirection holds).
  if (options.stream)
    Reflect.set(logger, 'console', new Console({ stdout: options.stream, stderr: options.stream }));
  return logger;
}
