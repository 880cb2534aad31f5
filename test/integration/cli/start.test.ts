// `byok start` against the local stack's Step Functions API over real HTTP: the real CLI process,
// the real SDK client, the real ASL, a real NSS token. It starts an import under a deterministic
// name, follows it to the end, joins the same execution when run again, and fails cleanly.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  deterministicExecutionName,
  executionInputOf,
  runStart,
  type StartOptions,
} from '../../../src/onprem/cli/commands/start/action.ts';
import {
  InvalidStartInputError,
  StateMachineNotFoundError,
  StepFunctionsUnreachableError,
} from '../../../src/onprem/cli/errors.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctions,
} from '../../../src/onprem/simulation/step-functions.ts';
import { type ImportHarness, NO_BACKOFF, startImportHarness } from '../../helpers/import-harness.ts';

const execFileAsync = promisify(execFile);
const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [byok, ...args], {
      env: { ...process.env, BYOK_DEBUG: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function quietIo() {
  const lines = { out: '', err: '' };
  return {
    lines,
    io: {
      out: (text: string) => {
        lines.out += text;
      },
      err: (text: string) => {
        lines.err += text;
      },
    },
  };
}

describe('byok start (local stack)', () => {
  let harness: ImportHarness;
  let stepFunctions: AttachedStepFunctions;

  beforeAll(async () => {
    harness = await startImportHarness({ keys: [{ label: 'aes-start', type: 'AES_256' }] });
    stepFunctions = attachLocalStepFunctions(harness.stack, {
      deps: async () => harness.deps,
      overrides: NO_BACKOFF,
    });
  });

  afterAll(async () => {
    await stepFunctions?.close();
    await harness?.stop();
  });

  it('starts an import, prints each step, ends with the verified result, and follows the same execution when run again', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: 'aes-start',
    });
    const args = [
      'start',
      '--endpoint',
      harness.stack.url,
      '--key-id',
      keyId,
      '--valid-for-days',
      '30',
      '--poll-interval',
      '50',
    ];

    // Act: the old option name --valid-for-days still works; the second run prints JSON.
    const first = await cli(...args);
    const second = await cli(...args, '--output', 'json');

    // Assess
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(
      /started arn:aws:states:us-east-1:111122223333:execution:import-key-material:byok-/,
    );
    for (const step of ['GetParametersForImport', 'WrapKeyMaterial', 'ImportKeyMaterial', 'VerifyImport']) {
      expect(first.stderr).toContain(`ok ${step}`);
    }
    expect(first.stderr).toMatch(/SUCCEEDED in \d+\.\d s/);
    // The proof, as byok import prints it.
    expect(first.stdout).toMatch(
      new RegExp(`^KMS key +arn:aws:kms:us-east-1:111122223333:key/${keyId} \\(SYMMETRIC_DEFAULT\\)`),
    );
    expect(first.stdout).toContain('HSM key      aes-start');
    expect(first.stdout).toMatch(/expiry +valid to /);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('already exists for this request: following it');
    const execution = JSON.parse(second.stdout) as {
      executionArn: string;
      status: string;
      output: { keyId: string; keyState: string; expirationModel: string };
    };
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.executionArn).toMatch(/:execution:import-key-material:byok-/);
    expect(execution.output.keyId).toMatch(new RegExp(`${keyId}$`));
    expect(execution.output).toMatchObject({ keyState: 'Enabled', expirationModel: 'KEY_MATERIAL_EXPIRES' });
  });

  it('exits 1 with the error of the failed step and no stack trace', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
    });

    // Act
    const result = await cli(
      'start',
      '--endpoint',
      harness.stack.url,
      '--key-id',
      keyId,
      '--hsm-key-label',
      'no-such-hsm-key',
      '--poll-interval',
      '50',
    );

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /byok: ImportExecutionFailedError: execution arn:aws:states:\S+ FAILED: HsmKeyNotFoundError/,
    );
    expect(result.stderr).toContain('hint:');
    expect(result.stderr).toMatch(/! (GetParametersForImport|WrapKeyMaterial) failed: HsmKeyNotFoundError/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  it.each([
    ['zero days', ['--valid-for-days', '0'], /expected whole days 1\.\.365, e\.g\. 90d/],
    ['days and no expiry together', ['--valid-for-days', '5', '--no-expiry'], /cannot be used with/],
    [
      'an alias',
      ['--key-id', 'alias/payments'],
      /InvalidStartInputError: keyId: must be a KMS key id or key ARN/,
    ],
  ])('refuses %s before calling anything', async (_case, extra, message) => {
    // Act
    const result = await cli('start', '--endpoint', harness.stack.url, '--key-id', KEY, ...extra);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('finds the import state machine by name when no ARN is given, and takes an explicit one', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: 'aes-start',
    });
    const { io, lines } = quietIo();
    const options: StartOptions = {
      keyId,
      endpoint: harness.stack.url,
      stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:import-key-material',
      pollInterval: 20,
      name: 'explicit-arn',
    };

    // Act
    const described = await runStart(options, io);

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(described.executionArn).toBe(
      'arn:aws:states:us-east-1:111122223333:execution:import-key-material:explicit-arn',
    );
    expect(lines.err).toContain('started');
  });

  it('names the problem when no Step Functions API answers', async () => {
    // Act
    const start = runStart({ keyId: KEY, endpoint: 'http://127.0.0.1:9', pollInterval: 20 }, quietIo().io);

    // Assess
    await expect(start).rejects.toBeInstanceOf(StepFunctionsUnreachableError);
  });

  it("passes on AWS's error when the ARN names no state machine there", async () => {
    // Prepare: a state machine ARN of another account is not this stack's.
    const options: StartOptions = {
      keyId: KEY,
      endpoint: harness.stack.url,
      stateMachineArn: 'arn:aws:states:us-east-1:999999999999:stateMachine:import-key-material',
      pollInterval: 20,
    };

    // Act
    const start = runStart(options, quietIo().io);

    // Assess
    await expect(start).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});

