import { CliError } from './errors';
import { Delegation, DelegationField, isJsonObject, knownOutput, list, parseJson, StackOutputs } from './outputs';
import { AccountRoleEntry, DELEGATION_OUTPUT_FIELDS, TEAM_OUTPUT_FIELDS } from '../../../lib/contract';

/**
 * Roles in other accounts (DESIGN.md, "Roles in other accounts"): an `MfaTeam`'s `<prefix>MfaTeamAccountRoles1..A`
 * (a JSON map by the role's name in the team) and an `MfaDelegation`'s `<prefix>MfaAccountRoles` (a JSON array). Each
 * role becomes one profile per account: the same source profile and MFA device, the role's ARN in that account.
 */

/** One role in other accounts, as the outputs describe it (lib/contract.ts), with its name. */
export interface AccountRole extends AccountRoleEntry {
  /** The role's name in the team (an `MfaDelegation`'s roles: the role name). */
  readonly name: string;
}

/** An AWS account to write profiles for, with the name its profiles carry (else its id). */
export interface Account {
  readonly id: string;
  readonly name?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
/** What a profile name may hold of an account's name. */
const NAME = /^[A-Za-z0-9_.@+-]{1,64}$/;

/**
 * Parse `--accounts`: 12-digit account ids separated by commas, each optionally named (`prod=222222222222`); the name
 * goes into the profile names instead of the id.
 */
export function parseAccounts(text: string): Account[] {
  const accounts: Account[] = [];
  for (const entry of text.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const match = /^(?:([^=]*)=)?(.*)$/.exec(entry)!;
    const [, name, id] = match;
    if (!ACCOUNT_ID.test(id)) {
      throw new CliError(`--accounts takes 12-digit account ids separated by commas, each optionally named (prod=222222222222), but got "${entry}".`);
    }
    if (name !== undefined && !NAME.test(name)) {
      throw new CliError(`The account name "${name}" in --accounts must be 1 to 64 letters, digits and _.@+- (it goes into profile names).`);
    }
    if (accounts.some((a) => a.id === id)) {
      throw new CliError(`--accounts lists the account ${id} twice: list each account once.`);
    }
    accounts.push({ id, ...(name === undefined ? {} : { name }) });
  }
  if (accounts.length === 0) {
    throw new CliError('--accounts lists no account: give 12-digit account ids separated by commas.');
  }
  return accounts;
}

/**
 * An account name as a profile may carry it: the characters a profile name may not hold become hyphens; undefined
 * when nothing is left.
 */
export function profileSafeName(name: string): string | undefined {
  const safe = name.replace(/[^A-Za-z0-9_.@+-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return safe === '' ? undefined : safe;
}

/**
 * The account roles of a team: the maps of `<prefix>MfaTeamAccountRoles1..count`, merged.
 */
export function readTeamAccountRoles(stackName: string, outputs: StackOutputs, prefix: string, count: number): Record<string, AccountRole> {
  const roles: Record<string, AccountRole> = {};
  for (let i = 1; i <= count; i++) {
    const key = `${prefix}${TEAM_OUTPUT_FIELDS.accountRoles}${i}`;
    const map = parseJson(knownOutput(stackName, outputs, key), `The output ${key}`);
    if (!isJsonObject(map)) {
      throw new CliError(`The output ${key} of stack ${stackName} is not a JSON object.`);
    }
    for (const [name, entry] of Object.entries(map)) {
      roles[name] = accountRole(name, entry, `${key} of stack ${stackName}`);
    }
  }
  return roles;
}

/**
 * The account roles of an `MfaDelegation` (`<id>MfaAccountRoles`), or none when it has no such output.
 */
export function readDelegationAccountRoles(stackName: string, outputs: StackOutputs, id: string): AccountRole[] {
  const key = `${id}${DELEGATION_OUTPUT_FIELDS.accountRoles}`;
  if (outputs[key] === undefined) {
    return [];
  }
  const array = parseJson(knownOutput(stackName, outputs, key), `The output ${key}`);
  if (!Array.isArray(array)) {
    throw new CliError(`The output ${key} of stack ${stackName} is not a JSON array.`);
  }
  return array.map((entry, i) => accountRole(isJsonObject(entry) && typeof entry.roleName === 'string' ? entry.roleName : `#${i + 1}`, entry,
    `${key} of stack ${stackName}`));
}

/**
 * The accounts to write a role's profiles for: the role's own accounts (named as `given` names them, and only those of
 * `given` when it is given); for a role of a whole organization, `given`, else the organization's accounts.
 */
export function accountsOfRole(role: AccountRole, given?: readonly Account[], organization?: readonly Account[]): Account[] {
  if (role.accounts !== undefined) {
    const named = new Map((given ?? []).map((a) => [a.id, a]));
    const chosen = given === undefined ? role.accounts : role.accounts.filter((id) => named.has(id));
    if (chosen.length === 0) {
      throw new CliError(`None of the accounts of --accounts has the role ${role.roleName}; it is in ${list([...role.accounts])}.`);
    }
    return chosen.map((id) => named.get(id) ?? { id });
  }
  const accounts = given ?? organization;
  if (accounts === undefined || accounts.length === 0) {
    throw new CliError(`The role ${role.roleName} is in the accounts of the organization ${role.organizationId}, which the stack outputs do not `
      + 'list: pass them with --accounts (e.g. --accounts prod=222222222222,333333333333).');
  }
  return [...accounts];
}

/**
 * One delegation per account for a role in other accounts: the base delegation's id, user, MFA device, secrets and
 * source profile, the role's ARN in the account (in the partition of the base's MFA device), and the profile
 * `<account name or id>-<roleName>`.
 */
export function accountRoleDelegations(base: Delegation, role: AccountRole, accounts: readonly Account[]): Delegation[] {
  const partition = /^arn:([^:]+):/.exec(base.values.MfaSerial ?? base.values.MfaUserArn ?? '')?.[1] ?? 'aws';
  return accounts.map((account) => {
    const values: Partial<Record<DelegationField, string>> = {
      ...base.values,
      MfaRoleArn: `arn:${partition}:iam::${account.id}:role${role.path}${role.roleName}`,
      MfaRoleProfile: `${account.name ?? account.id}-${role.roleName}`,
      MfaRoleMaxSessionDuration: String(role.maxSessionDuration),
    };
    const unknown = Object.fromEntries(Object.entries(base.unknown)
      .filter(([field]) => !['MfaRoleArn', 'MfaRoleProfile', 'MfaRoleMaxSessionDuration'].includes(field)));
    // The base's id: its outputs (`<id><field>`) are the ones these profiles take their user, device and secrets from.
    return { ...base, values, unknown };
  });
}

/** Whether a role reaches accounts that the outputs do not list (a role of a whole organization). */
export function needsAccounts(role: AccountRole): boolean {
  return role.accounts === undefined;
}

function accountRole(name: string, entry: unknown, where: string): AccountRole {
  const bad = (what: string) => new CliError(`${where} describes the role ${name} with ${what}.`);
  if (!isJsonObject(entry)) {
    throw bad('no JSON object');
  }
  const { roleName, path, accounts, organizationId, maxSessionDuration } = entry as Partial<Record<keyof AccountRoleEntry, unknown>>;
  if (typeof roleName !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(roleName)) {
    throw bad(`the role name ${JSON.stringify(roleName)}`);
  }
  if (typeof path !== 'string' || !/^\/([\u0021-\u007E]*\/)?$/.test(path)) {
    throw bad(`the path ${JSON.stringify(path)}`);
  }
  if (accounts !== undefined && (!Array.isArray(accounts) || accounts.length === 0 || !accounts.every((a) => typeof a === 'string' && ACCOUNT_ID.test(a)))) {
    throw bad(`the accounts ${JSON.stringify(accounts)} (not a list of 12-digit account ids)`);
  }
  if (organizationId !== undefined && (typeof organizationId !== 'string' || !/^o-[a-z0-9]{10,32}$/.test(organizationId))) {
    throw bad(`the organizationId ${JSON.stringify(organizationId)}`);
  }
  if (accounts === undefined && organizationId === undefined) {
    throw bad('neither accounts nor an organizationId');
  }
  if (!Number.isInteger(maxSessionDuration) || (maxSessionDuration as number) < 3600 || (maxSessionDuration as number) > 43200) {
    throw bad(`the maxSessionDuration ${JSON.stringify(maxSessionDuration)} (not 3600 to 43200 seconds)`);
  }
  return {
    name,
    roleName,
    path,
    ...(accounts === undefined ? {} : { accounts: accounts as string[] }),
    ...(organizationId === undefined ? {} : { organizationId: organizationId as string }),
    maxSessionDuration: maxSessionDuration as number,
  };
}
