import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { causeText, visitsOf } from '../../../../src/onprem/console/runs.ts';

const at = (second: number) => new Date(Date.UTC(2027, 0, 1, 0, 0, second));

function event(id: number, type: string, details: Partial<HistoryEvent>): HistoryEvent {
  return { id, type: type as HistoryEvent['type'], timestamp: at(id), ...details };
}

describe('visitsOf', () => {
  it('reads a failed Task caught into a Fail state as entered, failed and redacted visits', () => {
    // Prepare
    const history = [
      event(1, 'ExecutionStarted', {}),
      event(2, 'PassStateEntered', {
        stateEnteredEventDetails: { name: 'StartImport', input: '{"keyId":"k"}' },
      }),
      event(3, 'PassStateExited', {
        stateExitedEventDetails: { name: 'StartImport', output: '{"keyId":"k"}' },
      }),
      event(4, 'TaskStateEntered', {
        stateEnteredEventDetails: { name: 'GetParametersForImport', input: '{"importToken":"secret"}' },
      }),
      event(5, 'LambdaFunctionFailed', {
        lambdaFunctionFailedEventDetails: {
          error: 'HsmKeyNotFoundError',
          cause:
            '{"errorType":"HsmKeyNotFoundError","errorMessage":"no key labelled \\"x\\"","trace":["at f"]}',
        },
      }),
      event(6, 'TaskStateExited', {
        stateExitedEventDetails: { name: 'GetParametersForImport', output: '{}' },
      }),
      event(7, 'FailStateEntered', { stateEnteredEventDetails: { name: 'ImportFailed', input: '{}' } }),
      event(8, 'ExecutionFailed', {
        executionFailedEventDetails: { error: 'HsmKeyNotFoundError', cause: 'no key' },
      }),
    ];

    // Act
    const visits = visitsOf(history);

    // Assess
    expect(visits.map((visit) => [visit.name, visit.type, visit.status])).toEqual([
      ['StartImport', 'Pass', 'succeeded'],
      ['GetParametersForImport', 'Task', 'failed'],
      ['ImportFailed', 'Fail', 'failed'],
    ]);
    expect(visits[1]).toMatchObject({
      error: 'HsmKeyNotFoundError',
      cause: 'no key labelled "x"',
      input: { importToken: '[redacted]' },
    });
    expect(visits[2]).toMatchObject({ error: 'HsmKeyNotFoundError', cause: 'no key' });
  });

  it('leaves a state that has not exited yet running', () => {
    // Act
    const visits = visitsOf([
      event(1, 'TaskStateEntered', { stateEnteredEventDetails: { name: 'WrapKeyMaterial', input: '{}' } }),
    ]);

    // Assess
    expect(visits).toEqual([
      expect.objectContaining({ name: 'WrapKeyMaterial', status: 'running', exitedAt: null }),
    ]);
  });
});

describe('causeText', () => {
  it('shows a Lambda error message without its stack trace, and a plain cause as is', () => {
    // Act / Assess
    expect(causeText('{"errorType":"E","errorMessage":"boom","trace":["at x (/var/task/a.js:1)"]}')).toBe(
      'boom',
    );
    expect(causeText('plain words')).toBe('plain words');
    expect(causeText('{"Status":"FAILED","Input":"{}","TaskToken":"AAAA"}')).toBe(
      '{"Status":"FAILED","Input":"{}","TaskToken":"[redacted]"}',
    );
    expect(causeText('')).toBeNull();
  });
});
