// Polling that cannot pile up: at most one request in flight per view; the next one is scheduled
// only when the previous answer is in (so a slow server gets fewer requests, never a queue); a
// refresh asked for while one is in flight runs once, after it; and answers are applied in the
// order they were asked for: once a poller is stopped (the view changed, say to another run), a late
// answer is dropped instead of painting the old run over the new one. A request gets a deadline
// (`timeoutMs`): one that has not settled by then is aborted, reported as ConsoleRequestTimeoutError
// and the next poll asks again, so a request that never settles cannot block the view for good;
// its late answer, if any, is dropped. No DOM, so it is unit-tested.

/** A polled request that did not settle within its deadline (the next poll asks again). */
export class ConsoleRequestTimeoutError extends Error {
  readonly hint: string;
  constructor(timeoutMs: number) {
    super(`no answer from the console server in ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'ConsoleRequestTimeoutError';
    this.hint =
      'the page asks again at the next refresh; if it keeps happening, check that byok console is still running and that AWS (or the local stack) answers';
  }
}

export interface PollerOptions<T> {
  /** One request; `signal` aborts it when its deadline passes or the poller stops. */
  load: (signal: AbortSignal) => Promise<T>;
  /** Wait between the end of one request and the start of the next; 0: no polling, on demand only. */
  intervalMs: number;
  /** How long a request may take before it is given up (ConsoleRequestTimeoutError); 0 or absent: no deadline. */
  timeoutMs?: number;
  /** Asked before each timed request: false skips it (e.g. auto-refresh off, run ended). */
  active?: () => boolean;
  onData: (data: T) => void;
  onError: (error: unknown) => void;
  onLoading?: (loading: boolean) => void;
  /** Injectable for tests. */
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export interface Poller {
  start(): void;
  /** Asks now; if a request is in flight, once more right after it. */
  refresh(): void;
  stop(): void;
  /** Requests started so far (for tests and the page's own checks). */
  readonly started: number;
  readonly inFlight: boolean;
}

export function createPoller<T>(options: PollerOptions<T>): Poller {
  const setTimer = options.setTimer ?? ((run: () => void, ms: number) => setTimeout(run, ms));
  const clearTimer =
    options.clearTimer ?? ((timer: unknown) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  let stopped = false;
  let inFlight = false;
  let again = false;
  let started = 0;
  let timer: unknown;
  let current: AbortController | undefined;

  const schedule = () => {
    if (stopped || options.intervalMs <= 0) return;
    timer = setTimer(() => {
      timer = undefined;
      if (options.active && !options.active()) schedule();
      else request();
    }, options.intervalMs);
  };

  const request = () => {
    if (stopped) return;
    if (inFlight) {
      again = true;
      return;
    }
    if (timer !== undefined) {
      clearTimer(timer);
      timer = undefined;
    }
    inFlight = true;
    started += 1;
    const id = started;
    const controller = new AbortController();
    current = controller;
    options.onLoading?.(true);
    let deadline: unknown;
    // Only the answer of the request in flight counts: one given up on, or asked before a stop, is dropped.
    const finish = (apply: () => void) => {
      if (!inFlight || id !== started) return;
      inFlight = false;
      current = undefined;
      if (deadline !== undefined) clearTimer(deadline);
      deadline = undefined;
      if (stopped) return;
      apply();
      settle();
    };
    const timeoutMs = options.timeoutMs ?? 0;
    if (timeoutMs > 0) {
      deadline = setTimer(() => {
        deadline = undefined;
        finish(() => options.onError(new ConsoleRequestTimeoutError(timeoutMs)));
        controller.abort();
      }, timeoutMs);
    }
    let loading: Promise<T>;
    try {
      loading = options.load(controller.signal);
    } catch (error) {
      loading = Promise.reject(error);
    }
    loading.then(
      (data) => finish(() => options.onData(data)),
      (error: unknown) => finish(() => options.onError(error)),
    );
  };

  const settle = () => {
    options.onLoading?.(false);
    if (again) {
      again = false;
      request();
    } else schedule();
  };

  return {
    start: request,
    refresh: request,
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimer(timer);
      timer = undefined;
      current?.abort();
      current = undefined;
    },
    get started() {
      return started;
    },
    get inFlight() {
      return inFlight;
    },
  };
}
