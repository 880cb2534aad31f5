// deploy/state-machines.cjs turns the ASL's `${Placeholder}` resources into CloudFormation
// intrinsics for serverless.yml. A placeholder left literal packages fine and fails only at deploy,
// so anything it cannot map must stop packaging with a clear message.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

type Definition = Record<string, unknown>;
interface ResolverContext {
  functionKeys: string[];
  stateMachineNames: Record<string, string>;
}
interface StateMachineResolver {
  readDefinitions(dir?: string): Record<string, Definition>;
  placeholdersIn(definition: unknown): string[];
  resolveDefinition(definition: Definition, context: ResolverContext): Definition;
  placeHsmSteps(definition: Definition, placement: 'lambda' | 'activity'): Definition;
}

const resolver = createRequire(import.meta.url)('../../deploy/state-machines.cjs') as StateMachineResolver;
const context: ResolverContext = {
  functionKeys: ['getParametersForImport', 'findExpiringKeys'],
  stateMachineNames: { importKeyMaterial: 'byok-dev-import-key-material' },
};

function task(resource: string, parameters?: Record<string, unknown>): Definition {
  return {
    StartAt: 'Step',
    States: {
      Step: {
        Type: 'Task',
        Resource: resource,
        ...(parameters ? { Parameters: parameters } : {}),
        End: true,
      },
    },
  };
}

describe('deploy/state-machines.cjs', () => {
  it('maps a function placeholder to the Arn of that function of the stack', () => {
    // Act
    const resolved = resolver.resolveDefinition(task('${GetParametersForImportFunctionArn}'), context);

    // Assess
    expect(resolved).toEqual({
      StartAt: 'Step',
      States: {
        Step: {
          Type: 'Task',
          Resource: { 'Fn::GetAtt': ['GetParametersForImportLambdaFunction', 'Arn'] },
          End: true,
        },
      },
    });
  });

  it('maps a state machine placeholder to an ARN built from its fixed name', () => {
    // Act
    const resolved = resolver.resolveDefinition(
      task('arn:aws:states:::states:startExecution.sync:2', {
        StateMachineArn: '${ImportKeyMaterialStateMachineArn}',
      }),
      context,
    );

    // Assess
    expect(resolved.States).toMatchObject({
      Step: {
        Resource: 'arn:aws:states:::states:startExecution.sync:2',
        Parameters: {
          StateMachineArn: {
            'Fn::Sub':
              'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:byok-dev-import-key-material',
          },
        },
      },
    });
  });

  it.each([
    [
      'a function missing from serverless.yml',
      '${WrapKeyMaterialFunctionArn}',
      /needs a function "wrapKeyMaterial"/,
    ],
    ['an unknown state machine', '${RotateStateMachineArn}', /names no state machine/],
    ['an unknown kind of placeholder', '${AlertTopicArn}', /has no mapping/],
    [
      'a placeholder inside a longer string',
      'arn:${AWS::Partition}:x:${FooFunctionArn}',
      /embeds a placeholder/,
    ],
  ])('refuses %s', (_case, resource, message) => {
    // Act
    const resolve = () => resolver.resolveDefinition(task(resource), context);

    // Assess
    expect(resolve).toThrow(message);
  });

  it('leaves ASL without placeholders unchanged', () => {
    // Prepare
    const definition = task('arn:aws:states:::events:putEvents', {
      Entries: [{ Source: 'byok', 'Detail.$': '$' }],
    });

    // Act
    const resolved = resolver.resolveDefinition(definition, context);

    // Assess
    expect(resolved).toEqual(definition);
    expect(resolver.placeholdersIn(definition)).toEqual([]);
  });

  it('places the HSM steps as activities with hsmPlacement=activity, and leaves them for lambda', () => {
    // Prepare
    const definition = task('${WrapKeyMaterialFunctionArn}', { 'importParameters.$': '$.importParameters' });

    // Act
    const asActivity = resolver.resolveDefinition(resolver.placeHsmSteps(definition, 'activity'), {
      ...context,
      functionKeys: [],
    });
    const asLambda = resolver.placeHsmSteps(definition, 'lambda');

    // Assess
    expect((asActivity.States as Record<string, Definition>).Step).toMatchObject({
      Resource: { Ref: 'WrapKeyMaterialActivity' },
      HeartbeatSeconds: 30,
      Parameters: { 'importParameters.$': '$.importParameters' },
    });
    expect(asLambda).toBe(definition);
  });
});
