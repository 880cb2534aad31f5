// What a target receives: the event itself, a constant Input, the part named by InputPath, or the
// InputTransformer's template filled from the event. Our reading of AWS's "Transforming target
// input": a placeholder outside quotes is replaced by the JSON value (strings keep their quotes),
// inside quotes by the raw text; a path that does not resolve gives null (or nothing inside quotes).
import { TargetInputError } from './errors.ts';

export interface InputTransformer {
  InputPathsMap?: Record<string, string> | undefined;
  InputTemplate: string;
}

export interface TargetInputSpec {
  Input?: string | undefined;
  InputPath?: string | undefined;
  InputTransformer?: InputTransformer | undefined;
}

export interface RuleContext {
  ruleName: string;
  ruleArn: string;
}

/** The target's input as JSON text (or plain text for a non-JSON template). */
export function renderTargetInput(
  spec: TargetInputSpec,
  event: Record<string, unknown>,
  rule: RuleContext,
): string {
  if (spec.Input !== undefined) return spec.Input;
  if (spec.InputPath !== undefined) return JSON.stringify(resolvePath(event, spec.InputPath) ?? null);
  if (spec.InputTransformer !== undefined) return fillTemplate(spec.InputTransformer, event, rule);
  return JSON.stringify(event);
}

/** `$`, `$.detail`, `$.detail.key-id`, `$.resources[0]`, `$.detail['key-id']`. */
export function resolvePath(value: unknown, path: string): unknown {
  if (!path.startsWith('$'))
    throw new TargetInputError(`"${path}" is not a JSON path (it must start with $)`);
  const steps = parsePath(path);
  let current: unknown = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

function parsePath(path: string): (string | number)[] {
  const steps: (string | number)[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]|\["([^"]+)"\]/y;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const start = pattern.lastIndex;
    const match = pattern.exec(path);
    if (!match || match.index !== start)
      throw new TargetInputError(`"${path}" is not a JSON path this endpoint reads`);
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push((match[3] ?? match[4]) as string);
  }
  return steps;
}

function fillTemplate(
  transformer: InputTransformer,
  event: Record<string, unknown>,
  rule: RuleContext,
): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    values.set(name, resolvePath(event, path));
  }
  values.set('aws.events.rule-name', rule.ruleName);
  values.set('aws.events.rule-arn', rule.ruleArn);
  values.set('aws.events.event', event);
  values.set('aws.events.event.json', event);
  values.set('aws.events.event.ingestion-time', event.time);

  const template = transformer.InputTemplate;
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] as string;
    if (char === '\\' && inString) {
      out += template.slice(i, i + 2);
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    if (char === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (values.has(name)) {
        const value = values.get(name);
        out += inString ? rawText(value) : JSON.stringify(value ?? null);
        i = end;
        continue;
      }
    }
    out += char;
  }
  return out;
}

/** A value placed inside a JSON string: its text, escaped so the string stays valid JSON. */
function rawText(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text).slice(1, -1);
}
