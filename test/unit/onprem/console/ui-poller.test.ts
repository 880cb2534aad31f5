// Polling that cannot pile up (src/onprem/console/ui/poller.ts): one request in flight, answers in order,
// nothing applied after the view changed, and a request that never settles given up at its deadline.
import { describe, expect, it } from 'vitest';
import { ConsoleRequestTimeoutError, createPoller } from '../../../../src/onprem/console/ui/poller.ts';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Timers the test fires by hand. */
function manualTimers() {
  const pending: (() => void)[] = [];
  return {
    pending,
    setTimer: (run: () => void) => {
      pending.push(run);
      return run;
    },
    clearTimer: (timer: unknown) => {
      const index = pending.indexOf(timer as () => void);
      if (index >= 0) pending.splice(index, 1);
    },
    fire() {
      const next = pending.shift();
      next?.();
    },
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('poller', () => {
  it('never has two requests in flight, however often the timer or the user asks', async () => {
    // Prepare
    const timers = manualTimers();
    const answers: Deferred<number>[] = [];
    const seen: number[] = [];
    const poller = createPoller<number>({
      load: () => {
        const answer = deferred<number>();
        answers.push(answer);
        return answer.promise;
      },
      intervalMs: 1000,
      onData: (data) => seen.push(data),
      onError: () => undefined,
      ...timers,
    });

    // Act
    poller.start();
    poller.refresh();
    poller.refresh();
    timers.fire();

    // Assess: one request, no timer while it runs; the refreshes asked during it make exactly one more.
    expect(poller.started).toBe(1);
    expect(timers.pending).toHaveLength(0);
    answers[0]?.resolve(1);
    await flush();
    expect(poller.started).toBe(2);
    answers[1]?.resolve(2);
    await flush();
    expect(seen).toEqual([1, 2]);
    expect(timers.pending).toHaveLength(1);
  });

  it('drops an answer that arrives after the view stopped it (another run is on screen)', async () => {
    // Prepare
    const answer = deferred<string>();
    const seen: string[] = [];
    const poller = createPoller<string>({
      load: () => answer.promise,
      intervalMs: 1000,
      onData: (data) => seen.push(data),
      onError: () => undefined,
      ...manualTimers(),
    });

    // Act
    poller.start();
    poller.stop();
    answer.resolve('run A');
    await flush();

    // Assess
    expect(seen).toEqual([]);
  });

  it('skips timed requests while inactive, and keeps polling after an error', async () => {
    // Prepare
    const timers = manualTimers();
    let active = false;
    let calls = 0;
    const errors: unknown[] = [];
    const poller = createPoller<number>({
      load: () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('throttled')) : Promise.resolve(calls);
      },
      intervalMs: 1000,
      active: () => active,
      onData: () => undefined,
      onError: (error) => errors.push(error),
      ...timers,
    });

    // Act
    poller.start();
    await flush();
    timers.fire();
    const whileInactive = calls;
    active = true;
    timers.fire();
    await flush();

    // Assess
    expect(errors).toHaveLength(1);
    expect(whileInactive).toBe(1);
    expect(calls).toBe(2);
  });

  it('gives up a request that never settles: a named error, the request aborted, the next poll asks again', async () => {
    // Prepare: the first answer never comes (a stalled connection); the next ones do.
    const first = deferred<string>();
    const signals: AbortSignal[] = [];
    const seen: string[] = [];
    const errors: unknown[] = [];
    const poller = createPoller<string>({
      load: (signal) => {
        signals.push(signal);
        return signals.length === 1 ? first.promise : Promise.resolve(`answer ${signals.length}`);
      },
      intervalMs: 5,
      timeoutMs: 30,
      onData: (data) => seen.push(data),
      onError: (error) => errors.push(error),
    });

    // Act
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    first.resolve('stale');
    await flush();
    poller.stop();

    // Assess: the view said why, then showed newer answers; the stalled one was aborted and its late
    // answer never applied.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConsoleRequestTimeoutError);
    expect((errors[0] as Error).name).toBe('ConsoleRequestTimeoutError');
    expect(signals[0]?.aborted).toBe(true);
    expect(poller.started).toBeGreaterThan(1);
    expect(seen[0]).toBe('answer 2');
    expect(seen).not.toContain('stale');
  });

  it('aborts the request in flight when the view stops it', () => {
    // Prepare
    const signals: AbortSignal[] = [];
    const poller = createPoller<string>({
      load: (signal) => {
        signals.push(signal);
        return new Promise<string>(() => undefined);
      },
      intervalMs: 1000,
      onData: () => undefined,
      onError: () => undefined,
      ...manualTimers(),
    });

    // Act
    poller.start();
    poller.stop();

    // Assess
    expect(signals[0]?.aborted).toBe(true);
  });
});
