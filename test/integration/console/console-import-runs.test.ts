// Issue 20: runs of `byok import` (which runs the import workflow in its own process, not as a Step
// Functions execution) are visible on the console's Runs page next to the executions, read from the
// import-runs record `byok import` writes (src/onprem/import-runs, DynamoDbImportRunRecord) on a real
// DynamoDB-compatible endpoint (dynalite). The local stack tells where the record is at
// GET /_byok/import-runs, as `byok local up` does. An interrupted run shows INTERRUPTED with what KMS
// holds (unverified) and the command that finishes it, never as a success.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbDocumentClient, createKmsClient } from '../../../src/core/aws/clients.ts';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../src/local/dynamodb/server.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { type ConsoleServer, startConsoleServer } from '../../../src/onprem/console/server.ts';
import { DynamoDbImportRunRecord } from '../../../src/onprem/import-runs/store.ts';
import { ensureImportRunsTable, LOCAL_IMPORT_RUNS_TABLE } from '../../../src/onprem/import-runs/table.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctionsWithLocalToken,
} from '../../../src/onprem/simulation/step-functions.ts';
import { artifactPath, launchChromium } from '../../helpers/console.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

describe('byok console: runs of byok import next to the executions (real Chromium, dynalite)', () => {
  let stack: LocalStack;
  let stepFunctions: AttachedStepFunctions;
  let dynamo: LocalDynamoDb;
  let server: ConsoleServer;
  let browser: Browser | undefined;
  const interrupted = randomUUID();
  const succeeded = randomUUID();
  let KEY: string;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    stepFunctions = attachLocalStepFunctionsWithLocalToken(stack, { byokHome: '/nonexistent-byok-home' });
    const kms = createKmsClient({ endpoint: stack.url });
    KEY = await createManagedExternalKey(kms, { hsmKeyLabel: 'payments' });
    kms.destroy();
    dynamo = await startLocalDynamoDb();
    const control = new DynamoDBClient({
      endpoint: dynamo.url,
      region: stack.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureImportRunsTable(control, LOCAL_IMPORT_RUNS_TABLE);
    control.destroy();
    const client = createDynamoDbDocumentClient({ endpoint: dynamo.url, region: stack.region });
    const record = new DynamoDbImportRunRecord({ client, tableName: LOCAL_IMPORT_RUNS_TABLE });
    await record.record({
      runId: succeeded,
      keyId: KEY,
      target: stack.url,
      startedAt: '2026-01-07T09:00:00.000Z',
      endedAt: '2026-01-07T09:00:03.000Z',
      outcome: 'SUCCEEDED',
      kms: 'changed',
      host: 'hsm-host-1',
    });
    await record.record({
      runId: interrupted,
      keyId: KEY,
      target: stack.url,
      startedAt: '2026-01-07T10:00:00.000Z',
      endedAt: '2026-01-07T10:00:01.000Z',
      outcome: 'INTERRUPTED',
      kms: 'unverified',
      lastState: 'ImportKeyMaterial',
      error: 'SIGINT',
      next: `byok import --key-id ${KEY}`,
      host: 'hsm-host-1',
    });
    client.destroy();
    // As `byok local up` advertises it.
    stack.server.addAdminRoute('import-runs', () => ({
      dynamoDbUrl: dynamo.url,
      tableName: LOCAL_IMPORT_RUNS_TABLE,
    }));
    server = await startConsoleServer({ endpoint: stack.url });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await stepFunctions?.close();
    await dynamo?.stop();
    await stack?.stop();
  });

  it('lists the interrupted and the finished byok import runs, the interrupted one never as a success', async () => {
    // Prepare
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);

    // Act
    await page.goto(`${server.origin}/#/runs`);
    const rows = page.locator(`table.runs tbody tr[data-execution-arn^="byok-import:"]`);
    await rows.nth(1).waitFor();
    await page.getByLabel('Show').selectOption('byok-import');
    const texts = await rows.allTextContents();

    // Assess: newest first; the interrupted run with its status, what KMS holds, and what to run next.
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain(`byok import ${interrupted.slice(0, 8)}`);
    expect(texts[0]).toContain('INTERRUPTED');
    expect(texts[0]).toContain('SIGINT');
    expect(texts[0]).toContain('in ImportKeyMaterial; KMS may hold new material that was never verified');
    expect(texts[0]).toContain(`next: byok import --key-id ${KEY}`);
    expect(texts[0]).not.toContain('SUCCEEDED');
    expect(texts[1]).toContain('SUCCEEDED');
    expect(texts[1]).toContain('byok import');
    expect(await page.locator('[data-import-runs-unavailable]').count()).toBe(0);
    await page.screenshot({ path: await artifactPath('runs-byok-import.png'), fullPage: true });
    await page.close();
  });

  it('never shows the key of an interrupted byok import as fine: the Keys page says it was not verified', async () => {
    // Prepare
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);

    // Act
    const row = page.locator(`tr[data-key-id="${KEY}"]`);
    await row.waitFor();

    // Assess
    expect(await row.locator('[data-key-status]').textContent()).toBe('Interrupted: not verified');
    expect(await row.locator('[data-key-next]').textContent()).toMatch(
      /interrupted by SIGINT before it verified/,
    );
    expect(await row.locator('td[data-label="Last run"]').textContent()).toContain(
      'interrupted, not verified (interrupted by SIGINT)',
    );
    await page.close();
  });

  it('says so, instead of failing, where no record is kept', { timeout: 90_000 }, async () => {
    // Prepare: a stack that advertises no record.
    const bare = await startLocalStack({ port: 0 });
    const bareConsole = await startConsoleServer({ endpoint: bare.url });
    const attached = attachLocalStepFunctionsWithLocalToken(bare, { byokHome: '/nonexistent-byok-home' });
    const page = await (browser as Browser).newPage();
    try {
      // Act
      await page.goto(bareConsole.url);
      await page.goto(`${bareConsole.origin}/#/runs`);
      const note = page.locator('[data-import-runs-unavailable]');
      // No reload: a first listing that stalls (seen twice on a busy machine, cause not found) is
      // now given up by the page itself at its deadline, with a named error, and the next poll asks
      // again (poller.ts, server.ts API_DEADLINE_MS): the note comes within one deadline and a poll.
      await note.waitFor({ timeout: 75_000 });

      // Assess
      expect(await page.locator('.error-box').allTextContents()).toEqual([]);
      expect(await note.textContent()).toContain('keeps no record of `byok import` runs');
    } finally {
      await page.close();
      await bareConsole.close();
      await attached.close();
      await bare.stop();
    }
  });
});
