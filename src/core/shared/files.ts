// Opening a file a user names for secrets (a key file, a PIN file) without being led elsewhere or
// made to wait: O_NOFOLLOW refuses a symbolic link, O_NONBLOCK makes a FIFO open at once instead
// of blocking until some writer appears, and the kind is then checked on the descriptor that is
// read, so the check and the read see one file. Callers turn the refusal into their own named error.
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

export type OpenedRegularFile =
  | { ok: true; handle: FileHandle }
  | { ok: false; refusal: 'symbolic link' }
  | { ok: false; refusal: 'not a regular file'; kind: string }
  | { ok: false; refusal: 'cannot be opened'; cause: unknown };

function kindOf(stats: Awaited<ReturnType<FileHandle['stat']>>): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The file opened for reading if it is a regular file reached without a symbolic link; else why not. */
export async function openRegularFile(path: string): Promise<OpenedRegularFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') return { ok: false, refusal: 'symbolic link' };
    return { ok: false, refusal: 'cannot be opened', cause: error };
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    return { ok: false, refusal: 'not a regular file', kind: kindOf(stats) };
  }
  return { ok: true, handle };
}
