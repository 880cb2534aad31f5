// Where the console may listen, and what it says when it listens beyond this machine. The console
// acts with the user's AWS credentials and every API request carries its session secret, so a
// listening address other than loopback is refused unless the traffic is encrypted (TLS material
// given) or the user said plain HTTP is accepted (--allow-plain-http); either way the exposure is
// announced on stderr.
import { isIP } from 'node:net';
import { ConsoleBindRefusedError } from './errors.ts';

/** 127.0.0.0/8, ::1 (and its IPv4-mapped form) and the name localhost: this machine only. */
export function isLoopbackAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice(7) : bare;
  return isIP(v4) === 4 && v4.split('.')[0] === '127';
}

export interface ExposureOptions {
  /** TLS material was given: the console serves HTTPS. */
  tls: boolean;
  /** --allow-plain-http: the user accepts plain HTTP beyond loopback. */
  allowPlainHttp: boolean;
}

/**
 * Throws ConsoleBindRefusedError for a non-loopback address without TLS or --allow-plain-http;
 * otherwise returns the warning to print (undefined on loopback).
 */
export function checkExposure(host: string, options: ExposureOptions): string | undefined {
  if (isLoopbackAddress(host)) return undefined;
  if (options.tls) {
    return (
      `byok console: serving HTTPS on ${host}, beyond this machine: anyone who can reach it and holds the ` +
      'printed URL acts with your AWS credentials; share the URL with nobody.'
    );
  }
  if (!options.allowPlainHttp) throw new ConsoleBindRefusedError(host);
  return (
    `byok console: WARNING: serving plain HTTP on ${host}, beyond this machine (--allow-plain-http): the ` +
    'session secret and everything the console shows cross the network unencrypted; anyone on the path can ' +
    'read them and act with your AWS credentials. Prefer --tls-cert and --tls-key.'
  );
}
