// The approval team: the people who may ask for and vote on rotations, as an administrator
// configured them (deployed: the stack parameter ApprovalTeam; locally: `byok local up
// --approval-team FILE`). A member is one person, one vote, and is authenticated by one or more
// principal patterns: an IAM user, an IAM Identity Center user (an `AWSReservedSSO_*` role session
// whose session name AWS sets to the user name), or a session of a role whose trust policy
// enforces the session name. A pattern that lets the caller choose who they are (a role's every
// session, a wildcard session name, a role whose session name nobody enforces) is refused in the
// definition, so "alice" and "alice-2" can never be two people. A caller is the member whose
// patterns match; matching none or several is refused by name.
import { z } from 'zod';
import { MAX_APPROVALS, MIN_APPROVALS } from './contracts.ts';
import { AmbiguousApproverError, ApprovalTeamInvalidError, NotATeamMemberError } from './errors.ts';

const ACCOUNT = String.raw`\d{12}`;
const PARTITION = 'aws[a-z-]*';
/** IAM names: users and roles (with a path for users), session names. */
const NAME = String.raw`[\w+=,.@-]+`;
const IAM_USER = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:user/(?:${NAME}/)*${NAME}$`);
const ROLE = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):role/(?:${NAME}/)*(${NAME})$`);
const SESSION = new RegExp(`^arn:(${PARTITION}):sts::(${ACCOUNT}):assumed-role/([\\w+=,.@*-]+)/([^/]+)$`);
/** The role of an Identity Center permission set: AWS names it, the session name is the user name. */
const IDENTITY_CENTER_ROLE = /^AWSReservedSSO_[\w+=,.@-]*\*?$/;

/** A member's name: how votes, lists and events name the person. */
const MemberNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/, 'must be 1..64 letters, digits or ._@+- (a person)');

const ApprovalTeamSchema = z.strictObject({
  /** Roles whose trust policy enforces the session name (e.g. sts:RoleSessionName = ${aws:username}). */
  enforcedSessionNameRoles: z.array(z.string().regex(ROLE, 'must be an IAM role ARN')).max(50).default([]),
  /** M: approvals every rotation needs, at least; a key's byok:approvals-required tag may only raise it. */
  approvalsRequired: z.number().int().min(MIN_APPROVALS).max(MAX_APPROVALS).default(1),
  members: z
    .array(
      z.strictObject({
        name: MemberNameSchema,
        principals: z.array(z.string().max(2048)).min(1).max(20),
      }),
    )
    .min(1)
    .max(200),
});

/** One principal pattern, checked: what it matches. */
type Pattern =
  | { kind: 'iam-user'; arn: string }
  | { kind: 'session'; partition: string; account: string; role: RegExp; session: string };

export interface ApprovalTeam {
  readonly approvalsRequired: number;
  readonly members: ReadonlyArray<{ name: string; principals: readonly string[] }>;
  /** The member a principal ARN authenticates; NotATeamMemberError / AmbiguousApproverError otherwise. */
  memberOf(principalArn: string): string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Checks one principal pattern of member `name`; the problem in words when it is refused. */
function parsePattern(pattern: string, enforced: ReadonlySet<string>): Pattern | string {
  if (IAM_USER.test(pattern)) return { kind: 'iam-user', arn: pattern };
  if (ROLE.test(pattern)) {
    return 'is a role ARN: it would match every session of the role, whatever session name the caller chooses';
  }
  const session = SESSION.exec(pattern);
  if (!session) {
    return 'is not an IAM user ARN or an assumed-role session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>)';
  }
  const [, partition = '', account = '', role = '', sessionName = ''] = session;
  if (sessionName.includes('*')) {
    return 'has a wildcard session name: the caller chooses the session name, so anyone with the role would match';
  }
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) return 'has an invalid session name';
  if (IDENTITY_CENTER_ROLE.test(role)) {
    return {
      kind: 'session',
      partition,
      account,
      role: new RegExp(
        `^${escapeRegExp(role.replace(/\*$/, ''))}${role.endsWith('*') ? '[\\w+=,.@-]*' : ''}$`,
      ),
      session: sessionName,
    };
  }
  if (role.includes('*')) return 'has a wildcard role name (only AWSReservedSSO_* roles may have one)';
  if (!enforced.has(`${partition}:${account}:${role}`)) {
    return `is a session of role ${role}, whose session name the caller chooses: list the role in enforcedSessionNameRoles only if its trust policy enforces the session name`;
  }
  return {
    kind: 'session',
    partition,
    account,
    role: new RegExp(`^${escapeRegExp(role)}$`),
    session: sessionName,
  };
}

