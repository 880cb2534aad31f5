// `byok console`'s options as commander parses them. Cheap to load: commander only.
import { InvalidArgumentError } from 'commander';
import type { AwsCommandOptions } from '../../aws-options.ts';

export interface ConsoleOptions extends AwsCommandOptions {
  port: number;
  host?: string;
  open?: boolean;
  /** PEM files: serve HTTPS (required beyond loopback unless allowPlainHttp). */
  tlsCert?: string;
  tlsKey?: string;
  allowPlainHttp?: boolean;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('a port is 0..65535');
  return port;
}
