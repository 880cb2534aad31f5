// The Rotations and approvals page in real headless Chromium, as two people use it: `byok local up`
// (with its approvals API) over a token holding known material, and two `byok console` processes
// with two identities (AWS_ACCESS_KEY_ID alice and bob; the local convention names the caller by
// the access key id). Alice requests a rotation; her own Approve is refused on the page with
// SelfApprovalError; Bob approves in his console; the rotation runs to the end (the key's
// CurrentKeyMaterialId changes, its run appears on the Runs page, both materials on the Keys page).
// Every approvals response either browser received is scanned: no task token, no material, no PIN.
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Browser, Page } from 'playwright-core';
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
const RUN_TIMEOUT_MS = 60_000;

interface Person {
  console: ConsoleProcess;
  origin: string;
  page: Page;
  /** The session secret of this console (from its printed URL). */
  secret: string;
}

describe('byok console: Rotations and approvals, two identities, in a real browser', () => {
  let byokHome: string | undefined;
  let pin: Buffer;
  let local: LocalUpProcess | undefined;
  let endpoint: string;
  let kms: KMSClient;
  let browser: Browser | undefined;
  const people: Record<'alice' | 'bob', Person | undefined> = { alice: undefined, bob: undefined };
  const seenTexts: Array<[string, string]> = [];
  let keyId: string;
  let materialBefore: string | undefined;
  let requestId: string;

  async function openConsole(name: 'alice' | 'bob'): Promise<Person> {
    const consoleProcess = spawnConsole(['--endpoint', endpoint, '--port', '0'], {
      AWS_ACCESS_KEY_ID: name,
      AWS_SECRET_ACCESS_KEY: `${name}-secret`,
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
    });
    const url = await consoleProcess.url;
    const context = await (browser as Browser).newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const origin = new URL(url).origin;
    page.on('response', async (response) => {
      if (!response.url().startsWith(origin)) return;
      seenTexts.push([`${name} ${response.url()}`, await response.text().catch(() => '')]);
    });
    await page.goto(url);
    const secret = new URLSearchParams(new URL(url).hash.slice(1)).get('session') ?? '';
    return { console: consoleProcess, origin, page, secret };
  }

  const person = (name: 'alice' | 'bob'): Person => people[name] as Person;

  beforeAll(async () => {
    const token = await createTestToken('nss');
    byokHome = token.byokHome;
    pin = Buffer.from((await readFile(token.config.pinFile as string, 'utf8')).trim());
    await token.hsm?.importKey({ label: 'known-aes', type: 'AES_256', material: knownAes });
    await token.hsm?.close();
    local = spawnLocalUp(['--port', '0', '--memory'], { BYOK_HOME: byokHome });
    endpoint = await local.url;
    kms = createKmsClient({ endpoint });
    browser = await launchChromium();
    people.alice = await openConsole('alice');
    people.bob = await openConsole('bob');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await people.alice?.console.stop();
    await people.bob?.console.stop();
    kms?.destroy();
    await local?.stop();
    if (byokHome) await rm(byokHome, { recursive: true, force: true });
  });

  it('shows each console its own identity, from its credentials', async () => {
    // Prepare: a key holding the known material, imported from alice's console.
    const { page, origin } = person('alice');
    keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'known-aes' });
    await page.goto(`${origin}/#/start?keyId=${keyId}`);
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.waitForURL(/#\/runs\/arn%3Aaws%3Astates/);
    await page
      .locator('[data-run-status]')
      .filter({ hasText: /SUCCEEDED|FAILED/ })
      .waitFor({ timeout: RUN_TIMEOUT_MS });
    expect(await page.locator('[data-run-status]').textContent()).toBe('SUCCEEDED');
    materialBefore = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
      ?.CurrentKeyMaterialId;

    // Act: from the key's Rotate… link on the Keys page.
    await page.goto(`${origin}/#/keys`);
    await page.locator(`tr[data-key-id="${keyId}"]`).getByRole('link', { name: 'Rotate…' }).click();
    await person('bob').page.goto(`${person('bob').origin}/#/approvals`);

    // Assess
    await page.locator('[data-identity]').filter({ hasText: 'alice' }).waitFor();
    expect(await page.locator('[data-identity]').textContent()).toBe('arn:aws:iam::111122223333:user/alice');
    await person('bob').page.locator('[data-identity]').filter({ hasText: 'bob' }).waitFor();
    expect(await person('bob').page.locator('[data-identity]').textContent()).toBe(
      'arn:aws:iam::111122223333:user/bob',
    );
  });

  it('requests a rotation as alice, who is offered no Approve on her own request (and whose vote the API refuses)', async () => {
    // Prepare
    const { page } = person('alice');

    // Act: request, wait for the new material's check value, then try to vote as the requester anyway.
    await expect.poll(() => page.getByLabel('Key to rotate').inputValue(), { timeout: 30_000 }).toBe(keyId);
    await page.getByLabel('Reason', { exact: true }).fill('yearly rotation');
    await page.getByRole('button', { name: 'Request rotation' }).click();
    const requested = page.getByRole('status');
    await requested.filter({ hasText: 'Rotation requested' }).waitFor();
    requestId = /Rotation requested: ([0-9a-f-]{36})/.exec((await requested.textContent()) ?? '')?.[1] ?? '';
    const card = page.locator(`li[data-request-id="${requestId}"]`);
    await card.locator('[data-check-value]').waitFor({ timeout: RUN_TIMEOUT_MS });
    await page.screenshot({ path: await artifactPath('approvals-requested.png'), fullPage: true });
    const forced = await page.evaluate<{ status: number; error: string }>(
      `fetch('/api/approvals/${requestId}/vote', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-byok-session': sessionStorage.getItem('byok-console-session') },
        body: JSON.stringify({ decision: 'approve', reason: 'mine, so it should not count' }),
      }).then(async (r) => ({ status: r.status, error: (await r.json()).error }))`,
    );

    // Assess: no Approve for the requester, and why; the API refuses the vote all the same.
    expect(await card.getByRole('button', { name: 'Approve…' }).count()).toBe(0);
    expect(await card.locator('[data-own-request]').textContent()).toMatch(
      /You requested this rotation, so you cannot approve it.*SelfApprovalError/,
    );
    expect(forced).toEqual({ status: 403, error: 'SelfApprovalError' });
    expect(await card.textContent()).toContain('arn:aws:iam::111122223333:user/alice (you)');
    expect(await card.textContent()).toContain('yearly rotation');
    expect(await card.locator('[data-votes]').textContent()).toContain('0/1 approvals');
    expect(await card.locator('[data-check-value]').textContent()).toMatch(/^[0-9a-f]{6}$/);
    expect(await card.locator('[data-check-how]').textContent()).toContain('byok hsm list');
    const unlabelled = await page.evaluate<number>(
      "[...document.querySelectorAll('input, select, textarea')].filter((e) => !e.labels || e.labels.length === 0).length",
    );
    expect(unlabelled).toBe(0);
    await page.screenshot({
      path: await artifactPath('approvals-own-request.png'),
      fullPage: true,
    });
  });

  it('approves as bob from the waiting run’s link, and the rotation completes: new current material, the run on Runs, both materials on Keys, the voter under Ended', async () => {
    // Prepare: bob finds the rotation's run, waiting for approval.
    const { page, origin } = person('bob');
    await page.goto(`${origin}/#/runs`);
    await page.getByLabel('Show').selectOption('rotation');
    await page.locator('table.runs tbody tr').first().locator('a').click();
    const waiting = page.locator('[data-verdict="waiting-approval"]');
    await waiting.waitFor({ timeout: RUN_TIMEOUT_MS });
    await page.screenshot({ path: await artifactPath('rotation-waiting.png'), fullPage: true });

    // Act: follow the run's link to the vote, approve with the keyboard, then let the stack's clock
    // run through KMS's rotation delay.
    await waiting.locator('[data-approval-link]').click();
    await page.waitForURL(new RegExp(`#/approvals\\?requestId=${requestId}`));
    const card = page.locator(`li[data-request-id="${requestId}"]`);
    await card.waitFor();
    expect(await card.getAttribute('class')).toContain('request-focused');
    await card.getByRole('button', { name: 'Approve…' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('checked the KCV against the HSM');
    await card.getByRole('button', { name: 'Confirm approval' }).click();
    await page.getByRole('status').filter({ hasText: 'quorum reached' }).waitFor();
    const endedRow = page.locator(`table.ended-requests tr[data-request-id="${requestId}"]`);
    await endedRow.waitFor();
    await page.screenshot({ path: await artifactPath('approvals-approved.png'), fullPage: true });
    let materialAfter = materialBefore;
    const until = Date.now() + RUN_TIMEOUT_MS;
    while (materialAfter === materialBefore && Date.now() < until) {
      await fetch(`${endpoint}/_byok/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advance: '30s' }),
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      materialAfter = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
        ?.CurrentKeyMaterialId;
    }

    // Assess: the voter, their reason and time under Ended; KMS rotated; the run succeeds; the key
    // shows both materials.
    const votes = (await endedRow.locator('[data-ended-votes]').textContent()) ?? '';
    expect(votes).toMatch(
      /user\/bob approved \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: checked the KCV against the HSM/,
    );
    expect(await endedRow.textContent()).toContain('yearly rotation');
    expect(materialAfter).toBeDefined();
    expect(materialAfter).not.toBe(materialBefore);
    await page.goto(`${origin}/#/runs`);
    await page.getByLabel('Show').selectOption('rotation');
    const runLink = page.locator('table.runs tbody tr').first().locator('a');
    await runLink.waitFor();
    await runLink.click();
    const status = page.locator('[data-run-status]');
    await status.filter({ hasText: /SUCCEEDED|FAILED/ }).waitFor({ timeout: RUN_TIMEOUT_MS });
    expect(await status.textContent()).toBe('SUCCEEDED');
    expect(await page.locator('g[data-state="RotateKeyOnDemand"]').getAttribute('data-status')).toBe(
      'succeeded',
    );
    expect(await page.locator('[data-approval-link]').getAttribute('href')).toBe(
      `#/approvals?requestId=${requestId}`,
    );
    // The rotation's proof first: the new material current, the check value the approver confirmed.
    const verdict = page.locator('[data-verdict]');
    expect(await verdict.getAttribute('data-verdict')).toBe('verified');
    const proof = (await verdict.textContent()) ?? '';
    expect(proof).toContain('Verified: rotated to the approved material');
    expect(proof).toContain(`New material ${materialAfter?.slice(0, 12)}… is current`);
    expect(proof).toMatch(/Check value [0-9a-f]{6}: compare it with the KCV that `byok hsm list` shows/);
    expect(proof).toContain('Approved by arn:aws:iam::111122223333:user/bob.');
    await page.screenshot({ path: await artifactPath('rotation-run.png'), fullPage: true });
    await page.goto(`${origin}/#/keys`);
    const row = page.locator(`tr[data-key-id="${keyId}"]`);
    await row.waitFor();
    await row.locator(`code[title="KeyMaterialId ${materialAfter}"]`).waitFor({ timeout: 15_000 });
    expect(await row.locator(`code[title="KeyMaterialId ${materialBefore}"]`).count()).toBe(1);
    const materials = await row.locator('.materials li').allTextContents();
    expect(materials.map((text) => /\b(current|previous)\b/.exec(text)?.[1]).sort()).toEqual([
      'current',
      'previous',
    ]);
    await page.screenshot({ path: await artifactPath('keys-after-rotation.png'), fullPage: true });
    await page.goto(`${origin}/#/approvals`);
    await page.locator(`table.ended-requests tr[data-request-id="${requestId}"]`).waitFor();
    expect(await page.locator(`tr[data-request-id="${requestId}"]`).textContent()).toContain('APPROVED');
  });

  it('is readable on a narrow window', async () => {
    // Act
    const { page, origin } = person('alice');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${origin}/#/approvals`);
    await page.locator('[data-identity]').filter({ hasText: 'alice' }).waitFor();

    // Assess
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: await artifactPath('approvals-narrow.png'), fullPage: true });
  });

  it('never hands the page a task token, the material or the PIN', async () => {
    // Prepare: the rotation's run page too (its history went through the approval task).
    const { origin } = person('bob');
    const session = { 'x-byok-session': person('bob').secret };
    const listed = JSON.parse(
      (await consoleRequest(origin, '/api/approvals', { headers: session })).body,
    ) as {
      requests: { requestId: string; executionArn: string | null }[];
    };
    seenTexts.push(['bob approvals', JSON.stringify(listed)]);
    const executionArn = listed.requests.find((request) => request.requestId === requestId)?.executionArn;
    const runDetail = await consoleRequest(origin, `/api/runs/${encodeURIComponent(executionArn ?? '')}`, {
      headers: session,
    });
    seenTexts.push(['bob rotation run detail', runDetail.body]);

    // Assess: the local runner's task tokens are `byok1.` + 43 base64url characters (tokens.ts).
    expect(runDetail.status).toBe(200);
    const approvalsTexts = seenTexts.filter(
      ([what]) => what.includes('/api/approvals') || what.includes('/api/rotations'),
    );
    expect(approvalsTexts.length).toBeGreaterThan(3);
    for (const [what, text] of seenTexts) {
      expect(text, `${what} carries a task token`).not.toMatch(/byok1\.[A-Za-z0-9_-]{43}/);
      expectNoSecret(text, knownAes, what);
      expectNoSecret(text, pin, `${what} (PIN)`);
    }
    for (const [, text] of approvalsTexts) expect(text).not.toMatch(/taskToken/i);
  });
});
