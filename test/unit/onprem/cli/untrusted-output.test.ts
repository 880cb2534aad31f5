// Every CLI formatter that prints a value written by someone else keeps it on its line: a line feed,
// carriage return, ESC sequence or bidirectional override in a label, reason, error or cause comes
// out as \u{…} (src/core/shared/text.ts), so it cannot add a row to a table, fake a hint, or make
// one value read as another. The stream guard (terminal.test.ts) catches controls anywhere; these
// tests show each formatter also stops the line feeds that the guard lets through.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { ApprovalRequestView } from '../../../../src/core/approvals/contracts.ts';
import type { FleetReport } from '../../../../src/core/fleet/contracts.ts';
import { reportHtml } from '../../../../src/core/fleet/report-formats.ts';
import type { HsmKeyInfo } from '../../../../src/core/hsm/port.ts';
import type { ImportResult } from '../../../../src/core/import/contracts.ts';
import { formatProof } from '../../../../src/core/import/report.ts';
import type { StatusReport } from '../../../../src/core/sweep/status-report.ts';
import { formatApprovals } from '../../../../src/onprem/cli/commands/approvals/action.ts';
import { formatBindings } from '../../../../src/onprem/cli/commands/bindings/action.ts';
import { fleetTable } from '../../../../src/onprem/cli/commands/fleet/action.ts';
import { describeKey } from '../../../../src/onprem/cli/commands/hsm/action.ts';
import { progressLine } from '../../../../src/onprem/cli/commands/start/action.ts';
import { formatStatus } from '../../../../src/onprem/cli/commands/status/action.ts';
import { ImportExecutionFailedError } from '../../../../src/onprem/cli/errors.ts';
import { reportError } from '../../../../src/onprem/cli/report-error.ts';
import { createProgressReporter } from '../../../../src/onprem/runner/progress.ts';

/** A value that, printed raw, adds a fake row, erases the line and reverses "payments". */
const FORGED = 'x\n  prod-key  ok  2099-01-01\u001b[2K\r\u202estnemyap';
/** The raw characters of FORGED but the line feed (escaped, each reads \u{…}). */
const RAW = ['\r', '\u001b', '\u202e'];
const rawIn = (text: string | undefined) => RAW.filter((character) => text?.includes(character));
/** One line: no raw character of FORGED, line feed included. */
const oneLine = (text: string | undefined) => [...rawIn(text), ...(text?.includes('\n') ? ['\n'] : [])];

/** The lines of `text` that hold the forged value (all must be one). */
function linesWith(text: string, needle: string): string[] {
  return text.split('\n').filter((line) => line.includes(needle));
}

function expectOneLine(text: string, lineCount: number): void {
  expect(text.split('\n').filter(Boolean)).toHaveLength(lineCount);
  expect(rawIn(text)).toEqual([]);
  expect(text).toContain('x\\u{000a}  prod-key  ok  2099-01-01\\u{001b}[2K\\u{000d}\\u{202e}stnemyap');
}

