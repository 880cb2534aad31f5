// A rule's targets: PutTargets (at most five per rule, one input option each), ListTargetsByRule
// and RemoveTargets.
import { AwsServiceError } from '../protocol.ts';
import type { EventBusCore, EventsInput, Target } from './core.ts';
import { optionalString, paginate, requireName, requireRule } from './input.ts';
import type { InputTransformer } from './input-transform.ts';

const MAX_TARGETS_PER_RULE = 5;

export function putTargets(core: EventBusCore, input: EventsInput): Record<string, unknown> {
  const rule = requireRule(core, input.Rule, input.EventBusName);
  const targets = input.Targets;
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new AwsServiceError('ValidationException', 'Targets must contain at least one target.');
  }
  const parsed = targets.map(parseTarget);
  const newIds = parsed.filter((target) => !rule.targets.has(target.Id)).length;
  if (rule.targets.size + newIds > MAX_TARGETS_PER_RULE) {
    throw new AwsServiceError(
      'LimitExceededException',
      'The requested resource exceeds the maximum number allowed.',
    );
  }
  for (const target of parsed) rule.targets.set(target.Id, target);
  return { FailedEntryCount: 0, FailedEntries: [] };
}

export function listTargetsByRule(core: EventBusCore, input: EventsInput): Record<string, unknown> {
  const rule = requireRule(core, input.Rule, input.EventBusName);
  const { page, nextToken } = paginate([...rule.targets.values()], input.NextToken, input.Limit);
  return { Targets: page.map(targetView), ...(nextToken ? { NextToken: nextToken } : {}) };
}

export function removeTargets(core: EventBusCore, input: EventsInput): Record<string, unknown> {
  const rule = requireRule(core, input.Rule, input.EventBusName);
  if (!Array.isArray(input.Ids) || input.Ids.length === 0) {
    throw new AwsServiceError('ValidationException', 'Ids must contain at least one target id.');
  }
  for (const id of input.Ids) rule.targets.delete(String(id));
  return { FailedEntryCount: 0, FailedEntries: [] };
}

/** A target as PutTargets takes it (the fields given, nothing undefined). */
export function targetView(target: Target): Record<string, unknown> {
  return Object.fromEntries(Object.entries(target).filter(([, value]) => value !== undefined));
}

function parseTarget(raw: unknown): Target {
  if (raw === null || typeof raw !== 'object')
    throw new AwsServiceError('ValidationException', 'Target is malformed.');
  const fields = raw as Record<string, unknown>;
  const id = requireName(fields.Id, 'targets.member.id');
  if (typeof fields.Arn !== 'string' || !fields.Arn.startsWith('arn:')) {
    throw new AwsServiceError('ValidationException', `Parameter Arn of target ${id} is not valid.`);
  }
  const input = optionalString(fields.Input, 'input');
  const inputPath = optionalString(fields.InputPath, 'inputPath');
  const transformer = fields.InputTransformer as Record<string, unknown> | undefined;
  const given = [input, inputPath, transformer].filter((value) => value !== undefined).length;
  if (given > 1) {
    throw new AwsServiceError(
      'ValidationException',
      'Only one of Input, InputPath, or InputTransformer must be provided for an EventBridge target.',
    );
  }
  if (input !== undefined) {
    try {
      JSON.parse(input);
    } catch {
      throw new AwsServiceError('ValidationException', `Input for target ${id} is not valid JSON text.`);
    }
  }
  let inputTransformer: InputTransformer | undefined;
  if (transformer !== undefined) {
    if (typeof transformer.InputTemplate !== 'string') {
      throw new AwsServiceError(
        'ValidationException',
        `InputTransformer of target ${id} needs an InputTemplate.`,
      );
    }
    inputTransformer = {
      InputTemplate: transformer.InputTemplate,
      InputPathsMap: (transformer.InputPathsMap as Record<string, string> | undefined) ?? {},
    };
  }
  return {
    Id: id,
    Arn: fields.Arn,
    RoleArn: optionalString(fields.RoleArn, 'roleArn'),
    Input: input,
    InputPath: inputPath,
    InputTransformer: inputTransformer,
  };
}
