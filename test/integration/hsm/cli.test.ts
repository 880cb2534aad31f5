// `byok hsm ...` end to end, as a user runs it: a real process, a real token under BYOK_HOME. The
// known key bytes must appear in no output, and mistakes end in one named line, never a stack.
import { execFile } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecret } from '../../helpers/secret-scan.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/byok.js');
const material = randomBytes(32);
/** A 0600 key file of the test's own, for refusals that come after the file check. */
const ownedKeyFile = join(tmpdir(), `byok-cli-owned-key-${process.pid}.bin`);
let home: string;
const outputs: string[] = [];

async function byok(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('BYOK_')),
    );
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...clean, BYOK_HOME: home, ...env } },
      (error, stdout, stderr) => {
        outputs.push(stdout, stderr);
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'byok-cli-'));
  await writeFile(ownedKeyFile, randomBytes(32), { mode: 0o600 });
});

afterAll(async () => {
  // Every line any command printed, scanned for the imported key in every encoding.
  for (const output of outputs) expectNoSecret(output, material, 'CLI output');
  await rm(home, { recursive: true, force: true });
  await rm(ownedKeyFile, { force: true });
});

describe('byok hsm', () => {
  it('creates a SoftHSM2 token once and leaves it alone the second time', async () => {
    // Act
    const first = await byok(['hsm', 'init', '--token', 'softhsm']);
    const config = await readFile(join(home, 'hsm', 'config.json'), 'utf8');
    const second = await byok(['hsm', 'init', '--token', 'softhsm']);

    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Created softhsm token "byok"');
    expect(second.stdout).toContain('already exists');
    expect(second.stdout).toContain('nothing changed');
    expect(await readFile(join(home, 'hsm', 'config.json'), 'utf8')).toBe(config);
  });

  it('imports key material and lists it with its check value, never its value', async () => {
    // Prepare
    const file = join(home, 'aes.bin');
    await writeFile(file, material, { mode: 0o600 });
    const kcv = createCipheriv('aes-256-ecb', material, null)
      .update(Buffer.alloc(16))
      .toString('hex')
      .slice(0, 6);

    // Act
    const imported = await byok([
      'hsm',
      'import-key',
      '--label',
      'migrated',
      '--type',
      'AES_256',
      '--file',
      file,
    ]);
    const created = await byok(['hsm', 'create-key', '--label', 'signer', '--type', 'ECC_NIST_P256']);
    const listed = await byok(['hsm', 'list', '--json', '--capabilities']);

    // Assess
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`KCV ${kcv}`);
    expect(created.stdout).toContain('public key SHA-256');
    const keys = JSON.parse(listed.stdout).keys as Array<Record<string, unknown>>;
    expect(keys.map((key) => [key.label, key.type, key.sensitive, key.extractable])).toEqual([
      ['migrated', 'AES_256', true, true],
      ['signer', 'ECC_NIST_P256', true, true],
    ]);
    expect(keys[0]?.check).toMatchObject({ kcv });
    expect(keys.map((key) => key.wrappingAlgorithms)).toEqual([
      ['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1'],
      [],
    ]);
    expect(JSON.parse(listed.stdout).findings).toContain(
      'mechanism 0x210A: a 33-byte key came back as 40 bytes (not exact RFC 5649)',
    );
  });

  it.each([
    [
      ['hsm', 'import-key', '--label', 'migrated', '--type', 'AES_256', '--file', ownedKeyFile],
      {},
      'HsmKeyAlreadyExistsError',
    ],
    [['hsm', 'list'], { BYOK_PIN: 'wrong-pin' }, 'HsmLoginError'],
    [['hsm', 'create-key', '--label', 'x', '--type', 'AES_128'], {}, "argument 'AES_128' is invalid"],
    [
      ['hsm', 'create-key', '--label', 'x\u001b[2K\rforged', '--type', 'AES_256'],
      {},
      'UnprintableOptionValueError: an option value must be printable text (no control or bidirectional-override characters): "x\\u{001b}[2K\\u{000d}forged"',
    ],
  ] as const)('ends %j in one named line without a stack', async (args, env, expected) => {
    // Act
    const result = await byok([...args], env);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(expected);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(['644', '640'])(
    'refuses a key file with mode %s, says how to fix it and imports nothing',
    async (octal) => {
      const mode = Number.parseInt(octal, 8);
      // Prepare
      const file = join(home, `exposed-${mode.toString(8)}.bin`);
      await writeFile(file, randomBytes(32));
      await chmod(file, mode);

      // Act
      const result = await byok([
        'hsm',
        'import-key',
        '--label',
        'exposed',
        '--type',
        'AES_256',
        '--file',
        file,
      ]);
      const listed = await byok(['hsm', 'list', '--json']);

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `byok: HsmKeyFileExposedError: key file ${file} is accessible by group or others (mode ${mode.toString(8)})`,
      );
      expect(result.stderr).toContain(`hint: Run: chmod 600 ${file}`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      const labels = (JSON.parse(listed.stdout).keys as Array<{ label: string }>).map((key) => key.label);
      expect(labels).not.toContain('exposed');
    },
  );

  it('explains how to start when BYOK_HOME has no token', async () => {
    // Prepare
    const empty = await mkdtemp(join(tmpdir(), 'byok-cli-empty-'));

    // Act
    const result = await byok(['hsm', 'list'], { BYOK_HOME: empty });
    await rm(empty, { recursive: true, force: true });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^byok: HsmConfigError: no HSM configuration at .*\nhint: Create a local token with `byok hsm init`/,
    );
  });
});
