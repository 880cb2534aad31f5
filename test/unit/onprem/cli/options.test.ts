import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseStatusEndpoint } from '../../../../src/onprem/cli/commands/status/options.ts';
import { parseEndpointUrl, parseIsoDateTime, parseWholeNumber } from '../../../../src/onprem/cli/options.ts';

describe('parseIsoDateTime', () => {
  it('normalises an ISO 8601 date and time to UTC', () => {
    // Act
    const parsed = parseIsoDateTime('2027-06-30T02:00:00+02:00');

    // Assess
    expect(parsed).toBe('2027-06-30T00:00:00.000Z');
  });

  it.each(['tomorrow', '2027-06-30', '2027-06-30T00:00:00'])('refuses %s with an example', (text) => {
    // Act
    const parse = () => parseIsoDateTime(text);

    // Assess
    expect(parse).toThrow(InvalidArgumentError);
    expect(parse).toThrow('expected an ISO 8601 date and time, e.g. 2027-06-30T00:00:00Z');
  });

  it.each([
    ['2027-02-30T00:00:00Z', '2027-02-30 does not exist'],
    ['2027-13-01T00:00:00Z', 'month 13 does not exist'],
    ['2027-06-30T24:00:00Z', 'is not a time of day'],
  ])('refuses %s by what does not exist, instead of rolling it over', (text, problem) => {
    // Act
    const parse = () => parseIsoDateTime(text);

    // Assess
    expect(parse).toThrow(InvalidArgumentError);
    expect(parse).toThrow(problem);
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

describe('parseWholeNumber', () => {
  it.each([
    ['1', 1],
    ['180', 180],
    [' 14 ', 14],
  ])('accepts %s within 1..180', (text, expected) => {
    // Act
    const parsed = parseWholeNumber(1, 180)(text);

    // Assess
    expect(parsed).toBe(expected);
  });

  it.each(['0', '181', '1.5', '-3', '14d', ''])('refuses %s, naming the range', (text) => {
    // Act
    const parse = () => parseWholeNumber(1, 180)(text);

    // Assess
    expect(parse).toThrow(InvalidArgumentError);
    expect(parse).toThrow('expected a whole number 1..180');
  });
});

describe('parseStatusEndpoint', () => {
  it('drops the trailing slash so paths can be joined to it', () => {
    // Act
    const parsed = parseStatusEndpoint('http://127.0.0.1:4599/');

    // Assess
    expect(parsed).toBe('http://127.0.0.1:4599');
  });

  it('refuses a non-http URL like the other endpoint options', () => {
    // Act
    const parse = () => parseStatusEndpoint('ftp://127.0.0.1');

    // Assess
    expect(parse).toThrow('expected an http(s) URL such as http://127.0.0.1:4599');
  });
});
