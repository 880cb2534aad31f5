// serverless-step-functions takes every Task whose Resource is an intrinsic for a Lambda function
// and grants the state machine's role lambda:InvokeFunction on it. With hsmPlacement=activity the
// HSM steps' Resource is `{ Ref: <Step>Activity }` (deploy/state-machines.cjs): that grant names an
// activity ARN, means nothing and reads like a mistake in a review. This drops it (Step Functions
// needs no IAM permission to schedule its own activities' tasks).
'use strict';

const { activityLogicalId, readPlacementFile } = require('./hsm-placement.cjs');

function mentions(value, ids) {
  const text = JSON.stringify(value);
  return ids.some((id) => text.includes(`{"Ref":"${id}"}`));
}

class ActivityPermissions {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.dropLambdaGrantsOnActivities() };
  }

  dropLambdaGrantsOnActivities() {
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    // The activities themselves are merged in from `resources` later: their ids come from the file.
    const activityIds = Object.keys(readPlacementFile().steps).map(activityLogicalId);
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      for (const policy of resource.Properties?.Policies ?? []) {
        const document = policy.PolicyDocument;
        document.Statement = document.Statement.flatMap((statement) => {
          const actions = [].concat(statement.Action);
          if (!actions.includes('lambda:InvokeFunction') || !Array.isArray(statement.Resource))
            return [statement];
          const kept = statement.Resource.filter((entry) => !mentions(entry, activityIds));
          return kept.length > 0 ? [{ ...statement, Resource: kept }] : [];
        });
      }
    }
  }
}

module.exports = ActivityPermissions;
