// The local stack's time. It starts at real time and ticks with it (now = real + offset), and can be
// moved forward. Components with timed work (material expiry, schedules, rotations) register timer
// sources; when the clock advances it stops at every due time in order and awaits the source before
// going on, so a year of expiries and schedules runs in seconds with each event at its own instant.
import type { Clock } from '../core/clock.ts';
import { InvalidDurationError, VirtualClockError } from './errors.ts';

export interface TimerSource {
  /** The next instant this source has work for, or undefined when idle. */
  nextDue(): Date | undefined;
  /** Does all work due at or before `now`. */
  fire(now: Date): Promise<void>;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses `25h`, `90m`, `1d12h`, `400d`, `1500ms` into milliseconds. */
export function parseDuration(input: string): number {
  const text = input.trim();
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    const [whole, amount, unit] = match;
    total += Number(amount) * (UNIT_MS[unit ?? ''] ?? Number.NaN);
    consumed += whole.length;
  }
  if (text.length === 0 || consumed !== text.length || !Number.isFinite(total))
    throw new InvalidDurationError(input);
  return Math.round(total);
}

/**
 * The latest instant the virtual clock reaches: the end of year 9999, the last one ISO 8601 and AWS
 * timestamps write with four digits. Every way of moving the clock is checked against it, and a
 * timer source's due time must be a real instant, so no value can make the clock loop or give an
 * Invalid Date to a component.
 */
export const LATEST_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An epoch-milliseconds value the clock can stand at: finite, from 1970 to the end of 9999. */
export function isClockInstant(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0 && ms <= LATEST_INSTANT_MS;
}

/** The largest offset from real time `realMs` that keeps the clock within LATEST_INSTANT_MS. */
function maxOffsetAt(realMs: number): number {
  return LATEST_INSTANT_MS - realMs;
}

export interface VirtualClockOptions {
  /** Real time source (tests may replace it). */
  realNow?: () => number;
  /** Starting offset from real time, e.g. restored from a state dir. */
  offsetMs?: number;
}

export class VirtualClock implements Clock {
  private offset: number;
  private readonly realNow: () => number;
  private readonly sources = new Set<TimerSource>();
  // Advances and ticks run one at a time, so sources never fire concurrently or out of order.
  private queue: Promise<unknown> = Promise.resolve();
  private ticker: NodeJS.Timeout | undefined;
  private readonly moveListeners = new Set<(offsetMs: number) => void>();

  constructor(options: VirtualClockOptions = {}) {
    this.realNow = options.realNow ?? Date.now;
    const offset = options.offsetMs ?? 0;
    if (!Number.isFinite(offset) || offset < 0 || offset > maxOffsetAt(this.realNow())) {
      throw new VirtualClockError(
        `the clock's offset must be a finite number of milliseconds from 0 up to the end of year 9999, not ${offset}`,
      );
    }
    this.offset = offset;
  }

  now(): Date {
    return new Date(this.realNow() + this.offset);
  }

  get offsetMs(): number {
    return this.offset;
  }

  /** Called with the new offset after every advance or set. */
  onMove(listener: (offsetMs: number) => void): () => void {
    this.moveListeners.add(listener);
    return () => {
      this.moveListeners.delete(listener);
    };
  }

  /** Registers a timer source; returns a function that removes it. */
  addTimerSource(source: TimerSource): () => void {
    this.sources.add(source);
    return () => {
      this.sources.delete(source);
    };
  }

  /** Moves the clock forward by `ms`, firing every due source at its own instant, in order. */
  advance(ms: number): Promise<Date> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      return Promise.reject(
        new VirtualClockError(`the clock only moves forward; cannot advance by ${ms} ms`),
      );
    }
    return this.enqueue(() => {
      // Advancing adds exactly `ms` to the offset; real time keeps flowing underneath.
      const targetOffset = this.offset + ms;
      if (targetOffset > maxOffsetAt(this.realNow())) {
        throw new VirtualClockError(
          `cannot advance by ${ms} ms: the clock does not go past ${new Date(LATEST_INSTANT_MS).toISOString()}`,
        );
      }
      return this.runUntil(() => this.realNow() + targetOffset, targetOffset);
    });
  }

  /** Moves the clock forward to `date`; moving backwards is refused. */
  set(date: Date): Promise<Date> {
    if (!(date instanceof Date) || Number.isNaN(date.getTime()))
      return Promise.reject(new VirtualClockError('not a valid date'));
    if (date.getTime() > LATEST_INSTANT_MS) {
      return Promise.reject(
        new VirtualClockError(
          `${date.toISOString()} is past the latest instant the clock reaches (${new Date(LATEST_INSTANT_MS).toISOString()})`,
        ),
      );
    }
    return this.enqueue(() => {
      const now = this.now();
      if (date.getTime() < now.getTime()) {
        throw new VirtualClockError(
          `the clock only moves forward; ${date.toISOString()} is before now (${now.toISOString()})`,
        );
      }
      return this.runUntil(() => date.getTime(), date.getTime() - this.realNow());
    });
  }

  /** Fires every source that is due at the current instant (real time passing makes work due). */
  fireDue(): Promise<Date> {
    return this.enqueue(() => {
      const limit = this.now().getTime();
      return this.runUntil(() => limit, this.offset);
    });
  }

  /** Fires due sources periodically as real time passes; the timer does not keep the process alive. */
  startTicking(intervalMs = 1000): void {
    this.stopTicking();
    this.ticker = setInterval(() => {
      this.fireDue().catch((error: unknown) => {
        process.emitWarning(
          `virtual clock tick failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }, intervalMs);
    this.ticker.unref();
  }

  stopTicking(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Waits until queued advances and ticks are done. */
  async idle(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  private enqueue<T>(work: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Fires every source due up to `limit()` in order, then settles the offset at `targetOffset`. */
  private async runUntil(limit: () => number, targetOffset: number): Promise<Date> {
    const before = this.offset;
    for (;;) {
      const next = this.earliestDue(limit());
      if (!next) break;
      const [source, due] = next;
      const dueMs = due.getTime();
      // Stop the clock exactly at the due instant (never move it backwards).
      if (dueMs > this.now().getTime()) this.offset = Math.min(dueMs - this.realNow(), targetOffset);
      await source.fire(this.now());
      const after = source.nextDue();
      if (after && after.getTime() <= dueMs) {
        throw new VirtualClockError(`a timer source did not consume its work due at ${due.toISOString()}`);
      }
    }
    if (targetOffset > this.offset) this.offset = targetOffset;
    if (this.offset !== before) for (const listener of this.moveListeners) listener(this.offset);
    return this.now();
  }

  private earliestDue(limitMs: number): [TimerSource, Date] | undefined {
    let best: [TimerSource, Date] | undefined;
    for (const source of this.sources) {
      const due = source.nextDue();
      if (due === undefined) continue;
      // An Invalid Date compares false with everything: it would be "due" forever and never consumed.
      if (!(due instanceof Date) || !Number.isFinite(due.getTime())) {
        throw new VirtualClockError(
          `a timer source reported a due time that is not a valid instant (${String(due)})`,
        );
      }
      if (due.getTime() > limitMs) continue;
      if (!best || due.getTime() < best[1].getTime()) best = [source, due];
    }
    return best;
  }
}
