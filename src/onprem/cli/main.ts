// The `byok` command. Each command (or group of subcommands) has a folder commands/<command>/:
// register.ts declares it (help, options), options.ts types and parses its options, and action.ts
// holds the implementation (AWS SDK, PKCS#11, the local stack, zod schemas), imported only when
// that command runs, so `byok --help` and a mistyped option answer without loading any of it.

// The AWS SDK warns on every run that it will drop this Node version. byok pins its SDK version,
// so the notice tells a byok user nothing; silence it for the CLI unless the user chose otherwise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { CommanderError } from 'commander';
import { buildProgram } from './program.ts';
import { reportError } from './report-error.ts';
import { guardTerminalOutput } from './terminal.ts';

// Text from AWS and other principals must not forge what the operator reads (terminal.ts).
guardTerminalOutput(process.stdout);
guardTerminalOutput(process.stderr);

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.exit(reportError(error));
}
