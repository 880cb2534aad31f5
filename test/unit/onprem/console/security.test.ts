import { describe, expect, it } from 'vitest';
import {
  allowedHostHeaders,
  createConsoleSecrets,
  sameSecret,
} from '../../../../src/onprem/console/security.ts';

describe('console security helpers', () => {
  it('accepts the loopback names a browser may send for a loopback server, with the port', () => {
    // Act
    const hosts = allowedHostHeaders('127.0.0.1', 4242);

    // Assess
    expect([...hosts].sort()).toEqual(['127.0.0.1:4242', '[::1]:4242', 'localhost:4242']);
  });

  it('accepts only the given address for a non-loopback server', () => {
    // Act / Assess
    expect([...allowedHostHeaders('192.0.2.7', 80)]).toEqual(['192.0.2.7:80']);
    expect([...allowedHostHeaders('2001:db8::1', 80)]).toEqual(['[2001:db8::1]:80']);
  });

  it('accepts the machine name and interface addresses for a wildcard bind, and nothing else', () => {
    // Act
    const hosts = allowedHostHeaders('0.0.0.0', 8080, {
      hostname: 'build-box',
      addresses: ['10.0.0.5', 'fe80::1'],
    });

    // Assess
    expect(hosts.has('build-box:8080')).toBe(true);
    expect(hosts.has('10.0.0.5:8080')).toBe(true);
    expect(hosts.has('[fe80::1]:8080')).toBe(true);
    expect(hosts.has('127.0.0.1:8080')).toBe(true);
    expect(hosts.has('evil.example:8080')).toBe(false);
  });

  it('makes fresh 256-bit secrets and compares them exactly', () => {
    // Act
    const one = createConsoleSecrets();
    const two = createConsoleSecrets();

    // Assess
    expect(one.sessionSecret).not.toBe(two.sessionSecret);
    expect(Buffer.from(one.sessionSecret, 'base64url')).toHaveLength(32);
    expect(sameSecret(one.sessionSecret, one.sessionSecret)).toBe(true);
    expect(sameSecret(two.sessionSecret, one.sessionSecret)).toBe(false);
    expect(sameSecret(undefined, one.sessionSecret)).toBe(false);
    expect(sameSecret('', one.sessionSecret)).toBe(false);
  });
});
