import * as aws from './aws';
import { CliError } from './errors';
import { CLI_REVOKE_POLICY_NAME, isIsoUtcTime, revokeStatement, ROLE_SESSION_NAME, sessionsNamed } from '../../../lib/contract';

/**
 * `mfa-profile revoke`: deny every session of a role, or of one member, issued before now, as AWS documents "revoking
 * IAM role temporary security credentials": an inline policy of the role denies every action to sessions whose
 * `aws:TokenIssueTime` is earlier. The policy is written with the caller's own IAM rights (`iam:GetRolePolicy`,
 * `iam:PutRolePolicy` on the role). CloudFormation does not manage it, so a deploy keeps it; sessions issued later,
 * with a new MFA code, are not affected, so it never needs lifting.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
 */

/** The inline policy of the role that holds the cuts this command makes. */
export const REVOKE_POLICY_NAME = CLI_REVOKE_POLICY_NAME;
/** A role name: 1 to 64 of `[\w+=,.@-]`. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** A role ARN, with its path. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]{1,64})$/;

export interface RevokeOptions {
  /** The role: its name or ARN. */
  readonly role: string;
  /** Only the sessions of this member (user name = session name). */
  readonly member?: string;
  /** The cut, instead of now: ISO 8601 UTC. */
  readonly before?: string;
  /** Remove the policy with every cut instead (before `cdk destroy`: CloudFormation cannot delete a role with a policy it does not know). */
  readonly clear?: boolean;
  readonly json?: boolean;
}

/** One cut: the sessions issued before `issuedBefore`, of everyone or of one session name. */
export interface Cut {
  readonly issuedBefore: string;
  readonly sessionName?: string;
}

/** The role name of a role name or ARN; throws naming the value. */
export function roleNameOf(role: string): string {
  const arn = ROLE_ARN.exec(role);
  if (arn) {
    return arn[1];
  }
  if (ROLE_NAME.test(role)) {
    return role;
  }
  throw new CliError('--role must be a role name (1 to 64 characters of letters, digits and _+=,.@-) or a role ARN '
    + `(arn:aws:iam::123456789012:role/NAME), but got '${role}'`);
}

/** The cut that the options describe, at `now` unless `--before` is given; throws naming a bad value. */
export function cutOf(options: Pick<RevokeOptions, 'member' | 'before'>, now: Date): Cut {
  if (options.member !== undefined && !ROLE_SESSION_NAME.test(options.member)) {
    throw new CliError('--member must be a user name of 2 to 64 characters of letters, digits and _+=,.@- (it is the name of the member\'s '
      + `role sessions), but got '${options.member}' (${options.member.length} ${options.member.length === 1 ? 'character' : 'characters'})`);
  }
  // Rounded up to the second: a session issued in the second before the cut must not slip through.
  let issuedBefore = `${new Date(Math.ceil(now.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;
  if (options.before !== undefined) {
    if (!isIsoUtcTime(options.before)) {
      throw new CliError(`--before must be a UTC time in ISO 8601, such as 2026-12-01T12:00:00Z, but got '${options.before}'`);
    }
    if (Date.parse(options.before) > now.getTime()) {
      throw new CliError(`--before ${options.before} is in the future: sessions issued until then, including new ones, would be denied; `
        + 'leave --before out to cut at now');
    }
    issuedBefore = options.before;
  }
  return { issuedBefore, ...(options.member === undefined ? {} : { sessionName: options.member }) };
}

/** The cut a statement of this policy makes, or undefined for a statement that is not a cut. */
function cutOfStatement(statement: any): Cut | undefined {
  const condition = statement?.Condition;
  const issuedBefore = condition?.DateLessThan?.['aws:TokenIssueTime'];
  const userid = condition?.StringLike?.['aws:userid'];
  const keys = Object.keys(condition ?? {}).sort().join(',');
  if (statement?.Effect !== 'Deny' || typeof issuedBefore !== 'string' || !['DateLessThan', 'DateLessThan,StringLike'].includes(keys)) {
    return undefined;
  }
  if (userid === undefined) {
    return { issuedBefore };
  }
  return typeof userid === 'string' && userid.startsWith(sessionsNamed('')) ? { issuedBefore, sessionName: userid.slice(2) } : undefined;
}

/**
 * The policy document with `cut` added to the `existing` one (its JSON, or none): a cut of the same sessions (everyone,
 * or the same session name) is replaced by the later of the two times, since a later cut denies all that an earlier
 * one does; every other statement is kept as it was.
 */
export function withCut(existing: string | undefined, cut: Cut): { document: string; issuedBefore: string } {
  let statements: any[] = [];
  if (existing !== undefined) {
    let parsed: any;
    try {
      parsed = JSON.parse(existing);
    } catch {
      throw new CliError(`The inline policy ${REVOKE_POLICY_NAME} of the role is not JSON: remove or fix it, then run revoke again`);
    }
    statements = Array.isArray(parsed?.Statement) ? parsed.Statement : parsed?.Statement === undefined ? [] : [parsed.Statement];
  }
  let issuedBefore = cut.issuedBefore;
  const kept = statements.filter((statement) => {
    const other = cutOfStatement(statement);
    if (other === undefined || other.sessionName !== cut.sessionName) {
      return true;
    }
    if (Date.parse(other.issuedBefore) > Date.parse(issuedBefore)) {
      issuedBefore = other.issuedBefore;
    }
    return false;
  });
  const document = { Version: '2012-10-17', Statement: [...kept, revokeStatement(issuedBefore, cut.sessionName)] };
  return { document: JSON.stringify(document), issuedBefore };
}

/** The command: read the role's revoke policy, add the cut, write it back. */
export async function revoke(options: RevokeOptions, io: { out: (text: string) => void }, now = new Date()): Promise<void> {
  const roleName = roleNameOf(options.role);
  if (options.clear) {
    if (options.member !== undefined || options.before !== undefined) {
      throw new CliError('--clear removes every cut of the role: it takes neither --member nor --before');
    }
    const removed = await aws.deleteRolePolicy(roleName, REVOKE_POLICY_NAME, aws.regionOfArn(options.role));
    io.out(options.json ? `${JSON.stringify({ role: roleName, policyName: REVOKE_POLICY_NAME, removed }, null, 2)}\n`
      : removed ? `Removed the inline policy ${REVOKE_POLICY_NAME} of role ${roleName}: its sessions are no longer cut by time.\n`
        : `Role ${roleName} has no inline policy ${REVOKE_POLICY_NAME}: nothing to remove.\n`);
    return;
  }
  const cut = cutOf(options, now);
  const region = aws.regionOfArn(options.role);
  const existing = await aws.getRolePolicy(roleName, REVOKE_POLICY_NAME, region);
  const { document, issuedBefore } = withCut(existing, cut);
  await aws.putRolePolicy(roleName, REVOKE_POLICY_NAME, document, region);
  const whose = cut.sessionName === undefined ? 'every session' : `every session of ${cut.sessionName}`;
  if (options.json) {
    io.out(`${JSON.stringify({ role: roleName, policyName: REVOKE_POLICY_NAME, issuedBefore, ...(cut.sessionName ? { member: cut.sessionName } : {}) }, null, 2)}\n`);
    return;
  }
  io.out(`Role ${roleName} now denies ${whose} issued before ${issuedBefore} (inline policy ${REVOKE_POLICY_NAME}). `
    + 'Sessions issued later, with a new MFA code, are not affected.\n');
}
