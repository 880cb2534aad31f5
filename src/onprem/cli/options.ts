// Option parsers shared by several commands. Cheap to load: commander only, so `--help` and a
// mistyped value answer before any command implementation is imported.
import { InvalidArgumentError } from 'commander';
import {
  MAX_REASON_LENGTH,
  type Parsed,
  parseIsoInstant,
  parseLabel,
  parseNonBlank,
  parseRegionName,
  parseText,
  parseWholeNumberIn,
} from '../../core/shared/parse.ts';
import { isPrintableText } from '../../core/shared/text.ts';
import { UnprintableOptionValueError } from './errors.ts';

/** The port `byok local up` listens on unless told otherwise. */
export const DEFAULT_LOCAL_PORT = 4599;
/** Where `byok local up` answers by default; the example endpoint in help and errors. */
export const DEFAULT_LOCAL_ENDPOINT = `http://127.0.0.1:${DEFAULT_LOCAL_PORT}`;

/**
 * Turns a shared parser (src/core/shared/parse.ts) into a commander argument parser. A value with
 * control characters is refused before commander could echo it raw in its own message.
 */
export function optionParser<T>(parse: (text: string) => Parsed<T>): (text: string) => T {
  return (text: string): T => {
    if (!isPrintableText(text)) throw new UnprintableOptionValueError(text);
    const parsed = parse(text);
    if (!parsed.ok) throw new InvalidArgumentError(parsed.problem);
    return parsed.value;
  };
}

/**
 * An absolute ISO 8601 date and time (a bare date, "tomorrow" or a day that does not exist is
 * refused), normalised to UTC.
 */
export const parseIsoDateTime = optionParser(parseIsoInstant);

/** An HSM key label: non-empty, printable, no whitespace at either end, used exactly as given. */
export const parseLabelOption = optionParser((text) => parseLabel(text));

/** A value that is required when the option is given (a path, a host): empty or blank is refused. */
export const parseNonBlankOption = optionParser(parseNonBlank);

/** An AWS Region such as us-east-1. */
export const parseRegionOption = optionParser(parseRegionName);

/** Free text kept in logs and events (`--reason`): non-blank, printable, at most 256 characters. */
export const parseReasonOption = optionParser((text) => parseText(text, MAX_REASON_LENGTH));

/** An http(s) endpoint URL, such as the one `byok local up` prints. */
export function parseEndpointUrl(text: string): string {
  let url: URL;
  if (text.trim().length === 0)
    throw new InvalidArgumentError(`is empty; expected a URL such as ${DEFAULT_LOCAL_ENDPOINT}`);
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
  return optionParser((text) => parseWholeNumberIn(text, min, max));
}
