import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseEndpointUrl, parseIsoDateTime } from '../../../src/cli/options.ts';

describe('parseIsoDateTime', () => {
  it('normalises an ISO 8601 date and time to UTC', () => {
    // Act
    const parsed = parseIsoDateTime('2027-06-30T02:00:00+02:00');

    // Assess
    expect(parsed).toBe('2027-06-30T00:00:00.000Z');
  });

  it.each(['tomorrow', '2027-06-30', '2027-13-45T00:00:00Z'])('refuses %s with an example', (text) => {
    // Act
    const parse = () => parseIsoDateTime(text);

    // Assess
    expect(parse).toThrow(InvalidArgumentError);
    expect(parse).toThrow('expected an ISO 8601 date and time, e.g. 2027-06-30T00:00:00Z');
  });
});

describe('parseEndpointUrl', () => {
  it('keeps an http(s) URL as given', () => {
    // Act
    const parsed = parseEndpointUrl('http://127.0.0.1:4599');

    // Assess
    expect(parsed).toBe('http://127.0.0.1:4599');
  });

  it.each(['127.0.0.1:4599', 'notaurl', 'ftp://127.0.0.1'])('refuses %s', (text) => {
    // Act
    const parse = () => parseEndpointUrl(text);

    // Assess
    expect(parse).toThrow(InvalidArgumentError);
    expect(parse).toThrow(/http/);
  });
});
