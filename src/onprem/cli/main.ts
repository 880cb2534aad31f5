// The `byok` command. Each command (or group of subcommands) has a folder commands/<command>/:
// register.ts declares it (help, options), options.ts types and parses its options, and action.ts
// holds the implementation (AWS SDK, PKCS#11, the local stack, zod schemas), imported only when
// that command runs, so `byok --help` and a mistyped option answer without loading any of it.

// The AWS SDK warns on every run that it will drop this Node version. byok pins its SDK version,
// so the notice tells a byok user nothing; silence it for the CLI unless the user chose otherwise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { Command, CommanderError } from 'commander';
import { registerApprovalsCommand } from './commands/approvals/register.ts';
import { registerApproveCommand } from './commands/approve/register.ts';
import { registerBindingsCommands } from './commands/bindings/register.ts';
import { registerConsoleCommand } from './commands/console/register.ts';
import { registerDemoCommand } from './commands/demo/register.ts';
import { registerHsmCommands } from './commands/hsm/register.ts';
import { registerImportCommand } from './commands/import/register.ts';
import { registerKeyCommands } from './commands/key/register.ts';
import { registerLocalCommands } from './commands/local/register.ts';
import { registerRejectCommand } from './commands/reject/register.ts';
import { registerRotateCommand } from './commands/rotate/register.ts';
import { registerSimulateCommand } from './commands/simulate/register.ts';
import { registerStartCommand } from './commands/start/register.ts';
import { registerStatusCommand } from './commands/status/register.ts';
import { registerWorkerCommand } from './commands/worker/register.ts';
import { reportError } from './report-error.ts';

export function buildProgram(): Command {
  const program = new Command('byok')
    .description('Import key material from your HSM into AWS KMS, and keep it there.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');
  registerLocalCommands(program);
  registerHsmCommands(program);
  registerKeyCommands(program);
  registerBindingsCommands(program);
  registerImportCommand(program);
  registerDemoCommand(program);
  registerStartCommand(program);
  registerStatusCommand(program);
  registerSimulateCommand(program);
  registerConsoleCommand(program);
  registerWorkerCommand(program);
  registerRotateCommand(program);
  registerApprovalsCommand(program);
  registerApproveCommand(program);
  registerRejectCommand(program);
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.exit(reportError(error));
}
