// Issue 17: README's `AWS_ACCESS_KEY_ID=alice byok rotate --endpoint …` works without a secret key
// (the local stack takes the identity from the access key id), and without any identity the hint
// does not tell the user to pass the --endpoint they passed.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';

const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
let server: LocalUpProcess;
let endpoint: string;

function run(env: NodeJS.ProcessEnv, args: string[]) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('BYOK_')),
  );
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [byok, ...args],
      { env: { ...clean, HOME: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true', ...env } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  server = spawnLocalUp(['--port', '0', '--memory']);
  endpoint = await server.url;
});

afterAll(async () => {
  await server?.stop();
});

describe('the local identity', () => {
  it('AWS_ACCESS_KEY_ID alone is enough for the local approvals API', async () => {
    // Act
    const listed = await run({ AWS_ACCESS_KEY_ID: 'alice' }, ['approvals', '--endpoint', endpoint, '--json']);

    // Assess
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('without any identity the hint says how to give one, not to pass --endpoint', async () => {
    // Act
    const refused = await run({}, ['approvals', '--endpoint', endpoint]);

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('CredentialsProviderError');
    expect(refused.stderr).toContain('AWS_ACCESS_KEY_ID=alice');
    expect(refused.stderr).not.toContain('pass --endpoint');
  });
});
