import { describe, expect, it } from 'vitest';
import { EventPatternSyntaxError } from '../../../../src/local/events/errors.ts';
import { matchesEventPattern, parseEventPattern } from '../../../../src/local/events/event-pattern.ts';

const expiration = {
  version: '0',
  id: 'e-1',
  'detail-type': 'KMS Imported Key Material Expiration',
  source: 'aws.kms',
  account: '111122223333',
  time: '2026-06-01T03:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:kms:us-east-1:111122223333:key/k-1'],
  detail: { 'key-id': 'k-1', failed: 2, tags: ['a', 'b'] },
};

function matches(pattern: unknown, event: unknown = expiration): boolean {
  return matchesEventPattern(parseEventPattern(JSON.stringify(pattern)), event);
}

describe('event patterns', () => {
  it.each([
    ['exact values', { source: ['aws.kms'], 'detail-type': ['KMS Imported Key Material Expiration'] }, true],
    ['another source', { source: ['byok'] }, false],
    ['one of several values', { source: ['byok', 'aws.kms'] }, true],
    ['a nested field', { detail: { 'key-id': ['k-1'] } }, true],
    ['a nested field that differs', { detail: { 'key-id': ['k-2'] } }, false],
    ['a nested field that is missing', { detail: { absent: ['x'] } }, false],
    ['prefix', { source: [{ prefix: 'aws.' }] }, true],
    ['prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, true],
    ['suffix', { source: [{ suffix: '.kms' }] }, true],
    ['anything-but a value', { source: [{ 'anything-but': 'aws.kms' }] }, false],
    ['anything-but a list', { source: [{ 'anything-but': ['byok', 'aws.s3'] }] }, true],
    ['anything-but a prefix', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, false],
    ['numeric range', { detail: { failed: [{ numeric: ['>', 0, '<=', 2] }] } }, true],
    ['numeric range missed', { detail: { failed: [{ numeric: ['>', 2] }] } }, false],
    ['exists true', { detail: { 'key-id': [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { absent: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { 'key-id': [{ exists: false }] } }, false],
    ['any element of an array field', { detail: { tags: ['b'] } }, true],
    ['wildcard', { resources: [{ wildcard: 'arn:aws:kms:*:key/k-1' }] }, true],
    ['$or', { $or: [{ source: ['byok'] }, { detail: { 'key-id': ['k-1'] } }] }, true],
  ])('%s', (_case, pattern, expected) => {
    // Act
    const result = matches(pattern);

    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    ['not JSON', '{source: aws'],
    ['not an object', '["aws.kms"]'],
    ['a leaf that is not an array', '{"source": "aws.kms"}'],
    ['an empty array', '{"source": []}'],
    ['an unknown operator', '{"source": [{"startsWith": "aws"}]}'],
    ['a bad numeric comparison', '{"detail": {"n": [{"numeric": ["~", 1]}]}}'],
  ])('refuses %s', (_case, text) => {
    // Act
    const parse = () => parseEventPattern(text);

    // Assess
    expect(parse).toThrow(EventPatternSyntaxError);
  });
});
