// When the task-token registry's deadlines (HeartbeatSeconds, TimeoutSeconds) fire. The registry
// only asks "call me at this instant of the run's clock"; a `DueTimers` queue answers, driven by the
// clock of the run (the local stack's virtual clock has the TimerSource shape:
// `clock.addTimerSource(timers)`), so a 72-hour approval timeout fires when the virtual clock is
// advanced past it, in order with the stack's other timed work.
export interface TaskTimers {
  /** Calls `fire` once, when the clock reaches `due`; the returned function cancels it. */
  schedule(due: Date, fire: () => void): () => void;
}

interface Entry {
  due: number;
  fire: () => void;
  sequence: number;
}

/**
 * Deadlines kept in order, fired by whoever drives them: `nextDue()` and `fire(now)` are the
 * local VirtualClock's TimerSource contract (structural, so this module does not depend on it).
 */
export class DueTimers implements TaskTimers {
  private readonly entries = new Set<Entry>();
  private sequence = 0;

  schedule(due: Date, fire: () => void): () => void {
    const entry: Entry = { due: due.getTime(), fire, sequence: this.sequence++ };
    this.entries.add(entry);
    return () => {
      this.entries.delete(entry);
    };
  }

  nextDue(): Date | undefined {
    let earliest: number | undefined;
    for (const entry of this.entries)
      if (earliest === undefined || entry.due < earliest) earliest = entry.due;
    return earliest === undefined ? undefined : new Date(earliest);
  }

  /** Fires every deadline at or before `now`, earliest first (ties in the order scheduled). */
  async fire(now: Date): Promise<void> {
    const due = [...this.entries]
      .filter((entry) => entry.due <= now.getTime())
      .sort((a, b) => a.due - b.due || a.sequence - b.sequence);
    for (const entry of due) {
      this.entries.delete(entry);
      entry.fire();
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
