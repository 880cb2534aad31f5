// A minimal STS on the local stack (Query protocol, signing name `sts`): AssumeRole, checked
// against the role's trust policy (principal, sts:ExternalId, aws:PrincipalArn), and
// GetCallerIdentity. A role that does not exist, or whose trust policy does not let the caller in,
// is AccessDenied with AWS's message; the session's key id then names the role's account on every
// other service of the stack (src/local/identity.ts).
import { createHash } from 'node:crypto';
import { evaluatePolicies } from '../iam/policy.ts';
import type { LocalRoles } from '../iam/roles.ts';
import type { LocalIdentities } from '../identity.ts';
import { AwsServiceError, type RequestContext } from '../protocol.ts';
import { type LocalQueryService, queryResponse, xmlElements } from '../query-protocol.ts';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export class StsService implements LocalQueryService {
  readonly signingName = 'sts';
  readonly xmlns = 'https://sts.amazonaws.com/doc/2011-06-15/';

  constructor(
    private readonly roles: LocalRoles,
    private readonly identities: LocalIdentities,
  ) {}

  async handle(action: string, params: URLSearchParams, context: RequestContext): Promise<string> {
    if (action === 'GetCallerIdentity') return this.getCallerIdentity(context);
    if (action === 'AssumeRole') return this.assumeRole(params, context);
    throw new AwsServiceError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
  }

  private getCallerIdentity(context: RequestContext): string {
    const caller = context.principal ?? this.identities.resolve(undefined);
    const userId = caller.session
      ? `${roleId(caller.session.role.arn)}:${caller.session.sessionName}`
      : caller.accountId;
    return queryResponse(
      'GetCallerIdentity',
      this.xmlns,
      xmlElements({ UserId: userId, Account: caller.accountId, Arn: caller.arn }),
      context.requestId,
    );
  }

  private assumeRole(params: URLSearchParams, context: RequestContext): string {
    const caller = context.principal ?? this.identities.resolve(undefined);
    const arn = params.get('RoleArn');
    const sessionName = params.get('RoleSessionName');
    const externalId = params.get('ExternalId') ?? undefined;
    const duration = Number(params.get('DurationSeconds') ?? '3600');
    if (!arn || arn.length < 20 || arn.length > 2048) {
      throw validation(
        `Value '${arn ?? 'null'}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
      );
    }
    if (!sessionName || !SESSION_NAME.test(sessionName)) {
      throw validation(
        `Value '${sessionName ?? 'null'}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
      throw validation(
        `Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*`,
      );
    }
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
      throw validation(
        `Value '${params.get('DurationSeconds')}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
      );
    }
    const match = ROLE_ARN.exec(arn);
    if (!match) throw validation(`${arn} is invalid`);
    const role = this.roles.get(arn);
    const denied = new AwsServiceError(
      'AccessDenied',
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
      403,
    );
    if (!role) throw denied;
    const decision = evaluatePolicies([role.trustPolicy], {
      action: 'sts:AssumeRole',
      resource: role.arn,
      principal: { arn: caller.principalArn, accountId: caller.accountId },
      context: {
        'sts:ExternalId': externalId,
        'aws:PrincipalArn': caller.principalArn,
        'aws:PrincipalAccount': caller.accountId,
        'sts:RoleSessionName': sessionName,
      },
    });
    if (decision !== 'Allow') throw denied;
    const credentials = this.identities.issue(role, sessionName, duration, externalId);
    const assumedArn = `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${sessionName}`;
    return queryResponse(
      'AssumeRole',
      this.xmlns,
      `<Credentials>${xmlElements({
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        SessionToken: credentials.sessionToken,
        Expiration: credentials.expiration.toISOString(),
      })}</Credentials><AssumedRoleUser>${xmlElements({
        AssumedRoleId: `${roleId(role.arn)}:${sessionName}`,
        Arn: assumedArn,
      })}</AssumedRoleUser><PackedPolicySize>0</PackedPolicySize>`,
      context.requestId,
    );
  }
}

function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationError', message, 400);
}

/** A stable `AROA…` id per role ARN, as IAM gives each role one. */
function roleId(arn: string): string {
  return `AROA${createHash('sha256').update(arn).digest('hex').slice(0, 17).toUpperCase()}`;
}
