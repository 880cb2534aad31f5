import { describe, expect, it } from 'vitest';
import {
  allowedHostHeaders,
  createConsoleSecrets,
  freshOriginName,
  sameSecret,
  usesFreshOrigin,
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

  it('names a new .localhost origin at every start: c- and 64 random bits', () => {
    // Act
    const names = Array.from({ length: 50 }, () => freshOriginName());

    // Assess
    for (const name of names) expect(name).toMatch(/^c-[0-9a-f]{16}\.localhost$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives a fresh origin to loopback over plain HTTP only (TLS and other addresses keep their name)', () => {
    // Act / Assess
    for (const host of ['127.0.0.1', 'localhost', 'LOCALHOST', '::1', '[::1]']) {
      expect(usesFreshOrigin(host, false), host).toBe(true);
      expect(usesFreshOrigin(host, true), `${host} with TLS`).toBe(false);
    }
    for (const host of ['127.0.0.2', '0.0.0.0', '::', '192.0.2.7', 'console.example']) {
      expect(usesFreshOrigin(host, false), host).toBe(false);
    }
  });
});
