// Every import of a wrapped blob sends the token of the wrapping key the blob was wrapped under:
// WrapKeyMaterial's `importToken` (step 1's from the Lambda, its own from `byok worker`), never the
// token of an earlier GetParametersForImport. On AWS each GetParametersForImport has its own
// wrapping key, so the wrong token cannot unwrap the blob (InvalidCiphertextException); the rotation
// sent step 1's and failed whenever the worker wrapped (forged-activity-tasks.test.ts, under load).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DefinitionOf, Nesting } from '../../../../src/core/asl/walk.cjs';
import { forEachState } from '../../../../src/core/asl/walk.cjs';

interface State extends Nesting<State> {
  Type: string;
  Resource?: unknown;
  Parameters?: Record<string, unknown>;
  ResultPath?: unknown;
  [field: string]: unknown;
}

const STATE_MACHINES = join(import.meta.dirname, '..', '..', '..', '..', 'statemachines');

/** The Lambda steps that call ImportKeyMaterial with a blob from a wrap step. */
const IMPORT_STEP = /^\$\{(ImportKeyMaterial|ImportNewMaterial|ImportReplicaMaterial)FunctionArn\}$/;

function importsOf(name: string): { state: string; parameters: Record<string, unknown> }[] {
  const definition = JSON.parse(
    readFileSync(join(STATE_MACHINES, `${name}.asl.json`), 'utf8'),
  ) as DefinitionOf<State>;
  const found: { state: string; parameters: Record<string, unknown> }[] = [];
  forEachState(definition, (state, value) => {
    if (typeof value.Resource === 'string' && IMPORT_STEP.test(value.Resource)) {
      found.push({ state, parameters: value.Parameters ?? {} });
    }
  });
  return found;
}

describe('import token pairing in the workflows', () => {
  it.each([
    ['import-key-material', ['ImportKeyMaterial', 'ReplicaImportKeyMaterial']],
    ['rotate-key-material', ['ImportNewMaterial', 'ImportReplicaMaterial']],
  ])('%s imports each wrapped blob with the wrap step’s own token', (name, expected) => {
    // Act
    const imports = importsOf(name);

    // Assess
    expect(imports.map((entry) => entry.state).sort()).toEqual([...expected].sort());
    for (const { state, parameters } of imports) {
      expect({ state, blob: parameters['wrappedKeyMaterial.$'] }).toEqual({
        state,
        blob: '$.wrapped.wrappedKeyMaterial',
      });
      expect({ state, token: parameters['importToken.$'] }).toEqual({
        state,
        token: '$.wrapped.importToken',
      });
    }
  });
});
