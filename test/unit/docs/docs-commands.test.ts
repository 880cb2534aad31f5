// Every `byok …` command README.md and docs/*.md show exists, and `byok <its path> --help` parses
// (issue 21 item 6: commands in docs extracted and run by a test). In process, on the same program
// the CLI builds: each distinct command path once.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/onprem/cli/program.ts';
import { DOC_FILES, readDoc } from '../../helpers/docs.ts';

/** Every `byok …` the docs show: inline code spans and the lines of fenced code blocks. */
function documentedCommands(): Array<{ file: string; command: string }> {
  const found: Array<{ file: string; command: string }> = [];
  for (const file of DOC_FILES) {
    const text = readDoc(file);
    for (const match of text.matchAll(/`(?:\$ )?byok ([^`\n]+)`/g))
      found.push({ file, command: match[1] as string });
    for (const block of text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)) {
      for (const line of (block[1] as string).split('\n')) {
        // A shell comment after the command is prose.
        const command = /^\s*(?:\$ )?byok\s+(.+)$/.exec(line)?.[1]?.replace(/\s#.*$/, '');
        if (command) found.push({ file, command });
      }
    }
  }
  return found;
}

/**
 * The command path a documented line names (its leading words that are (sub)commands), the
 * commands along it, and whether the line starts with a placeholder (`byok … --endpoint`).
 */
function commandPath(
  program: Command,
  command: string,
): { path: string[]; chain: Command[]; unknown?: string; placeholder: boolean } {
  const path: string[] = [];
  const chain = [program];
  let current = program;
  const words = command.trim().split(/\s+/);
  for (const word of words) {
    if (!/^[a-z][a-z0-9-]*$/.test(word)) break;
    const next = current.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next) {
      return current === program
        ? { path, chain, unknown: word, placeholder: false }
        : { path, chain, placeholder: false };
    }
    path.push(next.name());
    chain.push(next);
    current = next;
  }
  return { path, chain, placeholder: !(words[0] ?? '').startsWith('-') && path.length === 0 };
}

/** Parses `byok <path> --help` in process (no exit, output kept): the help it printed. */
async function helpOf(path: string[]): Promise<string> {
  const program = buildProgram();
  let out = '';
  const quiet = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
    for (const sub of command.commands) quiet(sub);
  };
  quiet(program);
  try {
    await program.parseAsync([...path, '--help'], { from: 'user' });
  } catch (error) {
    if ((error as { code?: string }).code !== 'commander.helpDisplayed') throw error;
  }
  return out;
}

describe('commands in the docs', () => {
  it('every byok command in README.md and docs/*.md exists, and its --help parses', async () => {
    // Prepare
    const program = buildProgram();
    const paths = new Map<string, string[]>();
    const unknown: string[] = [];
    for (const { file, command } of documentedCommands()) {
      const found = commandPath(program, command);
      if (found.unknown) unknown.push(`${file}: byok ${command}`);
      else paths.set(found.path.join(' '), found.path);
    }

    // Act
    const helps = await Promise.all(
      [...paths.values()].map(async (path) => [path.join(' '), await helpOf(path)]),
    );

    // Assess
    expect(unknown).toEqual([]);
    expect(paths.size).toBeGreaterThan(20);
    for (const [path, help] of helps) expect(help, `byok ${path} --help`).toMatch(/^Usage: byok/m);
  });

  it('every --option a documented command shows is one that command (or a parent) takes', () => {
    // Prepare
    const program = buildProgram();
    const unknown: string[] = [];

    // Act
    for (const { file, command } of documentedCommands()) {
      const { chain, placeholder } = commandPath(program, command);
      if (placeholder) continue;
      for (const match of command.matchAll(/(?:^|[\s[])(--[a-z][a-z0-9-]*)/g)) {
        const flag = match[1] as string;
        if (flag === '--help' || flag === '--version') continue;
        const known = chain.some((cmd) =>
          cmd.options.some((option) => option.long === flag || option.long === flag.replace(/^--no-/, '--')),
        );
        if (!known) unknown.push(`${file}: byok ${command} (${flag})`);
      }
    }

    // Assess
    expect(unknown).toEqual([]);
  });
});
