// What `byok status` does (see register.ts and options.ts for its options). Loaded only when the command runs: it
// pulls in the AWS SDK.
import { createKmsClient, createRegionalKmsClients, createSfnClient } from '../../../../core/aws/clients.ts';
import { type Clock, systemClock } from '../../../../core/clock.ts';
import {
  collectStatus,
  formatTimeLeft,
  type LastRuns,
  type LastSweep,
  lastRunsFromLocalStack,
  lastRunsFromStepFunctions,
  lastSweepOfStack,
  type StatusReport,
} from '../../../../core/sweep/status.ts';
import { locateImportRunRecord } from '../../../import-runs/locate.ts';
import { endpointClock } from '../../../runner/remote-clock.ts';

import { type AwsTarget, resolveAwsTarget } from '../../aws-target.ts';
import { cell, terminalJson } from '../../terminal.ts';
import { statusHealth } from './health.ts';
import type { StatusOptions } from './options.ts';

export async function runStatus(options: StatusOptions): Promise<void> {
  const target = await resolveAwsTarget(options, [
    { option: '--state-machine-arn', value: options.stateMachineArn },
  ]);
  const kms = createKmsClient(target);
  // A multi-Region key's replicas are read in their own Regions (same endpoint and profile).
  const regional = createRegionalKmsClients(target);
  try {
    const clock: Clock = target.endpoint ? await endpointClock(target.endpoint) : systemClock;
    const lastRuns = await lastRunsFor(options, target);
    const report = await collectStatus({
      kms,
      kmsForRegion: (region) => regional.forRegion(region),
      clock,
      leadWindowDays: options.leadWindowDays,
      lastRuns,
    });
    const lastSweep = await lastSweepFor(target);
    if (lastSweep) report.lastSweep = lastSweep;
    const health = statusHealth(report);
    process.stdout.write(
      options.output === 'json' ? `${terminalJson({ ...report, ...health })}\n` : formatStatus(report),
    );
    // One line per problem on stderr, so that cron mails and monitoring logs say what is wrong.
    for (const problem of health.problems)
      process.stderr.write(`byok status: ${cell(problem.keyId)}: ${cell(problem.detail)}\n`);
    if (health.exitCode !== 0) {
      process.stderr.write(
        `byok status: exit ${health.exitCode}: ${health.problems.length} managed key(s) need attention\n`,
      );
      process.exitCode = health.exitCode;
    }
  } finally {
    kms.destroy();
    regional.destroy();
  }
}

async function lastRunsFor(options: StatusOptions, target: AwsTarget): Promise<LastRuns> {
  const runs = await workflowRunsFor(options, target);
  // `byok import` runs in its own process (no execution lists it): its runs come from the
  // import-runs record; an interrupted one shows as FAILED with the signal and what KMS holds.
  const record = await locateImportRunRecord(target).catch(() => undefined);
  if (!record) return runs;
  try {
    const recorded = await record.list({ limit: 500 }).catch(() => []);
    for (const run of recorded) {
      const keyId = run.keyId.split('/').pop() ?? run.keyId;
      const known = runs.get(keyId);
      if (known && known.at >= run.endedAt) continue;
      runs.set(keyId, {
        result: run.outcome === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
        at: run.endedAt,
        ...(run.outcome === 'INTERRUPTED'
          ? { error: `interrupted by ${run.error ?? 'a signal'}, KMS ${run.kms ?? 'unverified'}` }
          : run.error
            ? { error: run.error }
            : {}),
      });
    }
    return runs;
  } finally {
    record.close();
  }
}

async function workflowRunsFor(options: StatusOptions, target: AwsTarget): Promise<LastRuns> {
  const sfn = createSfnClient(target);
  try {
    // Locally the executions are kept over a restart of `byok local up`; the bus's events are not.
    if (target.endpoint) return await lastRunsFromLocalStack(target.endpoint, sfn);
    return await lastRunsFromStepFunctions(sfn, options.stateMachineArn);
  } finally {
    sfn.destroy();
  }
}

/** The last sweep's report; best effort (status still answers when it cannot be read). */
async function lastSweepFor(target: AwsTarget): Promise<LastSweep | undefined> {
  const sfn = createSfnClient(target);
  try {
    return await lastSweepOfStack(sfn, target.endpoint);
  } finally {
    sfn.destroy();
  }
}

