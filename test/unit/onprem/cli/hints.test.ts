// Hints print commands that run as printed (issue 19): each `byok …` a hint prints is parsed here by
// the CLI's own parser (every command registered, actions replaced), against the local stack and
// against AWS with a profile; each `aws …` carries the endpoint, Region and profile the run used.
// The printed commands are also run for real, by the real CLIs, in
// test/integration/cli/failure-outcome.test.ts.
import { type Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ApprovalsRequiredTagInvalidError } from '../../../../src/core/approvals/errors.ts';
import { hintForName } from '../../../../src/core/shared/hints.ts';
import { afterword } from '../../../../src/onprem/cli/commands/demo/action.ts';
import { importHintFor } from '../../../../src/onprem/cli/commands/import/hints.ts';
import { ImportExecutionFailedError } from '../../../../src/onprem/cli/errors.ts';
import {
  awsCommand,
  byokCommand,
  type HintTarget,
  placeCommands,
  shellWord,
} from '../../../../src/onprem/cli/hints.ts';
import { reportFailure } from '../../../../src/onprem/cli/outcome.ts';
import { buildProgram } from '../../../../src/onprem/cli/program.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const EXECUTION = 'arn:aws:states:eu-west-1:111122223333:execution:byok-prod-import-key-material:byok-x';
const LOCAL: HintTarget = { endpoint: 'http://127.0.0.1:4599', region: 'us-east-1' };
const AWS: HintTarget = { region: 'eu-west-1', profile: 'bank prod' };

/** The program with every action replaced: parsing checks commands, options and values only. */
function parserOnly(): Command {
  const program = buildProgram();
  const quiet = (command: Command) => {
    command
      .exitOverride()
      .configureOutput({ writeErr: () => undefined, writeOut: () => undefined })
      .action(() => undefined);
    for (const sub of command.commands) quiet(sub);
  };
  quiet(program);
  return program;
}

