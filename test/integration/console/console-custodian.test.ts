// Issue 20: the console a key custodian can work from, in real Chromium against a local stack with
// AWS's default KMS quotas and 220 managed keys. One key prepared for each status (Healthy, Due in N
// days, Expired, No material, Failing: <error>) by real imports through the import workflow on a real
// token and the stack's virtual clock; every key counted, none silently missing; keys named by alias
// and description; every action reachable at 1280 px and at 390 px (checked by element geometry);
// a failed run's graph with the failed state red and the failure path not green; a successful run's
// verdict with its proof; run→run navigation; the start form's key from the URL; a key no administrator
// bound shown as such, its import refused in the form until it is bound. Screenshots go to
// test-artifacts/console/. No EventBridge rules run here (the stack is in this process), so the
// clock can move without a sweep or the expiration rule reimporting anything behind the test's back.
import { createCipheriv, randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import { findStateMachineArns } from '../../../src/core/aws/state-machines.ts';
import { TAG_HSM_KEY_LABEL, TAG_MANAGED, TAG_MANAGED_VALUE } from '../../../src/core/import/tags.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { type ConsoleServer, startConsoleServer } from '../../../src/onprem/console/server.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctionsWithLocalToken,
} from '../../../src/onprem/simulation/step-functions.ts';
import { bindOnLocalStack } from '../../helpers/bindings.ts';
import { artifactPath, launchChromium } from '../../helpers/console.ts';
import { createTestToken } from '../../helpers/hsm.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

const DAY_MS = 86_400_000;

/** An AES key's check value: the first 3 bytes of AES-ECB(K, 0^128), as HSMs print it. */
function checkValueOf(material: Buffer): string {
  const cipher = createCipheriv('aes-256-ecb', material, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.alloc(16)), cipher.final()])
    .subarray(0, 3)
    .toString('hex');
}
const TOTAL_KEYS = 220;
const RUN_TIMEOUT_MS = 60_000;

