// The `byok` program: every command registered, nothing run. main.ts parses the command line with
// it; tests parse the commands that hints print with it (test/unit/cli/hints.test.ts).
import { Command } from 'commander';
import { registerApprovalsCommand } from './commands/approvals/register.ts';
import { registerApproveCommand } from './commands/approve/register.ts';
import { registerBindingsCommands } from './commands/bindings/register.ts';
import { registerConsoleCommand } from './commands/console/register.ts';
import { registerDemoCommand } from './commands/demo/register.ts';
import { registerFleetCommands } from './commands/fleet/register.ts';
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
  registerFleetCommands(program);
  registerConsoleCommand(program);
  registerWorkerCommand(program);
  registerRotateCommand(program);
  registerApprovalsCommand(program);
  registerApproveCommand(program);
  registerRejectCommand(program);
  return program;
}
