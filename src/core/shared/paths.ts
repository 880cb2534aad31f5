// Where byok keeps its local state (the HSM token and its PIN file, the local stack's state): one
// directory, $BYOK_HOME, ./.byok unless set. Dependency-free, so the CLI's help text and option
// defaults can name it without loading any implementation.
import { resolve } from 'node:path';

/** BYOK_HOME when the environment does not set it, relative to the working directory. */
export const DEFAULT_BYOK_HOME = '.byok';

/** The absolute $BYOK_HOME directory. */
export function resolveByokHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.BYOK_HOME ?? DEFAULT_BYOK_HOME);
}
