// What `byok console` does (see register.ts for its options): starts the console server, prints
// its URL (with the session secret in the fragment) as the first line on stdout, optionally opens
// it, and serves until SIGINT or SIGTERM. The secret is never put on a command line: --open hands
// the opener a launch file only this user can read (launch-file.ts).
import { spawn } from 'node:child_process';
import { type LaunchFile, writeLaunchFile } from '../../../console/launch-file.ts';
import { type ConsoleServer, startConsoleServer } from '../../../console/server.ts';
import { readTlsMaterial } from '../../../console/tls.ts';
import { resolveAwsTarget } from '../../aws-target.ts';
import type { ConsoleOptions } from './options.ts';

/** The platform's "open this" command; the file is one argument, never shell text. */
const OPENERS = { darwin: 'open', win32: 'explorer.exe', other: 'xdg-open' } as const;

/** Opens a file (the launch file) in the default browser; its path is the only argument. */
function openInBrowser(path: string): void {
  const command =
    process.platform === 'darwin' || process.platform === 'win32' ? OPENERS[process.platform] : OPENERS.other;
  const child = spawn(command, [path], { stdio: 'ignore', detached: true });
  child.on('error', () =>
    process.stderr.write('byok console: could not open a browser; open the URL printed above\n'),
  );
  child.unref();
}

async function serveConsoleUntilSignal(server: ConsoleServer, launchFile?: LaunchFile): Promise<void> {
  await new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stderr.write(`byok console: ${signal}, stopping\n`);
      Promise.all([server.close(), launchFile?.remove()]).then(() => done(), done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function runConsole(options: ConsoleOptions): Promise<void> {
  const target = await resolveAwsTarget(options);
  const tls = await readTlsMaterial({ certFile: options.tlsCert, keyFile: options.tlsKey });
  const server = await startConsoleServer({
    endpoint: target.endpoint,
    region: target.region,
    profile: target.profile,
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    ...(tls ? { tls } : {}),
    ...(options.allowPlainHttp ? { allowPlainHttp: true } : {}),
  });
  process.stdout.write(`${server.url}\n`);
  if (server.warning) process.stderr.write(`${server.warning}\n`);
  process.stderr.write(
    `byok console: serving ${target.endpoint ? `the local stack at ${target.endpoint}` : `AWS (${target.region})`} on ${server.origin}${tls ? ' (HTTPS)' : ''}; ` +
      'open the URL above (it carries this session’s secret). Ctrl-C stops it.\n',
  );
  const launchFile = options.open ? await writeLaunchFile(server.url) : undefined;
  if (launchFile) openInBrowser(launchFile.path);
  await serveConsoleUntilSignal(server, launchFile);
}
