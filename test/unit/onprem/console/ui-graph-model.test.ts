// What the run graph draws (src/onprem/console/ui/graph-model.ts), on the real workflow definitions: the
// failure plumbing is never green, it folds away when the run never went there, and the path taken
// is marked.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FAILURE_GROUP,
  graphModel,
  initialSelection,
} from '../../../../src/onprem/console/ui/graph-model.ts';
import type { AslDefinition, StateVisit } from '../../../../src/onprem/console/wire.ts';

async function definitionOf(name: string): Promise<AslDefinition> {
  return JSON.parse(
    await readFile(join(import.meta.dirname, '../../../../statemachines', `${name}.asl.json`), 'utf8'),
  ) as AslDefinition;
}

function visit(
  name: string,
  type: string,
  status: StateVisit['status'],
  error: string | null = null,
): StateVisit {
  return {
    name,
    type,
    status,
    enteredAt: '2026-12-07T10:00:00Z',
    exitedAt: null,
    input: {},
    output: {},
    error,
    cause: null,
  };
}

const SUCCEEDED_RUN = [
  visit('StartImport', 'Pass', 'succeeded'),
  visit('GetParametersForImport', 'Task', 'succeeded'),
  visit('WrapKeyMaterial', 'Task', 'succeeded'),
  visit('ImportKeyMaterial', 'Task', 'succeeded'),
  visit('VerifyImport', 'Task', 'succeeded'),
  visit('HasReplicas', 'Choice', 'succeeded'),
  visit('PublishSucceeded', 'Task', 'succeeded'),
  visit('ImportSucceeded', 'Succeed', 'succeeded'),
];

const FAILED_RUN = [
  visit('StartImport', 'Pass', 'succeeded'),
  visit('GetParametersForImport', 'Task', 'failed', 'HsmKeyNotFoundError'),
  visit('FindFailedKeyId', 'Choice', 'succeeded'),
  visit('KeepFailedKeyId', 'Pass', 'succeeded'),
  visit('PublishFailed', 'Task', 'succeeded'),
  visit('ImportFailed', 'Fail', 'failed'),
];

describe('run graph model', () => {
  it('draws a failed run’s failure path as failure, never green, and its failed state red', async () => {
    // Act
    const model = graphModel(await definitionOf('import-key-material'), FAILED_RUN);
    const status = new Map(model.nodes.map((node) => [node.id, node.status]));

    // Assess
    expect(status.get('GetParametersForImport')).toBe('failed');
    for (const plumbing of ['FindFailedKeyId', 'KeepFailedKeyId', 'PublishFailed']) {
      expect(status.get(plumbing)).toBe('failure-path');
    }
    expect(status.get('ImportFailed')).toBe('failed');
    expect(status.get('WrapKeyMaterial')).toBe('not-visited');
    expect(
      model.nodes.filter((node) => node.role === 'failure').every((node) => node.status !== 'succeeded'),
    ).toBe(true);
    const catchEdge = model.edges.find(
      (edge) => edge.from === 'GetParametersForImport' && edge.to === 'FindFailedKeyId',
    );
    expect(catchEdge).toMatchObject({ kind: 'catch', taken: true, failure: true });
  });

  it('folds the failure plumbing of a successful run into one box, and the Map that never ran', async () => {
    // Act
    const model = graphModel(await definitionOf('import-key-material'), SUCCEEDED_RUN);
    const ids = model.nodes.map((node) => node.id);

    // Assess
    const folded = model.nodes.find((node) => node.id === FAILURE_GROUP);
    expect(folded?.members.sort()).toEqual(
      [
        'CanRenewImportToken',
        'FindFailedKeyId',
        'ImportFailed',
        'KeepFailedKeyId',
        'NoFailedKeyId',
        'PublishFailed',
        'RenewImportToken',
      ].sort(),
    );
    expect(ids).not.toContain('PublishFailed');
    expect(ids).not.toContain('ReplicaWrapKeyMaterial');
    expect(model.nodes.find((node) => node.id === 'ImportIntoReplicas (not run)')?.members).toContain(
      'ReplicaWrapKeyMaterial',
    );
    expect(model.nodes.length).toBeLessThanOrEqual(12);
    expect(model.nodes.filter((node) => node.status === 'succeeded').map((node) => node.id)).toEqual(
      SUCCEEDED_RUN.map((visited) => visited.name),
    );
    expect(model.edges.filter((edge) => edge.taken).map((edge) => `${edge.from}->${edge.to}`)).toContain(
      'VerifyImport->HasReplicas',
    );
    expect(model.edges.some((edge) => edge.from === edge.to)).toBe(false);
  });

  it('treats a rotation’s abandonment as failure plumbing', async () => {
    // Act
    const model = graphModel(await definitionOf('rotate-key-material'), [
      visit('StartRotation', 'Pass', 'succeeded'),
      visit('ValidateRotation', 'Task', 'failed', 'KeyNotEligibleError'),
      visit('AbandonRotation', 'Task', 'succeeded'),
      visit('RetireRotationMaterial', 'Task', 'succeeded'),
      visit('PublishAbandoned', 'Task', 'succeeded'),
      visit('RotationAbandoned', 'Fail', 'failed'),
    ]);
    const status = new Map(model.nodes.map((node) => [node.id, node.status]));

    // Assess
    expect(status.get('AbandonRotation')).toBe('failure-path');
    expect(status.get('RotationAbandoned')).toBe('failed');
    expect(status.get('ValidateRotation')).toBe('failed');
  });

  it('selects the failed state first, else the last one entered', () => {
    // Act / Assess
    expect(initialSelection(FAILED_RUN)).toBe('GetParametersForImport');
    expect(initialSelection(SUCCEEDED_RUN)).toBe('ImportSucceeded');
    expect(initialSelection([])).toBeUndefined();
  });
});
