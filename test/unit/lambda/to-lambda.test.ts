// toLambda: deps built once per execution environment (and built again after a failed build), the
// Lambda context added to the real Powertools logger on each invocation, the step's own handler
// doing the work.
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineStep } from '../../../src/core/step-kernel/define-step.ts';
import { InvalidStepInputError } from '../../../src/core/step-kernel/errors.ts';
import { toLambda } from '../../../src/lambda/to-lambda.ts';

const context = {
  functionName: 'byok-dev-echo',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:byok-dev-echo',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
} as Context;

interface EchoDeps {
  logger?: Logger;
  calls: string[];
}

const echo = defineStep<EchoDeps, { say: string }, { said: string }>({
  step: 'Echo',
  input: z.object({ say: z.string() }).strict(),
  async run(input, deps, logger) {
    deps.calls.push(input.say);
    logger.info('echoing');
    return { said: input.say };
  },
});

describe('toLambda', () => {
  afterEach(() => vi.restoreAllMocks());

  it('builds the deps once and keeps them between invocations', async () => {
    // Prepare
    const calls: string[] = [];
    const build = vi.fn(() => ({ calls }));
    const { handler } = toLambda<EchoDeps, { said: string }>(echo, build);

    // Act
    const first = await handler({ say: 'a' }, context);
    const second = await handler({ say: 'b' }, context);

    // Assess
    expect([first, second]).toEqual([{ said: 'a' }, { said: 'b' }]);
    expect(build).toHaveBeenCalledTimes(1);
    expect(calls).toEqual(['a', 'b']);
  });

  it('builds the deps again after a failed build (an unreachable HSM is not kept)', async () => {
    // Prepare
    const build = vi
      .fn<() => Promise<{ calls: string[] }>>()
      .mockRejectedValueOnce(new Error('HSM unreachable'))
      .mockResolvedValue({ calls: [] });
    const { handler } = toLambda<EchoDeps, { said: string }>(echo, build);

    // Act
    const failed = await handler({ say: 'a' }, context).catch((error: unknown) => error);
    const answered = await handler({ say: 'b' }, context);

    // Assess
    expect((failed as Error).message).toBe('HSM unreachable');
    expect(answered).toEqual({ said: 'b' });
    expect(build).toHaveBeenCalledTimes(2);
  });

  it('adds the Lambda context to the Powertools logger (cold_start, function_arn, request id)', async () => {
    // Prepare
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const { handler } = toLambda<EchoDeps, { said: string }>(echo, () => ({
      calls: [],
      logger: new Logger({ serviceName: 'byok' }),
    }));

    // Act
    await handler({ say: 'a' }, context);

    // Assess
    const logged = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l.message === 'echoing');
    expect(logged).toMatchObject({
      cold_start: expect.any(Boolean),
      function_arn: context.invokedFunctionArn,
      function_request_id: context.awsRequestId,
      step: 'Echo',
    });
  });

  it('refuses input that does not match the step schema with the kernel error, named', async () => {
    // Prepare
    const { handler } = toLambda<EchoDeps, { said: string }>(echo, () => ({ calls: [] }));

    // Act
    const failed = await handler({ say: 1 }, context).catch((error: unknown) => error);

    // Assess
    expect(failed).toBeInstanceOf(InvalidStepInputError);
    expect((failed as InvalidStepInputError).issues).toEqual([expect.stringContaining('say:')]);
  });
});
