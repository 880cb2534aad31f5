// A child process that starts the local stack on state dirs it is sent, one at a time, and reports
// what happened. It runs apart from the test so that a load that hangs the event loop (what an
// Invalid Date in the clock's timer loop did) is seen by the parent's timer and killed, instead of
// freezing the test process with it.
import '../../src/core/polyfills.ts';
import { startLocalStack } from '../../src/local/stack.ts';

export interface LoadRequest {
  dir: string;
}

export type LoadOutcome =
  | { kind: 'refused'; name: string; message: string; elapsedMs: number }
  | { kind: 'started'; elapsedMs: number; keys: number; reloaded: 'ok' | string }
  | { kind: 'broken'; name: string; message: string; stage: string };

async function post(url: string, target: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const parsed = (await response.json()) as Record<string, unknown>;
  if (response.status >= 500)
    throw new Error(`${target} answered ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

async function load(dir: string): Promise<LoadOutcome> {
  const started = Date.now();
  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({ port: 0, stateDir: dir, kmsPrewarmWrappingKeys: [] });
  } catch (error) {
    const named = error instanceof Error ? error : new Error(String(error));
    return { kind: 'refused', name: named.name, message: named.message, elapsedMs: Date.now() - started };
  }
  const elapsedMs = Date.now() - started;
  let stage = 'serving';
  try {
    // The state it loaded works: every key answers, and a long jump of the clock fires its timers.
    const listed = await post(stack.url, 'TrentService.ListKeys', {});
    const keys = (listed.Keys as { KeyId: string }[] | undefined) ?? [];
    for (const key of keys) await post(stack.url, 'TrentService.DescribeKey', { KeyId: key.KeyId });
    await post(stack.url, 'AWSEvents.ListRules', {});
    stage = 'advancing the clock';
    await stack.clock.advance(400 * 86_400_000);
    stage = 'stopping';
    await stack.stop();
    // What it wrote back loads again: the loaded state passes the same validation.
    stage = 'reloading what it wrote';
    let reloaded: 'ok' | string = 'ok';
    try {
      const again = await startLocalStack({ port: 0, stateDir: dir, kmsPrewarmWrappingKeys: [] });
      await again.stop();
    } catch (error) {
      reloaded = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    return { kind: 'started', elapsedMs, keys: keys.length, reloaded };
  } catch (error) {
    await stack.stop().catch(() => undefined);
    const named = error instanceof Error ? error : new Error(String(error));
    return { kind: 'broken', name: named.name, message: named.message, stage };
  }
}

process.on('message', (request: LoadRequest) => {
  load(request.dir).then(
    (outcome) => process.send?.(outcome),
    (error: unknown) =>
      process.send?.({
        kind: 'broken',
        name: 'Error',
        message: String(error),
        stage: 'load',
      } satisfies LoadOutcome),
  );
});
process.send?.({ ready: true });
