// Truthful outcomes, by the real CLI processes over the real local stack: when a step fails and
// publishing the failure event fails too (faults injected into PutEvents), `byok import` and
// `byok start` name the step's own error first and the lost event on a line of its own; when the
// run got as far as ImportKeyMaterial, they say whether KMS shows the key changed and what to run
// next (issue 13: the CLI printed the publishing error, and once reported failure for a key that
// had been imported, with no word that it had changed).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctions,
} from '../../../src/onprem/simulation/step-functions.ts';
import { type ImportHarness, NO_BACKOFF, startImportHarness } from '../../helpers/import-harness.ts';

const execFileAsync = promisify(execFile);
const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('failure outcomes (byok import and byok start over the local stack)', () => {
  let harness: ImportHarness;
  let stepFunctions: AttachedStepFunctions;

  beforeAll(async () => {
    harness = await startImportHarness({ keys: [{ label: 'aes-outcome', type: 'AES_256' }] });
    stepFunctions = attachLocalStepFunctions(harness.stack, {
      deps: async () => harness.deps,
      overrides: NO_BACKOFF,
    });
  });

  afterEach(async () => {
    await injectFaults([]);
  });

  afterAll(async () => {
    await stepFunctions?.close();
    await harness?.stop();
  });

  async function injectFaults(faults: unknown[]): Promise<void> {
    const response = await fetch(`${harness.stack.url}/_byok/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults }),
    });
    expect(response.ok).toBe(true);
  }

  async function cli(...args: string[]): Promise<CliResult> {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [byok, ...args], {
        env: { ...process.env, BYOK_HOME: harness.token.byokHome, BYOK_DEBUG: '' },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as CliResult;
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  /** The commands a hint prints, each as the words a POSIX shell would pass (bare or '…'). */
  function commandsIn(hint: string): string[][] {
    return [...hint.matchAll(/(?:byok|aws) .+?(?=, |; |\)|$)/g)].map((match) =>
      [...match[0].matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map(
        (word) => word[2] ?? (word[1] ?? '').replaceAll("'\\''", "'"),
      ),
    );
  }

  /** Runs a printed command: byok as the real CLI, aws as the real AWS CLI (no credentials here). */
  async function runPrinted(words: string[]): Promise<CliResult> {
    const [program, ...args] = words;
    if (program === 'byok') return cli(...args);
    try {
      const { stdout, stderr } = await execFileAsync('/usr/bin/aws', args, {
        env: { PATH: process.env.PATH, HOME: harness.token.byokHome },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as CliResult;
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  /** The lines byok wrote about the outcome (not the progress lines). */
  function outcomeLines(stderr: string): string[] {
    return stderr.split('\n').filter((line) => line.startsWith('byok: ') || line.startsWith('hint: '));
  }

  const PUBLISHING_FAILS = { operation: 'PutEvents', exception: 'InternalException', message: 'bus gone' };

  it.each(['import', 'start'])(
    'byok %s: a step failing before ImportKeyMaterial is the failure, the lost event a second line, the key unchanged',
    async (command) => {
      // Prepare
      const keyId = await harness.createExternalKey({
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
      });
      await injectFaults([PUBLISHING_FAILS]);
      // Act
      const result = await cli(
        command,
        '--endpoint',
        harness.stack.url,
        '--key-id',
        keyId,
        '--hsm-key',
        'absent',
      );

      // Assess
      expect(result.code).toBe(1);
      const lines = outcomeLines(result.stderr);
      expect(lines[0]).toMatch(
        /^byok: (HsmKeyNotFoundError: no key labelled "absent"|ImportExecutionFailedError: .*FAILED: HsmKeyNotFoundError)/,
      );
      expect(lines[1]).toBe(
        'byok: also: the failure event was not published (EventBridge.InternalException: bus gone)',
      );
      expect(lines[2]).toBe(`byok: key ${keyId}: unchanged (the run stopped before ImportKeyMaterial)`);
      expect(result.stderr).not.toMatch(/^byok: EventBridge/m);
    },
  );

  it.each(['import', 'start'])(
    'byok %s: a failure after ImportKeyMaterial says KMS shows the key CHANGED and what to run next',
    async (command) => {
      // Prepare: the material is imported, then verification (Encrypt) is refused and the event lost
      const keyId = await harness.createExternalKey({
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
        bind: ['aes-outcome'],
      });
      await injectFaults([
        PUBLISHING_FAILS,
        { operation: 'Encrypt', exception: 'AccessDeniedException', message: 'not allowed to encrypt' },
      ]);
      // Act: the same option names on both commands.
      const result = await cli(
        command,
        '--endpoint',
        harness.stack.url,
        '--key-id',
        keyId,
        '--hsm-key',
        'aes-outcome',
        '--valid-for',
        '30d',
        ...(command === 'start' ? ['--poll-interval', '50'] : []),
      );

      // Assess
      expect(result.code).toBe(1);
      const lines = outcomeLines(result.stderr);
      expect(lines[0]).toMatch(/AccessDenied/);
      expect(lines[0]).not.toMatch(/EventBridge/);
      expect(lines[1]).toContain(
        'byok: also: the failure event was not published (EventBridge.InternalException',
      );
      const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
      expect(described.KeyMetadata?.KeyState).toBe('Enabled');
      expect(lines[2]).toContain(`byok: key ${keyId}: CHANGED, KMS shows state PendingImport -> Enabled`);
      expect(lines[2]).toContain(`ValidTo none -> ${described.KeyMetadata?.ValidTo?.toISOString()}`);
      expect(lines.at(-1)).toContain(
        `hint: the material reached KMS; see it with byok status --endpoint ${harness.stack.url}`,
      );
      expect(result.stderr).not.toContain('  ok VerifyImport');
      // Every command the hint prints runs as printed: byok status, and for start the AWS CLI's
      // get-execution-history against the local endpoint.
      const commands = commandsIn(lines.at(-1) ?? '');
      expect(commands.map((words) => words.slice(0, 2).join(' '))).toEqual(
        command === 'import' ? ['byok status'] : ['byok status', 'aws stepfunctions'],
      );
      for (const words of commands) {
        const ran = await runPrinted(words);
        expect(ran.code, `${words.join(' ')}: ${ran.stderr}`).not.toBe(1);
        expect(ran.stdout).toContain(words[0] === 'byok' ? keyId : 'ExecutionFailed');
      }
    },
  );

  it.each(['import', 'start'])(
    'byok %s: a SHA-1 wrapping is disclosed on the terminal by default, not only in a WARN log entry',
    async (command) => {
      // Prepare
      const keyId = await harness.createExternalKey({
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
        bind: ['aes-outcome'],
      });
      // Act
      const result = await cli(
        command,
        '--endpoint',
        harness.stack.url,
        '--key-id',
        keyId,
        '--hsm-key',
        'aes-outcome',
        '--wrapping-algorithm',
        'RSAES_OAEP_SHA_1',
        ...(command === 'start' ? ['--poll-interval', '50'] : []),
      );

      // Assess
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(
        'warning: this import was wrapped with RSAES_OAEP_SHA_1 (SHA-1) because --wrapping-algorithm named it',
      );
    },
  );
});
