// The local Step Functions API's activities: CreateActivity, ListActivities, DescribeActivity,
// DeleteActivity and GetActivityTask, with AWS's validation and error names. The activities
// themselves are only names and ARNs; their tasks come from the task-token port (the runner queues
// them when an execution reaches an activity state).
import { AwsServiceError, type RequestContext, toEpochSeconds } from '../protocol.ts';
import type { TaskTokenPort } from './task-port.ts';
import { isValidName, pageOf, requireString } from './validation.ts';

/** GetActivityTask holds a poll at most this long on AWS. */
const ACTIVITY_POLL_MS = 60_000;
const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):activity:([^:]+)$/;

interface Activity {
  activityArn: string;
  name: string;
  creationDate: Date;
}

export interface LocalActivitiesOptions {
  region: string;
  accountId: string;
  clock: { now(): Date };
  tasks?: TaskTokenPort | undefined;
  /** How long GetActivityTask waits for a task (default 60 s, as AWS). */
  pollMs?: number | undefined;
}

export class LocalActivities {
  private readonly activities = new Map<string, Activity>();
  private readonly polls = new Set<AbortController>();
  private closed = false;

  constructor(private readonly options: LocalActivitiesOptions) {}

  createActivity(input: Record<string, unknown>) {
    const name = requireString(input, 'name');
    if (!isValidName(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    const activityArn = `arn:aws:states:${this.options.region}:${this.options.accountId}:activity:${name}`;
    // Idempotent by name, as on AWS (differing tags are ignored).
    const activity = this.activities.get(activityArn) ?? {
      activityArn,
      name,
      creationDate: this.options.clock.now(),
    };
    this.activities.set(activityArn, activity);
    return { activityArn, creationDate: toEpochSeconds(activity.creationDate) };
  }

  listActivities(input: Record<string, unknown>) {
    const { page, nextToken } = pageOf([...this.activities.values()], input);
    return {
      activities: page.map((activity) => ({
        activityArn: activity.activityArn,
        name: activity.name,
        creationDate: toEpochSeconds(activity.creationDate),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  describeActivity(input: Record<string, unknown>) {
    const activity = this.existing(input);
    return {
      activityArn: activity.activityArn,
      name: activity.name,
      creationDate: toEpochSeconds(activity.creationDate),
    };
  }

  /** As on AWS, deleting an activity that does not exist succeeds. */
  deleteActivity(input: Record<string, unknown>) {
    this.activities.delete(this.activityArn(input));
    return {};
  }

  async getActivityTask(input: Record<string, unknown>, context?: RequestContext) {
    const activity = this.existing(input);
    const workerName = input.workerName;
    if (workerName !== undefined && (typeof workerName !== 'string' || workerName.length > 80)) {
      throw new AwsServiceError(
        'ValidationException',
        "1 validation error detected: Value at 'workerName' failed to satisfy constraint: Member must have length less than or equal to 80",
      );
    }
    const tasks = this.options.tasks;
    if (this.closed) return {};
    const controller = new AbortController();
    const onClientGone = () => controller.abort();
    context?.signal?.addEventListener('abort', onClientGone, { once: true });
    this.polls.add(controller);
    try {
      const waitMs = this.options.pollMs ?? ACTIVITY_POLL_MS;
      const delivery = tasks
        ? await tasks.getActivityTask(activity.activityArn, {
            waitMs,
            signal: controller.signal,
            workerName: workerName as string | undefined,
          })
        : await new Promise<undefined>((resolve) => {
            const timer = setTimeout(() => resolve(undefined), waitMs);
            controller.signal.addEventListener('abort', () => {
              clearTimeout(timer);
              resolve(undefined);
            });
          });
      // No task: AWS answers without a taskToken ("a taskToken with a null string").
      if (!delivery) return {};
      // The poller may be gone already, or go before the answer is out: the task goes back.
      if (controller.signal.aborted) delivery.undelivered();
      else void context?.responded?.then((written) => written || delivery.undelivered());
      return { taskToken: delivery.task.taskToken, input: delivery.task.input };
    } finally {
      context?.signal?.removeEventListener('abort', onClientGone);
      this.polls.delete(controller);
    }
  }

  /** Ends every waiting poll (empty), and answers later polls at once (the stack is stopping). */
  close(): void {
    this.closed = true;
    for (const poll of this.polls) poll.abort();
  }

  private activityArn(input: Record<string, unknown>): string {
    const arn = requireString(input, 'activityArn');
    if (!ACTIVITY_ARN.test(arn)) {
      throw new AwsServiceError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${arn}'`,
      );
    }
    return arn;
  }

  private existing(input: Record<string, unknown>): Activity {
    const arn = this.activityArn(input);
    const activity = this.activities.get(arn);
    if (!activity) throw new AwsServiceError('ActivityDoesNotExist', `Activity Does Not Exist: '${arn}'`);
    return activity;
  }
}
