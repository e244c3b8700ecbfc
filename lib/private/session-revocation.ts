import { Token } from 'aws-cdk-lib';
import { isIsoUtcTime, ROLE_SESSION_NAME, sessionsNamed } from '../contract';

/**
 * The statements that end role sessions, as AWS documents "revoking IAM role temporary security credentials": an
 * identity policy of the role that denies every action to sessions whose `aws:TokenIssueTime` is before a time.
 *
 * A role session's `aws:userid` is `<role id>:<session name>`, and a session name has no `:` (`[\w+=,.@-]`), so
 * `*:<name>` matches exactly the sessions with that name. Where the trust policy makes every session name the caller's
 * IAM user name (`sts:RoleSessionName` = `${aws:username}`), that is every session of that user.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
 */

/**
 * Check a time for `aws:TokenIssueTime`: it must be a real UTC time in ISO 8601, or a value known at deploy time (a
 * device's `createdAt`). Throws naming the value.
 */
export function validateIssuedBefore(what: string, time: string): void {
  if (!Token.isUnresolved(time) && !isIsoUtcTime(time)) {
    throw new Error(`${what} must be a UTC time in ISO 8601, such as 2026-12-01T12:00:00Z, but got '${time}'`);
  }
}

/** Check a role session name (a member's user name, when the trust policy makes them equal). Throws naming the value. */
export function validateSessionName(what: string, name: string): void {
  if (!Token.isUnresolved(name) && !ROLE_SESSION_NAME.test(name)) {
    throw new Error(`${what} must be 2 to 64 characters of letters, digits and _+=,.@- (it names role sessions, and STS takes session `
      + `names of 2 to 64 characters), but got '${name}' (${name.length} ${name.length === 1 ? 'character' : 'characters'})`);
  }
}

/**
 * The statements that deny every session whose name is none of `names`, each at most `maxChars` characters of JSON.
 *
 * One statement (`StringNotLike aws:userid [*:<name>, ...]`) when it fits; else the names are split by their first
 * characters, like a trie: the statement of prefix `p` denies the sessions named `p...` that are none of its names
 * (`StringLike aws:userid *:p*` and `StringNotLike` its names), and a prefix too large for one statement gets a
 * statement that denies the sessions named `p...` that fall under none of its longer prefixes, and one statement per
 * longer prefix. Every name matches the statements of its own prefixes only, and is kept by each; every other name is
 * denied by exactly the statement of its longest listed prefix. A statement stands alone, so they can be spread over
 * several policies.
 */
export function denySessionsNotNamedStatements(names: readonly string[], maxChars: number): Array<Record<string, unknown>> {
  const statement = (prefix: string, allowed: readonly string[]): Record<string, unknown> => {
    const condition = {
      ...(prefix === '' ? {} : { StringLike: { 'aws:userid': `*:${prefix}*` } }),
      ...(allowed.length === 0 ? {} : { StringNotLike: { 'aws:userid': [...allowed] } }),
    };
    // No names at all: no session may act.
    return { Effect: 'Deny', Action: '*', Resource: '*', ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}) };
  };
  const partition = (prefix: string, group: readonly string[]): Array<Record<string, unknown>> => {
    const whole = statement(prefix, group.map(sessionsNamed));
    if (JSON.stringify(whole).length <= maxChars || group.length === 1) {
      return [whole];
    }
    const longer = new Map<string, string[]>();
    for (const name of group.filter((n) => n.length > prefix.length)) {
      const next = name.slice(0, prefix.length + 1);
      longer.set(next, [...(longer.get(next) ?? []), name]);
    }
    const kept = [...(group.includes(prefix) ? [sessionsNamed(prefix)] : []), ...[...longer.keys()].map((p) => `*:${p}*`)];
    return [statement(prefix, kept), ...[...longer.entries()].flatMap(([p, members]) => partition(p, members))];
  };
  return partition('', [...new Set(names)]);
}

/**
 * The statements that deny every session issued before the newest of `times` (`DateLessThan aws:TokenIssueTime` over
 * a list is true when the session was issued before any of them), at most `timesPerStatement` times each: several
 * statements deny what one statement of all the times would, so they can be spread over several policies.
 */
export function denySessionsIssuedBeforeStatements(times: readonly string[], timesPerStatement: number): Array<Record<string, unknown>> {
  const statements: Array<Record<string, unknown>> = [];
  for (let i = 0; i < times.length; i += timesPerStatement) {
    const chunk = times.slice(i, i + timesPerStatement);
    statements.push({
      Sid: NEWEST_DEVICE_SID,
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:TokenIssueTime': chunk.length === 1 ? chunk[0] : chunk } },
    });
  }
  return statements;
}

/** The Sid of the statements of `denySessionsIssuedBeforeStatements`. */
export const NEWEST_DEVICE_SID = 'DenySessionsIssuedBeforeNewestDevice';
