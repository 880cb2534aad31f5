// `byok status`'s options as commander parses them, and its endpoint parser. Cheap to load.
import { parseEndpointUrl } from '../../options.ts';

export interface StatusOptions {
  endpoint?: string;
  region?: string;
  leadWindowDays: number;
  stateMachineArn?: string;
  json?: boolean;
}

/** An http(s) endpoint URL, without a trailing slash (status joins paths to it). */
export function parseStatusEndpoint(text: string): string {
  return new URL(parseEndpointUrl(text)).toString().replace(/\/$/, '');
}
