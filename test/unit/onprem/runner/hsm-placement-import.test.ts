// One workflow, two placements: the runner places the HSM steps of statemachines/hsm-placement.json
// as the ASL says (lambda) or as activity states with HeartbeatSeconds (activity), leaving every
// other state, and every other field of the placed state, as written.
import { describe, expect, it } from 'vitest';
import {
  ACTIVITY_HEARTBEAT_SECONDS,
  applyHsmPlacement,
  HSM_STEPS,
  localActivityArn,
} from '../../../../src/onprem/runner/hsm-placement.ts';
import { type AslDefinition, loadStateMachine } from '../../../../src/onprem/runner/state-machines.ts';

const arnOf = (step: string) => localActivityArn(step, 'eu-west-1', '123456789012');

describe('applyHsmPlacement', () => {
  it('leaves the definition as written for the lambda placement', async () => {
    // Prepare
    const { definition } = await loadStateMachine('import-key-material');

    // Act
    const placed = applyHsmPlacement(definition, 'lambda', arnOf);

    // Assess
    expect(placed).toBe(definition);
  });

  it('turns WrapKeyMaterial into an activity state with HeartbeatSeconds, and nothing else', async () => {
    // Prepare
    const { definition } = await loadStateMachine('import-key-material');

    // Act
    const placed = applyHsmPlacement(definition, 'activity', arnOf);

    // Assess
    expect(HSM_STEPS).toContain('wrap-key-material');
    expect(placed.States.WrapKeyMaterial).toEqual({
      ...definition.States.WrapKeyMaterial,
      Resource: 'arn:aws:states:eu-west-1:123456789012:activity:byok-wrap-key-material',
      HeartbeatSeconds: ACTIVITY_HEARTBEAT_SECONDS,
    });
    // The replica Regions' Map wraps again with the same step, placed the same way.
    const replicaStates = (state: unknown) =>
      (state as { ItemProcessor: { States: Record<string, { Resource?: string }> } }).ItemProcessor.States;
    expect(replicaStates(placed.States.ImportIntoReplicas).ReplicaWrapKeyMaterial?.Resource).toBe(
      'arn:aws:states:eu-west-1:123456789012:activity:byok-wrap-key-material',
    );
    const { WrapKeyMaterial: _placed, ImportIntoReplicas: _placedMap, ...others } = placed.States;
    const { WrapKeyMaterial: _written, ImportIntoReplicas: _writtenMap, ...written } = definition.States;
    expect(others).toEqual(written);
  });

  it('places HSM steps inside Map and Parallel states too', () => {
    // Prepare
    const wrap = { Type: 'Task', Resource: '${WrapKeyMaterialFunctionArn}', End: true };
    const definition: AslDefinition = {
      StartAt: 'Each',
      States: {
        Each: { Type: 'Map', ItemProcessor: { StartAt: 'Wrap', States: { Wrap: wrap } }, Next: 'Both' },
        Both: { Type: 'Parallel', Branches: [{ StartAt: 'Wrap', States: { Wrap: wrap } }], End: true },
      },
    };

    // Act
    const placed = applyHsmPlacement(definition, 'activity', arnOf);

    // Assess
    expect(placed.States.Each?.ItemProcessor?.States.Wrap?.Resource).toBe(arnOf('wrap-key-material'));
    expect(placed.States.Both?.Branches?.[0]?.States.Wrap?.HeartbeatSeconds).toBe(ACTIVITY_HEARTBEAT_SECONDS);
  });
});
