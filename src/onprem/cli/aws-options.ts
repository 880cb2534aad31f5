// The options every AWS-facing command shares, declared here once so that each command spells them
// alike and as the AWS CLI does: --region, --profile, --endpoint (also --endpoint-url), and
// --output json|table (also --json) for every command that prints results. An old option name is
// kept working as an alias (addOptionAlias), listed in --help as such. Cheap to load (commander and
// dependency-free modules): `byok --help` and a mistyped value answer before any SDK is imported.
// How the Region and credentials are then decided: aws-target.ts. A command uses them so:
//   register.ts: addOutputOptions(addAwsOptions(program.command('x')))
//   action.ts:   const target = await resolveAwsTarget(options, [{ option: '--key-id', value: options.keyId }]);
//                const kms = createKmsClient(target); // its endpoint, Region and profile
//                if (options.output === 'json') ... else a table
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseLabel, parseRegionName } from '../../core/shared/parse.ts';
import { DEFAULT_LOCAL_ENDPOINT, optionParser, parseEndpointUrl } from './options.ts';

/** What the shared AWS options give a command's action. */
export interface AwsCommandOptions {
  /** The local stack (or another AWS-compatible endpoint); absent for AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** A profile of the shared AWS config and credentials files (as AWS_PROFILE, but for this run). */
  profile?: string | undefined;
}

export const OUTPUT_FORMATS = ['table', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What the shared output option gives a command's action. */
export interface OutputOptions {
  output: OutputFormat;
}

/** Where the Region comes from when --region is not given, as --help says it. */
const REGION_ORDER_HELP =
  'default: the Region in an ARN given, else AWS_REGION or AWS_DEFAULT_REGION, else the region of the profile';

/** A profile name: printable, no whitespace at either end, as the shared config file spells it. */
const parseProfileOption = optionParser((text) => parseLabel(text, 64));

export interface AwsOptionsSpec {
  /** Help for --endpoint (default: the local stack, else AWS). */
  endpointHelp?: string;
  /** Parser for --endpoint (default: an http(s) URL). */
  parseEndpoint?: (text: string) => string;
  /** A default for --endpoint, with its description in help (e.g. $BYOK_LOCAL_ENDPOINT). */
  endpointDefault?: { value: string | undefined; description: string };
}

/**
 * Adds --endpoint (alias --endpoint-url), --region and --profile to an AWS-facing command. The
 * action resolves them with resolveAwsTarget (aws-target.ts).
 */
export function addAwsOptions(command: Command, spec: AwsOptionsSpec = {}): Command {
  const endpoint = new Option(
    '--endpoint <url>',
    spec.endpointHelp ?? `the local stack (e.g. ${DEFAULT_LOCAL_ENDPOINT}); without it, AWS`,
  ).argParser(spec.parseEndpoint ?? parseEndpointUrl);
  if (spec.endpointDefault) endpoint.default(spec.endpointDefault.value, spec.endpointDefault.description);
  command.addOption(endpoint);
  addOptionAlias(command, endpoint, '--endpoint-url <url>', { why: 'the AWS CLI name' });
  command.addOption(
    new Option('--region <region>', `AWS Region (${REGION_ORDER_HELP})`).argParser(
      optionParser(parseRegionName),
    ),
  );
  command.addOption(
    new Option(
      '--profile <name>',
      'profile of the shared AWS config/credentials files for credentials and Region (default: AWS_PROFILE, else default)',
    ).argParser(parseProfileOption),
  );
  return command;
}

/** `--output`: one of OUTPUT_FORMATS. */
function parseOutputFormat(text: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(text)) return text as OutputFormat;
  throw new InvalidArgumentError(`expected ${OUTPUT_FORMATS.join(' or ')}`);
}

/**
 * Adds `--output json|table` (default table) and `--json`, its synonym, to a command that prints
 * results. The action reads `options.output` only.
 */
export function addOutputOptions(command: Command, jsonHelp = 'the result as JSON'): Command {
  const output = new Option('--output <format>', `table or json (${jsonHelp})`)
    .argParser(parseOutputFormat)
    .default('table');
  command.addOption(output);
  command.addOption(new Option('--json', 'same as --output json'));
  command.hook('preAction', (_command, actionCommand) => {
    if (actionCommand !== command || command.getOptionValue('json') !== true) return;
    if (command.getOptionValueSource('output') === 'cli' && command.getOptionValue('output') !== 'json') {
      command.error("error: option '--json' cannot be used with option '--output table'", {
        code: 'commander.conflictingOption',
      });
    }
    command.setOptionValueWithSource('output', 'json', 'cli');
  });
  return command;
}

export interface AliasSpec {
  /** How --help introduces the alias (default: old name). */
  why?: string;
  /** The attribute names the canonical option conflicts with (commander keeps them private). */
  conflicts?: readonly string[];
}

/**
 * Declares `aliasFlags` (e.g. '--hsm-key-label <label>') as another name of `canonical`: the same
 * parser and conflicts, refused together with it, and its value handed to the action under the
 * canonical name (the action never sees the alias). --help lists it as "old name of …".
 */
export function addOptionAlias(
  command: Command,
  canonical: Option,
  aliasFlags: string,
  spec: AliasSpec = {},
): Option {
  const alias = new Option(
    aliasFlags,
    spec.why ? `${spec.why} of ${canonical.long}` : `old name of ${canonical.long}, still accepted`,
  );
  if (canonical.parseArg) alias.argParser(canonical.parseArg);
  alias.conflicts([...(spec.conflicts ?? []), canonical.attributeName()]);
  command.addOption(alias);
  command.hook('preAction', (_command, actionCommand) => {
    if (actionCommand !== command) return;
    const value: unknown = command.getOptionValue(alias.attributeName());
    if (value === undefined) return;
    command.setOptionValueWithSource(canonical.attributeName(), value, 'cli');
    command.setOptionValueWithSource(alias.attributeName(), undefined, 'default');
  });
  return alias;
}
