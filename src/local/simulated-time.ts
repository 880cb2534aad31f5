// Simulated time: a time source that stands in for real time under the local stack (its virtual
// clock and its request quotas), the sweep's pacing slots and the runner's Wait states, for runs
// too big to pace in real time on one machine (bench/fleet.ts: 800 (account, Region) pairs, each
// at 1 GetParametersForImport per second). It is discrete-event time: it stands still while work is
// in flight (a Task doing I/O, counted by the runner through `begin`), and when everything is
// waiting it jumps to the earliest sleeper and wakes every one due. Work therefore takes no
// simulated time: what it measures is the pacing and the quotas, not this machine's speed (the
// wall time shows that).
import { VirtualClockError } from './errors.ts';

interface Sleeper {
  atMs: number;
  wake: () => void;
}

export interface DriveOptions {
  /**
   * Real milliseconds with nothing in flight and nothing changing before time may jump (default
   * 20): work the runner does not count (a nested execution starting, a Map Run reading its items)
   * gets that long to show itself.
   */
  quietMs?: number;
}

export class SimulatedTime {
  private nowMs: number;
  private inFlight = 0;
  /** Bumped by every begin, end and new sleeper: a driver sees whether anything moved. */
  private changes = 0;
  private sleepers: Sleeper[] = [];
  /** How many times time jumped (each a batch of sleepers woken). */
  jumps = 0;

  private running = 0;
  private readonly queued: (() => void)[] = [];
  private readonly concurrency: number;

  /**
   * `concurrency`: how many Tasks doing I/O may run at once in real time (`slot`); the others wait
   * their turn, counted as in flight, so time stands still for them too. Default: no bound.
   */
  constructor(options: { startMs?: number; concurrency?: number } = {}) {
    const startMs = options.startMs ?? Date.now();
    if (!Number.isFinite(startMs) || startMs < 0)
      throw new VirtualClockError(`simulated time must start at an epoch millisecond, not ${startMs}`);
    const concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
    if (!(concurrency >= 1))
      throw new VirtualClockError(`simulated time needs room for at least one task, not ${concurrency}`);
    this.nowMs = startMs;
    this.concurrency = concurrency;
  }

  /** Work in flight at once, once there is room for it (the runner's RunActivity.slot). */
  async slot(): Promise<() => void> {
    const end = this.begin();
    if (this.running >= this.concurrency) {
      await new Promise<void>((resolve) => this.queued.push(resolve));
    } else {
      this.running += 1;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queued.shift();
      // The room passes to the next one waiting; running stays the same.
      if (next) next();
      else this.running -= 1;
      end();
    };
  }

  /** The simulated epoch milliseconds (what the stack takes for real time). */
  now(): number {
    return this.nowMs;
  }

  /** Work in flight until the returned function is called (the runner's RunActivity). */
  begin(): () => void {
    this.inFlight += 1;
    this.changes += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight -= 1;
      this.changes += 1;
    };
  }

  /** Resolves when simulated time reaches `atMs` (at once if it has); an abort rejects it. */
  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    if (!(atMs > this.nowMs)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        atMs,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        this.changes += 1;
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      this.changes += 1;
    });
  }

  /** Sleepers not yet woken. */
  get sleeping(): number {
    return this.sleepers.length;
  }

  /**
   * Runs `work` to its end, moving time: whenever nothing is in flight and nothing changed for
   * `quietMs` of real time, time jumps to the earliest sleeper and wakes every sleeper then due.
   */
  async drive<T>(work: Promise<T>, options: DriveOptions = {}): Promise<T> {
    const quietMs = options.quietMs ?? 20;
    let settled = false;
    const watched = work.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    while (!settled) {
      const seen = this.changes;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      if (settled || this.inFlight > 0 || this.changes !== seen) continue;
      const next = this.sleepers.reduce(
        (min, sleeper) => Math.min(min, sleeper.atMs),
        Number.POSITIVE_INFINITY,
      );
      if (next === Number.POSITIVE_INFINITY) continue;
      this.nowMs = Math.max(this.nowMs, next);
      const due = this.sleepers.filter((sleeper) => sleeper.atMs <= this.nowMs);
      this.sleepers = this.sleepers.filter((sleeper) => sleeper.atMs > this.nowMs);
      this.jumps += 1;
      this.changes += 1;
      for (const sleeper of due) sleeper.wake();
    }
    return watched;
  }
}
