// Turns deploy/event-rules.json (the one definition of byok's EventBridge rules, see
// docs/design.md) into what serverless.yml needs:
//   stateMachineEvents.<stateMachineKey>  serverless-step-functions `events:` entries (schedule /
//                                         eventBridge) for the rules that start a state machine
//   alertTopicRules                       { Resources } with an AWS::Events::Rule per rule that
//                                         notifies the alert topic
// Deployed rule names are `<service>-<stage>-<name>`. The full shape is checked by
// src/core/sweep/event-rules.ts (zod) in the tests; here only what would silently mis-deploy is refused.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const RULES_FILE = path.join(__dirname, 'event-rules.json');
const STATE_MACHINE_TARGETS = {
  ImportKeyMaterial: 'importKeyMaterial',
  ReimportExpiringKeys: 'reimportExpiringKeys',
};
const ALERT_TOPIC = 'AlertTopic';

function readRules(file = RULES_FILE) {
  const rules = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(rules)) throw new Error(`${file} must hold a JSON array of rules`);
  for (const rule of rules) {
    if (!/^[a-z0-9-]{1,40}$/.test(rule.name || ''))
      throw new Error(`event rule name "${rule.name}" is not [a-z0-9-]{1,40}`);
    if ((rule.scheduleExpression === undefined) === (rule.eventPattern === undefined)) {
      throw new Error(`event rule ${rule.name}: give exactly one of scheduleExpression and eventPattern`);
    }
    if (!(rule.target in STATE_MACHINE_TARGETS) && rule.target !== ALERT_TOPIC) {
      throw new Error(`event rule ${rule.name}: unknown target ${rule.target}`);
    }
  }
  return rules;
}

function pascal(name) {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function stateMachineEvent(rule, ruleName) {
  const common = { name: ruleName, description: rule.description };
  if (rule.input !== undefined) common.input = rule.input;
  if (rule.inputTransformer !== undefined) common.inputTransformer = rule.inputTransformer;
  if (rule.scheduleExpression !== undefined) {
    return { schedule: { rate: rule.scheduleExpression, enabled: true, ...common } };
  }
  return { eventBridge: { event: rule.eventPattern, ...common } };
}

function alertTopicRule(rule, ruleName) {
  const target = { Id: ALERT_TOPIC, Arn: { Ref: ALERT_TOPIC } };
  if (rule.input !== undefined) target.Input = JSON.stringify(rule.input);
  if (rule.inputTransformer !== undefined) {
    target.InputTransformer = {
      InputPathsMap: rule.inputTransformer.inputPathsMap,
      InputTemplate: rule.inputTransformer.inputTemplate,
    };
  }
  return {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: ruleName,
      Description: rule.description,
      State: 'ENABLED',
      ...(rule.scheduleExpression !== undefined
        ? { ScheduleExpression: rule.scheduleExpression }
        : { EventPattern: rule.eventPattern }),
      Targets: [target],
    },
  };
}

function buildEventRules(rules, { service, stage }) {
  const stateMachineEvents = Object.fromEntries(Object.values(STATE_MACHINE_TARGETS).map((key) => [key, []]));
  const resources = {};
  for (const rule of rules) {
    const ruleName = `${service}-${stage}-${rule.name}`;
    if (rule.target === ALERT_TOPIC) {
      resources[`${pascal(rule.name)}EventRule`] = alertTopicRule(rule, ruleName);
    } else {
      stateMachineEvents[STATE_MACHINE_TARGETS[rule.target]].push(stateMachineEvent(rule, ruleName));
    }
  }
  return { stateMachineEvents, alertTopicRules: { Resources: resources } };
}

async function resolveEventRules({ resolveVariable }) {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  return buildEventRules(readRules(), { service, stage });
}

module.exports = resolveEventRules;
module.exports.readRules = readRules;
module.exports.buildEventRules = buildEventRules;
