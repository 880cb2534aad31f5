// Option parsers shared by several commands. Cheap to load: commander only, so `--help` and a
// mistyped value answer before any command implementation is imported.
import { InvalidArgumentError } from 'commander';

/** The port `byok local up` listens on unless told otherwise. */
export const DEFAULT_LOCAL_PORT = 4599;
/** Where `byok local up` answers by default; the example endpoint in help and errors. */
export const DEFAULT_LOCAL_ENDPOINT = `http://127.0.0.1:${DEFAULT_LOCAL_PORT}`;

/** An absolute ISO 8601 date and time (a bare date or "tomorrow" is refused), normalised to UTC. */
export function parseIsoDateTime(text: string): string {
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('expected an ISO 8601 date and time, e.g. 2027-06-30T00:00:00Z');
  }
  return date.toISOString();
}

/** An http(s) endpoint URL, such as the one `byok local up` prints. */
export function parseEndpointUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`expected a URL such as ${DEFAULT_LOCAL_ENDPOINT}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`expected an http(s) URL such as ${DEFAULT_LOCAL_ENDPOINT}`);
  }
  return text;
}

/** A whole number in min..max, for counts and day windows. */
export function parseWholeNumber(min: number, max: number): (text: string) => number {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number ${min}..${max}`);
    }
    return value;
  };
}