describe('byok console for a key custodian: 220 keys, each status, runs and the form (real Chromium)', () => {
  let byokHome: string | undefined;
  let stack: LocalStack;
  let stepFunctions: AttachedStepFunctions;
  let server: ConsoleServer;
  let kms: KMSClient;
  let sfn: SFNClient;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const keys: Record<'healthy' | 'due' | 'expired' | 'noMaterial' | 'failing' | 'unbound', string> = {
    healthy: '',
    due: '',
    expired: '',
    noMaterial: '',
    failing: '',
    unbound: '',
  };
  const runs: Record<'healthy' | 'failing', string> = { healthy: '', failing: '' };
  let knownCheckValue = '';

  async function importInto(
    keyId: string,
    validForDays: number,
  ): Promise<{ executionArn: string; status: string; why: string }> {
    const machines = await findStateMachineArns(sfn, ['import-key-material']);
    const stateMachineArn = machines.get('import-key-material')?.[0] ?? '';
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ keyId, validForDays }) }),
    );
    const executionArn = started.executionArn ?? '';
    const until = Date.now() + RUN_TIMEOUT_MS;
    for (;;) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') {
        // The error and cause go with the status, so a failed preparation says why.
        const why = `${described.error ?? ''}: ${described.cause ?? ''}`;
        return { executionArn, status: described.status ?? '', why };
      }
      if (Date.now() > until) throw new Error(`import of ${keyId} still running`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Every link or button named `name` in the row is fully inside the window, and nothing covers it. */
  async function reachable(selector: string): Promise<{ inside: boolean; onTop: boolean; box: string }> {
    const element = page.locator(selector).first();
    await element.scrollIntoViewIfNeeded();
    // A string, evaluated in the page: the test itself is type-checked without the DOM library.
    return page.evaluate<{ inside: boolean; onTop: boolean; box: string }>(`(() => {
      const target = document.querySelector(${JSON.stringify(selector)});
      const box = target.getBoundingClientRect();
      const inside = box.left >= 0 && box.right <= window.innerWidth && box.width > 0 && box.height > 0;
      const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      return {
        inside,
        onTop: hit !== null && (hit === target || target.contains(hit)),
        box: Math.round(box.left) + '..' + Math.round(box.right) + ' of ' + window.innerWidth,
      };
    })()`);
  }

  beforeAll(async () => {
    const token = await createTestToken('nss');
    byokHome = token.byokHome;
    // One HSM key per KMS key: an HSM key is bound to one KMS key only (docs/bindings.md).
    for (const label of ['known-aes', 'due-aes', 'expired-aes', 'unimported-aes']) {
      const material = randomBytes(32);
      if (label === 'known-aes') knownCheckValue = checkValueOf(material);
      await token.hsm?.importKey({ label, type: 'AES_256', material });
    }
    await token.hsm?.close();
    stack = await startLocalStack({ port: 0, quotas: 'aws-default' });
    stepFunctions = attachLocalStepFunctionsWithLocalToken(stack, { byokHome });
    kms = createKmsClient({ endpoint: stack.url });
    sfn = createSfnClient({ endpoint: stack.url });

    // The five prepared keys: one named by alias and description, imported for 90 days (healthy
    // after 20), 30 days (due after 20: 10 days left inside the 14-day lead window), 15 days (expired
    // after 20), one never imported, one whose HSM key does not exist.
    const named = await kms.send(
      new CreateKeyCommand({
        Origin: 'EXTERNAL',
        Description: 'Card payments MAC key',
        Tags: [
          { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
          { TagKey: TAG_HSM_KEY_LABEL, TagValue: 'known-aes' },
        ],
      }),
    );
    keys.healthy = named.KeyMetadata?.KeyId ?? '';
    await bindOnLocalStack(stack.url, 'known-aes', named.KeyMetadata?.Arn ?? '');
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/payments-prod', TargetKeyId: keys.healthy }));
    keys.due = await createManagedExternalKey(kms, { hsmKeyLabel: 'due-aes' });
    keys.expired = await createManagedExternalKey(kms, { hsmKeyLabel: 'expired-aes' });
    keys.noMaterial = await createManagedExternalKey(kms, { hsmKeyLabel: 'unimported-aes' });
    keys.failing = await createManagedExternalKey(kms, { hsmKeyLabel: 'absent-from-token' });
    // Tagged, but no administrator bound its HSM key to it: the sweep and every import refuse it.
    keys.unbound = await createManagedExternalKey(kms, { hsmKeyLabel: 'unbound-aes', unbound: true });
    const healthy = await importInto(keys.healthy, 90);
    runs.healthy = healthy.executionArn;
    const due = await importInto(keys.due, 30);
    expect(due.status, due.why).toBe('SUCCEEDED');
    const expired = await importInto(keys.expired, 15);
    expect(expired.status, expired.why).toBe('SUCCEEDED');
    const failing = await importInto(keys.failing, 30);
    runs.failing = failing.executionArn;
    expect([healthy.status, failing.status], `${healthy.why} / ${failing.why}`).toEqual([
      'SUCCEEDED',
      'FAILED',
    ]);
    await stack.clock.advance(20 * DAY_MS);
    // The rest of the 220: managed keys without material (each bound to its own HSM key), four at a time.
    const rest = Array.from({ length: TOTAL_KEYS - Object.keys(keys).length }, (_, index) => index);
    for (let index = 0; index < rest.length; index += 4) {
      await Promise.all(
        rest
          .slice(index, index + 4)
          .map((number) => createManagedExternalKey(kms, { hsmKeyLabel: `fleet-${number}` })),
      );
    }

    server = await startConsoleServer({ endpoint: stack.url });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(server.url);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    kms?.destroy();
    sfn?.destroy();
    await stepFunctions?.close();
    await stack?.stop();
    if (byokHome) await rm(byokHome, { recursive: true, force: true });
  });

  it('counts all 220 keys under AWS-default quotas, each once, and shows each prepared status in custodian words', async () => {
    // Act
    const counts = page.locator('ul.counts');
    await counts.waitFor({ timeout: 120_000 });
    const count = async (name: string) =>
      Number(await counts.locator(`[data-count="${name}"] strong`).textContent());
    const status = async (keyId: string) =>
      page.locator(`tr[data-key-id="${keyId}"] [data-key-status]`).textContent();

    // Assess: every key counted, the parts add up, and every key is either a row or listed as unreadable.
    expect(await count('total')).toBe(TOTAL_KEYS);
    const parts = await Promise.all(
      ['healthy', 'due', 'expired', 'no-material', 'failing', 'unreadable'].map(count),
    );
    expect(parts.reduce((sum, part) => sum + part, 0)).toBe(TOTAL_KEYS);
    const rows = await page.locator('table.keys tbody tr').count();
    const unreadable = await page.locator('[data-unreadable]').count();
    expect(rows + unreadable).toBe(TOTAL_KEYS);
    expect(await status(keys.healthy)).toBe('Healthy');
    expect(await status(keys.due)).toBe('Due in 10 days');
    expect(await status(keys.expired)).toBe('Expired');
    expect(await status(keys.noMaterial)).toBe('No material');
    expect(await status(keys.failing)).toBe('Failing: HsmKeyNotFoundError');
    expect(await page.locator(`tr[data-key-id="${keys.failing}"] [data-key-next]`).textContent()).toMatch(
      /fails the same way until HsmKeyNotFoundError is fixed/,
    );
    // Named as custodians know it, the id secondary.
    const named = page.locator(`tr[data-key-id="${keys.healthy}"]`);
    expect(await named.locator('.key-name').textContent()).toBe('payments-prod');
    expect(await named.locator('.key-description').textContent()).toBe('Card payments MAC key');
    expect(await named.locator('.key-id code').textContent()).toBe(keys.healthy);
    expect(await named.locator('.materials li').first().textContent()).toMatch(
      /us-east-1 current, valid to \d{4}-\d{2}-\d{2}, check value [0-9a-f]{6}/,
    );
    // The check value recorded with the material is the HSM key's own.
    expect(await named.locator('.materials li [data-check-value]').first().textContent()).toBe(
      knownCheckValue,
    );
    // Where the console points, always in sight.
    expect(await page.locator('[data-target]').textContent()).toMatch(
      /local stack http:\/\/127\.0\.0\.1:\d+ \(account \d{12}, us-east-1\)/,
    );
    await page.screenshot({ path: await artifactPath('custodian-keys-1280.png') });
  });

  it.each([
    [1280, 900],
    [390, 844],
  ])(
    'keeps every action reachable and nothing clipped at %i px (element geometry)',
    async (width, height) => {
      // Prepare
      await page.setViewportSize({ width, height });
      await page.goto(`${server.origin}/#/keys`);
      await page.locator('table.keys tbody tr').nth(5).waitFor({ timeout: 60_000 });

      // Act: the prepared keys' actions, and the last column of their rows.
      const results: string[] = [];
      for (const keyId of Object.values(keys)) {
        for (const name of ['start', 'approvals']) {
          const selector = `tr[data-key-id="${keyId}"] a[href^="#/${name}?keyId="]`;
          const where = await reachable(selector);
          if (!where.inside || !where.onTop) results.push(`${selector}: ${where.box} on top ${where.onTop}`);
        }
        const lastRun = await reachable(`tr[data-key-id="${keyId}"] td[data-label="Last run"]`);
        if (!lastRun.inside) results.push(`last run of ${keyId}: ${lastRun.box}`);
        // No cell's content spills out of it (into the next column, or clipped).
        const cells = JSON.stringify(`tr[data-key-id="${keyId}"] > *`);
        const spilling = await page.evaluate<string[]>(
          `[...document.querySelectorAll(${cells})].filter((cell) => cell.scrollWidth > cell.clientWidth + 1).map((cell) => cell.dataset.label || 'Key')`,
        );
        for (const cell of spilling) results.push(`${cell} of ${keyId} spills out of its cell`);
      }
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );

      // Assess
      expect(results).toEqual([]);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.locator(`tr[data-key-id="${keys.failing}"]`).scrollIntoViewIfNeeded();
      await page.screenshot({ path: await artifactPath(`custodian-keys-${width}.png`) });
      await page.setViewportSize({ width: 1280, height: 900 });
    },
  );

  it('draws a failed run with the failed state red and the failure path never green, in legible labels', async () => {
    // Act
    await page.goto(`${server.origin}/#/runs/${encodeURIComponent(runs.failing)}`);
    await page.locator('[data-verdict="failed"]').waitFor();
    const fillOf = (state: string) =>
      page.evaluate<string>(
        `getComputedStyle(document.querySelector(${JSON.stringify(`g[data-state="${state}"] rect`)})).fill`,
      );
    // The whole path, from the failed state to where the run ended, in the frame at 1280×900: no
    // scrolling inside the graph to see how the run ended.
    const frameFits = await page.evaluate<boolean>(
      "(() => { const f = document.querySelector('.graph-frame'); return f.scrollHeight <= f.clientHeight && f.scrollWidth <= f.clientWidth; })()",
    );
    const smallestLabel = await page.evaluate<number>(
      "Math.min(...[...document.querySelectorAll('.state-graph g text:not(.node-type)')].map((t) => t.getBoundingClientRect().height))",
    );

    // Assess
    expect(await page.locator('g[data-state="GetParametersForImport"]').getAttribute('data-status')).toBe(
      'failed',
    );
    expect(await fillOf('GetParametersForImport')).toBe('rgb(253, 228, 225)');
    const green = 'rgb(220, 245, 227)';
    for (const state of ['FindFailedKeyId', 'KeepFailedKeyId', 'PublishFailed']) {
      expect(await page.locator(`g[data-state="${state}"]`).getAttribute('data-status')).toBe('failure-path');
      expect(await fillOf(state)).not.toBe(green);
    }
    expect(await page.locator('g[data-state="ImportFailed"]').getAttribute('data-status')).toBe('failed');
    expect(await fillOf('StartImport')).toBe(green);
    expect(smallestLabel).toBeGreaterThanOrEqual(12);
    expect(frameFits).toBe(true);
    const verdict = (await page.locator('[data-verdict]').textContent()) ?? '';
    expect(verdict).toContain('Failed: HsmKeyNotFoundError');
    expect(verdict).toContain('In GetParametersForImport.');
    expect(verdict).toContain('Nothing changed in KMS');
    await page.screenshot({ path: await artifactPath('custodian-run-failed.png'), fullPage: true });
  });

  it('goes from one run to another by link and Back, always showing the run the URL names', async () => {
    // Prepare
    const failingName = runs.failing.split(':').pop();
    const healthyName = runs.healthy.split(':').pop();
    await page.goto(`${server.origin}/#/runs/${encodeURIComponent(runs.failing)}`);
    await page.locator(`h1[data-run-name="${failingName}"]`).waitFor();

    // Act: a link to the other run, as the Runs page or a message would give it.
    await page.evaluate(`(() => {
      const link = document.createElement('a');
      link.href = ${JSON.stringify(`#/runs/${encodeURIComponent(runs.healthy)}`)};
      link.textContent = 'next run';
      document.querySelector('main').append(link);
      link.click();
      link.remove();
    })()`);
    await page.locator(`h1[data-run-name="${healthyName}"]`).waitFor();
    const verdict = page.locator('[data-verdict]');
    await verdict.waitFor();
    const afterLink = await verdict.getAttribute('data-verdict');
    const proof = (await verdict.textContent()) ?? '';
    await page.screenshot({ path: await artifactPath('custodian-run-verified.png'), fullPage: true });
    await page.goBack();
    await page.locator(`h1[data-run-name="${failingName}"]`).waitFor();

    // Assess: the second run's own verdict, with its proof; Back shows the first again.
    expect(afterLink).toBe('verified');
    expect(proof).toMatch(/Verified: decrypt matches/);
    expect(proof).toMatch(
      /Check value [0-9a-f]{6}: compare it with the KCV that `byok hsm list` shows for HSM key known-aes/,
    );
    expect(proof).toMatch(/Key state Enabled, valid to \d{4}-\d{2}-\d{2}/);
    expect(await page.locator('[data-verdict]').getAttribute('data-verdict')).toBe('failed');
  });

  it("always applies the URL's key id to a fresh start form, listed or not", async () => {
    // Prepare: a form with values typed in.
    await page.goto(`${server.origin}/#/start`);
    await page.getByLabel('Valid for (days)').fill('7');

    // Act
    await page.goto(`${server.origin}/#/start?keyId=${keys.due}`);
    // The managed keys load after the form: the URL's key is chosen as soon as the list has it.
    await expect.poll(() => page.getByLabel('KMS key').inputValue(), { timeout: 30_000 }).toBe(keys.due);
    const listedChoice = await page.getByLabel('KMS key').inputValue();
    const daysAfter = await page.getByLabel('Valid for (days)').inputValue();
    const replicasChecked = await page.getByLabel('Also import into the replica Regions').isChecked();
    const unlisted = 'arn:aws:kms:us-east-1:111122223333:key/0f0f0f0f-1111-2222-3333-444455556666';
    await page.goto(`${server.origin}/#/start?keyId=${encodeURIComponent(unlisted)}`);
    const unlistedValue = await page.getByLabel('Key id or ARN').inputValue();

    // Assess
    expect(listedChoice).toBe(keys.due);
    expect(daysAfter).toBe('');
    expect(replicasChecked).toBe(true);
    expect(unlistedValue).toBe(unlisted);
    expect(await page.locator('details.advanced').getAttribute('open')).toBeNull();
    await page.screenshot({ path: await artifactPath('custodian-start.png'), fullPage: true });
  });

  it('says which key no administrator bound, never promising the sweep imports it, and starts nothing until it is bound', async () => {
    // Prepare
    await page.goto(`${server.origin}/#/keys`);
    const row = page.locator(`tr[data-key-id="${keys.unbound}"]`);
    await row.waitFor({ timeout: 60_000 });
    const startButton = page.getByRole('button', { name: 'Start import' });

    // Act: the Keys page, then the start form before and after an administrator binds the HSM key.
    const badge = await row.locator('[data-key-binding]').getAttribute('data-key-binding');
    const next = (await row.locator('[data-key-next]').textContent()) ?? '';
    const statusWords = await row.locator('[data-key-status]').textContent();
    await page.goto(`${server.origin}/#/start?keyId=${keys.unbound}`);
    const refusal = page.locator('[data-hsm-key-refusal]');
    await refusal.waitFor({ timeout: 30_000 });
    const refusedText = await refusal.textContent();
    const disabledBefore = await startButton.isDisabled();
    await page.screenshot({ path: await artifactPath('custodian-start-unbound.png'), fullPage: true });
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keys.unbound }));
    await bindOnLocalStack(stack.url, 'unbound-aes', described.KeyMetadata?.Arn ?? '');
    await page.reload();
    await expect
      .poll(() => page.getByLabel('HSM key').locator('option').first().textContent(), { timeout: 30_000 })
      .toBe("unbound-aes, the key's byok:hsm-key-label tag, bound to this key");
    const refusalsAfter = await refusal.count();
    const disabledAfter = await startButton.isDisabled();

    // Assess
    expect(badge).toBe('unbound');
    expect(statusWords).toBe('No material');
    expect(next).toContain('HSM key unbound-aes is not bound to this key');
    expect(next).toContain(
      `byok bindings add --hsm-key unbound-aes --key-id ${keys.unbound} --endpoint ${stack.url}`,
    );
    expect(next).not.toMatch(/sweep (re)?imports it/);
    expect(refusedText).toContain(
      'HSM key unbound-aes is not bound to this key: the import would be refused',
    );
    expect(disabledBefore).toBe(true);
    expect(refusalsAfter).toBe(0);
    expect(disabledAfter).toBe(false);
  });
});
