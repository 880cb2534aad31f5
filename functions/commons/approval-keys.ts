// The approvals table's seal and token-lock keys in Lambda (src/approvals/seals.ts): KMS keys named
// by BYOK_APPROVALS_SEAL_KEY_ID (HMAC_256: the approvals API may GenerateMac, the workflow's
// roles VerifyMac) and BYOK_APPROVALS_TOKEN_KEY_ID (symmetric: OpenApproval may Encrypt, only the
// approvals API may Decrypt). The approval team comes from BYOK_APPROVAL_TEAM (the stack parameter
// ApprovalTeam, JSON); without one the approvals API refuses every call by name.
import type { KMSClient } from '@aws-sdk/client-kms';
import { ApprovalTeamNotConfiguredError } from '../../src/core/approvals/errors.ts';
import { type ApprovalKeys, kmsApprovalSeals, kmsTaskTokenVault } from '../../src/core/approvals/seals.ts';
import { type ApprovalTeam, parseApprovalTeam } from '../../src/core/approvals/team.ts';
import { InvalidEnvironmentVariableError, requireEnv } from './env.ts';

export function lambdaApprovalKeys(kms: KMSClient, env: NodeJS.ProcessEnv = process.env): ApprovalKeys {
  return {
    seals: kmsApprovalSeals(kms, requireEnv('BYOK_APPROVALS_SEAL_KEY_ID', env)),
    vault: kmsTaskTokenVault(kms, requireEnv('BYOK_APPROVALS_TOKEN_KEY_ID', env)),
  };
}

/** The approval team of the deployment, or a team that refuses everyone when none is configured. */
export function lambdaApprovalTeam(env: NodeJS.ProcessEnv = process.env): ApprovalTeam {
  const text = env.BYOK_APPROVAL_TEAM ?? '';
  if (text.trim() === '') {
    return {
      approvalsRequired: 1,
      members: [],
      memberOf() {
        throw new ApprovalTeamNotConfiguredError();
      },
    };
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    throw new InvalidEnvironmentVariableError('BYOK_APPROVAL_TEAM', 'is not JSON', { cause: error });
  }
  return parseApprovalTeam(definition, 'the stack parameter ApprovalTeam');
}
