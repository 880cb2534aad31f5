// Task tokens: unguessable, opaque strings. 256 random bits, base64url, behind a short version
// prefix so a malformed string (InvalidToken) is told apart from a well-formed token this runner
// never issued or has forgotten (TaskDoesNotExist). Nothing about the task can be read from one.
import { randomBytes } from 'node:crypto';

const PREFIX = 'byok1.';
const RANDOM_BYTES = 32;
const TOKEN_PATTERN = /^byok1\.[A-Za-z0-9_-]{43}$/;

export function newTaskToken(): string {
  return `${PREFIX}${randomBytes(RANDOM_BYTES).toString('base64url')}`;
}

/** True when `text` has the shape of a token this module issues (it may still be unknown). */
export function isWellFormedTaskToken(text: string): boolean {
  return TOKEN_PATTERN.test(text);
}
