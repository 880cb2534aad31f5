// Fleet mode (issue 18, docs/fleet.md): what the hub adds to the stack when it is deployed with
// --param="fleetMode=true". Everything here exists only under the FleetMode condition
// (deploy/fleet-mode.cjs puts the condition on every resource these create), so a single-account
// deployment is the same stack as before:
//   functions            discoverFleetTargets, summarizeFleet (their S3 and Organizations rights)
//   stateMachine         reimport-fleet (statemachines/reimport-fleet.asl.json) and its schedule
//                        (deploy/fleet-event-rules.json)
//   resources            the stack parameters, the FleetMode condition, the fleet bucket and the
//                        alarm rule of deploy/fleet-event-rules.json
//   stackParameterVariables  the `--param` each fleet parameter comes from
// Usage: ${file(./deploy/fleet.cjs):functions} etc.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const RULES_FILE = path.join(__dirname, 'fleet-event-rules.json');

const PARAMETERS = {
  FleetMode: {
    Type: 'String',
    Description:
      'Hub of a fleet: sweep every (account, Region) of the fleet through the spoke roles (docs/fleet.md)',
    AllowedValues: ['true', 'false'],
    Default: 'false',
  },
  FleetSource: {
    Type: 'String',
    Description:
      'Where the fleet comes from: the targets document in the fleet bucket, or Organizations accounts x FleetRegions',
    AllowedValues: ['targets', 'organizations'],
    Default: 'targets',
  },
  FleetRegions: {
    Type: 'String',
    Description:
      'Comma-separated Regions of every account (Organizations, and accounts the targets document names without Regions)',
    AllowedPattern: '^([a-z]{2}(-[a-z]+)+-[0-9]{1,2}(,[a-z]{2}(-[a-z]+)+-[0-9]{1,2})*)?$',
    Default: '',
  },
  FleetIncludeAccounts: {
    Type: 'String',
    Description: 'Comma-separated account ids: only these',
    AllowedPattern: '^([0-9]{12}(,[0-9]{12})*)?$',
    Default: '',
  },
  FleetExcludeAccounts: {
    Type: 'String',
    Description: 'Comma-separated account ids left out',
    AllowedPattern: '^([0-9]{12}(,[0-9]{12})*)?$',
    Default: '',
  },
  FleetMaxConcurrency: {
    Type: 'Number',
    Description:
      'Pairs swept at once (the Distributed Map\u2019s MaxConcurrency; 0: as many as Step Functions allows)',
    MinValue: 0,
    MaxValue: 10000,
    Default: 40,
  },
  FleetToleratedFailurePercentage: {
    Type: 'Number',
    Description: 'Share of pairs that may fail before the Map Run stops starting more (100: never stop)',
    MinValue: 0,
    MaxValue: 100,
    Default: 100,
  },
  FleetAlarmDays: {
    Type: 'Number',
    Description: 'Alarm when a material is this close to its ValidTo with no successful reimport',
    MinValue: 1,
    MaxValue: 365,
    Default: 7,
  },
  FleetExternalId: {
    Type: 'String',
    Description:
      'The external id every spoke role requires of the hub (the spoke template\u2019s ExternalId)',
    NoEcho: true,
    AllowedPattern: '^([\\w+=,.@:/-]{16,1224})?$',
    Default: '',
  },
  FleetSpokeRoleName: {
    Type: 'String',
    Description: 'The spoke role in every account',
    Default: 'byok-spoke',
  },
  FleetOrganizationId: {
    Type: 'String',
    Description:
      'The AWS Organization (o-...) whose accounts may forward KMS events to the hub\u2019s bus; empty: only the accounts of FleetIncludeAccounts',
    AllowedPattern: '^(o-[a-z0-9]{10,32})?$',
    Default: '',
  },
};

const stackParameterVariables = [
  ['FleetMode', "param:fleetMode, 'false'"],
  ['FleetSource', "param:fleetSource, 'targets'"],
  ['FleetRegions', "param:fleetRegions, ''"],
  ['FleetIncludeAccounts', "param:fleetIncludeAccounts, ''"],
  ['FleetExcludeAccounts', "param:fleetExcludeAccounts, ''"],
  ['FleetMaxConcurrency', "param:fleetMaxConcurrency, '40'"],
  ['FleetToleratedFailurePercentage', "param:fleetToleratedFailurePercentage, '100'"],
  ['FleetAlarmDays', "param:fleetAlarmDays, '7'"],
  ['FleetExternalId', "param:fleetExternalId, ''"],
  ['FleetSpokeRoleName', "param:fleetSpokeRoleName, 'byok-spoke'"],
  ['FleetOrganizationId', "param:fleetOrganizationId, ''"],
];

const bucketArn = { 'Fn::GetAtt': ['FleetBucket', 'Arn'] };
const objectsArn = { 'Fn::Sub': '${FleetBucket.Arn}/*' };

