// `npm run package` with `--param hsmPlacement=activity` deploys nothing HSM-related to Lambda: the
// wrap step becomes an activity (with HeartbeatSeconds, the same Retry/Catch) that `byok worker`
// polls. Both placements are packaged here offline and compared: what differs is exactly the HSM
// step's placement, nothing else of the stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnResource,
  type CfnTemplate,
  type PackagedService,
  packageService,
} from '../../deploy/package-service.ts';

let lambda: PackagedService;
let activity: PackagedService;

beforeAll(() => {
  lambda = packageService(undefined, ['--param', 'hsmPlacement=lambda'], { cache: true });
  activity = packageService(undefined, ['--param', 'hsmPlacement=activity'], { cache: true });
}, 240_000);

afterAll(() => {
  lambda?.cleanup();
  activity?.cleanup();
});

type State = Record<string, unknown>;

/** A state machine's top-level states, each intrinsic placeholder replaced by its intrinsic. */
function statesOf(template: CfnTemplate, stateMachine: string): Record<string, State> {
  const definitionString = template.Resources[stateMachine]?.Properties?.DefinitionString as
    | { 'Fn::Sub': [string, Record<string, unknown>] }
    | undefined;
  if (!definitionString) throw new Error(`no ${stateMachine} state machine in the template`);
  const sub = definitionString['Fn::Sub'];
  const definition = JSON.parse(sub[0]) as { States: Record<string, State> };
  for (const state of Object.values(definition.States)) {
    const match = typeof state.Resource === 'string' ? /^\$\{(\w+)\}$/.exec(state.Resource) : null;
    if (match?.[1] && sub[1][match[1]]) state.Resource = sub[1][match[1]];
  }
  return definition.States;
}

function importStates(template: CfnTemplate): Record<string, State> {
  return statesOf(template, 'ImportKeyMaterial');
}

function ofType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** The template without what changes on every packaging (code locations, version hashes). */
function stable(template: CfnTemplate): CfnTemplate {
  const text = JSON.stringify(template)
    .replace(/"S3Key":"[^"]*"/g, '"S3Key":"<code>"')
    .replace(/LambdaVersion[A-Za-z0-9]+/g, 'LambdaVersion<hash>')
    .replace(/"CodeSha256":"[^"]*"/g, '"CodeSha256":"<sha>"');
  return JSON.parse(text) as CfnTemplate;
}

const HSM_HANDLERS = [
  'functions/wrap-key-material.handler',
  'functions/create-rotation-material.handler',
  'functions/retire-rotation-material.handler',
];

const HSM_PARAMETERS = [
  'Pkcs11LayerArn',
  'Pkcs11LibraryPath',
  'HsmTokenLabel',
  'HsmPinSecretArn',
  'HsmSubnetIds',
  'HsmSecurityGroupIds',
];