function matches(pattern: Pattern, principalArn: string): boolean {
  if (pattern.kind === 'iam-user') return pattern.arn === principalArn;
  const session = SESSION.exec(principalArn);
  if (!session) return false;
  const [, partition, account, role = '', sessionName] = session;
  return (
    partition === pattern.partition &&
    account === pattern.account &&
    !role.includes('*') &&
    pattern.role.test(role) &&
    sessionName === pattern.session
  );
}

/**
 * Validates a team definition (schema, then each pattern) and returns the team. Every problem is
 * listed in one ApprovalTeamInvalidError, with the member and the pattern it concerns.
 */
export function parseApprovalTeam(definition: unknown, source = 'the approval team'): ApprovalTeam {
  const parsed = ApprovalTeamSchema.safeParse(definition);
  if (!parsed.success) {
    throw new ApprovalTeamInvalidError(
      source,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(team)'}: ${issue.message}`),
    );
  }
  const team = parsed.data;
  const enforced = new Set(
    team.enforcedSessionNameRoles.map((arn) => {
      const [, partition, account, role] = ROLE.exec(arn) ?? [];
      return `${partition}:${account}:${role}`;
    }),
  );
  const problems: string[] = [];
  const compiled: Array<{ name: string; patterns: Pattern[] }> = [];
  const names = new Set<string>();
  const owners = new Map<string, string>();
  team.members.forEach((member, index) => {
    if (names.has(member.name)) problems.push(`members.${index}.name: "${member.name}" is listed twice`);
    names.add(member.name);
    const patterns: Pattern[] = [];
    member.principals.forEach((principal, position) => {
      const result = parsePattern(principal, enforced);
      const where = `members.${index} (${member.name}).principals.${position}`;
      if (typeof result === 'string') problems.push(`${where}: ${JSON.stringify(principal)} ${result}`);
      else patterns.push(result);
      const owner = owners.get(principal);
      if (owner !== undefined && owner !== member.name) {
        problems.push(`${where}: ${JSON.stringify(principal)} also authenticates ${owner}`);
      }
      owners.set(principal, member.name);
    });
    compiled.push({ name: member.name, patterns });
  });
  if (problems.length > 0) throw new ApprovalTeamInvalidError(source, problems);
  if (team.approvalsRequired > team.members.length - 1) {
    throw new ApprovalTeamInvalidError(source, [
      `approvalsRequired: ${team.approvalsRequired} approvals need at least ${team.approvalsRequired + 1} members (the requester never votes); the team has ${team.members.length}`,
    ]);
  }
  return {
    approvalsRequired: team.approvalsRequired,
    members: team.members.map((member) => ({ name: member.name, principals: [...member.principals] })),
    memberOf(principalArn) {
      const found = compiled.filter((member) =>
        member.patterns.some((pattern) => matches(pattern, principalArn)),
      );
      const [first, second] = found;
      if (!first) throw new NotATeamMemberError(principalArn);
      if (second)
        throw new AmbiguousApproverError(
          principalArn,
          found.map((member) => member.name),
        );
      return first.name;
    },
  };
}

/**
 * Without a team (local runs only): every principal is its own member, named by its ARN. The
 * local convention makes that one member per access key id.
 */
export function principalsAsMembers(approvalsRequired = 1): ApprovalTeam {
  return {
    approvalsRequired,
    members: [],
    memberOf: (principalArn) => principalArn,
  };
}

/**
 * The team file `byok local up --approval-team FILE` reads: a team definition, plus (local only)
 * `localAccessKeys`, the principal each local access key id stands for, the local stand-in for
 * AWS's credentials (e.g. `"alice-sso": "arn:aws:sts::…:assumed-role/AWSReservedSSO_…/alice"`).
 * Access key ids not listed are the IAM user named after them, as without a team file.
 */
const LocalApprovalTeamFileSchema = z.strictObject({
  ...ApprovalTeamSchema.shape,
  localAccessKeys: z
    .record(z.string().regex(/^[A-Za-z0-9+=,.@_-]{1,64}$/, 'must be an access key id'), z.string().max(2048))
    .optional(),
});

export interface LocalApprovalTeam {
  team: ApprovalTeam;
  principalFor(accessKeyId: string): string | undefined;
}

/** Parses a local team file's text; ApprovalTeamInvalidError (naming `source`) on any problem. */
export function parseLocalApprovalTeamFile(text: string, source: string): LocalApprovalTeam {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApprovalTeamInvalidError(source, ['(file): is not JSON']);
  }
  const parsed = LocalApprovalTeamFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ApprovalTeamInvalidError(
      source,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(team)'}: ${issue.message}`),
    );
  }
  const { localAccessKeys = {}, ...definition } = parsed.data;
  const team = parseApprovalTeam(definition, source);
  const principals = new Map(Object.entries(localAccessKeys));
  return { team, principalFor: (accessKeyId) => principals.get(accessKeyId) };
}
