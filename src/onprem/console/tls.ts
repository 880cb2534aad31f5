// The console's TLS material (--tls-cert, --tls-key): read once at start and checked before anything
// listens. The key file is opened without following a symlink and refused when its owner is not this
// user or group or others may read it (as the HSM PIN file is); the certificate must parse, be
// current, and belong to the key. No error quotes the files' contents.

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { constants, type FileHandle, open } from 'node:fs/promises';
import { ConsoleTlsKeyExposedError, ConsoleTlsMaterialError } from './errors.ts';

export interface TlsMaterial {
  /** PEM certificate (chain). */
  cert: string;
  /** PEM private key. */
  key: string;
}

export interface TlsFiles {
  certFile?: string | undefined;
  keyFile?: string | undefined;
}

async function readOwnFile(path: string, what: string, privateFile: boolean): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    throw new ConsoleTlsMaterialError(`cannot open the ${what} ${path}`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ConsoleTlsMaterialError(`the ${what} ${path} is not a regular file`);
    if (privateFile) {
      const uid = process.getuid?.();
      if ((uid !== undefined && stats.uid !== uid) || (stats.mode & 0o077) !== 0) {
        throw new ConsoleTlsKeyExposedError(path, (stats.mode & 0o777).toString(8));
      }
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Undefined when neither file is given; both or neither. */
export async function readTlsMaterial(
  files: TlsFiles,
  now: Date = new Date(),
): Promise<TlsMaterial | undefined> {
  if (files.certFile === undefined && files.keyFile === undefined) return undefined;
  if (files.certFile === undefined || files.keyFile === undefined) {
    throw new ConsoleTlsMaterialError('--tls-cert and --tls-key go together: give both or neither');
  }
  const key = await readOwnFile(files.keyFile, 'TLS key', true);
  const cert = await readOwnFile(files.certFile, 'TLS certificate', false);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new ConsoleTlsMaterialError(`${files.certFile} holds no PEM certificate`, { cause: error });
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    // The key parser's message can quote the input; it is left out on purpose.
    throw new ConsoleTlsMaterialError(`${files.keyFile} holds no unencrypted PEM private key`, {
      cause: new Error((error as Error).name),
    });
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConsoleTlsMaterialError(
      `the certificate in ${files.certFile} is not for the key in ${files.keyFile}`,
    );
  }
  if (new Date(certificate.validTo).getTime() <= now.getTime()) {
    throw new ConsoleTlsMaterialError(
      `the certificate in ${files.certFile} expired on ${certificate.validTo}`,
    );
  }
  return { cert, key };
}
