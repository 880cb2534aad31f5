// Resolves statemachines/*.asl.json for serverless.yml, so the ASL stays the single copy of each
// workflow: the local runner executes the same files with the same `${Placeholder}` resources.
//
// serverless-step-functions has no DefinitionSubstitutions, and a placeholder left in the
// definition packages fine but fails at deploy. So every placeholder is mapped here, and an
// unknown one stops packaging with a clear error:
//   ${<Name>FunctionArn}      -> { "Fn::GetAtt": ["<Name>LambdaFunction", "Arn"] } (function <name>)
//   ${<Name>StateMachineArn}  -> the ARN of state machine <name> built with Fn::Sub from its fixed
//                                name (a Sub ARN lets the plugin scope the parent's
//                                states:DescribeExecution/StopExecution to the child's executions)
//   with hsmPlacement=activity, the HSM steps of statemachines/hsm-placement.json first become
//   activity states ({ "Ref": "<Step>Activity" } and HeartbeatSeconds; deploy/hsm-placement.cjs)
// Usage in serverless.yml: definition: ${file(./deploy/state-machines.cjs):importKeyMaterial}
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const hsmPlacement = require('./hsm-placement.cjs');
const { mapStates } = require('../src/core/asl/walk.cjs');

const STATE_MACHINE_DIR = path.join(__dirname, '..', 'statemachines');
const PLACEHOLDER = /\$\{([A-Za-z0-9]+)\}/g;

function camelFromPascal(name) {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function camelFromKebab(name) {
  return name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** Every `statemachines/<kebab>.asl.json`, keyed by the camelCase key used in serverless.yml. */
function readDefinitions(dir = STATE_MACHINE_DIR) {
  const definitions = {};
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith('.asl.json')) continue;
    const key = camelFromKebab(file.slice(0, -'.asl.json'.length));
    definitions[key] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  }
  return definitions;
}

/** The distinct placeholder names used anywhere in a definition. */
function placeholdersIn(definition) {
  const names = new Set();
  for (const match of JSON.stringify(definition).matchAll(PLACEHOLDER)) names.add(match[1]);
  return [...names].sort();
}

/**
 * Maps one placeholder name to a CloudFormation value. `stateMachineNames` maps a state machine's
 * camelCase key to its deployed name.
 */
function intrinsicFor(name, { functionKeys, stateMachineNames }) {
  let match = /^([A-Za-z0-9]+)FunctionArn$/.exec(name);
  if (match) {
    const functionKey = camelFromPascal(match[1]);
    if (!functionKeys.includes(functionKey)) {
      throw new Error(
        `ASL placeholder \${${name}} needs a function "${functionKey}" in serverless.yml, which has: ${functionKeys.join(', ')}`,
      );
    }
    return { 'Fn::GetAtt': [`${match[1]}LambdaFunction`, 'Arn'] };
  }
  match = /^([A-Za-z0-9]+)StateMachineArn$/.exec(name);
  if (match) {
    const stateMachineName = stateMachineNames[camelFromPascal(match[1])];
    if (!stateMachineName) {
      throw new Error(`ASL placeholder \${${name}} names no state machine of serverless.yml`);
    }
    return {
      'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${stateMachineName}`,
    };
  }
  throw new Error(`ASL placeholder \${${name}} has no mapping in deploy/state-machines.cjs`);
}

/** Replaces each placeholder: a string that is exactly one placeholder becomes the intrinsic. */
function resolveDefinition(definition, context) {
  const visit = (value) => {
    if (Array.isArray(value)) return value.map(visit);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v)]));
    }
    if (typeof value !== 'string') return value;
    const whole = /^\$\{([A-Za-z0-9]+)\}$/.exec(value);
    if (whole) return intrinsicFor(whole[1], context);
    if (/\$\{[A-Za-z0-9]+\}/.test(value)) {
      throw new Error(`ASL string "${value}" embeds a placeholder; use it as a whole value`);
    }
    return value;
  };
  return visit(definition);
}

/** kebab-case step name of a `${<Name>FunctionArn}` placeholder, or undefined. */
function functionStepOf(resource) {
  const match = typeof resource === 'string' ? /^\$\{([A-Z][A-Za-z0-9]*)FunctionArn\}$/.exec(resource) : null;
  return match ? match[1].replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase() : undefined;
}

/**
 * hsmPlacement=activity: each HSM step's Task (statemachines/hsm-placement.json) becomes an
 * activity state, `{ Ref: <Step>Activity }` (its ARN) with HeartbeatSeconds; lambda leaves the
 * definition as is. deploy/activity-permissions.cjs removes the lambda:InvokeFunction that
 * serverless-step-functions grants on any intrinsic Resource.
 */
function placeHsmSteps(definition, placement, placementFile = hsmPlacement.readPlacementFile()) {
  if (placement === 'lambda') return definition;
  return mapStates(definition, (_name, state) => {
    const step = functionStepOf(state.Resource);
    if (state.Type !== 'Task' || !step || !placementFile.steps[step]) return state;
    // Ref of an activity is its ARN (and makes CloudFormation create it first).
    return {
      ...state,
      Resource: { Ref: hsmPlacement.activityLogicalId(step) },
      HeartbeatSeconds: placementFile.heartbeatSeconds,
    };
  });
}

/** serverless.yml's functions: a map, or a list of maps (one per file) merged. */
function functionKeysOf(functions) {
  if (Array.isArray(functions)) return functions.flatMap((part) => Object.keys(part || {}));
  return Object.keys(functions || {});
}

async function resolveAll(context) {
  const { resolveConfigurationProperty } = context;
  const definitions = readDefinitions();
  const placement = await hsmPlacement.placementOf(context);
  const functionKeys = functionKeysOf(await resolveConfigurationProperty(['functions']));
  const stateMachineNames = {};
  for (const key of Object.keys(definitions)) {
    const name = await resolveConfigurationProperty(['stepFunctions', 'stateMachines', key, 'name']);
    if (name) stateMachineNames[key] = name;
  }
  const resolved = {};
  for (const [key, definition] of Object.entries(definitions)) {
    resolved[key] = resolveDefinition(placeHsmSteps(definition, placement), {
      functionKeys,
      stateMachineNames,
    });
  }
  return resolved;
}

module.exports = resolveAll;
module.exports.readDefinitions = readDefinitions;
module.exports.placeholdersIn = placeholdersIn;
module.exports.resolveDefinition = resolveDefinition;
module.exports.placeHsmSteps = placeHsmSteps;
