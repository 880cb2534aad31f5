// The console in real headless Chromium against a local stack, all as a user runs them: `byok local
// up` over a token holding known key material, `byok console --endpoint`, and the browser. An import
// started from the form succeeds and shows on the key's timeline; one for a key whose HSM key is
// missing fails in GetParametersForImport with the named error and its hint. Every page is
// screenshotted into test-artifacts/console/, and every page and API response is scanned for the
// known material.
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import {
  artifactPath,
  type ConsoleProcess,
  consoleRequest,
  launchChromium,
  spawnConsole,
} from '../../helpers/console.ts';
import { createTestToken } from '../../helpers/hsm.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';
import { expectNoSecret } from '../../helpers/secret-scan.ts';

const knownAes = randomBytes(32);
const RUN_TIMEOUT_MS = 45_000;

describe('byok console in a real browser, against the local stack', () => {
  let byokHome: string | undefined;
  let pin: Buffer;
  let local: LocalUpProcess | undefined;
  let consoleProcess: ConsoleProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let kms: KMSClient;
  let consoleUrl: string;
  let origin: string;
  const seenTexts: Array<[string, string]> = [];

  beforeAll(async () => {
    const token = await createTestToken('nss');
    byokHome = token.byokHome;
    pin = Buffer.from((await readFile(token.config.pinFile as string, 'utf8')).trim());
    await token.hsm?.importKey({ label: 'known-aes', type: 'AES_256', material: knownAes });
    await token.hsm?.close();
    local = spawnLocalUp(['--port', '0', '--memory'], { BYOK_HOME: byokHome });
    const endpoint = await local.url;
    kms = createKmsClient({ endpoint });
    consoleProcess = spawnConsole(['--endpoint', endpoint, '--port', '0']);
    consoleUrl = await consoleProcess.url;
    origin = new URL(consoleUrl).origin;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('response', async (response) => {
      if (!response.url().startsWith(origin)) return;
      const text = await response.text().catch(() => '');
      seenTexts.push([response.url(), text]);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await consoleProcess?.stop();
    kms?.destroy();
    await local?.stop();
    if (byokHome) await rm(byokHome, { recursive: true, force: true });
  });

  async function startImportFromForm(keyId: string): Promise<void> {
    await page.goto(`${origin}/#/start?keyId=${keyId}`);
    await page.getByLabel('Valid for (days)').fill('30');
    await page.getByText('Advanced options').click();
    await page.getByLabel('Wrapping key size').selectOption('RSA_2048');
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.waitForURL(/#\/runs\/arn%3Aaws%3Astates/);
  }

  it('opens from the printed URL, keeping the secret in the tab (no cookie) and dropping it from the address bar', async () => {
    // Act
    await page.goto(consoleUrl);

    // Assess
    expect(page.url()).toBe(`${origin}/#/keys`);
    await expect(page.getByRole('heading', { name: 'Keys', level: 1 }).isVisible()).resolves.toBe(true);
    expect(await context.cookies()).toEqual([]);
  });

  it('starts an import from the form, follows it to SUCCEEDED and shows the key on the timeline', async () => {
    // Prepare
    const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'known-aes' });

    // Act
    await startImportFromForm(keyId);
    const status = page.locator('[data-run-status]');
    await status.filter({ hasText: /SUCCEEDED|FAILED/ }).waitFor({ timeout: RUN_TIMEOUT_MS });

    // Assess
    expect(await status.textContent()).toBe('SUCCEEDED');
    for (const state of ['GetParametersForImport', 'WrapKeyMaterial', 'ImportKeyMaterial', 'VerifyImport']) {
      expect(await page.locator(`g[data-state="${state}"]`).getAttribute('data-status')).toBe('succeeded');
    }
    // The failure handling this run did not need is folded into one box, drawn as not visited.
    const folded = page.locator('g[data-state="(on failure)"]');
    expect(await folded.getAttribute('data-status')).toBe('not-visited');
    expect((await folded.getAttribute('data-members'))?.split(',')).toContain('PublishFailed');
    expect(await page.locator('[data-verdict]').getAttribute('data-verdict')).toBe('verified');
    await page.locator('g[data-state="VerifyImport"]').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'State VerifyImport' }).waitFor({ timeout: 5000 });
    expect(await page.locator('.state-detail').textContent()).toContain('encrypt-decrypt');
    await page.screenshot({ path: await artifactPath('run-succeeded.png'), fullPage: true });

    await page.getByRole('link', { name: 'Keys' }).click();
    const row = page.locator(`tr[data-key-id="${keyId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('known-aes');
    expect(await row.textContent()).toContain('succeeded');
    const bar = page.locator(`.timeline li[data-key-id="${keyId}"] svg`);
    expect(await bar.getAttribute('aria-label')).toMatch(/valid to \d{4}-\d{2}-\d{2} .*reimport from/);
    await page.screenshot({ path: await artifactPath('keys.png'), fullPage: true });
  });

  it('shows a run whose HSM key is missing as failed in GetParametersForImport, with HsmKeyNotFoundError and its hint', async () => {
    // Prepare
    const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'absent-from-token' });

    // Act
    await startImportFromForm(keyId);
    const status = page.locator('[data-run-status]');
    await status.filter({ hasText: /SUCCEEDED|FAILED/ }).waitFor({ timeout: RUN_TIMEOUT_MS });

    // Assess
    expect(await status.textContent()).toBe('FAILED');
    const alert = page.getByRole('alert').first();
    expect(await alert.textContent()).toContain('HsmKeyNotFoundError');
    expect(await alert.textContent()).toContain('absent-from-token');
    expect(await alert.textContent()).toContain('byok hsm list');
    expect(await page.locator('g[data-state="GetParametersForImport"]').getAttribute('data-status')).toBe(
      'failed',
    );
    expect(await page.locator('g[data-state="WrapKeyMaterial"]').getAttribute('data-status')).toBe(
      'not-visited',
    );
    await page.screenshot({ path: await artifactPath('run-failed.png'), fullPage: true });
  });

  it('refuses an invalid form in the page, naming the field, without starting anything', async () => {
    // Prepare
    await page.goto(`${origin}/#/start`);
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });

    // Act
    await page.getByLabel('KMS key').selectOption({ label: 'Another key: enter its id or ARN' });
    await page.getByLabel('Key id or ARN').fill('alias/payments');
    await page.getByLabel('Valid for (days)').fill('400');
    await page.getByRole('button', { name: 'Start import' }).click();

    // Assess
    expect(await page.locator('#field-keyId-error').textContent()).toContain('aliases are refused');
    expect(await page.locator('#field-validForDays-error').textContent()).toContain('365');
    expect(await page.getByLabel('Key id or ARN').getAttribute('aria-invalid')).toBe('true');
    expect(posts).toEqual([]);
    const unlabelled = await page.evaluate<number>(
      "[...document.querySelectorAll('input, select, textarea')].filter((e) => !e.labels || e.labels.length === 0).length",
    );
    expect(unlabelled).toBe(0);
    await page.screenshot({ path: await artifactPath('start-import.png'), fullPage: true });
  });

  it('lists both runs on the Runs page and stays readable on a narrow window', async () => {
    // Act
    await page.goto(`${origin}/#/runs`);
    await page.locator('table.runs tbody tr').nth(1).waitFor();

    // Assess
    const statuses = await page.locator('table.runs tbody .badge').allTextContents();
    expect(statuses.sort()).toEqual(['FAILED', 'SUCCEEDED']);
    await page.screenshot({ path: await artifactPath('runs.png'), fullPage: true });
    await page.getByLabel('Show').selectOption('FAILED');
    expect(await page.locator('table.runs tbody .badge').allTextContents()).toEqual(['FAILED']);
    await page.getByLabel('Show').selectOption('all');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${origin}/#/keys`);
    await page.locator('table.keys tbody tr').nth(1).waitFor();
    // A string, evaluated in the page: the test itself is type-checked without the DOM library.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: await artifactPath('keys-narrow.png'), fullPage: true });
    await page.goto(`${origin}/#/runs`);
    await page.locator('table.runs tbody a').first().click();
    await page.locator('g[data-state="StartImport"]').waitFor();
    const runOverflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(runOverflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: await artifactPath('run-narrow.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('never shows the key material or the PIN: every page and API response the browser received is clean', async () => {
    // Prepare: the API responses of a run page and the keys page, with the state inputs and outputs.
    const session = {
      'x-byok-session': new URLSearchParams(new URL(consoleUrl).hash.slice(1)).get('session') ?? '',
    };
    const runs = JSON.parse((await consoleRequest(origin, '/api/runs', { headers: session })).body) as {
      runs: { executionArn: string }[];
    };
    for (const run of runs.runs) {
      const detail = await consoleRequest(origin, `/api/runs/${encodeURIComponent(run.executionArn)}`, {
        headers: session,
      });
      seenTexts.push([detail.url, detail.body]);
    }

    // Assess
    expect(seenTexts.length).toBeGreaterThan(5);
    expect(seenTexts.some(([url]) => url.includes('/api/runs/'))).toBe(true);
    const html = await page.content();
    for (const [what, text] of [...seenTexts, ['page DOM', html] as [string, string]]) {
      expectNoSecret(text, knownAes, what);
      expectNoSecret(text, pin, `${what} (PIN)`);
    }
    expect(seenTexts.map(([, text]) => text).join('\n')).not.toMatch(
      /"(importToken|wrappedKeyMaterial)":"[A-Za-z0-9+/]/,
    );
  });
});
