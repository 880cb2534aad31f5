// Issue 9 acceptances 3 and 7: several identities approve at once (M=3, eight voters over real
// HTTP): exactly one vote reaches the quorum, every vote is recorded or refused by name (none
// lost), the workflow is told once and rotates once. Then a leak scan: neither the old nor the new
// material appears in any execution payload, event, handler log, table item or API answer, and the
// task token appears in no event, log line or API answer.
import { ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbDocumentClient } from '../../../src/core/aws/clients.ts';
import type { KmsCore } from '../../../src/local/kms/core.ts';
import { type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';
import { expectNoSecret } from '../../helpers/secret-scan.ts';

let world: RotationWorld;

beforeAll(async () => {
  world = await startRotationWorld();
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

/** Every material the local KMS holds for the key (the emulator's private state: test-only access). */
function secretsOf(keyArn: string): Buffer[] {
  const core = (world.stack.kms as unknown as { core: KmsCore }).core;
  const secrets: Buffer[] = [];
  for (const key of core.registry.keys.values()) {
    if (key.arn !== keyArn) continue;
    for (const material of key.materials) if (material.secret) secrets.push(Buffer.from(material.secret));
  }
  return secrets;
}

describe('concurrent approvals', () => {
  it('reach the quorum exactly once, lose no vote, rotate once and leak no material', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'crowded', approvalsRequired: 3 });
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    await world.waitForStatus(request.requestId, 'PENDING');
    const voters = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8'];

    // Act
    const answers = await Promise.all(
      voters.map((voter) =>
        world
          .as(voter)
          .vote(request.requestId, { decision: 'approve', reason: `${voter} agrees` })
          .then(
            (answer) => answer.outcome as string,
            (error: { code?: string }) => error.code ?? 'unnamed',
          ),
      ),
    );
    const execution = await world.waitForExecution(request.executionArn as string);

    // Assess: one quorum, every vote accounted for.
    expect(answers.filter((answer) => answer === 'approved')).toHaveLength(1);
    expect(answers.filter((answer) => answer === 'recorded')).toHaveLength(2);
    expect(answers.filter((answer) => answer === 'RequestEndedError')).toHaveLength(5);
    const { request: ended } = await world.as('observer').getRequest(request.requestId);
    expect(ended.votes).toHaveLength(3);
    expect(new Set(ended.votes.map((vote) => vote.identity)).size).toBe(3);
    expect(execution.status).toBe('SUCCEEDED');
    const materials = (
      await world.kms.send(
        new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
      )
    ).Rotations;
    expect(materials).toHaveLength(2);

    // Assess: no material anywhere.
    const secrets = secretsOf(request.keyArn);
    expect(secrets).toHaveLength(2);
    const history = await world.sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: request.executionArn,
        includeExecutionData: true,
        maxResults: 1000,
      }),
    );
    const documents = createDynamoDbDocumentClient({ endpoint: world.approvals.dynamoDbUrl });
    const items = (await documents.send(new ScanCommand({ TableName: world.approvals.tableName }))).Items;
    documents.destroy();
    const listed = await world.as('observer').listRequests();
    const texts: Array<[string, string]> = [
      ['execution history', JSON.stringify(history.events)],
      ['execution output', execution.output ?? ''],
      ['events', JSON.stringify(world.stack.events.bus.log())],
      ['handler logs', world.logs.join('')],
      ['table items', JSON.stringify(items)],
      ['API answers', JSON.stringify(listed)],
    ];
    expect(world.logs.length).toBeGreaterThan(10);
    for (const secret of secrets) for (const [what, text] of texts) expectNoSecret(text, secret, what);
    // The task token stays in the table: no event, log line or API answer carries it.
    const token = (items?.[0] as { taskToken?: string } | undefined)?.taskToken ?? '';
    expect(token.length).toBeGreaterThan(20);
    for (const [what, text] of texts.filter(
      ([what]) => what !== 'table items' && what !== 'execution history',
    )) {
      expect(text.includes(token), what).toBe(false);
    }
  }, 120_000);
});
