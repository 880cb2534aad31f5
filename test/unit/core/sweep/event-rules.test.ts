import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventRulesDefinitionError } from '../../../../src/core/sweep/errors.ts';
import { loadEventRules, sweepScheduleOf } from '../../../../src/core/sweep/event-rules.ts';

const dir = mkdtempSync(join(tmpdir(), 'byok-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeRules(rules: unknown): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(rules));
  return file;
}

describe('deploy/event-rules.json', () => {
  it('holds a daily sweep schedule and the expiration rules that reimport and alert', () => {
    // Act
    const rules = loadEventRules();

    // Assess
    expect(sweepScheduleOf(rules)).toBe('cron(0 3 * * ? *)');
    const onExpiration = rules.filter(
      (rule) =>
        JSON.stringify(rule.eventPattern) ===
        JSON.stringify({ source: ['aws.kms'], 'detail-type': ['KMS Imported Key Material Expiration'] }),
    );
    expect(onExpiration.map((rule) => rule.target).sort()).toEqual(['AlertTopic', 'ImportKeyMaterial']);
    expect(
      onExpiration.find((rule) => rule.target === 'ImportKeyMaterial')?.inputTransformer?.inputPathsMap,
    ).toEqual({
      // The key's ARN: a spoke's forwarded event names a key of another account (fleet mode).
      keyId: '$.resources[0]',
      keyMaterialId: '$.detail.key-material-id',
    });
  });

  it.each([
    [
      'both a schedule and a pattern',
      [
        {
          name: 'r',
          description: '',
          scheduleExpression: 'rate(1 day)',
          eventPattern: { source: ['x'] },
          target: 'AlertTopic',
        },
      ],
    ],
    ['neither a schedule nor a pattern', [{ name: 'r', description: '', target: 'AlertTopic' }]],
    [
      'an unknown target',
      [{ name: 'r', description: '', scheduleExpression: 'rate(1 day)', target: 'SomeLambda' }],
    ],
    [
      'a duplicate name',
      [
        { name: 'r', description: '', scheduleExpression: 'rate(1 day)', target: 'AlertTopic' },
        { name: 'r', description: '', scheduleExpression: 'rate(2 days)', target: 'AlertTopic' },
      ],
    ],
  ])('refuses a file with %s', (_case, rules) => {
    // Prepare
    const file = writeRules(rules);

    // Act
    const load = () => loadEventRules(file);

    // Assess
    expect(load).toThrow(EventRulesDefinitionError);
  });
});
