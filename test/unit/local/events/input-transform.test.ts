import { describe, expect, it } from 'vitest';
import { TargetInputError } from '../../../../src/local/events/errors.ts';
import { renderTargetInput, resolvePath } from '../../../../src/local/events/input-transform.ts';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'KMS Imported Key Material Expiration',
  source: 'aws.kms',
  time: '2026-06-01T03:00:00Z',
  resources: ['arn:aws:kms:us-east-1:111122223333:key/k-1'],
  detail: { 'key-id': 'k-1', count: 3, nested: { ok: true } },
};
const rule = {
  ruleName: 'byok-reimport-on-expiration',
  ruleArn: 'arn:aws:events:us-east-1:111122223333:rule/x',
};

describe('target input', () => {
  it('is the whole event by default', () => {
    // Act
    const input = renderTargetInput({}, event, rule);

    // Assess
    expect(JSON.parse(input)).toEqual(event);
  });

  it('is the constant Input as given', () => {
    // Act
    const input = renderTargetInput({ Input: '{"leadWindowDays":7}' }, event, rule);

    // Assess
    expect(input).toBe('{"leadWindowDays":7}');
  });

  it.each([
    ['$.detail', event.detail],
    ["$.detail['key-id']", 'k-1'],
    ['$.detail.key-id', 'k-1'],
    ['$.resources[0]', event.resources[0]],
    ['$.detail.absent', undefined],
  ])('reads %s', (path, expected) => {
    // Act
    const value = resolvePath(event, path);

    // Assess
    expect(value).toEqual(expected);
  });

  it('fills a template: JSON values outside quotes, raw text inside, null for a missing path', () => {
    // Prepare
    const transformer = {
      InputPathsMap: {
        keyId: '$.detail.key-id',
        count: '$.detail.count',
        nested: '$.detail.nested',
        gone: '$.detail.gone',
      },
      InputTemplate:
        '{"keyId": <keyId>, "count": <count>, "nested": <nested>, "gone": <gone>, "text": "key <keyId> (<count>) by <aws.events.rule-name>"}',
    };

    // Act
    const input = renderTargetInput({ InputTransformer: transformer }, event, rule);

    // Assess
    expect(JSON.parse(input)).toEqual({
      keyId: 'k-1',
      count: 3,
      nested: { ok: true },
      gone: null,
      text: 'key k-1 (3) by byok-reimport-on-expiration',
    });
  });

  it('keeps a quoted value valid JSON when it holds quotes', () => {
    // Prepare
    const tricky = { ...event, detail: { note: 'say "hi"' } };

    // Act
    const input = renderTargetInput(
      { InputTransformer: { InputPathsMap: { note: '$.detail.note' }, InputTemplate: '{"text": "<note>"}' } },
      tricky,
      rule,
    );

    // Assess
    expect(JSON.parse(input)).toEqual({ text: 'say "hi"' });
  });

  it('refuses a path that does not start with $', () => {
    // Act
    const read = () => resolvePath(event, 'detail.key-id');

    // Assess
    expect(read).toThrow(TargetInputError);
  });
});