describe('CLI formatters keep values of others on their line', () => {
  it('byok status: label, last run error, note and unreadable reason', () => {
    // Prepare
    const report: StatusReport = {
      checkedAt: '2027-01-01T00:00:00.000Z',
      leadWindowDays: 14,
      keys: [
        {
          keyId: 'k1',
          description: FORGED,
          keySpec: 'SYMMETRIC_DEFAULT',
          hsmKeyLabel: FORGED,
          keyState: 'Enabled',
          validTo: null,
          secondsLeft: null,
          withoutMaterial: false,
          nextDue: null,
          note: FORGED,
          lastRun: { result: 'FAILED', at: '2027-01-01T00:00:00.000Z', error: FORGED },
          materials: [],
        },
      ],
      unreadable: [{ keyId: 'k2', why: FORGED, error: 'AccessDeniedException' }],
    };

    // Act
    const text = formatStatus(report);

    // Assess: title, header, one row, blank, note, unreadable.
    expectOneLine(text, 5);
    expect(linesWith(text, 'k1')).toHaveLength(2);
  });

  it('byok fleet status: error, cause and hint from a spoke or from the report in S3', () => {
    // Act
    const text = fleetTable(
      [
        {
          accountId: '111122223333',
          region: 'eu-west-1',
          status: 'FAILED',
          managedKeys: 0,
          due: 0,
          reimported: undefined,
          failed: 0,
          soonestValidTo: undefined,
          error: FORGED,
          cause: FORGED,
          hint: FORGED,
        },
      ],
      'header',
    );

    // Assess: header, blank, column names, row, cause, hint.
    expectOneLine(text, 5);
  });

  it('byok fleet report --format html: markup where a number belongs is escaped, controls shown', () => {
    // Prepare: a report.json in S3 written by someone who can write the bucket.
    const meta = '<meta http-equiv="refresh" content="0;url=https://attacker.example/">';
    const report = {
      fleetId: 'f',
      checkedAt: 'c',
      generatedAt: 'g',
      alarmDays: meta,
      totals: {
        pairs: meta,
        succeeded: 0,
        failed: 0,
        notRun: meta,
        managedKeys: 0,
        due: 0,
        reimported: 0,
        failedKeys: 0,
      },
      pairs: [
        {
          accountId: '111122223333',
          region: 'eu-west-1',
          status: 'SUCCEEDED',
          managedKeys: meta,
          due: meta,
          reimported: meta,
          failed: meta,
          failures: [{ keyId: 'k', error: FORGED, cause: 'c' }],
          materials: [],
        },
      ],
      atRisk: [{ accountId: '1', region: 'r', keyId: 'k', validTo: 'v', daysLeft: meta }],
      alarm: false,
    } as unknown as FleetReport;

    // Act
    const html = reportHtml(report);

    // Assess
    expect(html).not.toContain('<meta http-equiv="refresh"');
    expect(html).toContain('&#60;meta http-equiv=&#34;refresh&#34;');
    expect(rawIn(html)).toEqual([]);
    expect(html).toContain('\\u{202e}stnemyap');
  });

  it('byok approvals: requester, reason and key of a request', () => {
    // Prepare
    const request = {
      requestId: 'r1',
      keyId: 'k',
      keyArn: FORGED,
      requester: FORGED,
      reason: FORGED,
      approvalsRequired: 2,
      approvals: 0,
      createdAt: 'c',
      deadline: 'd',
      status: 'PENDING',
      votes: [],
    } as unknown as ApprovalRequestView;

    // Act
    const text = formatApprovals([request]);

    // Assess
    expectOneLine(text, 2);
  });

  it('byok bindings list: label and recorder of a binding', () => {
    // Act
    const text = formatBindings([
      { hsmKeyLabel: FORGED, keyArn: 'arn', createdAt: '2027-01-01T00:00:00Z', createdBy: FORGED },
    ]);

    // Assess: header, rule, one row.
    expectOneLine(text, 3);
  });

  it('byok hsm list: a label of another tool on the token', () => {
    // Act
    const text = describeKey({
      label: FORGED,
      type: 'AES_256',
      objectClass: 'secret',
      sensitive: true,
      extractable: false,
      alwaysSensitive: true,
    } as unknown as HsmKeyInfo);

    // Assess
    expect(oneLine(text)).toEqual([]);
    expect(text).toContain('\\u{202e}stnemyap');
  });

  it('byok start: progress lines and the failed execution (error and cause from Step Functions)', () => {
    // Prepare
    const failed = {
      type: 'TaskFailed',
      taskFailedEventDetails: { error: FORGED, cause: FORGED, resource: 'r', resourceType: 't' },
    } as unknown as HistoryEvent;
    const entered = {
      type: 'TaskStateEntered',
      stateEnteredEventDetails: { name: FORGED },
    } as unknown as HistoryEvent;

    // Act
    const lines = [progressLine(failed, undefined, false), progressLine(entered, undefined, false)];
    const error = new ImportExecutionFailedError('arn:x', 'FAILED', FORGED, FORGED);

    // Assess
    for (const line of lines) expect(oneLine(line)).toEqual([]);
    expect(oneLine(error.message)).toEqual([]);
  });

  it('byok import: progress lines (state names and errors) and the proof of the result', () => {
    // Prepare
    const chunks: string[] = [];
    const stream = { write: (text: string) => chunks.push(text) !== 0 } as unknown as NodeJS.WritableStream;
    const reporter = createProgressReporter({ stream, plain: true });
    const proof = {
      keyId: 'k',
      keySpec: 'SYMMETRIC_DEFAULT',
      hsmKeyLabel: FORGED,
      wrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256',
      wrappingKeySpec: 'RSA_4096',
      expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      keyState: 'Enabled',
      importTokenAttempts: 1,
      evidence: { summary: 's', checks: [{ name: 'n', passed: true, detail: FORGED }] },
    } as unknown as ImportResult;

    // Act
    reporter.onProgress({
      type: 'StateFailed',
      timestamp: 0,
      state: { name: FORGED, type: 'Task' },
      Error: FORGED,
    } as never);
    const text = formatProof(proof);

    // Assess
    expect(rawIn(chunks.join(''))).toEqual([]);
    expect(chunks.join('').split('\n').filter(Boolean)).toHaveLength(1);
    expect(rawIn(text)).toEqual([]);
    expect(text.split('\n').filter(Boolean)).toHaveLength(7);
  });

  it('byok: <error> lines: an AWS message, details and hint cannot add a line', () => {
    // Prepare
    const chunks: string[] = [];
    const stream = { write: (text: string) => chunks.push(text) !== 0 } as unknown as NodeJS.WritableStream;
    const error = Object.assign(new Error(`${FORGED}\nhint: run byok bindings remove`), {
      name: 'AccessDeniedException',
      details: [FORGED],
      hint: FORGED,
    });

    // Act
    reportError(error, stream);

    // Assess: the error, one detail, the hint.
    expect(chunks).toHaveLength(3);
    for (const chunk of chunks) expect(oneLine(chunk.slice(0, -1))).toEqual([]);
  });
});
