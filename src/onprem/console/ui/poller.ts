// Polling that cannot pile up: at most one request in flight per view; the next one is scheduled
// only when the previous answer is in (so a slow server gets fewer requests, never a queue); a
// refresh asked for while one is in flight runs once, after it; and answers are applied in the
// order they were asked for: once a poller is stopped (the view changed, say to another run), a late
// answer is dropped instead of painting the old run over the new one. No DOM, so it is unit-tested.

export interface PollerOptions<T> {
  load: () => Promise<T>;
  /** Wait between the end of one request and the start of the next; 0: no polling, on demand only. */
  intervalMs: number;
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
    options.onLoading?.(true);
    options.load().then(
      (data) => {
        inFlight = false;
        if (stopped) return;
        options.onData(data);
        settle();
      },
      (error: unknown) => {
        inFlight = false;
        if (stopped) return;
        options.onError(error);
        settle();
      },
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
    },
    get started() {
      return started;
    },
    get inFlight() {
      return inFlight;
    },
  };
}
