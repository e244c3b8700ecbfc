import { AccountRole, readTeamAccountRoles } from './account-roles';
import { CliError } from './errors';
import { Delegation, DelegationField, isJsonObject, knownOutput, list, OutputPiece, parseJsonObject, StackOutputs } from './outputs';
import { TEAM_OUTPUT_FIELDS, TEAM_OUTPUT_VERSIONS, TeamMemberEntry, TeamOutput, TeamRoleEntry, teamSecretName } from '../../../lib/contract';

/**
 * The stack outputs of an `MfaTeam` (DESIGN.md, "Stack outputs of MfaTeam"): `<prefix>MfaTeam` holds the team,
 * `<prefix>MfaTeamRoles1..R` and `<prefix>MfaTeamMembers1..M` hold the JSON maps of its roles and members, spread over
 * several outputs. These functions turn them into the `Delegation`s of one member, one per role, which the profile
 * functions take as they take the delegations of `MfaDelegation`s.
 */

const TEAM_FIELD = TEAM_OUTPUT_FIELDS.team;
/**
 * The versions of the team output this reader understands (lib/contract.ts, TEAM_OUTPUT_VERSIONS). A newer version
 * is refused with the advice to upgrade: its outputs may hold what this reader would silently drop.
 */
const SUPPORTED_VERSIONS: readonly number[] = Object.values(TEAM_OUTPUT_VERSIONS);

/** A role of a team; a value that a template preview cannot know is undefined, with the reason in `unknown`. */
export interface TeamRole {
  readonly roleArn?: string;
  readonly maxSessionDuration?: number;
  /** Why the role's values are unknown before deploy. */
  readonly unknown?: string;
}

/** A member of a team, as the members map holds it. */
export interface TeamMember {
  readonly userName: string;
  readonly roles: readonly string[];
  readonly accessKey: boolean;
  /** The serial of an existing device; absent for the virtual device the team defines. */
  readonly mfaSerial?: string;
}

/** One team read from a stack's outputs. */
export interface Team {
  readonly stackName: string;
  /** The version of the team output: where a member's access key is (see SUPPORTED_VERSIONS). */
  readonly version: number;
  /** The output prefix, by default the construct id (`Dev`). */
  readonly prefix: string;
  readonly teamName: string;
  /** The IAM path of the team's users, groups, roles and devices, `/mfa-team/<teamName>/`. */
  readonly path: string;
  /** `arn:<partition>:iam::<account>:mfa/mfa-team/<teamName>/`: the serial of a member's virtual device is this and its user name. */
  readonly mfaSerialPrefix: string;
  /**
   * `mfa-team/<teamName>/`: a member's secrets are `<prefix><userName>/mfa-seed` (the seed, and from version 2 the
   * access key too) and `<prefix><userName>/access-key` (the access key, from version 2 only with `mfaSerial`).
   */
  readonly secretNamePrefix: string;
  readonly roles: Readonly<Record<string, TeamRole>>;
  /** Roles in other accounts (version 3), by their name in the team. */
  readonly accountRoles: Readonly<Record<string, AccountRole>>;
  readonly members: readonly TeamMember[];
}

/**
 * The output prefixes of every `MfaTeam` in a stack's outputs: one per output key that ends with `MfaTeam`, sorted.
 */
export function findTeams(outputs: StackOutputs): string[] {
  return Object.keys(outputs).filter((key) => key.endsWith(TEAM_FIELD)).map((key) => key.slice(0, -TEAM_FIELD.length)).sort();
}

/**
 * The team to use: the one whose output prefix (or construct id) is `name`, else the only one.
 */
export function pickTeam(stackName: string, prefixes: readonly string[], name?: string): string {
  if (prefixes.length === 0) {
    throw new CliError(`Stack ${stackName} has no MfaTeam outputs (no output key ends with ${TEAM_FIELD}).`);
  }
  if (name === undefined) {
    if (prefixes.length > 1) {
      throw new CliError(`Stack ${stackName} has several teams (${list(prefixes)}): pick one with --team.`);
    }
    return prefixes[0];
  }
  const match = prefixes.find((p) => p === name || p === name.replace(/[^A-Za-z0-9]/g, ''));
  if (match === undefined) {
    throw new CliError(`Stack ${stackName} has no team "${name}"; it has ${list(prefixes)}.`);
  }
  return match;
}

/**
 * Read a team: its team output, and the role and member outputs it announces, merged.
 */