describe('byok start against AWS (SDK client mocked)', () => {
  let sfnMock: ReturnType<typeof mockClient>;
  beforeEach(() => {
    sfnMock = mockClient(SFNClient);
  });
  afterEach(() => {
    sfnMock.restore();
  });

  it.each([
    ['none', [], /no state machine named import-key-material/],
    [
      'several',
      [
        {
          name: 'byok-dev-import-key-material',
          stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:byok-dev-import-key-material',
        },
        {
          name: 'byok-prod-import-key-material',
          stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:byok-prod-import-key-material',
        },
      ],
      /several import state machines/,
    ],
  ])('asks for --state-machine-arn when it finds %s', async (_case, stateMachines, message) => {
    // Prepare
    sfnMock.on(ListStateMachinesCommand).resolves({ stateMachines: stateMachines as never });

    // Act
    const start = runStart({ keyId: KEY, region: 'eu-west-1', pollInterval: 10 }, quietIo().io);

    // Assess
    await expect(start).rejects.toBeInstanceOf(StateMachineNotFoundError);
    await expect(start).rejects.toThrow(message);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('starts the one deployed import state machine under the deterministic name and reads no payloads', async () => {
    // Prepare
    const stateMachineArn =
      'arn:aws:states:eu-west-1:111122223333:stateMachine:byok-prod-import-key-material';
    sfnMock.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        {
          name: 'byok-prod-reimport-expiring-keys',
          stateMachineArn: `${stateMachineArn}x`,
          type: 'STANDARD',
          creationDate: new Date(),
        },
        {
          name: 'byok-prod-import-key-material',
          stateMachineArn,
          type: 'STANDARD',
          creationDate: new Date(),
        },
      ],
    });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' } as never)
      .resolves({
        status: 'SUCCEEDED',
        output: '{"keyState":"Enabled"}',
        startDate: new Date(0),
        stopDate: new Date(1500),
      } as never);
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const { io, lines } = quietIo();

    // Act
    await runStart({ keyId: KEY, validFor: 30, region: 'eu-west-1', pollInterval: 10, output: 'json' }, io);

    // Assess
    const [start] = sfnMock.commandCalls(StartExecutionCommand);
    const expectedInput = { keyId: KEY, validForDays: 30 };
    expect(start?.args[0].input).toEqual({
      stateMachineArn,
      name: deterministicExecutionName(expectedInput, new Date()),
      input: JSON.stringify(expectedInput),
    });
    for (const call of sfnMock.commandCalls(GetExecutionHistoryCommand)) {
      expect(call.args[0].input.includeExecutionData).toBe(false);
    }
    expect(JSON.parse(lines.out)).toEqual({
      executionArn: 'arn:exec',
      status: 'SUCCEEDED',
      startDate: new Date(0).toISOString(),
      stopDate: new Date(1500).toISOString(),
      output: { keyState: 'Enabled' },
    });
    expect(lines.err).toContain('SUCCEEDED in 1.5 s');
  });
});

describe('execution names', () => {
  it('are the same for the same request on the same day, and differ otherwise', () => {
    // Prepare
    const day = new Date('2026-11-27T21:00:00Z');
    const input = executionInputOf({ keyId: KEY, validFor: 30, pollInterval: 1000 });
    const reordered = { validForDays: 30, keyId: KEY };

    // Act
    const name = deterministicExecutionName(input, day);

    // Assess
    expect(name).toBe(deterministicExecutionName(reordered, new Date('2026-11-27T23:59:59Z')));
    expect(name).toMatch(/^byok-1234abcd-12ab-34cd-56ef-1234567890ab-20261127-[0-9a-f]{12}$/);
    expect(name.length).toBeLessThanOrEqual(80);
    expect(deterministicExecutionName(input, new Date('2026-11-28T00:00:00Z'))).not.toBe(name);
    expect(deterministicExecutionName({ keyId: KEY, validForDays: 31 }, day)).not.toBe(name);
  });

  it('rejects an input the handlers would reject, naming the field', () => {
    // Act
    const build = () => executionInputOf({ keyId: KEY, validTo: 'tomorrow', pollInterval: 1000 });

    // Assess
    expect(build).toThrow(InvalidStartInputError);
    expect(build).toThrow(/validTo/);
  });
});
