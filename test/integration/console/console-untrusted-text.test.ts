// Text the console shows but does not control, written by whoever may write it in AWS: a key's
// description (the key's name in the Keys list when it has no alias) and the key an execution's
// input names. A right-to-left override made `\u202E` + "stnemyap" read "payments" in real Chromium
// (Trojan Source): a key of someone else's making passed for the custodian's payments key. The page
// now writes every bidirectional control and control character of a text node as \u{…}
// (src/onprem/console/ui/visible-text.ts).
import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import { TAG_MANAGED, TAG_MANAGED_VALUE } from '../../../src/core/import/tags.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { type ConsoleServer, startConsoleServer } from '../../../src/onprem/console/server.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctionsWithLocalToken,
} from '../../../src/onprem/simulation/step-functions.ts';
import { launchChromium } from '../../helpers/console.ts';

const RLO = '\u202E';

describe('byok console: text from AWS cannot pass for other text (real Chromium)', () => {
  let stack: LocalStack;
  let stepFunctions: AttachedStepFunctions;
  let server: ConsoleServer;
  let kms: KMSClient;
  let sfn: SFNClient;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    stack = await startLocalStack({ kmsPrewarmWrappingKeys: [] });
    stepFunctions = attachLocalStepFunctionsWithLocalToken(stack, { byokHome: '/nonexistent-byok-home' });
    server = await startConsoleServer({ endpoint: stack.url });
    kms = createKmsClient({ endpoint: stack.url });
    sfn = createSfnClient({ endpoint: stack.url });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    kms?.destroy();
    sfn?.destroy();
    await server?.close();
    await stepFunctions?.close();
    await stack?.stop();
  });

  it('shows a key described with a right-to-left override with the override written out', async () => {
    // Prepare: a managed key whose description renders as "payments" when shown raw.
    const created = await kms.send(
      new CreateKeyCommand({
        Origin: 'EXTERNAL',
        Description: `${RLO}stnemyap`,
        Tags: [{ TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE }],
      }),
    );
    const keyId = created.KeyMetadata?.KeyId ?? '';

    // Act
    await page.goto(`${new URL(server.url).origin}/#/keys`);
    const name = page.locator(`tr[data-key-id="${keyId}"] .key-name`);
    await name.waitFor();
    const shown = await name.textContent();

    // Assess
    expect(shown).toContain('\\u{202e}stnemyap');
    expect(shown).not.toContain(RLO);
  });

  it("shows the key an execution's input names with its override written out", async () => {
    // Prepare: a run started by someone who may start executions, naming a "key" that reads as another.
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: `arn:aws:states:${stack.region}:${stack.accountId}:stateMachine:import-key-material`,
        input: JSON.stringify({ keyId: `alias/${RLO}stnemyap` }),
      }),
    );

    // Act
    await page.goto(`${new URL(server.url).origin}/#/runs/${encodeURIComponent(started.executionArn ?? '')}`);
    const key = page.locator('[data-run-key]');
    await key.waitFor();
    const shown = await key.textContent();

    // Assess
    expect(shown).toContain('alias/\\u{202e}stnemyap');
    expect(shown).not.toContain(RLO);
  });
});