const environment = {
  BYOK_FLEET_BUCKET: { Ref: 'FleetBucket' },
  BYOK_FLEET_SOURCE: { Ref: 'FleetSource' },
  BYOK_FLEET_REGIONS: { Ref: 'FleetRegions' },
  BYOK_FLEET_INCLUDE: { Ref: 'FleetIncludeAccounts' },
  BYOK_FLEET_EXCLUDE: { Ref: 'FleetExcludeAccounts' },
  BYOK_FLEET_MAX_CONCURRENCY: { Ref: 'FleetMaxConcurrency' },
  BYOK_FLEET_TOLERATED_FAILURE_PERCENTAGE: { Ref: 'FleetToleratedFailurePercentage' },
  BYOK_FLEET_ALARM_DAYS: { Ref: 'FleetAlarmDays' },
};

const functions = {
  discoverFleetTargets: {
    handler: 'functions/discover-fleet-targets.handler',
    description: 'byok fleet: the (account, Region) pairs to sweep, written to the fleet bucket',
    timeout: 300,
    environment,
    iamRoleStatements: [
      {
        Sid: 'ReadTargetsWritePairs',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: objectsArn,
      },
      // ListAccounts has no resource-level permission; it works in the management account or a
      // delegated administrator only.
      {
        Sid: 'ListOrganizationAccounts',
        Effect: 'Allow',
        Action: 'organizations:ListAccounts',
        Resource: '*',
      },
    ],
  },
  summarizeFleet: {
    handler: 'functions/summarize-fleet.handler',
    description: 'byok fleet: one report (JSON, CSV, HTML) of every pair, from the Map Run results',
    timeout: 300,
    environment,
    iamRoleStatements: [
      {
        Sid: 'ReadResultsWriteReport',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: objectsArn,
      },
      { Sid: 'FindResults', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
    ],
  },
};

function readRules(file = RULES_FILE) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The schedule of reimport-fleet as serverless-step-functions events. */
function scheduleEvents(context, rules = readRules()) {
  return rules
    .filter((rule) => rule.target === 'ReimportFleet' && rule.scheduleExpression)
    .map((rule) => ({
      schedule: {
        rate: rule.scheduleExpression,
        enabled: true,
        name: `byok-\${sls:stage}-${rule.name}`,
        description: rule.description,
        input: rule.input ?? {},
      },
    }));
}

function pascal(name) {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The hub bus policy's statement: aws.kms events from `principal`, under `condition` too. */
function busStatement(principal, condition = {}) {
  return {
    Effect: 'Allow',
    Principal: principal,
    Action: 'events:PutEvents',
    Resource: {
      'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default',
    },
    Condition: { StringEquals: { 'events:source': 'aws.kms', ...condition } },
  };
}

function resources(rules = readRules()) {
  const Resources = {
    ReimportFleetLogGroup: {
      Type: 'AWS::Logs::LogGroup',
      Condition: 'FleetMode',
      Properties: {
        LogGroupName: { 'Fn::Sub': '/aws/vendedlogs/states/${AWS::StackName}-reimport-fleet' },
        RetentionInDays: 90,
      },
    },
    FleetBucket: {
      Type: 'AWS::S3::Bucket',
      Condition: 'FleetMode',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    },
    FleetBucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Condition: 'FleetMode',
      Properties: {
        Bucket: { Ref: 'FleetBucket' },
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'TlsOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [bucketArn, objectsArn],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
    // The spokes' forwarding rules put KMS events of their account and Region on this bus. Only
    // accounts of the fleet may: those of the organization (aws:PrincipalOrgID) when
    // FleetOrganizationId is set, else the accounts FleetIncludeAccounts lists, else none but the
    // hub's own (no spoke can forward until one of the two is set).
    FleetEventBusPolicy: {
      Type: 'AWS::Events::EventBusPolicy',
      Condition: 'FleetMode',
      Properties: {
        StatementId: 'byok-fleet-spokes',
        Statement: {
          'Fn::If': [
            'FleetHasOrganizationId',
            busStatement('*', { 'aws:PrincipalOrgID': { Ref: 'FleetOrganizationId' } }),
            {
              'Fn::If': [
                'FleetHasIncludeAccounts',
                busStatement({ AWS: { 'Fn::Split': [',', { Ref: 'FleetIncludeAccounts' }] } }),
                busStatement({ AWS: { Ref: 'AWS::AccountId' } }),
              ],
            },
          ],
        },
      },
    },
  };
  for (const rule of rules.filter((entry) => entry.target === 'AlertTopic')) {
    Resources[`${pascal(rule.name)}Rule`] = {
      Type: 'AWS::Events::Rule',
      Condition: 'FleetMode',
      Properties: {
        Description: rule.description,
        State: 'ENABLED',
        EventPattern: rule.eventPattern,
        Targets: [{ Id: 'AlertTopic', Arn: { Ref: 'AlertTopic' } }],
      },
    };
  }
  return {
    Parameters: PARAMETERS,
    Conditions: {
      FleetMode: { 'Fn::Equals': [{ Ref: 'FleetMode' }, 'true'] },
      FleetHasOrganizationId: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'FleetOrganizationId' }, ''] }] },
      FleetHasIncludeAccounts: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'FleetIncludeAccounts' }, ''] }] },
    },
    Resources,
  };
}

module.exports = {
  functions,
  scheduleEvents: (context) => scheduleEvents(context),
  resources: () => resources(),
  stackParameterVariables,
  readRules,
  PARAMETERS,
};