/** The words of a command as a POSIX shell reads them: bare words and '…' (with '\'' inside). */
function shellWords(text: string): string[] {
  return [...text.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map(
    (word) => word[2] ?? (word[1] ?? '').replaceAll("'\\''", "'"),
  );
}

/** The commands a hint prints: each ends at a backtick, `, `, `; `, `)`, the end or `or <next command>`. */
function commandsIn(hint: string): string[][] {
  return [...hint.matchAll(/(?:byok|aws) .+?(?=`|, |; |\)| (?:or|and|then) (?:byok|aws) |$)/g)].map((match) =>
    shellWords(match[0]),
  );
}

/** Parses `words` (a printed `byok …`) with the CLI's own parser: 'ok' or what it refused. */
function parseByok(words: string[]): Promise<string> {
  return parserOnly()
    .parseAsync(words.slice(1), { from: 'user' })
    .then(() => 'ok')
    .catch((error: unknown) => (error instanceof CommanderError ? error.message : String(error)));
}

function hintsFor(target: HintTarget): string[] {
  const snapshot = { keyState: 'Enabled', validTo: undefined, keyMaterialId: undefined };
  return [
    reportFailure({ keyId: KEY, reachedImport: true, before: snapshot, after: new Error('x'), target }).hint,
    reportFailure({ keyId: KEY, reachedImport: true, before: new Error('x'), after: snapshot, target }).hint,
    reportFailure({
      keyId: KEY,
      reachedImport: true,
      before: { ...snapshot, keyState: 'PendingImport' },
      after: snapshot,
      target,
    }).hint,
    new ImportExecutionFailedError(EXECUTION, 'FAILED', 'X', 'y', undefined, target).hint,
    ...['KeyNotManagedError', 'KeyOriginNotExternalError'].flatMap((error) => [
      importHintFor(error, { keyId: KEY, hsmKeyLabel: 'payments' }, target) ?? '',
      importHintFor(error, { keyId: KEY }, target) ?? '',
    ]),
  ];
}

describe('commands printed in hints', () => {
  it.each([
    ['the local stack', LOCAL],
    ['AWS with a profile', AWS],
  ])('against %s, every byok command parses with the CLI itself', async (_case, target) => {
    // Prepare
    const commands = hintsFor(target).flatMap(commandsIn);
    const byok = commands.filter((words) => words[0] === 'byok');

    // Act
    const parsed = await Promise.all(
      byok.map((words) =>
        parserOnly()
          .parseAsync(words.slice(1), { from: 'user' })
          .then(() => 'ok')
          .catch((error: unknown) => (error instanceof CommanderError ? error.message : String(error))),
      ),
    );

    // Assess
    expect(byok.length).toBeGreaterThanOrEqual(3);
    expect(parsed).toEqual(byok.map(() => 'ok'));
  });

  it("the commands byok demo's afterword suggests parse with the CLI itself", async () => {
    // Prepare
    const suggested = [...afterword('/tmp/hsm').matchAll(/^ {2}node bin\/byok\.js ([^#]+?)\s+#/gm)].map(
      (match) => shellWords(match[1] ?? ''),
    );

    // Act
    const parsed = await Promise.all(
      suggested.map((words) =>
        parserOnly()
          .parseAsync(words, { from: 'user' })
          .then(() => 'ok')
          .catch((error: unknown) =>
            error instanceof CommanderError && error.code === 'commander.helpDisplayed'
              ? 'ok'
              : String(error),
          ),
      ),
    );

    // Assess
    expect(suggested).toHaveLength(3);
    expect(parsed).toEqual(['ok', 'ok', 'ok']);
  });

  it('the parser used above refuses what the CLI refuses', async () => {
    // Act
    const parsing = parserOnly().parseAsync(['status', '--endpoint-uri', 'http://127.0.0.1:4599'], {
      from: 'user',
    });

    // Assess
    await expect(parsing).rejects.toThrow("unknown option '--endpoint-uri'");
  });

  it('a byok command on the local stack names its endpoint; on AWS its Region and profile', () => {
    // Act
    const local = byokCommand(LOCAL, 'status');
    const aws = byokCommand(AWS, 'status');

    // Assess
    expect(local).toBe('byok status --endpoint http://127.0.0.1:4599');
    expect(aws).toBe("byok status --region eu-west-1 --profile 'bank prod'");
  });

  it('an AWS CLI command on the local stack names --endpoint-url and needs no credentials', () => {
    // Act
    const local = awsCommand(LOCAL, 'kms', 'describe-key', '--key-id', KEY);
    const aws = awsCommand(AWS, 'kms', 'describe-key', '--key-id', KEY);

    // Assess
    expect(local).toBe(
      `aws kms describe-key --key-id ${KEY} --endpoint-url http://127.0.0.1:4599 --no-sign-request --region us-east-1`,
    );
    expect(aws).toBe(`aws kms describe-key --key-id ${KEY} --region eu-west-1 --profile 'bank prod'`);
  });

  it('every AWS CLI command in the hints carries where the run went', () => {
    // Act
    const local = hintsFor(LOCAL)
      .flatMap(commandsIn)
      .filter((words) => words[0] === 'aws');
    const aws = hintsFor(AWS)
      .flatMap(commandsIn)
      .filter((words) => words[0] === 'aws');

    // Assess
    expect(local.length).toBeGreaterThanOrEqual(2);
    for (const words of local)
      expect(words).toEqual(expect.arrayContaining(['--endpoint-url', '--no-sign-request']));
    for (const words of aws)
      expect(words).toEqual(expect.arrayContaining(['--region', 'eu-west-1', '--profile', 'bank prod']));
  });

  it.each([
    [
      'list the pending requests with: byok approvals',
      'list the pending requests with: byok approvals --endpoint http://127.0.0.1:4599',
    ],
    [
      'the new material check value appears in `byok approvals` when the request opens for votes',
      'the new material check value appears in `byok approvals --endpoint http://127.0.0.1:4599` when the request opens for votes',
    ],
    [
      new ApprovalsRequiredTagInvalidError(KEY, 'byok:approvals-required', 'x').hint as string,
      `only a bindings administrator may set byok:* tags (deploy/scp/byok-guardrails.json); one fixes it, signing with their own profile: \`aws kms tag-resource --key-id ${KEY} --tags TagKey=byok:approvals-required,TagValue=2 --endpoint-url http://127.0.0.1:4599 --no-sign-request --region us-east-1\``,
    ],
    [
      'an administrator runs `byok key create --hsm-key payments --key-spec SYMMETRIC_DEFAULT`, or `byok bindings add --hsm-key payments --key-id k`',
      'an administrator runs `byok key create --hsm-key payments --key-spec SYMMETRIC_DEFAULT --endpoint http://127.0.0.1:4599`, or `byok bindings add --hsm-key payments --key-id k --endpoint http://127.0.0.1:4599`',
    ],
    [
      'pass keyMaterialId (see byok status) to say which',
      'pass keyMaterialId (see byok status --endpoint http://127.0.0.1:4599) to say which',
    ],
  ])('completes a hint written elsewhere: %s', async (hint, placed) => {
    // Act
    const completed = placeCommands(hint, { byok: LOCAL, aws: LOCAL });

    // Assess
    expect(completed).toBe(placed);
    for (const words of commandsIn(completed).filter((command) => command[0] === 'byok')) {
      await expect(parserOnly().parseAsync(words.slice(1), { from: 'user' })).resolves.toBeDefined();
    }
  });

  it("an invalid byok:approvals-required tag is an administrator's to fix, with a command placed where the run went", () => {
    // Prepare: the hint the error carries, and the table's, for a name that arrives alone.
    const carried = new ApprovalsRequiredTagInvalidError(KEY, 'byok:approvals-required', '9').hint as string;
    const named = hintForName('ApprovalsRequiredTagInvalidError') as string;

    // Act
    const placed = [carried, named].map((hint) => placeCommands(hint, { byok: AWS, aws: AWS }));

    // Assess
    for (const hint of placed) {
      expect(hint).toMatch(/only a bindings administrator may set byok:\* tags/i);
      expect(hint).toContain('deploy/scp/byok-guardrails.json');
      const [command, ...others] = commandsIn(hint);
      expect(others).toEqual([]);
      expect(command).toEqual([
        'aws',
        'kms',
        'tag-resource',
        '--key-id',
        expect.any(String),
        '--tags',
        'TagKey=byok:approvals-required,TagValue=2',
        '--region',
        'eu-west-1',
        '--profile',
        'bank prod',
      ]);
    }
  });

  it.each([
    ['the local stack', LOCAL],
    ['AWS with a profile', AWS],
  ])(
    "against %s, an unmanaged key is made byok's with byok key create or byok bindings add, both runnable",
    async (_case, target) => {
      // Act
      const hint = importHintFor('KeyNotManagedError', { keyId: KEY, hsmKeyLabel: 'payments' }, target) ?? '';
      const commands = commandsIn(hint);
      const parsed = await Promise.all(commands.map(parseByok));

      // Assess
      expect(hint).not.toMatch(/aws kms (tag-resource|create-key)/);
      expect(commands.map((words) => words.slice(0, 3).join(' '))).toEqual([
        'byok key create',
        'byok bindings add',
      ]);
      expect(commands[1]).toEqual(expect.arrayContaining(['--hsm-key', 'payments', '--key-id', KEY]));
      for (const words of commands) {
        expect(words).toEqual(
          expect.arrayContaining(
            target.endpoint ? ['--endpoint', target.endpoint] : ['--profile', 'bank prod'],
          ),
        );
      }
      expect(parsed).toEqual(['ok', 'ok']);
    },
  );

  it('a key of another origin is replaced through byok key create, runnable as printed', async () => {
    // Act
    const hint = importHintFor('KeyOriginNotExternalError', { keyId: KEY }, AWS) ?? '';
    const commands = commandsIn(hint);

    // Assess
    expect(hint).not.toContain('aws kms create-key');
    expect(commands).toEqual([
      [
        'byok',
        'key',
        'create',
        '--hsm-key',
        'LABEL',
        '--key-spec',
        'SYMMETRIC_DEFAULT',
        '--region',
        'eu-west-1',
        '--profile',
        'bank prod',
      ],
    ]);
    expect(await parseByok(commands[0] ?? [])).toBe('ok');
  });

  it('completes every command of a hint that joins two with "or", each to run where the run went', async () => {
    // Prepare
    const hint = `an administrator runs byok key create --hsm-key payments --key-spec SYMMETRIC_DEFAULT or byok bindings add --hsm-key payments --key-id ${KEY}`;

    // Act
    const completed = placeCommands(hint, { byok: LOCAL, aws: LOCAL });
    const commands = commandsIn(completed);

    // Assess
    expect(completed).toBe(
      `an administrator runs byok key create --hsm-key payments --key-spec SYMMETRIC_DEFAULT --endpoint http://127.0.0.1:4599 or byok bindings add --hsm-key payments --key-id ${KEY} --endpoint http://127.0.0.1:4599`,
    );
    expect(commands).toHaveLength(2);
    expect(await Promise.all(commands.map(parseByok))).toEqual(['ok', 'ok']);
  });

  it.each([
    ['payments', 'payments'],
    ["it's", `'it'\\''s'`],
    ['a b', "'a b'"],
    ['$(rm -rf /)', "'$(rm -rf /)'"],
  ])('quotes %s for the shell as %s, and reads back the same', (word, quoted) => {
    // Act
    const printed = shellWord(word);

    // Assess
    expect(printed).toBe(quoted);
    expect(shellWords(printed)).toEqual([word]);
  });
});
