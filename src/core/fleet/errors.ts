// The fleet's named errors. Each surfaces in reimport-fleet (and in the sweep of one account and
// Region) under its class name, and in the report and `byok fleet` with its hint. Messages name
// accounts, Regions and roles, never key material.
import { ByokError, type ByokErrorOptions } from '../shared/errors.ts';

export class FleetError extends ByokError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'FleetError';
  }
}

/** The fleet's execution input (or a state's input) does not match its schema. */
export class InvalidFleetInputError extends FleetError {
  readonly issues: string[];
  constructor(issues: string[], options?: ErrorOptions) {
    super(`invalid fleet input: ${issues.join('; ')}`, options);
    this.name = 'InvalidFleetInputError';
    this.issues = issues;
  }
}

/** The targets document is missing, unreadable or not in its documented shape. */
export class FleetTargetsError extends FleetError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, {
      hint: 'a targets document is {"regions": ["us-east-1"], "accounts": ["111122223333", {"accountId": "…", "regions": […]}]} (docs/fleet.md)',
      ...options,
    });
    this.name = 'FleetTargetsError';
  }
}

/** A required setting of the fleet (bucket, Regions, spoke role) is not configured. */
export class FleetConfigurationError extends FleetError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'FleetConfigurationError';
  }
}

/** The hub could not assume the spoke role of an account (missing, deleted, or trust refused). */
export class SpokeAccessDeniedError extends FleetError {
  readonly accountId: string;
  readonly roleArn: string;
  constructor(
    accountId: string,
    roleArn: string,
    detail: string,
    options?: ErrorOptions & { onAssumeRole?: boolean | undefined },
  ) {
    const what =
      options?.onAssumeRole === false
        ? `the spoke role ${roleArn} (account ${accountId}) is not allowed to do this (deleted, or its policy changed)`
        : `AccessDenied on AssumeRole ${roleArn} (account ${accountId})`;
    super(`${what}: ${detail}`, {
      ...options,
      hint: `deploy the spoke template in account ${accountId} (byok fleet spoke-template --hub-account <hub>), with the hub's external id`,
    });
    this.name = 'SpokeAccessDeniedError';
    this.accountId = accountId;
    this.roleArn = roleArn;
  }
}

/** A Region did not answer at all (disabled, unreachable, or no network path). */
export class RegionUnreachableError extends FleetError {
  readonly accountId: string;
  readonly region: string;
  constructor(accountId: string, region: string, detail: string, options?: ErrorOptions) {
    super(`Region ${region} of account ${accountId} did not answer: ${detail}`, {
      ...options,
      hint: `check that ${region} is enabled for account ${accountId} and reachable from the hub, or exclude it from the fleet's Regions`,
    });
    this.name = 'RegionUnreachableError';
    this.accountId = accountId;
    this.region = region;
  }
}

/** The Region is not enabled for the account (an opt-in Region answers UnrecognizedClientException). */
export class RegionNotEnabledError extends FleetError {
  readonly accountId: string;
  readonly region: string;
  constructor(accountId: string, region: string, detail: string, options?: ErrorOptions) {
    super(`Region ${region} is not enabled for account ${accountId}: ${detail}`, {
      ...options,
      hint: `enable ${region} for account ${accountId} (Account > AWS Regions), or remove it from the fleet's Regions`,
    });
    this.name = 'RegionNotEnabledError';
    this.accountId = accountId;
    this.region = region;
  }
}

/** KMS kept throttling an account and Region past the retries. */
export class SpokeThrottledError extends FleetError {
  constructor(accountId: string, region: string, detail: string, options?: ErrorOptions) {
    super(`KMS throttled account ${accountId} in ${region}: ${detail}`, {
      ...options,
      hint: `lower the fleet's quota share for ${accountId}/${region}, or raise its KMS request quota (Service Quotas)`,
    });
    this.name = 'SpokeThrottledError';
  }
}

/** The Map Run's results (or the targets the fleet wrote) could not be read back from S3. */
export class FleetResultsError extends FleetError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, {
      ...options,
      hint: 'check the fleet bucket and the hub role\u2019s s3:GetObject/ListBucket on it',
    });
    this.name = 'FleetResultsError';
  }
}