export function readTeam(stackName: string, outputs: StackOutputs, prefix: string): Team {
  const teamKey = prefix + TEAM_FIELD;
  const team: Partial<Record<keyof TeamOutput, unknown>> = object(knownOutput(stackName, outputs, teamKey), teamKey);
  checkVersion(stackName, teamKey, team.version);
  const text = (field: keyof TeamOutput): string => {
    const value = team[field];
    if (typeof value !== 'string' || value === '') {
      throw new CliError(`${teamKey} of stack ${stackName} has no ${field}.`);
    }
    return value;
  };
  // From version 3, a team may have only account roles (no roles output), and no account roles (no such field).
  const accountRoleTeam = (team.version as number) >= TEAM_OUTPUT_VERSIONS.accountRoles;
  const count = (field: keyof TeamOutput, min = 1): number => {
    const value = team[field] ?? (min === 0 ? 0 : undefined);
    if (!Number.isInteger(value) || (value as number) < min) {
      throw new CliError(`${teamKey} of stack ${stackName} has no ${field}.`);
    }
    return value as number;
  };

  const roles: Record<string, TeamRole> = {};
  const unknownRoles: string[] = [];
  for (let i = 1; i <= count('roleOutputs', accountRoleTeam ? 0 : 1); i++) {
    const key = `${prefix}${TEAM_OUTPUT_FIELDS.roles}${i}`;
    const value = present(stackName, outputs, key, teamKey);
    const known = typeof value === 'string' ? { map: object(value, key), holes: [] } : partlyKnownMap(value.pieces);
    if (known === undefined) {
      unknownRoles.push(`${key}: ${(value as { unknown: string }).unknown}`);
      continue;
    }
    for (const [name, role] of Object.entries(known.map)) {
      const { roleArn, maxSessionDuration } = (role ?? {}) as Partial<Record<keyof TeamRoleEntry, unknown>>;
      if (typeof roleArn !== 'string' || !Number.isInteger(maxSessionDuration)) {
        throw new CliError(`${key} of stack ${stackName} has no roleArn or maxSessionDuration for the role ${name}.`);
      }
      // In a preview, a role whose ARN holds an unknown part (a generated role name) is unknown for that part's reason.
      const holes = [...roleArn.matchAll(HOLE)].map((m) => `${key}: ${known.holes[Number(m[1])]}`);
      roles[name] = holes.length > 0 ? { unknown: holes.join('; ') } : { roleArn, maxSessionDuration: maxSessionDuration as number };
    }
  }

  const members: TeamMember[] = [];
  for (let i = 1; i <= count('memberOutputs'); i++) {
    const key = `${prefix}${TEAM_OUTPUT_FIELDS.members}${i}`;
    const value = present(stackName, outputs, key, teamKey);
    if (typeof value !== 'string') {
      throw new CliError(`${key} of stack ${stackName} is unknown before deploy: ${value.unknown}.`);
    }
    for (const [userName, member] of Object.entries(object(value, key))) {
      const { roles: memberRoles, accessKey, mfaSerial } = (member ?? {}) as Partial<Record<keyof TeamMemberEntry, unknown>>;
      if (!Array.isArray(memberRoles) || !memberRoles.every((r) => typeof r === 'string') || typeof accessKey !== 'boolean'
        || (mfaSerial !== undefined && typeof mfaSerial !== 'string')) {
        throw new CliError(`${key} of stack ${stackName} has a malformed entry for the member ${userName}.`);
      }
      members.push({ userName, roles: memberRoles, accessKey, ...(mfaSerial === undefined ? {} : { mfaSerial }) });
    }
  }

  // A role output that a preview cannot resolve hides which roles it holds: the member's roles missing from the known
  // outputs are unknown, for the reasons of the unknown outputs.
  const accountRoles = readTeamAccountRoles(stackName, outputs, prefix, accountRoleTeam ? count('accountRoleOutputs', 0) : 0);
  if (unknownRoles.length > 0) {
    for (const name of new Set(members.flatMap((m) => m.roles).filter((r) => accountRoles[r] === undefined))) {
      roles[name] ??= { unknown: unknownRoles.join('; ') };
    }
  }
  return {
    stackName,
    version: team.version as number,
    prefix,
    teamName: text('teamName'),
    path: text('path'),
    mfaSerialPrefix: text('mfaSerialPrefix'),
    secretNamePrefix: text('secretNamePrefix'),
    roles,
    accountRoles,
    members,
  };
}

/**
 * A member of a team by user name; IAM user names are unique regardless of case, and so is this lookup.
 */
export function findMember(team: Team, userName: string): TeamMember {
  const member = team.members.find((m) => m.userName === userName) ?? team.members.find((m) => m.userName.toLowerCase() === userName.toLowerCase());
  if (member === undefined) {
    throw new CliError(`Team ${team.teamName} of stack ${team.stackName} has no member "${userName}" (it has ${team.members.length} members).`);
  }
  return member;
}

/**
 * What every profile of one member shares: its user, MFA device, secrets and source profile (the user name), without
 * a role. The secret fields hold secret names, which Secrets Manager takes wherever it takes an ARN.
 * `MfaAccessKeySecretArn` names the secret that holds the access key: from version 2, the seed secret of a member
 * with the team's virtual device.
 */
