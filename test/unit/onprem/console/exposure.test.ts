// Where the console may listen (src/onprem/console/exposure.ts): loopback freely; beyond it only with TLS
// or --allow-plain-http, and then with a warning.
import { describe, expect, it } from 'vitest';
import { ConsoleBindRefusedError } from '../../../../src/onprem/console/errors.ts';
import { checkExposure, isLoopbackAddress } from '../../../../src/onprem/console/exposure.ts';

describe('console exposure rules', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.0.2.7', false],
    ['128.0.0.1', false],
    ['localhost.evil.example', false],
  ])('%s is loopback: %s', (host, loopback) => {
    // Act / Assess
    expect(isLoopbackAddress(host)).toBe(loopback);
  });

  it('says nothing for loopback, whatever the options', () => {
    // Act / Assess
    expect(checkExposure('127.0.0.1', { tls: false, allowPlainHttp: false })).toBeUndefined();
  });

  it('refuses a non-loopback address without TLS or --allow-plain-http, naming both ways out', () => {
    // Act
    const refuse = () => checkExposure('0.0.0.0', { tls: false, allowPlainHttp: false });

    // Assess
    expect(refuse).toThrow(ConsoleBindRefusedError);
    try {
      refuse();
    } catch (error) {
      expect((error as ConsoleBindRefusedError).hint).toMatch(/--tls-cert .*--allow-plain-http/);
    }
  });

  it('warns about plain HTTP beyond loopback, and announces HTTPS beyond loopback', () => {
    // Act
    const plain = checkExposure('192.0.2.7', { tls: false, allowPlainHttp: true });
    const tls = checkExposure('192.0.2.7', { tls: true, allowPlainHttp: false });

    // Assess
    expect(plain).toMatch(/WARNING: serving plain HTTP on 192\.0\.2\.7/);
    expect(tls).toMatch(/serving HTTPS on 192\.0\.2\.7/);
  });
});
