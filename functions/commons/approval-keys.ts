// The approval team and the approvals keys' configuration in Lambda. The team comes from
// BYOK_APPROVAL_TEAM (the stack parameter ApprovalTeam, JSON); without one the approvals API refuses
// every call by name. The keys' ids: BYOK_APPROVALS_SEAL_KEY_ID (HMAC_256) and
// BYOK_APPROVALS_TOKEN_KEY_ID (symmetric); each function builds only the capabilities it has
// (functions/commons/approval-key-*.ts).
import { ApprovalTeamNotConfiguredError } from '../../src/core/approvals/errors.ts';
import { type ApprovalTeam, parseApprovalTeam } from '../../src/core/approvals/team.ts';
import { InvalidEnvironmentVariableError, requireEnv } from './env.ts';

export function sealKeyId(env: NodeJS.ProcessEnv = process.env): string {
  return requireEnv('BYOK_APPROVALS_SEAL_KEY_ID', env);
}

export function tokenKeyId(env: NodeJS.ProcessEnv = process.env): string {
  return requireEnv('BYOK_APPROVALS_TOKEN_KEY_ID', env);
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