export function memberBase(team: Team, userName: string): Delegation {
  const member = findMember(team, userName);
  const seedSecret = teamSecretName(team.secretNamePrefix, member.userName, 'seed');
  const accessKeySecret = team.version >= TEAM_OUTPUT_VERSIONS.accessKeyInSeedSecret && member.mfaSerial === undefined
    ? seedSecret : teamSecretName(team.secretNamePrefix, member.userName, 'accessKey');
  const values: Partial<Record<DelegationField, string>> = {
    MfaUserName: member.userName,
    MfaUserArn: `${team.mfaSerialPrefix.replace(/:mfa\/.*$/, ':user')}${team.path}${member.userName}`,
    MfaSerial: member.mfaSerial ?? `${team.mfaSerialPrefix}${member.userName}`,
    MfaSourceProfile: member.userName,
    ...(member.accessKey ? (team.version >= TEAM_OUTPUT_VERSIONS.noAccessKeySecret ? { MfaAccessKey: 'true' } : { MfaAccessKeySecretArn: accessKeySecret }) : {}),
    ...(member.mfaSerial === undefined ? { MfaSeedSecretArn: seedSecret } : {}),
  };
  return { stackName: team.stackName, id: `${team.prefix}:${member.userName}`, values, unknown: {}, member: { team: team.prefix, userName: member.userName } };
}

/**
 * The delegations of one member for the team's own roles: one per role the member may assume, in the member's
 * order, each with `memberBase`'s fields. Role profiles are named `<teamName>-<role>`. The member's roles in other
 * accounts (`team.accountRoles`) are left out: their profiles are one per account (account-roles.ts).
 */
export function memberDelegations(team: Team, userName: string): Delegation[] {
  const member = findMember(team, userName);
  const common = memberBase(team, userName).values;
  return member.roles.filter((name) => team.accountRoles[name] === undefined).map((name) => {
    const role = team.roles[name];
    if (role === undefined) {
      throw new CliError(`Member ${member.userName} of team ${team.teamName} (stack ${team.stackName}) may assume the role ${name}, `
        + 'which the team outputs do not describe.');
    }
    const values: Partial<Record<DelegationField, string>> = { ...common, MfaRoleProfile: `${team.teamName}-${name}` };
    const unknown: Partial<Record<DelegationField, string>> = {};
    if (role.unknown !== undefined) {
      unknown.MfaRoleArn = role.unknown;
      unknown.MfaRoleMaxSessionDuration = role.unknown;
    } else {
      values.MfaRoleArn = role.roleArn;
      values.MfaRoleMaxSessionDuration = String(role.maxSessionDuration);
    }
    return {
      stackName: team.stackName,
      id: `${team.prefix}:${member.userName}:${name}`,
      values,
      unknown,
      member: { team: team.prefix, userName: member.userName },
    };
  });
}

/**
 * A team output this reader understands: a newer version asks to upgrade mfa-profile, an unknown one names what is read.
 */
function checkVersion(stackName: string, teamKey: string, version: unknown): void {
  if (typeof version === 'number' && Number.isInteger(version) && version > Math.max(...SUPPORTED_VERSIONS)) {
    throw new CliError(`${teamKey} of stack ${stackName} is of version ${version}, newer than the versions this mfa-profile reads `
      + `(${list(SUPPORTED_VERSIONS.map(String))}): upgrade mfa-profile to the release of the cdk-mfa-delegation version that defined the stack.`);
  }
  if (!SUPPORTED_VERSIONS.includes(version as number)) {
    throw new CliError(`${teamKey} of stack ${stackName} is of version ${JSON.stringify(version)}, but this mfa-profile reads versions `
      + `${list(SUPPORTED_VERSIONS.map(String))}.`);
  }
}

/** Where a partly known JSON output holds the unknown part N: text that no name or ARN in these outputs holds. */
const HOLE = /<unknown #(\d+)>/g;

/**
 * A JSON map output of a template preview that is known but for some parts (the ARNs of roles with generated names):
 * the map with each unknown part as `<unknown #N>` inside its string, and the reasons by N; undefined when no map can
 * be read that way (an unknown part outside a string, or no pieces).
 */
function partlyKnownMap(pieces: readonly OutputPiece[] | undefined): { map: Record<string, unknown>; holes: string[] } | undefined {
  if (pieces === undefined) {
    return undefined;
  }
  const holes: string[] = [];
  const text = pieces.map((p) => (typeof p === 'string' ? p : `<unknown #${holes.push(p.unknown) - 1}>`)).join('');
  try {
    const map = JSON.parse(text);
    return isJsonObject(map) ? { map, holes } : undefined;
  } catch {
    return undefined;
  }
}

function present(stackName: string, outputs: StackOutputs, key: string, teamKey: string) {
  const value = outputs[key];
  if (value === undefined) {
    throw new CliError(`Stack ${stackName} has no output ${key}, which ${teamKey} announces.`);
  }
  return value;
}

function object(text: string, what: string): Record<string, unknown> {
  return parseJsonObject(text, `The output ${what}`);
}
