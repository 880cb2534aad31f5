// `byok console`: a web console for the managed keys, the runs and starting imports, served on this
// machine with the user's own AWS credentials (or against the local stack). This module only
// declares the command; action.ts does the work and is loaded when it runs.
import { type Command, Option } from 'commander';
import { addAwsOptions } from '../../aws-options.ts';
import { type ConsoleOptions, parsePort } from './options.ts';

export function registerConsoleCommand(program: Command): void {
  const command = program
    .command('console')
    .summary('Serve the web console (keys, runs, start an import) on 127.0.0.1 and print its URL.')
    .description(
      'Serves a web console on this machine: every managed key with its expiry and next reimport, the runs of ' +
        'the import and sweep state machines drawn step by step, and a form to start an import. The server calls ' +
        'AWS with the default credential chain or --profile (or the local stack with --endpoint); the browser never does. The ' +
        'printed URL carries a per-session secret in its fragment: only a browser tab that opened it gets in. On ' +
        'loopback it names a new origin at every start (http://c-<random>.localhost:<port>), so nothing a browser ' +
        'kept for that port before (a service worker, a cache) can answer it. ' +
        'Beyond loopback (--host) it serves HTTPS (--tls-cert, --tls-key), or plain HTTP only with --allow-plain-http.',
    );
  addAwsOptions(command);
  command
    .addOption(new Option('--port <n>', 'port to listen on').argParser(parsePort).default(0, 'a free one'))
    .option(
      '--host <address>',
      'listen on this address instead of 127.0.0.1 (exposes the console; needs --tls-cert/--tls-key or --allow-plain-http)',
    )
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain)')
    .option('--tls-key <file>', "the certificate's PEM private key (mode 600)")
    .option('--allow-plain-http', 'accept plain HTTP on a non-loopback --host (a warning is printed)')
    .option(
      '--open',
      'open the console in the default browser (through a private launch file, never the secret in argv)',
    )
    .addHelpText(
      'after',
      '\nStop it with Ctrl-C. Examples:\n' +
        "  byok console --open --profile bank-ops              # against AWS (the profile's credentials and Region)\n" +
        '  byok console --endpoint http://127.0.0.1:4599       # against `byok local up`\n' +
        '  byok console --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem   # HTTPS for other machines',
    )
    .action(async (options: ConsoleOptions) => {
      const { runConsole } = await import('./action.ts');
      await runConsole(options);
    });
}
