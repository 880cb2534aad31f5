import { GenerateMacCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportHarness, startImportHarness, statesEntered } from '../../helpers/import-harness.ts';

describe('import workflow, HMAC keys (real ASL, local KMS endpoint, NSS token)', () => {
  let harness: ImportHarness;

  beforeAll(async () => {
    harness = await startImportHarness({
      keys: [
        { label: 'hmac-256', type: 'HMAC_256' },
        { label: 'hmac-512', type: 'HMAC_512' },
      ],
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it.each([
    ['HMAC_256', 'hmac-256', 'HMAC_SHA_256'],
    ['HMAC_512', 'hmac-512', 'HMAC_SHA_512'],
  ] as const)('imports a %s key and proves it with a MAC challenge', async (keySpec, label, macAlgorithm) => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec,
      keyUsage: 'GENERATE_VERIFY_MAC',
      hsmKeyLabel: label,
    });

    // Act
    const result = await harness.run({ keyId, validForDays: 30 });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(statesEntered(result)).toEqual([
      'StartImport',
      'GetParametersForImport',
      'WrapKeyMaterial',
      'ImportKeyMaterial',
      'VerifyImport',
      'HasReplicas',
      'PublishSucceeded',
      'ImportSucceeded',
    ]);
    const output = result.output as {
      keyId: string;
      evidence: { method: string; checks: Array<{ name: string; passed: boolean }> };
    };
    // The success event reached the local EventBridge (source byok) with the result as detail.
    expect(result.publishedEvents).toEqual([
      expect.objectContaining({ detailType: 'byok Key Material Imported', delivered: true, detail: output }),
    ]);
    const bus = (await (await fetch(`${harness.stack.url}/_byok/events?source=byok`)).json()) as {
      events: Array<{ 'detail-type': string; detail: { keyId: string } }>;
    };
    expect(
      bus.events.filter((event) => event.detail.keyId === output.keyId).map((event) => event['detail-type']),
    ).toEqual(['byok Key Material Imported']);
    expect(output.evidence.method).toBe('mac-challenge');
    expect(output.evidence.checks.every((check) => check.passed)).toBe(true);
    // The same MAC from KMS and from the token for a challenge this test picks: same key.
    const challenge = new TextEncoder().encode('a challenge the workflow never saw');
    const kmsMac = await harness.deps.kms.send(
      new GenerateMacCommand({ KeyId: keyId, Message: challenge, MacAlgorithm: macAlgorithm }),
    );
    const hsmEvidence = await harness.token.hsm?.evidence(label, challenge);
    expect(hsmEvidence?.kind).toBe('hmac');
    expect(Buffer.from(kmsMac.Mac ?? []).toString('hex')).toBe(
      Buffer.from(hsmEvidence?.kind === 'hmac' ? hsmEvidence.mac : []).toString('hex'),
    );
  });
});
