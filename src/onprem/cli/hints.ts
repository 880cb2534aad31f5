// Commands that hints print, written so that they run as printed: against the local stack a byok
// command carries `--endpoint <url>` and an AWS CLI command `--endpoint-url <url> --region <r>`;
// against AWS both carry the Region and profile the run used. Every value is quoted for a POSIX
// shell when it needs it. test/unit/onprem/cli/hints.test.ts parses the byok ones with the CLI's own
// parser. Dependency-free.

/** Where the run that prints the hint went (an AwsTarget, or as much of it as is known). */
export interface HintTarget {
  endpoint?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
}

/** A word as a POSIX shell reads it back: bare when it is safe, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function line(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}

/** `byok <words…>` plus where the run went: `--endpoint <url>`, or `--region`/`--profile`. */
export function byokCommand(target: HintTarget, ...words: string[]): string {
  const where = target.endpoint
    ? ['--endpoint', target.endpoint]
    : [
        ...(target.region ? ['--region', target.region] : []),
        ...(target.profile ? ['--profile', target.profile] : []),
      ];
  return line(['byok', ...words, ...where]);
}

/**
 * `aws <service> <operation> <words…>` plus `--endpoint-url`, `--region` and `--profile` as the run
 * used them. Against the local stack without a profile, `--no-sign-request`: the stack takes
 * unsigned requests, so the command needs no AWS credentials on this machine, as the run did not.
 */
export function awsCommand(target: HintTarget, ...words: string[]): string {
  const where = [
    ...(target.endpoint ? ['--endpoint-url', target.endpoint] : []),
    ...(target.endpoint && !target.profile ? ['--no-sign-request'] : []),
    ...(target.region ? ['--region', target.region] : []),
    ...(target.profile ? ['--profile', target.profile] : []),
  ];
  return line(['aws', ...words, ...where]);
}

/** Where the commands of a hint written elsewhere (the approvals API, a workflow step) should go. */
export interface HintTargets {
  byok: HintTarget;
  aws: HintTarget;
}

/**
 * Where a command in a hint ends: a backtick, `;`, `)`, `, `, the end, or the `or`/`and`/`then`
 * that joins it to the next command (`… or byok bindings add …`).
 */
const COMMAND_IN_HINT = /\b(byok|aws) [^`;)]*?(?=`|;|\)|, |\s+(?:or|and|then)\s+(?:byok|aws) |$)/g;

/**
 * A hint written without knowing where the run went (the approvals API's, a workflow error's),
 * with every `byok …` and `aws …` command in it completed to run there, however many it holds.
 */
export function placeCommands(hint: string, targets: HintTargets): string {
  return hint.replace(COMMAND_IN_HINT, (command, program: string) => {
    const words = command.trim().split(/\s+/).slice(1);
    return program === 'byok' ? byokCommand(targets.byok, ...words) : awsCommand(targets.aws, ...words);
  });
}
