// The `byok` command. Each group of subcommands lives in its own module under commands/ and
// registers itself here; this file only wires them and turns errors into clean exits.
import { Command, CommanderError } from 'commander';
import { registerDemoCommand } from './commands/demo.ts';
import { registerHsmCommands } from './commands/hsm.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerLocalCommands } from './commands/local.ts';
import { registerSimulateCommand } from './commands/simulate.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerStatusCommand } from './commands/status.ts';
import { reportError } from './report-error.ts';

export function buildProgram(): Command {
  const program = new Command('byok')
    .description('Import key material from your HSM into AWS KMS, and keep it there.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');
  registerLocalCommands(program);
  registerHsmCommands(program);
  registerImportCommand(program);
  registerDemoCommand(program);
  registerStartCommand(program);
  registerStatusCommand(program);
  registerSimulateCommand(program);
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.exit(reportError(error));
}
