// byok start's progress and failure report from an execution history as AWS writes it (SDK
// clients mocked): a Task whose failure was caught exits too, and must not be reported `ok`; a
// PublishFailed that failed is reported on a line of its own under the step's error.
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { runStart } from '../../../../../../src/onprem/cli/commands/start/action.ts';
import { ImportExecutionFailedError } from '../../../../../../src/onprem/cli/errors.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const MACHINE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:byok-import-key-material';
const sfnMock = mockClient(SFNClient);
const kmsMock = mockClient(KMSClient);

function event(type: string, details: Partial<HistoryEvent> = {}): HistoryEvent {
  return { type, id: 1, timestamp: new Date(), ...details } as HistoryEvent;
}
const entered = (name: string) => event('TaskStateEntered', { stateEnteredEventDetails: { name } });
const exited = (name: string) => event('TaskStateExited', { stateExitedEventDetails: { name } });

describe('runStart on a failed execution', () => {
  afterEach(() => {
    sfnMock.reset();
    kmsMock.reset();
  });

  it('prints no ok for a caught failure, names the step error first and the lost failure event under it', async () => {
    // Prepare: VerifyImport fails (caught), PublishFailed fails too, the key was imported meanwhile
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      error: 'VerificationFailedError',
      cause: 'the key does not decrypt',
    } as never);
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: [
        entered('ImportKeyMaterial'),
        exited('ImportKeyMaterial'),
        entered('VerifyImport'),
        event('LambdaFunctionFailed', {
          lambdaFunctionFailedEventDetails: { error: 'VerificationFailedError', cause: 'x' },
        }),
        exited('VerifyImport'),
        entered('PublishFailed'),
        event('TaskFailed', {
          taskFailedEventDetails: {
            resourceType: 'events',
            resource: 'putEvents',
            error: 'EventBridge.AccessDeniedException',
            cause: 'denied',
          },
        }),
        exited('PublishFailed'),
      ],
    });
    kmsMock
      .on(DescribeKeyCommand)
      .resolvesOnce({ KeyMetadata: { KeyId: KEY, KeyState: 'PendingImport' } })
      .resolves({
        KeyMetadata: { KeyId: KEY, KeyState: 'Enabled', ValidTo: new Date('2027-07-01T00:00:00Z') },
      });
    let err = '';

    // Act
    const error = await runStart(
      { keyId: KEY, stateMachineArn: MACHINE, region: 'eu-west-1', pollInterval: 10 },
      { out: () => {}, err: (text) => (err += text) },
    ).catch((caught: unknown) => caught);

    // Assess
    expect(err).toContain('  ok ImportKeyMaterial\n');
    expect(err).toContain('  ! VerifyImport failed: VerificationFailedError\n');
    expect(err).not.toContain('ok VerifyImport');
    expect(err).not.toContain('ok PublishFailed');
    expect(error).toBeInstanceOf(ImportExecutionFailedError);
    const failed = error as ImportExecutionFailedError;
    expect(failed.message).toContain('FAILED: VerificationFailedError: the key does not decrypt');
    expect(failed.details).toEqual([
      'also: the failure event was not published (EventBridge.AccessDeniedException: denied)',
      `key ${KEY}: CHANGED, KMS shows state PendingImport -> Enabled, ValidTo none -> 2027-07-01T00:00:00.000Z`,
    ]);
    expect(failed.hint).toContain('the material reached KMS; see it with byok status');
  });

  it('joining an execution that already ran does not call the key unchanged: its state before is unknown', async () => {
    // Prepare: the request's execution was running when joined (a failed one starts attempt 2)
    const taken = Object.assign(new Error('already exists'), { name: 'ExecutionAlreadyExists' });
    sfnMock.on(StartExecutionCommand).rejects(taken);
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING', input: JSON.stringify({ keyId: KEY }) } as never)
      .resolves({
        status: 'FAILED',
        error: 'VerificationFailedError',
        cause: 'x',
        input: JSON.stringify({ keyId: KEY }),
      } as never);
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [entered('ImportKeyMaterial')] });
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: KEY, KeyState: 'Enabled' } });

    // Act
    const error = await runStart(
      { keyId: KEY, stateMachineArn: MACHINE, region: 'eu-west-1', pollInterval: 10 },
      { out: () => {}, err: () => {} },
    ).catch((caught: unknown) => caught);

    // Assess
    expect((error as ImportExecutionFailedError).details).toEqual([
      `key ${KEY}: KMS now shows Enabled, ValidTo none (its state before the run is unknown)`,
    ]);
  });
});
