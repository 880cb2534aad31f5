// How `byok local up` stops (src/onprem/cli/commands/local/stop.ts): every part is stopped even
// when one before it failed, and the last line says "stopped, state saved" only when nothing failed.
import { describe, expect, it } from 'vitest';
import { stopEach, stopReport } from '../../../../../../src/onprem/cli/commands/local/stop.ts';

describe('stopEach', () => {
  it('stops every part, in order, also after one failed, and returns what failed', async () => {
    // Prepare
    const stopped: string[] = [];
    const failure = new Error('ENOTDIR: not a directory');

    // Act
    const failures = await stopEach([
      { name: 'the web console', stop: () => stopped.push('console') },
      {
        name: 'the Step Functions API',
        stop: async () => {
          stopped.push('step functions');
          throw failure;
        },
      },
      { name: 'the stack', stop: async () => stopped.push('stack') },
    ]);

    // Assess
    expect(stopped).toEqual(['console', 'step functions', 'stack']);
    expect(failures).toEqual([{ name: 'the Step Functions API', error: failure }]);
  });
});

describe('stopReport', () => {
  it('says the state was saved only when every part stopped', () => {
    // Assess
    expect(stopReport([], '/var/byok/local')).toEqual([
      'byok local stack: stopped, state saved in /var/byok/local',
    ]);
    expect(stopReport([], undefined)).toEqual(['byok local stack: stopped (memory only: nothing kept)']);
    expect(
      stopReport([{ name: 'the approvals API', error: new RangeError('boom') }], '/var/byok/local'),
    ).toEqual([
      'byok local stack: could not stop the approvals API: RangeError: boom',
      'byok local stack: stopped with 1 error(s); the state in /var/byok/local may be incomplete',
    ]);
  });
});
