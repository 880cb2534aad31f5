// Activity tasks waiting for a worker. A run's activity state puts its task here; GetActivityTask
// long-polls take them. Each task goes to exactly one poller (FIFO for tasks and for pollers). A
// poller that goes away while waiting takes nothing; a task taken by a poller whose answer could
// not be delivered (the connection closed first) is handed back with `delivery.undelivered()` and
// goes to the next poller, so closing a poll connection never loses a task. A task whose token
// closes while still queued (TimeoutSeconds, the execution stopped) is withdrawn.

export interface ActivityTask {
  activityArn: string;
  taskToken: string;
  /** The state's effective input, as the JSON text GetActivityTask returns. */
  input: string;
}

/** A task handed to one poller; call `undelivered()` if the poller never got it. */
export interface ActivityDelivery {
  task: ActivityTask;
  undelivered(): void;
}

export interface TakeOptions {
  /** How long to wait for a task (milliseconds; GetActivityTask holds a poll 60 s). */
  waitMs: number;
  /** Aborting stops waiting; nothing is taken after that. */
  signal?: AbortSignal | undefined;
  workerName?: string | undefined;
}

interface Waiter {
  deliver(task: ActivityTask): void;
  /** Ends the poll empty. */
  stop(): void;
}

export interface ActivityTaskQueueOptions {
  /** A worker took the task (start its heartbeat clock). */
  onTaken?: ((task: ActivityTask, workerName: string | undefined) => void) | undefined;
  /** The task came back unread (stop its heartbeat clock). */
  onReturned?: ((task: ActivityTask) => void) | undefined;
  /** Is the task's token still open? A closed one is never handed out again. */
  isOpen?: ((taskToken: string) => boolean) | undefined;
}

export class ActivityTaskQueue {
  private readonly tasks = new Map<string, ActivityTask[]>();
  private readonly waiters = new Map<string, Waiter[]>();
  private closed = false;

  constructor(private readonly options: ActivityTaskQueueOptions = {}) {}

  /** Queues a task for its activity's pollers (or hands it to the longest-waiting one). */
  enqueue(task: ActivityTask): void {
    this.offer(task, 'back');
  }

  /** Removes a task that has not been taken (its token closed). */
  withdraw(taskToken: string): void {
    for (const [arn, queued] of this.tasks) {
      const remaining = queued.filter((task) => task.taskToken !== taskToken);
      if (remaining.length !== queued.length) this.tasks.set(arn, remaining);
    }
  }

  /** Waits up to `waitMs` for a task of `activityArn`; undefined when none came (or the wait was aborted). */
  take(activityArn: string, options: TakeOptions): Promise<ActivityDelivery | undefined> {
    if (this.closed || options.signal?.aborted) return Promise.resolve(undefined);
    const queued = this.tasks.get(activityArn);
    const ready = queued?.shift();
    if (ready) return Promise.resolve(this.handOut(ready, options.workerName));
    return new Promise((resolve) => {
      const waiters = this.waiters.get(activityArn) ?? [];
      this.waiters.set(activityArn, waiters);
      const stopWaiting = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', stopWaiting);
        const index = waiters.indexOf(waiter);
        if (index >= 0) {
          waiters.splice(index, 1);
          resolve(undefined);
        }
      };
      const waiter: Waiter = {
        deliver: (task) => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', stopWaiting);
          resolve(this.handOut(task, options.workerName));
        },
        stop: stopWaiting,
      };
      const timer = setTimeout(stopWaiting, options.waitMs);
      timer.unref();
      options.signal?.addEventListener('abort', stopWaiting, { once: true });
      waiters.push(waiter);
    });
  }

  /** Tasks queued for an activity, oldest first (for views and tests). */
  queued(activityArn: string): readonly ActivityTask[] {
    return this.tasks.get(activityArn) ?? [];
  }

  /** Ends every waiting poll empty and hands out nothing more. */
  close(): void {
    this.closed = true;
    for (const waiters of this.waiters.values()) {
      for (const waiter of [...waiters]) waiter.stop();
    }
  }

  private offer(task: ActivityTask, end: 'front' | 'back'): void {
    if (this.options.isOpen && !this.options.isOpen(task.taskToken)) return;
    const waiter = this.waiters.get(task.activityArn)?.shift();
    if (waiter && !this.closed) {
      waiter.deliver(task);
      return;
    }
    const queued = this.tasks.get(task.activityArn) ?? [];
    this.tasks.set(task.activityArn, queued);
    if (end === 'front') queued.unshift(task);
    else queued.push(task);
  }

  private handOut(task: ActivityTask, workerName: string | undefined): ActivityDelivery {
    this.options.onTaken?.(task, workerName);
    let returned = false;
    return {
      task,
      undelivered: () => {
        if (returned) return;
        returned = true;
        this.options.onReturned?.(task);
        this.offer(task, 'front');
      },
    };
  }
}
