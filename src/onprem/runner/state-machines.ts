// Finds and loads statemachines/*.asl.json, and maps Task resources to what runs them locally.
import { readdir, readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forEachState, mapStates } from '../../core/asl/walk.cjs';
import { StateMachineNotFoundError } from './errors.ts';

const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const STATE_MACHINES_DIR = join(REPO_ROOT, 'statemachines');

export interface LoadedStateMachine {
  /** e.g. import-key-material */
  name: string;
  path: string;
  definition: AslDefinition;
}

export interface AslState {
  Type: string;
  Resource?: string;
  Iterator?: AslDefinition;
  ItemProcessor?: AslDefinition;
  Branches?: AslDefinition[];
  [field: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

export async function listStateMachines(): Promise<string[]> {
  const files = await readdir(STATE_MACHINES_DIR).catch(() => []);
  return files.filter((file) => file.endsWith('.asl.json')).map((file) => basename(file, '.asl.json'));
}

/** `import-key-material`, `import-key-material.asl.json` or a path to an .asl.json file. */
export async function loadStateMachine(nameOrPath: string): Promise<LoadedStateMachine> {
  const isPath = nameOrPath.includes('/') || isAbsolute(nameOrPath);
  const path = isPath
    ? resolve(nameOrPath)
    : join(STATE_MACHINES_DIR, nameOrPath.endsWith('.asl.json') ? nameOrPath : `${nameOrPath}.asl.json`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new StateMachineNotFoundError(nameOrPath, await listStateMachines(), { cause: error });
  }
  return { name: basename(path, '.asl.json'), path, definition: JSON.parse(text) as AslDefinition };
}

/** Every Task state, including those inside Map and Parallel states, as [name, resource]. */
export function taskStates(definition: AslDefinition): Array<{ name: string; resource: string }> {
  const found: Array<{ name: string; resource: string }> = [];
  forEachState<AslState>(definition, (name, state) => {
    if (state.Type === 'Task' && typeof state.Resource === 'string')
      found.push({ name, resource: state.Resource });
  });
  return found;
}

const FUNCTION_PLACEHOLDER = /^\$\{([A-Z][A-Za-z0-9]*)FunctionArn\}$/;

/** `${GetParametersForImportFunctionArn}` -> `get-parameters-for-import`; undefined for other resources. */
export function functionNameOf(resource: string): string | undefined {
  const match = FUNCTION_PLACEHOLDER.exec(resource);
  if (!match?.[1]) return undefined;
  return match[1].replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/**
 * The definition with each `${<Name>FunctionArn}` replaced by the function's local Lambda ARN, as
 * the deploy resolver replaces it with the real one: the interpreter validates Resource fields.
 */
export function resolveFunctionResources(
  definition: AslDefinition,
  region: string,
  accountId: string,
): AslDefinition {
  return mapStates<AslState, AslDefinition>(definition, (_name, state) => {
    const functionName = typeof state.Resource === 'string' ? functionNameOf(state.Resource) : undefined;
    return functionName
      ? { ...state, Resource: `arn:aws:lambda:${region}:${accountId}:function:${functionName}` }
      : state;
  });
}
