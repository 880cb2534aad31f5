// Who hears byok's alerts, and which Regions the expiry alarm watches (serverless.yml resources):
//   AlertEmail           an e-mail address subscribed to the alert topic (SNS sends a confirmation
//                        mail first); empty: no subscription
//   ExpiryAlarmRegions   other Regions whose managed keys the expiry alarm watches. A CloudWatch
//                        alarm reads only its own Region's metrics, so each listed Region gets the
//                        same Metrics Insights alarm on AWS/KMS SecondsUntilKeyMaterialExpiration,
//                        with its own encrypted topic and the same e-mail subscription, through a
//                        self-managed StackSet of this account (needs the StackSet administration
//                        and execution roles, docs/deploy.md). Empty: the stack's Region only.
'use strict';

const sub = (text) => ({ 'Fn::Sub': text });

/** The template each listed Region gets (a StackSet's TemplateBody). */
function regionalAlarmTemplate(prefix) {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `${prefix}: the expiry alarm of byok for this Region's imported key material`,
    Parameters: {
      AlertEmail: { Type: 'String', Default: '' },
      ExpiryAlarmSeconds: { Type: 'Number', Default: 604800 },
    },
    Conditions: { AlertEmailGiven: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertEmail' }, ''] }] } },
    Resources: {
      AlertTopicKey: {
        Type: 'AWS::KMS::Key',
        Properties: {
          Description: 'Encrypts the byok regional alert topic',
          EnableKeyRotation: true,
          KeyPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'AccountAdministers',
                Effect: 'Allow',
                Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
                Action: [
                  'kms:DescribeKey',
                  'kms:GetKeyPolicy',
                  'kms:PutKeyPolicy',
                  'kms:GetKeyRotationStatus',
                  'kms:EnableKeyRotation',
                  'kms:ListResourceTags',
                  'kms:TagResource',
                  'kms:UntagResource',
                  'kms:ScheduleKeyDeletion',
                  'kms:CancelKeyDeletion',
                ],
                Resource: '*',
              },
              {
                Sid: 'CloudWatchPublishesAlarms',
                Effect: 'Allow',
                Principal: { Service: 'cloudwatch.amazonaws.com' },
                Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
                Resource: '*',
                Condition: {
                  ArnLike: {
                    'aws:SourceArn': sub(
                      `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${prefix}-*`,
                    ),
                  },
                },
              },
            ],
          },
        },
      },
      AlertTopic: {
        Type: 'AWS::SNS::Topic',
        Properties: {
          TopicName: `${prefix}-alerts`,
          DisplayName: 'byok alerts',
          KmsMasterKeyId: { Ref: 'AlertTopicKey' },
        },
      },
      AlertTopicPolicy: {
        Type: 'AWS::SNS::TopicPolicy',
        Properties: {
          Topics: [{ Ref: 'AlertTopic' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'CloudWatchPublishesAlarms',
                Effect: 'Allow',
                Principal: { Service: 'cloudwatch.amazonaws.com' },
                Action: 'sns:Publish',
                Resource: { Ref: 'AlertTopic' },
                Condition: {
                  ArnLike: {
                    'aws:SourceArn': sub(
                      `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${prefix}-*`,
                    ),
                  },
                },
              },
            ],
          },
        },
      },
      AlertEmailSubscription: {
        Type: 'AWS::SNS::Subscription',
        Condition: 'AlertEmailGiven',
        Properties: { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'email', Endpoint: { Ref: 'AlertEmail' } },
      },
      KeyMaterialExpiringAlarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: `${prefix}-key-material-expiring`,
          AlarmDescription:
            'Imported KMS key material in this Region expires soon and has not been reimported',
          Metrics: [
            {
              Id: 'soonestExpiry',
              Expression: 'SELECT MIN(SecondsUntilKeyMaterialExpiration) FROM SCHEMA("AWS/KMS", KeyId)',
              Period: 3600,
              ReturnData: true,
            },
          ],
          ComparisonOperator: 'LessThanThreshold',
          Threshold: { Ref: 'ExpiryAlarmSeconds' },
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: 'AlertTopic' }],
        },
      },
    },
  };
}

async function resources({ resolveVariable }) {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const prefix = `${service}-${stage}`;
  return {
    Parameters: {
      AlertEmail: {
        Type: 'String',
        Description:
          'E-mail address subscribed to the alert topic (and to each regional alarm topic); empty: none',
        AllowedPattern: '^([^@\\s]+@[^@\\s]+\\.[^@\\s]+)?$',
        Default: '',
      },
      ExpiryAlarmRegions: {
        Type: 'CommaDelimitedList',
        Description:
          "Other Regions whose managed keys the expiry alarm watches (replicas' Regions); each gets the alarm through a self-managed StackSet. Empty: this Region only",
        Default: '',
      },
    },
    Conditions: {
      AlertEmailGiven: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertEmail' }, ''] }] },
      OtherAlarmRegionsGiven: {
        'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': [',', { Ref: 'ExpiryAlarmRegions' }] }, ''] }],
      },
    },
    Resources: {
      AlertEmailSubscription: {
        Type: 'AWS::SNS::Subscription',
        Condition: 'AlertEmailGiven',
        Properties: { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'email', Endpoint: { Ref: 'AlertEmail' } },
      },
      RegionalExpiryAlarms: {
        Type: 'AWS::CloudFormation::StackSet',
        Condition: 'OtherAlarmRegionsGiven',
        Properties: {
          StackSetName: `${prefix}-expiry-alarms`,
          Description: 'byok: the key material expiry alarm in the other Regions of managed keys',
          PermissionModel: 'SELF_MANAGED',
          TemplateBody: JSON.stringify(regionalAlarmTemplate(prefix)),
          Parameters: [
            { ParameterKey: 'AlertEmail', ParameterValue: { Ref: 'AlertEmail' } },
            { ParameterKey: 'ExpiryAlarmSeconds', ParameterValue: { Ref: 'ExpiryAlarmSeconds' } },
          ],
          StackInstancesGroup: [
            {
              DeploymentTargets: { Accounts: [{ Ref: 'AWS::AccountId' }] },
              Regions: { Ref: 'ExpiryAlarmRegions' },
            },
          ],
        },
      },
    },
  };
}

module.exports = { resources, regionalAlarmTemplate };
