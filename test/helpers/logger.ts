// A handler logger (DEBUG) whose JSON lines are collected for assertions instead of printed.
import { Writable } from 'node:stream';
import { createLogger } from '../../src/core/shared/logger.ts';

export function collectingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ logLevel: 'DEBUG', stream }), lines };
}
