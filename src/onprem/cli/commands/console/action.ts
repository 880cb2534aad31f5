// What `byok console` does (see register.ts for its options): starts the console server, prints
// its URL (with the session secret) as the first line on stdout, optionally opens it, and serves
// until SIGINT or SIGTERM.
import { spawn } from 'node:child_process';
import { type ConsoleServer, startConsoleServer } from '../../../console/server.ts';
import type { ConsoleOptions } from './options.ts';

/** The platform's "open this URL" command; the URL is one argument, never shell text. */
const URL_OPENERS = { darwin: 'open', win32: 'explorer.exe', other: 'xdg-open' } as const;

export function openInBrowser(url: string): void {
  const command =
    process.platform === 'darwin' || process.platform === 'win32'
      ? URL_OPENERS[process.platform]
      : URL_OPENERS.other;
  const args = [url];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`byok console: could not open a browser; open ${url}\n`));
  child.unref();
}

export async function serveConsoleUntilSignal(server: ConsoleServer): Promise<void> {
  await new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stderr.write(`byok console: ${signal}, stopping\n`);
      server.close().then(done, done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function runConsole(options: ConsoleOptions): Promise<void> {
  const server = await startConsoleServer({
    endpoint: options.endpoint,
    region: options.region,
    port: options.port,
    ...(options.host ? { host: options.host, allowNonLoopback: true } : {}),
  });
  process.stdout.write(`${server.url}\n`);
  process.stderr.write(
    `byok console: serving ${options.endpoint ? `the local stack at ${options.endpoint}` : 'AWS'} on ${server.origin}; ` +
      'open the URL above (it carries this session’s secret). Ctrl-C stops it.\n',
  );
  if (options.open) openInBrowser(server.url);
  await serveConsoleUntilSignal(server);
}
