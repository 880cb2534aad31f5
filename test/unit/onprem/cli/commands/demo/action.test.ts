// What `byok demo` prints after its summary: what was shown, where the token lives, and next
// commands that exist.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { afterword } from '../../../../../../src/onprem/cli/commands/demo/action.ts';
import { registerHsmCommands } from '../../../../../../src/onprem/cli/commands/hsm/register.ts';
import { registerSimulateCommand } from '../../../../../../src/onprem/cli/commands/simulate/register.ts';

describe('demo afterword', () => {
  it('names the token directory and says the local stack is gone', () => {
    // Act
    const text = afterword('/home/me/project/.byok/hsm');

    // Assess
    expect(text).toContain('The token and its PIN file stay in /home/me/project/.byok/hsm');
    expect(text).toContain('BYOK_HOME');
    expect(text).toContain('KMS keys lived in this process only and are gone');
    expect(text).toContain('Plaintext key material never left the token');
  });

  it('suggests only commands byok has, with options they accept', async () => {
    // Prepare
    const program = new Command('byok').exitOverride();
    registerHsmCommands(program);
    registerSimulateCommand(program);
    const suggested = [...afterword('/t').matchAll(/^ {2}node bin\/byok\.js (.+?)\s+#/gm)].map(
      (match) => match[1] ?? '',
    );

    // Act
    const known = suggested
      .filter((line) => line !== '--help')
      .map((line) => {
        const [group, name] = line.split(' ');
        const command = program.commands.find((candidate) => candidate.name() === group);
        return name && !name.startsWith('--')
          ? command?.commands.some((sub) => sub.name() === name)
          : command !== undefined;
      });

    // Assess
    expect(suggested).toEqual(['hsm list', 'simulate --days 400', '--help']);
    expect(known).toEqual([true, true]);
  });
});
