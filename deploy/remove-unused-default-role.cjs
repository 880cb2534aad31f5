// serverless-iam-roles-per-function gives every function its own role but leaves the framework's
// shared default role (IamRoleLambdaExecution) in the template, attached to nothing and, because
// one function runs in a VPC, carrying the VPC network-interface policy. An unused role is still a
// role someone could assume or attach later: this drops it when nothing references it.
'use strict';

const DEFAULT_ROLE = 'IamRoleLambdaExecution';

class RemoveUnusedDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    // Runs after serverless-iam-roles-per-function, which is listed before this plugin.
    this.hooks = { 'before:package:finalize': () => this.removeIfUnused() };
  }

  removeIfUnused() {
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    if (!resources[DEFAULT_ROLE]) return;
    const others = Object.entries(resources).filter(([id]) => id !== DEFAULT_ROLE);
    const referenced = JSON.stringify(others).includes(`"${DEFAULT_ROLE}"`);
    if (!referenced) delete resources[DEFAULT_ROLE];
  }
}

module.exports = RemoveUnusedDefaultRole;
