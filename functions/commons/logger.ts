// One Powertools logger per function: structured JSON with the execution and key ids appended per
// invocation. The replacer redacts fields whose names suggest secrets. That is defence in depth
// only: the guarantee is that plaintext material never enters these processes (the HSM wraps in-token).
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
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return new Logger({
    serviceName: options.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'byok',
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    jsonReplacerFn: redactSecrets,
  });
}
