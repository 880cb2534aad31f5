// The page's requests have deadlines (src/onprem/console/ui/api.ts): a GET the console server never
// answers is aborted (its connection freed) and fails by name, instead of leaving the view waiting.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getJson } from '../../../../src/onprem/console/ui/api.ts';

describe('console page requests', () => {
  let signals: AbortSignal[];

  beforeEach(() => {
    signals = [];
    vi.stubGlobal('sessionStorage', { getItem: () => 'secret' });
    // A server that takes the request and never answers: only an abort ends it.
    vi.stubGlobal('fetch', (_path: string, init: RequestInit) => {
      const signal = init.signal as AbortSignal;
      signals.push(signal);
      return new Promise((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason));
      });
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('gives up a GET that is never answered: aborted, ConsoleRequestTimeoutError naming the path', async () => {
    // Act
    const failure = await Promise.race([
      getJson('/api/runs', { timeoutMs: 50 }).then(
        () => 'answered',
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2_000)),
    ]);

    // Assess
    expect(failure).toMatchObject({
      name: 'ConsoleRequestTimeoutError',
      body: { error: 'ConsoleRequestTimeoutError', message: expect.stringContaining('GET /api/runs') },
    });
    expect(signals[0]?.aborted).toBe(true);
  });

  it('passes an abort from its caller through as it is (the view went away: no error to show)', async () => {
    // Prepare
    const controller = new AbortController();

    // Act
    const pending = getJson('/api/runs', { signal: controller.signal }).catch((error: unknown) => error);
    controller.abort();
    const failure = await pending;

    // Assess
    expect((failure as Error).name).toBe('AbortError');
    expect(signals[0]?.aborted).toBe(true);
  });
});
