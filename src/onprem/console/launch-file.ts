// What `byok console --open` hands the browser: not the URL (an argument of the opener is readable by
// every local user in /proc/<pid>/cmdline) but the path of a small HTML file that only this user can
// read, in a directory only this user can enter, which sends the browser on to the URL with the
// session secret in its fragment. The file is removed after a short time and when the console stops.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LaunchFile {
  /** The file's path (what the opener gets). */
  path: string;
  /** Removes the file and its directory; safe to call more than once. */
  remove(): Promise<void>;
}

/** How long the browser has to read the file (it is read once, as it starts). */
const LAUNCH_FILE_TTL_MS = 120_000;

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.codePointAt(0)};`);
}

export function launchPage(url: string): string {
  const target = escapeAttribute(url);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0;url=${target}">`,
    '<title>byok console</title></head>',
    `<body><p>Opening the byok console… <a href="${target}" rel="noreferrer">continue</a></p></body></html>`,
    '',
  ].join('\n');
}

export async function writeLaunchFile(
  url: string,
  options: { ttlMs?: number; directory?: string } = {},
): Promise<LaunchFile> {
  // mkdtemp makes the directory 0700; the file is created 0600 and never existed before (wx).
  const directory = await mkdtemp(join(options.directory ?? tmpdir(), 'byok-console-'));
  const path = join(directory, 'open.html');
  await writeFile(path, launchPage(url), { mode: 0o600, flag: 'wx' });
  let removed: Promise<void> | undefined;
  const remove = () => {
    removed ??= rm(directory, { recursive: true, force: true });
    return removed;
  };
  const timer = setTimeout(() => void remove(), options.ttlMs ?? LAUNCH_FILE_TTL_MS);
  timer.unref();
  return {
    path,
    remove: () => {
      clearTimeout(timer);
      return remove();
    },
  };
}
