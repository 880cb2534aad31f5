// Who is calling the local stack, from the access key id of the request's SigV4 credential scope:
// the convention other local AWS stacks use. A 12-digit access key id is that account's own
// credentials; a key id STS issued (AssumeRole) is a session of a role in the role's account; any
// other key id (or an unsigned request) is the stack's own account, as before there were several.
import { randomBytes } from 'node:crypto';
import { ByokError } from '../core/shared/errors.ts';
import type { LocalRole } from './iam/roles.ts';

export interface Principal {
  accountId: string;
  /** `arn:aws:iam::<account>:root`, or `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  arn: string;
  /** The caller's own ARN as IAM policies name it (the role's ARN for a session). */
  principalArn: string;
  accessKeyId: string | undefined;
  /** Set for a session of an assumed role: what it may do is that role's policies. */
  session?: { role: LocalRole; sessionName: string; externalId?: string | undefined } | undefined;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

interface Session {
  roleArn: string;
  sessionName: string;
  externalId: string | undefined;
  /** Real time, as the SDK judges credential expiry by the machine's clock. */
  expiresAtMs: number;
}

export class SessionExpiredError extends ByokError {
  constructor() {
    super('The security token included in the request is expired');
    this.name = 'SessionExpiredError';
  }
}

const ACCOUNT_KEY = /^\d{12}$/;

export class LocalIdentities {
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly defaultAccountId: string,
    private readonly roleOf: (arn: string) => LocalRole | undefined,
    private readonly realNow: () => number = Date.now,
  ) {}

  /** The principal behind an access key id; throws SessionExpiredError for an expired session. */
  resolve(accessKeyId: string | undefined): Principal {
    const session = accessKeyId ? this.sessions.get(accessKeyId) : undefined;
    if (session) {
      if (session.expiresAtMs <= this.realNow()) throw new SessionExpiredError();
      const role = this.roleOf(session.roleArn);
      const accountId = session.roleArn.split(':')[4] ?? this.defaultAccountId;
      const roleName = session.roleArn.slice(session.roleArn.indexOf(':role/') + ':role/'.length);
      return {
        accountId,
        arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${session.sessionName}`,
        principalArn: session.roleArn,
        accessKeyId,
        // A role deleted after the session began: the session keeps no permissions.
        session: {
          role: role ?? {
            accountId,
            roleName,
            arn: session.roleArn,
            trustPolicy: { Statement: [] },
            policies: [],
          },
          sessionName: session.sessionName,
          externalId: session.externalId,
        },
      };
    }
    const accountId = accessKeyId && ACCOUNT_KEY.test(accessKeyId) ? accessKeyId : this.defaultAccountId;
    const arn = `arn:aws:iam::${accountId}:root`;
    return { accountId, arn, principalArn: arn, accessKeyId };
  }

  /** Credentials of a new session of `role` (AssumeRole has checked the trust policy). */
  issue(
    role: LocalRole,
    sessionName: string,
    durationSeconds: number,
    externalId: string | undefined,
  ): IssuedCredentials {
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const expiresAtMs = this.realNow() + durationSeconds * 1000;
    this.sessions.set(accessKeyId, { roleArn: role.arn, sessionName, externalId, expiresAtMs });
    return {
      accessKeyId,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
      expiration: new Date(expiresAtMs),
    };
  }
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-west-2/kms/aws4_request, ...` -> `AKID`. */
export function accessKeyIdFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /Credential=([^/,\s]+)\//.exec(header)?.[1];
}

/** The signing service of the credential scope (`kms`, `sts`, `s3`, ...). */
export function serviceFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /Credential=[^/,\s]+\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\/aws4_request/.exec(header)?.[1];
}