describe('hsmPlacement=activity', () => {
  it('deploys the wrap activity and no wrap function, layer, VPC or PIN secret', () => {
    // Prepare
    const template = activity.template;
    const functions = ofType(template, 'AWS::Lambda::Function');
    const roles = JSON.stringify(ofType(template, 'AWS::IAM::Role'));

    // Assess
    expect(ofType(template, 'AWS::StepFunctions::Activity')).toEqual([
      [
        'WrapKeyMaterialActivity',
        { Type: 'AWS::StepFunctions::Activity', Properties: { Name: 'byok-dev-wrap-key-material' } },
      ],
      [
        'CreateRotationMaterialActivity',
        {
          Type: 'AWS::StepFunctions::Activity',
          Properties: { Name: 'byok-dev-create-rotation-material' },
        },
      ],
      [
        'RetireRotationMaterialActivity',
        {
          Type: 'AWS::StepFunctions::Activity',
          Properties: { Name: 'byok-dev-retire-rotation-material' },
        },
      ],
    ]);
    const handlers = functions.map(([, fn]) => fn.Properties?.Handler);
    for (const handler of HSM_HANDLERS) expect(handlers).not.toContain(handler);
    for (const [id, fn] of functions) {
      expect(fn.Properties?.Layers, id).toBeUndefined();
      expect(fn.Properties?.VpcConfig, id).toBeUndefined();
    }
    expect(Object.keys(template.Parameters ?? {}).filter((name) => HSM_PARAMETERS.includes(name))).toEqual(
      [],
    );
    expect(roles).not.toContain('secretsmanager:');
    expect(roles).not.toContain('ec2:CreateNetworkInterface');
    expect(roles).not.toContain('WrapKeyMaterialActivity');
    expect(template.Outputs?.WrapKeyMaterialActivityArn).toMatchObject({
      Value: { Ref: 'WrapKeyMaterialActivity' },
    });
  });

  it('has the state machine use the activity, with HeartbeatSeconds and the same Retry and Catch', () => {
    // Act
    const placed = importStates(activity.template).WrapKeyMaterial as State;
    const asLambda = importStates(lambda.template).WrapKeyMaterial as State;

    // Assess
    expect(placed.Resource).toEqual({ Ref: 'WrapKeyMaterialActivity' });
    expect(asLambda.Resource).toEqual({ 'Fn::GetAtt': ['WrapKeyMaterialLambdaFunction', 'Arn'] });
    expect(placed.HeartbeatSeconds).toBe(30);
    expect(asLambda.HeartbeatSeconds).toBeUndefined();
    const { Resource: _a, HeartbeatSeconds: _h, ...rest } = placed;
    const { Resource: _b, ...lambdaRest } = asLambda;
    expect(rest).toEqual(lambdaRest);
    expect(JSON.stringify(rest.Retry)).toContain('States.HeartbeatTimeout');
  });

  it.each(['CreateRotationMaterial', 'RetireRotationMaterial'])(
    "has the rotation's %s use its activity, with HeartbeatSeconds and the same Retry and Catch",
    (step) => {
      // Act
      const placed = statesOf(activity.template, 'RotateKeyMaterial')[step] as State;
      const asLambda = statesOf(lambda.template, 'RotateKeyMaterial')[step] as State;

      // Assess
      expect(placed.Resource).toEqual({ Ref: `${step}Activity` });
      expect(asLambda.Resource).toEqual({ 'Fn::GetAtt': [`${step}LambdaFunction`, 'Arn'] });
      expect(placed.HeartbeatSeconds).toBe(30);
      const { Resource: _a, HeartbeatSeconds: _h, ...rest } = placed;
      const { Resource: _b, ...lambdaRest } = asLambda;
      expect(rest).toEqual(lambdaRest);
    },
  );

  it("routes the worker's refused-task alert to the alert topic and paces the sweep for two requests per import", () => {
    // Prepare
    const rule = activity.template.Resources.WorkerAlertRule;
    const sweep = activity.template.Resources.FindExpiringKeysLambdaFunction;

    // Assess
    expect(rule?.Properties).toMatchObject({
      EventPattern: { source: ['byok'], 'detail-type': ['byok Worker Refused Task'] },
      Targets: [{ Id: 'AlertTopic', Arn: { Ref: 'AlertTopic' } }],
    });
    expect(sweep?.Properties?.Environment).toMatchObject({
      Variables: { BYOK_GET_PARAMETERS_PER_IMPORT: '2' },
    });
  });

  it('differs from the lambda placement only in the HSM steps', () => {
    // Prepare
    const a = stable(activity.template);
    const l = stable(lambda.template);
    const onlyInLambda = Object.keys(l.Resources)
      .filter((id) => !(id in a.Resources))
      .sort();
    const onlyInActivity = Object.keys(a.Resources)
      .filter((id) => !(id in l.Resources))
      .sort();
    const changed = Object.keys(a.Resources)
      .filter(
        (id) => id in l.Resources && JSON.stringify(a.Resources[id]) !== JSON.stringify(l.Resources[id]),
      )
      .sort();

    // Assess
    expect(onlyInLambda).toEqual(
      ['CreateRotationMaterial', 'RetireRotationMaterial', 'WrapKeyMaterial']
        .flatMap((step) => [
          `${step}IamRoleLambdaExecution`,
          `${step}LambdaFunction`,
          `${step}LambdaVersion<hash>`,
          `${step}LogGroup`,
        ])
        .sort(),
    );
    expect(onlyInActivity).toEqual([
      'CreateRotationMaterialActivity',
      'RetireRotationMaterialActivity',
      'WorkerAlertRule',
      'WorkerPolicy',
      'WrapKeyMaterialActivity',
    ]);
    expect(changed).toEqual([
      'FindExpiringKeysLambdaFunction',
      'ImportKeyMaterial',
      'ImportKeyMaterialRole',
      'RotateKeyMaterial',
      'RotateKeyMaterialRole',
    ]);
    expect(
      Object.keys(l.Parameters ?? {})
        .filter((name) => !(name in (a.Parameters ?? {})))
        .sort(),
    ).toEqual([...HSM_PARAMETERS].sort());
    // The worker's policy and the keys it may bind exist only where there is a worker.
    expect(
      Object.keys(a.Parameters ?? {})
        .filter((name) => !(name in (l.Parameters ?? {})))
        .sort(),
    ).toEqual(['WorkerKeyArns']);
  });
});

describe('hsmPlacement=lambda', () => {
  it('keeps the wrap function with its layer, VPC and PIN secret, and no activity', () => {
    // Prepare
    const wrap = lambda.template.Resources.WrapKeyMaterialLambdaFunction;

    // Assess
    expect(wrap?.Properties).toMatchObject({
      Handler: 'functions/wrap-key-material.handler',
      Layers: [{ Ref: 'Pkcs11LayerArn' }],
      Environment: { Variables: { BYOK_PIN_SECRET_ARN: { Ref: 'HsmPinSecretArn' } } },
    });
    expect(wrap?.Properties?.VpcConfig).toBeDefined();
    expect(ofType(lambda.template, 'AWS::StepFunctions::Activity')).toEqual([]);
    expect(
      lambda.template.Resources.FindExpiringKeysLambdaFunction?.Properties?.Environment,
    ).not.toMatchObject({
      Variables: { BYOK_GET_PARAMETERS_PER_IMPORT: expect.anything() },
    });
  });
});
