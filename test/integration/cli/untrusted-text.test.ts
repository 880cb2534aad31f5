// Text written by other principals reaches the operator's terminal through the real CLI escaped: a
// key whose description (anyone with kms:UpdateKeyDescription) and last import run's error (anyone
// who can write the import-runs table) carry ESC sequences (erase line, carriage return, OSC 8
// hyperlink) and a right-to-left override (U+202E + "stnemyap" reads "payments"). `byok status`
// prints the run's error in its table; `--output json` prints the description too. Neither may hold
// a raw ESC, CR, BEL or U+202E (src/onprem/cli/terminal.ts); the JSON still parses to the very
// description KMS holds. (A label tag with them is refused as unreadable, quoted: checked before.)
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG_HSM_KEY_LABEL, TAG_MANAGED, TAG_MANAGED_VALUE } from '../../../src/core/import/tags.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { locateImportRunRecord } from '../../../src/onprem/import-runs/locate.ts';
import { type LocalApprovals, startLocalApprovals } from '../../../src/onprem/simulation/approvals.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/byok.js');
const REGION = 'us-east-1';
const FORGED = 'ok\u001b[2K\r\u001b]8;;https://attacker.example/\u0007\u202estnemyap\u001b]8;;\u0007';
const RAW = ['\r', '\u0007', '\u001b', '\u202e'];
const rawIn = (text: string) => RAW.filter((character) => text.includes(character));
let stack: LocalStack;
let approvals: LocalApprovals; // serves the import-runs record, as `byok local up` does
let keyId: string;

function byok(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('BYOK_') && !name.startsWith('AWS_')),
    );
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...clean, AWS_REGION: REGION }, timeout: 30_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, region: REGION, kmsPrewarmWrappingKeys: [] });
  approvals = await startLocalApprovals(stack);
  const kms = new KMSClient({
    endpoint: stack.url,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const created = await kms.send(
      new CreateKeyCommand({
        Origin: 'EXTERNAL',
        Description: FORGED,
        Tags: [
          { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
          { TagKey: TAG_HSM_KEY_LABEL, TagValue: 'payments-aes' },
        ],
      }),
    );
    keyId = created.KeyMetadata?.KeyId as string;
  } finally {
    kms.destroy();
  }
  const record = await locateImportRunRecord({ endpoint: stack.url, region: REGION });
  if (!record) throw new Error('the local stack advertises no import-runs record');
  try {
    await record.record({
      runId: '7a4c2f4e-3d1b-4b8e-9f6a-2c5d8e1f0a3b',
      keyId,
      target: stack.url,
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:00:01.000Z',
      outcome: 'FAILED',
      error: FORGED,
    });
  } finally {
    record.close();
  }
}, 30_000);

afterAll(async () => {
  await approvals?.stop();
  await stack?.stop();
});

describe('byok status with text of another principal', () => {
  it("prints the last run's error escaped in its row, with no raw ESC, CR or right-to-left override", async () => {
    // Act
    const result = await byok(['status', '--endpoint', stack.url]);

    // Assess: the key has no material (exit 3); its row holds the escaped error.
    expect(result.code, result.stderr).toBe(3);
    expect(rawIn(result.stdout)).toEqual([]);
    expect(rawIn(result.stderr)).toEqual([]);
    const row = result.stdout.split('\n').find((line) => line.includes(keyId));
    expect(row).toContain(
      'FAILED (ok\\u{001b}[2K\\u{000d}\\u{001b}]8;;https://attacker.example/\\u{0007}\\u{202e}stnemyap',
    );
  });

  it('prints JSON with the description escaped that parses to the description KMS holds', async () => {
    // Act
    const result = await byok(['status', '--endpoint', stack.url, '--output', 'json']);

    // Assess
    expect(rawIn(result.stdout)).toEqual([]);
    expect(result.stdout).toContain('\\u202estnemyap');
    const report = JSON.parse(result.stdout) as { keys: { keyId: string; description: string }[] };
    expect(report.keys.find((key) => key.keyId === keyId)?.description).toBe(FORGED);
  });
});
