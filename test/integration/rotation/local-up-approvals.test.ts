// `byok local up` in its own process serves the approvals API beside the stack: found through
// GET /_byok/approvals, identities from the SigV4 access key id, and a request for a key the stack
// does not hold refused by name (nothing started).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalsApiError, ApprovalsClient } from '../../../src/core/approvals/client.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';

describe('byok local up: the approvals API', () => {
  let server: LocalUpProcess;
  let endpoint: string;

  beforeAll(async () => {
    server = spawnLocalUp(['--port', '0', '--memory']);
    endpoint = await server.url;
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('advertises its URL and answers signed calls with the caller as identity', async () => {
    // Act
    const advertised = (await (await fetch(`${endpoint}/_byok/approvals`)).json()) as { url: string };
    const client = new ApprovalsClient({
      endpoint: advertised.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'alice', secretAccessKey: 'alice-secret' },
    });
    const listed = await client.listRequests();
    const refused = await client
      .requestRotation({ keyId: '11111111-2222-3333-4444-555555555555', reason: 'x' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const unsigned = await fetch(`${advertised.url}/requests`);

    // Assess
    expect(advertised.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(listed.requests).toEqual([]);
    expect(refused).toBeInstanceOf(ApprovalsApiError);
    expect((refused as ApprovalsApiError).code).toBe('KeyNotEligibleError');
    expect(unsigned.status).toBe(401);
  });
});
