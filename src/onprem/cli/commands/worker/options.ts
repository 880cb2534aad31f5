// `byok worker`'s options as commander parses them, and their parsers. Cheap to load (commander and
// dependency-free modules), so `--help` and a mistyped value answer before action.ts is imported.
import { InvalidArgumentError } from 'commander';
import type { AwsCommandOptions } from '../../aws-options.ts';

export interface WorkerCliOptions extends AwsCommandOptions {
  activityArn?: string;
  concurrency: number;
  /** `label=key-arn`, as given (checked in action.ts). */
  bind: string[];
  bindings?: string;
  allowAnyKeyForDevelopment?: boolean;
  name?: string;
  heartbeatInterval: number;
  /** Follow tasks that ask for SHA-1 wrapping (refused by name without it). */
  allowSha1?: boolean;
  /** The journal of the keys the worker made (default: beside --bindings, else $BYOK_HOME/worker). */
  journal?: string;
  /** Seconds to keep retrying discovery while the endpoint cannot be reached. */
  discoveryTimeout: number;
}

const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:[^:\s]{1,80}$/;

export function parseActivityArn(value: string): string {
  if (!ACTIVITY_ARN.test(value)) {
    throw new InvalidArgumentError(
      'an activity ARN looks like arn:aws:states:<region>:<account>:activity:<name>',
    );
  }
  return value;
}

export function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('a whole number, 1..64');
  return n;
}

/**
 * Seconds between heartbeats of a task in hand; checked at start against the deployed
 * HeartbeatSeconds (30 as shipped): at most half of it.
 */
export function parseHeartbeatInterval(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 300) {
    throw new InvalidArgumentError('seconds, 0.1..300');
  }
  return seconds;
}

/** Seconds to keep retrying discovery while nothing answers (1..86400). */
export function parseDiscoveryTimeout(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) {
    throw new InvalidArgumentError('whole seconds, 1..86400');
  }
  return seconds;
}

/** Repeatable --bind: collects every value. */
export function collectBinding(value: string, previous: string[] = []): string[] {
  if (!value.includes('=')) throw new InvalidArgumentError('a binding is <hsm-key-label>=<KMS key ARN>');
  return [...previous, value];
}
