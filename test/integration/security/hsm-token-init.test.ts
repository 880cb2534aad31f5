// Security review G5, on real SoftHSM2: creating a local SoftHSM2 token hands its PINs to no other
// process. Before the fix, initLocalToken ran `softhsm2-util --init-token --so-pin <pin> --pin <pin>`,
// a command line that every local user can read in /proc/<pid>/cmdline while it runs. Every child
// that this process starts is recorded at ChildProcess.prototype.spawn, which spawn, execFile, exec
// and fork all go through, with its argv and environment.
import { ChildProcess, execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, promisify } from 'node:util';
import pkcs11js from 'pkcs11js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HsmTokenSetupError } from '../../../src/core/hsm/errors.ts';
import { initLocalToken } from '../../../src/core/hsm/local-token.ts';
import { initTokenWithPins } from '../../../src/core/hsm/pkcs11/token-init.ts';
import { finalizeIdleModules, openHsm } from '../../../src/core/hsm/pkcs11-adapter.ts';
import { PROFILES } from '../../../src/core/hsm/profiles.ts';

interface SpawnedChild {
  file: string;
  args: string[];
  env: string[];
}

let byokHome: string;
let spawned: SpawnedChild[];

/** What node:child_process hands its (undocumented) ChildProcess.prototype.spawn for every child. */
interface InternalSpawnOptions {
  file?: string;
  args?: string[];
  envPairs?: string[];
}
const childPrototype = ChildProcess.prototype as unknown as {
  spawn(this: ChildProcess, options: InternalSpawnOptions): unknown;
};

beforeEach(async () => {
  byokHome = await mkdtemp(join(tmpdir(), 'byok-token-init-'));
  spawned = [];
  const original = childPrototype.spawn;
  vi.spyOn(childPrototype, 'spawn').mockImplementation(function (this: ChildProcess, options) {
    spawned.push({ file: options.file ?? '', args: options.args ?? [], env: options.envPairs ?? [] });
    return original.call(this, options);
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  finalizeIdleModules();
  await rm(byokHome, { recursive: true, force: true });
});

describe('initLocalToken(softhsm)', () => {
  it('passes neither PIN to a child process, and the token takes both PINs from their files', async () => {
    // Act
    const { config } = await initLocalToken({ byokHome, kind: 'softhsm' });
    // A child started after the init shows that the recorder sees children, argv and environment.
    await promisify(execFile)('/bin/true', ['recorder-check'], { env: { RECORDER: 'on' } });

    // Assess
    const pin = (await readFile(config.pinFile ?? '', 'utf8')).trim();
    const soPin = (await readFile(join(byokHome, 'hsm', 'softhsm', 'so-pin'), 'utf8')).trim();
    expect(pin.length).toBeGreaterThanOrEqual(24);
    expect(soPin.length).toBeGreaterThanOrEqual(24);
    expect(spawned.at(-1)).toMatchObject({ args: ['/bin/true', 'recorder-check'], env: ['RECORDER=on'] });
    // Only the programs are named: a failure must not print the PINs or the environment.
    const given = (child: SpawnedChild) => [child.file, ...child.args, ...child.env].join('\n');
    const givenPin = spawned.filter((child) => given(child).includes(pin)).map((child) => child.file);
    const givenSoPin = spawned.filter((child) => given(child).includes(soPin)).map((child) => child.file);
    expect({ givenPin, givenSoPin }).toEqual({ givenPin: [], givenSoPin: [] });
    for (const path of ['so-pin', 'softhsm2.conf']) {
      expect((await stat(join(byokHome, 'hsm', 'softhsm', path))).mode & 0o777, path).toBe(0o600);
    }
    expect((await stat(join(byokHome, 'hsm', 'softhsm', 'tokens'))).mode & 0o777).toBe(0o700);

    // The user PIN opens the token; the SO PIN logs in as the security officer.
    const hsm = await openHsm(config, { env: {} });
    await hsm.createKey({ label: 'after-init', type: 'AES_256' });
    const { pkcs11, session } = hsm.unsafeRawAccess();
    pkcs11.C_Logout(session);
    pkcs11.C_Login(session, pkcs11js.CKU_SO, soPin);
    pkcs11.C_Logout(session);
    await hsm.close();
    expect(config.tokenLabel).toBe(PROFILES.softhsm.defaultTokenLabel);
  });

  it('names the PKCS#11 step that failed, and quotes no PIN in the error or its causes', async () => {
    // Prepare: a SoftHSM2 token directory of our own, and an SO PIN longer than SoftHSM2 accepts (255)
    const tokenDir = join(byokHome, 'softhsm');
    await mkdir(join(tokenDir, 'tokens'), { recursive: true, mode: 0o700 });
    const conf = join(tokenDir, 'softhsm2.conf');
    await writeFile(
      conf,
      `directories.tokendir = ${join(tokenDir, 'tokens')}\nobjectstore.backend = file\n`,
      {
        mode: 0o600,
      },
    );
    const soPin = `so-${'x'.repeat(300)}`;
    const pin = 'user-pin-never-quoted';

    // Act
    const failure = (() => {
      try {
        initTokenWithPins(
          { profile: 'softhsm', library: PROFILES.softhsm.library, tokenLabel: 'byok', softhsm2Conf: conf },
          { soPin, pin },
        );
        return undefined;
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(failure).toBeInstanceOf(HsmTokenSetupError);
    expect((failure as Error).message).toMatch(
      /^C_InitToken failed while initialising token "byok" \(CKR_PIN_(INCORRECT|LEN_RANGE) 0x000000A[02]\)$/,
    );
    const everything = `${inspect(failure, { depth: 10, showHidden: true })}\n${JSON.stringify(failure)}`;
    expect(everything).not.toContain(soPin.slice(0, 40));
    expect(everything).not.toContain(pin);
    expect(spawned).toEqual([]);
  });
});
