// `byok status`'s options as commander parses them, and its endpoint parser. Cheap to load.
import type { AwsCommandOptions, OutputFormat } from '../../aws-options.ts';
import { parseEndpointUrl } from '../../options.ts';

export interface StatusOptions extends AwsCommandOptions {
  leadWindowDays: number;
  stateMachineArn?: string | undefined;
  output?: OutputFormat | undefined;
}

/** An http(s) endpoint URL, without a trailing slash (status joins paths to it). */
export function parseStatusEndpoint(text: string): string {
  return new URL(parseEndpointUrl(text)).toString().replace(/\/$/, '');
}
