// defineStep is the one way every step handler is built: these pin its edge (schema parse with the
// step's named error, the invocation's ids on every line, a failure logged by name and rethrown).
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineStep } from '../../../../src/core/step-kernel/define-step.ts';
import { InvalidStepInputError } from '../../../../src/core/step-kernel/errors.ts';
import { summarizeSweepStep } from '../../../../src/core/steps/summarize-sweep.ts';
import { InvalidSweepInputError } from '../../../../src/core/sweep/errors.ts';
import { collectingLogger } from '../../../helpers/logger.ts';

class DemoFailureError extends Error {
  constructor() {
    super('the work failed');
    this.name = 'DemoFailureError';
  }
}

const demoStep = defineStep({
  step: 'DemoStep',
  input: z.strictObject({ executionId: z.string(), keyId: z.string(), fail: z.boolean() }),
  logKeys: (input) => ({ executionId: input.executionId, keyId: input.keyId }),
  async run(input, deps: { logger: ReturnType<typeof collectingLogger>['logger']; seen: string[] }, logger) {
    deps.seen.push(input.keyId);
    logger.info('working');
    if (input.fail) throw new DemoFailureError();
    return { done: input.keyId };
  },
});

const context = { functionName: 'byok-demo', awsRequestId: 'req-1' } as Context;

describe('defineStep', () => {
  it('parses the input, runs the work and logs every line with the invocation ids', async () => {
    // Prepare
    const { logger, lines } = collectingLogger();
    const seen: string[] = [];

    // Act
    const output = await demoStep.createHandler({ logger, seen })(
      { executionId: 'exec-1', keyId: 'key-1', fail: false },
      context,
    );

    // Assess
    expect(output).toEqual({ done: 'key-1' });
    expect(seen).toEqual(['key-1']);
    const working = lines.map((line) => JSON.parse(line)).find((line) => line.message === 'working');
    expect(working).toMatchObject({
      step: 'DemoStep',
      executionId: 'exec-1',
      keyId: 'key-1',
      function_name: 'byok-demo',
      function_request_id: 'req-1',
    });
  });

  it('refuses an input that does not match the schema with the neutral InvalidStepInputError naming the step, before the work', async () => {
    // Prepare
    const { logger } = collectingLogger();
    const seen: string[] = [];

    // Act
    const act = demoStep.createHandler({ logger, seen })({ executionId: 'exec-1', keyId: 7, fail: false });

    // Assess
    await expect(act).rejects.toThrow(InvalidStepInputError);
    await expect(act).rejects.toThrow('invalid input for DemoStep: keyId');
    expect(seen).toEqual([]);
  });

  it('logs a failure by name and message, then rethrows the same error', async () => {
    // Prepare
    const { logger, lines } = collectingLogger();

    // Act
    const act = demoStep.createHandler({ logger, seen: [] })({
      executionId: 'exec-2',
      keyId: 'key-2',
      fail: true,
    });

    // Assess
    await expect(act).rejects.toThrow(DemoFailureError);
    const failed = lines.map((line) => JSON.parse(line)).find((line) => line.message === 'step failed');
    expect(failed).toMatchObject({
      level: 'ERROR',
      step: 'DemoStep',
      keyId: 'key-2',
      errorName: 'DemoFailureError',
      errorMessage: 'the work failed',
    });
  });

  it('uses the step-specific input error when it names one (the sweep steps)', async () => {
    // Act
    const act = summarizeSweepStep.createHandler({})({ found: 'not a sweep', results: [] });

    // Assess
    await expect(act).rejects.toThrow(InvalidSweepInputError);
  });
});
