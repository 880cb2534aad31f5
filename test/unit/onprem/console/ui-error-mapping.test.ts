// What the page shows of a failure (src/onprem/console/ui/api.ts toApiError, rendered by ErrorBox):
// the server's named error as it answered, a broken answer by its HTTP status, a page error by name.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getJson, toApiError } from '../../../../src/onprem/console/ui/api.ts';

/** getJson against one canned answer, and what the page would show of its failure. */
async function shownFor(response: Response): Promise<unknown> {
  vi.stubGlobal('sessionStorage', { getItem: () => 'secret' });
  vi.stubGlobal('fetch', async () => response);
  return getJson('/api/keys').then(
    () => 'answered',
    (error: unknown) => toApiError(error),
  );
}

describe('console error mapping', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("shows the server's refusal by its name, with its message, hint and issues", async () => {
    // Prepare
    const body = {
      error: 'HsmKeyNotBoundError',
      message: 'HSM key "payments" is not bound to KMS key arn:aws:kms:…',
      hint: 'byok bindings add --hsm-key payments --key-id …',
      issues: ['keyId: required'],
    };

    // Act
    const shown = await shownFor(Response.json(body, { status: 400 }));

    // Assess
    expect(shown).toEqual(body);
  });

  it('names an answer that is not the API’s (a proxy’s HTML page, say) by its HTTP status', async () => {
    // Act
    const shown = await shownFor(
      new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );

    // Assess
    expect(shown).toEqual({ error: 'HTTP 502', message: 'Bad Gateway' });
  });

  it('shows an error of the page itself by its name and hint, and anything else as Error', () => {
    // Prepare
    const named = Object.assign(new TypeError('Failed to fetch'), { hint: 'is byok console still running?' });

    // Act / Assess
    expect(toApiError(named)).toEqual({
      error: 'TypeError',
      message: 'Failed to fetch',
      hint: 'is byok console still running?',
    });
    expect(toApiError('lost')).toEqual({ error: 'Error', message: 'lost' });
  });
});
