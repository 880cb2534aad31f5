// `byok simulate`: a year (or any number of days) of byok's schedule on the embedded stack, with
// real imports from a temporary NSS token, and what it measured: reimports, failed executions,
// and how long any managed key was without material.
import { type Command, InvalidArgumentError } from 'commander';
import { finalizeIdleModules } from '../../hsm/pkcs11-adapter.ts';
import { runSimulation, type SimulationProgress, type SimulationResult } from '../../sweep/simulation.ts';

interface SimulateOptions {
  days: number;
  keys: number;
  leadWindowDays: number;
  quota: number;
  json?: boolean;
}

function wholeNumber(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number ${min}..${max}`);
    }
    return value;
  };
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .summary('Simulate days of scheduled reimports on the embedded stack and report expiries.')
    .description(
      'Starts the embedded stack with a temporary NSS token, creates K byok-managed keys of mixed specs ' +
        '(symmetric, HMAC, ECC, RSA) and validities (30 to 90 days), imports them, then moves the virtual ' +
        'clock through N days with the deployed rules firing (daily sweep, expiration rule). Reports ' +
        'reimports, failed executions and expiredKeySeconds: the seconds any managed key spent without ' +
        'material, measured from the local KMS.',
    )
    .requiredOption('--days <n>', 'days of virtual time to simulate (1..3650)', wholeNumber(1, 3650))
    .option('--keys <k>', 'managed keys to create (1..200)', wholeNumber(1, 200), 12)
    .option('--lead-window-days <d>', 'reimport when ValidTo is this close (1..180)', wholeNumber(1, 180), 14)
    .option(
      '--quota <perSecond>',
      'GetParametersForImport quota enforced locally and paced by the sweep (1..1000)',
      wholeNumber(1, 1000),
      50,
    )
    .option('--json', 'print the result as one JSON object on the last line')
    .action(async (options: SimulateOptions) => {
      const bar = process.stderr.isTTY ? progressBar() : undefined;
      let result: SimulationResult;
      try {
        result = await runSimulation({
          days: options.days,
          keys: options.keys,
          leadWindowDays: options.leadWindowDays,
          getParametersForImportPerSecond: options.quota,
          onProgress: bar,
        });
      } finally {
        if (bar) process.stderr.write('\n');
        finalizeIdleModules();
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } else {
        process.stdout.write(formatResult(result));
      }
      if (result.failedExecutions > 0 || result.expiredKeySeconds > 0) process.exitCode = 1;
    });
}

function progressBar(): (progress: SimulationProgress) => void {
  const width = 30;
  return ({ day, days, reimports }) => {
    const filled = Math.round((day / days) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] day ${day}/${days}, ${reimports} reimports`,
    );
  };
}

export function formatResult(result: SimulationResult): string {
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
    `reimports:          ${result.reimports}`,
    `failed executions:  ${result.failedExecutions}`,
    `expirations:        ${result.expirations}`,
    `expiredKeySeconds:  ${result.expiredKeySeconds}`,
    '',
  ];
  return lines.join('\n');
}
