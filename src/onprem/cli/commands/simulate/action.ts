// What `byok simulate` does (see register.ts and options.ts for its options). Loaded only when the command runs:
// it pulls in the embedded stack, the HSM adapter and the sweep.
import { finalizeIdleModules } from '../../../../core/hsm/pkcs11-adapter.ts';
import {
  runSimulation,
  type SimulationProgress,
  type SimulationResult,
} from '../../../simulation/simulation.ts';
import { terminalJson, writeControl } from '../../terminal.ts';
import type { SimulateOptions } from './options.ts';

export async function runSimulate(options: SimulateOptions): Promise<void> {
  if (options.accounts !== undefined || options.regions !== undefined) return runFleetSimulate(options);
  const bar = process.stderr.isTTY ? progressBar() : undefined;
  let result: SimulationResult;
  try {
    result = await runSimulation({
      days: options.days,
      keys: options.keys,
      leadWindowDays: options.leadWindowDays,
      getParametersForImportPerSecond: options.quota,
      ...(options.rotateEvery !== undefined ? { rotateEveryDays: options.rotateEvery } : {}),
      onProgress: bar,
    });
  } finally {
    if (bar) process.stderr.write('\n');
    finalizeIdleModules();
  }
  if (options.output === 'json') {
    process.stdout.write(`${terminalJson(result)}\n`);
  } else {
    process.stdout.write(formatResult(result));
  }
  if (result.failedExecutions > 0 || result.expiredKeySeconds > 0) process.exitCode = 1;
}

async function runFleetSimulate(options: SimulateOptions): Promise<void> {
  const { runFleetSimulation } = await import('../../../simulation/fleet-simulation.ts');
  const bar = process.stderr.isTTY ? progressBar() : undefined;
  let result: Awaited<ReturnType<typeof runFleetSimulation>>;
  try {
    result = await runFleetSimulation({
      accounts: options.accounts ?? 2,
      regions: options.regions ?? 1,
      keys: options.keys,
      days: options.days,
      leadWindowDays: options.leadWindowDays,
      getParametersForImportPerSecond: options.quota,
      ...(options.rotateEvery !== undefined ? { rotateEveryDays: options.rotateEvery } : {}),
      onProgress: bar,
    });
  } finally {
    if (bar) process.stderr.write('\n');
    finalizeIdleModules();
  }
  if (options.output === 'json') {
    process.stdout.write(`${terminalJson(result)}\n`);
  } else {
    const lines = [
      `Simulated ${result.days} days (${result.from} to ${result.to}) of a fleet of ${result.accounts} accounts × ${result.regions.length} Regions (${result.regions.join(', ')}), ${result.keys} managed keys, in ${result.wallSeconds} s.`,
      '',
      `${'account'.padEnd(14)}${'Region'.padEnd(16)}${'keys'.padEnd(6)}${'reimports'.padEnd(11)}expired`,
      ...result.perPair.map(
        (pair) =>
          `${pair.accountId.padEnd(14)}${pair.region.padEnd(16)}${String(pair.keys).padEnd(6)}${String(pair.reimports).padEnd(11)}${pair.expiredSeconds} s`,
      ),
      '',
      `fleet runs:         ${result.fleetRuns}`,
      `rotations:          ${result.rotations}${result.failedRotations > 0 ? ` (${result.failedRotations} failed)` : ''}`,
      `materials:          ${result.materials}`,
      `reimports:          ${result.reimports}`,
      `failed executions:  ${result.failedExecutions}`,
      `expirations:        ${result.expirations}`,
      `expired key time:   ${result.expiredKeySeconds} s`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  }
  if (result.failedExecutions > 0 || result.expiredKeySeconds > 0) process.exitCode = 1;
}

function progressBar(): (progress: SimulationProgress) => void {
  const width = 30;
  return ({ day, days, reimports }) => {
    const filled = Math.round((day / days) * width);
    writeControl(process.stderr, '\r'); // byok's own: redraw the bar in place
    process.stderr.write(
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] day ${day}/${days}, ${reimports} reimports`,
    );
  };
}

function formatResult(result: SimulationResult): string {
  const lines = [
    `Simulated ${result.days} days (${result.from} to ${result.to}) with ${result.keys} managed keys in ${result.wallSeconds} s.`,
    '',
    `${'key'.padEnd(38)}${'spec'.padEnd(19)}${'valid'.padEnd(7)}${'reimports'.padEnd(11)}expected`,
    ...result.perKey.map(
      (key) =>
        `${key.keyId.padEnd(38)}${key.keySpec.padEnd(19)}${`${key.validForDays}d`.padEnd(7)}${String(key.reimports).padEnd(11)}${key.expectedReimports}`,
    ),
    '',
    `sweeps:             ${result.sweeps}`,
    `rotations:          ${result.rotations}${result.failedRotations > 0 ? ` (${result.failedRotations} failed)` : ''}`,
    `materials:          ${result.materials}`,
    `reimports:          ${result.reimports}`,
    `failed executions:  ${result.failedExecutions}`,
    `expirations:        ${result.expirations}`,
    `expiredKeySeconds:  ${result.expiredKeySeconds}`,
    '',
  ];
  return lines.join('\n');
}