/** `last sweep 2026-12-07T03:00:00Z: PARTIAL: 217 keys could not be read (ThrottlingException)`, and the keys. */
function lastSweepLines(sweep: LastSweep | undefined): string[] {
  if (!sweep) return [];
  // A FAILED sweep has no report: no counts to give.
  const counts =
    sweep.outcome === 'FAILED'
      ? ''
      : ` (due ${sweep.due}, reimported ${sweep.succeeded}, failed ${sweep.failed}, not read ${sweep.unread})`;
  const head = `last sweep ${cell(sweep.checkedAt.replace(/\.\d{3}Z$/, 'Z'))}: ${cell(sweep.outcome)}${
    sweep.outcomeReason ? `: ${cell(sweep.outcomeReason)}` : ''
  }${counts}\n`;
  const unread = sweep.unreadKeys.map(
    (key) => `  not read: ${cell(key.keyId)}: ${cell(key.error)}: ${cell(key.why)}\n`,
  );
  const failed = sweep.failures.map(
    (failure) => `  failed: ${cell(failure.keyId)}: ${cell(failure.error)}\n`,
  );
  return ['\n', head, ...unread, ...failed];
}

/** `  us-west-2 1a2b3c4d5e6f CURRENT payments (kcv ab12cd) …`, under its key's row in the same columns. */
function materialRow(material: StatusReport['keys'][number]['materials'][number]): string[] {
  const id = material.keyMaterialId ? material.keyMaterialId.slice(0, 12) : '(only)';
  return [
    material.importState === 'PENDING_IMPORT' ? '!' : material.nextDue === 'now' ? '*' : ' ',
    `  ${material.region} ${id}`,
    material.state,
    // The check value recorded with the material: compare it with `byok hsm list` on the HSM's host.
    material.hsmKeyLabel
      ? `${material.hsmKeyLabel}${material.checkValue ? ` (kcv ${material.checkValue})` : ''}`
      : '-',
    material.validTo
      ? material.validTo.replace(/\.\d{3}Z$/, 'Z')
      : material.importState === 'PENDING_IMPORT'
        ? 'NO MATERIAL'
        : 'never expires',
    material.secondsLeft === null ? '-' : formatTimeLeft(material.secondsLeft),
    material.nextDue === null
      ? material.note
        ? 'left alone'
        : '-'
      : material.nextDue === 'now'
        ? 'next sweep'
        : material.nextDue.slice(0, 10),
    '',
  ];
}

/**
 * The human table. Labels (tags), reasons, KMS's and Step Functions' error messages are written by
 * others: every cell and quoted value goes through cell, so none can add a row or move the cursor.
 */
export function formatStatus(report: StatusReport): string {
  if (report.keys.length === 0 && report.unreadable.length === 0) {
    return [
      'No byok-managed keys (tag byok:managed=true) in this account and Region.\n',
      ...lastSweepLines(report.lastSweep),
    ].join('');
  }
  const header = ['', 'KEY', 'SPEC', 'HSM KEY', 'VALID TO', 'LEFT', 'NEXT REIMPORT', 'LAST RUN'];
  const keyRows = report.keys.map((key) => [
    key.withoutMaterial ? '!' : key.nextDue === 'now' ? '*' : ' ',
    key.keyId,
    key.keySpec,
    key.hsmKeyLabel ?? '-',
    key.validTo
      ? key.validTo.replace(/\.\d{3}Z$/, 'Z')
      : key.withoutMaterial
        ? 'NO MATERIAL'
        : 'never expires',
    key.secondsLeft === null ? '-' : formatTimeLeft(key.secondsLeft),
    key.nextDue === null
      ? key.note
        ? 'left alone'
        : '-'
      : key.nextDue === 'now'
        ? 'next sweep'
        : key.nextDue.slice(0, 10),
    key.lastRun
      ? `${key.lastRun.result}${key.lastRun.error ? ` (${key.lastRun.error})` : ''} ${key.lastRun.at.slice(0, 10)}`
      : '-',
  ]);
  // A key with several materials (rotated, or in several Regions) lists each under it.
  const rows = report.keys
    .flatMap((key, index) => [
      keyRows[index] as string[],
      ...(key.materials.length > 1 ? key.materials.map(materialRow) : []),
    ])
    .map((row) => row.map(cell));
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) =>
    `${row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()}\n`;
  const notes = report.keys
    .filter((key) => key.note)
    .map((key) => `  ${cell(key.keyId)}: ${cell(key.note ?? '')}\n`);
  // Not only tags: a material in a replica Region that did not answer lands here too.
  const unreadable = report.unreadable.map(
    (key) =>
      `  ${cell(key.keyId)}: could not be read: ${key.error ? `${cell(key.error)}: ` : ''}${cell(key.why)}\n`,
  );
  return [
    `byok-managed keys at ${report.checkedAt} (lead window ${report.leadWindowDays} days; ! no material, * due now)\n`,
    line(header),
    ...rows.map(line),
    ...(notes.length + unreadable.length > 0 ? ['\n', ...notes, ...unreadable] : []),
    ...lastSweepLines(report.lastSweep),
  ].join('');
}
