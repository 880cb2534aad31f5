// The runner places the rotation's HSM steps like the wrap step: in activity placement each of
// CreateRotationMaterial and RetireRotationMaterial becomes its own activity with HeartbeatSeconds.
import { describe, expect, it } from 'vitest';
import {
  applyHsmPlacement,
  HSM_STEPS,
  localActivityArn,
} from '../../../../src/onprem/runner/hsm-placement.ts';
import { loadStateMachine } from '../../../../src/onprem/runner/state-machines.ts';

const arnOf = (step: string) => localActivityArn(step, 'eu-west-1', '000000000000');

describe('applyHsmPlacement on the rotation workflow', () => {
  it('turns each rotation HSM step into its own activity state, with HeartbeatSeconds', async () => {
    // Prepare
    const { definition } = await loadStateMachine('rotate-key-material');

    // Act
    const placed = applyHsmPlacement(definition, 'activity', arnOf);
    const asLambda = applyHsmPlacement(definition, 'lambda', arnOf);

    // Assess
    expect(HSM_STEPS).toEqual(['wrap-key-material', 'create-rotation-material', 'retire-rotation-material']);
    expect(placed.States.CreateRotationMaterial).toMatchObject({
      Resource: 'arn:aws:states:eu-west-1:000000000000:activity:byok-create-rotation-material',
      HeartbeatSeconds: 30,
    });
    expect(placed.States.RetireRotationMaterial).toMatchObject({
      Resource: 'arn:aws:states:eu-west-1:000000000000:activity:byok-retire-rotation-material',
      HeartbeatSeconds: 30,
    });
    expect(placed.States.WrapKeyMaterial).toMatchObject({ Resource: arnOf('wrap-key-material') });
    expect(asLambda).toBe(definition);
    expect(placed.States.ValidateRotation?.Resource).toBe(definition.States.ValidateRotation?.Resource);
  });
});
