import { CliError } from './errors';
import { checkProfileName, ProfileSection } from './ini';
import { Delegation, DelegationField, requireValue } from './outputs';

/**
 * Choices of `mfa-profile write` for the role profile.
 */
export interface RoleProfileOptions {
  /** The role profile's name. @default the `MfaRoleProfile` output, else `mfa` */
  readonly profile?: string;
  /** The source profile's name. @default the `MfaSourceProfile` output, else the user name */
  readonly sourceProfile?: string;
  /** `duration_seconds`, checked against the role's maximum session duration. @default - not written */
  readonly durationSeconds?: number;
  /**
   * `role_session_name`. @default the IAM user name: the role's trust requires `sts:RoleSessionName` = `${aws:username}`,
   * so that CloudTrail names the person
   */
  readonly roleSessionName?: string;
  /** `region`. @default - not written */
  readonly region?: string;
}

/**
 * A role profile: `role_arn`, `source_profile`, `mfa_serial`, then the optional keys.
 */
export interface RoleProfile extends ProfileSection {
  readonly delegation: Delegation;
  readonly sourceProfile: string;
}

const MIN_SESSION_SECONDS = 900;
const MAX_SESSION_SECONDS = 43200;

/**
 * The role profiles of the delegations. Names set by option need exactly one delegation; two profiles of one name fail.
 */
export function roleProfiles(delegations: readonly Delegation[], options: RoleProfileOptions = {}): RoleProfile[] {
  checkNamedOnce(delegations, options);
  const profiles = delegations.map((d) => roleProfile(d, options));
  for (const [index, profile] of profiles.entries()) {
    const twin = profiles.findIndex((p) => p.name === profile.name);
    if (twin !== index) {
      throw new CliError(`Delegations ${profiles[twin].delegation.id} and ${profile.delegation.id} both want the profile ${profile.name}: `
        + 'pick one with --delegation and name it with --profile.');
    }
  }
  return profiles;
}

/**
 * The role profiles that can be made before deploy (in a template preview), and for each delegation whose profile
 * cannot, one sentence that names it and the output it lacks, and why. Fails when no profile can be made.
 */
export function knownRoleProfiles(delegations: readonly Delegation[], options: RoleProfileOptions = {}):
{ profiles: RoleProfile[]; notPreviewable: string[] } {
  checkNamedOnce(delegations, options);
  const notPreviewable = delegations.map(whyNotPreviewable).filter((why): why is string => why !== undefined);
  if (notPreviewable.length === delegations.length) {
    throw new CliError(notPreviewable.join(' '));
  }
  return { profiles: roleProfiles(delegations.filter((d) => whyNotPreviewable(d) === undefined), options), notPreviewable };
}

/** The outputs a role profile is made of, and what each is called in a sentence about a team member's profile. */
const PROFILE_FIELDS: ReadonlyArray<[DelegationField, string]> = [
  ['MfaRoleArn', 'role ARN'], ['MfaSerial', 'MFA device'], ['MfaSourceProfile', 'source profile'], ['MfaUserName', 'user name'],
];

/** Why a template preview cannot make the profile of a delegation: the first output it needs that is unknown. */
function whyNotPreviewable(delegation: Delegation): string | undefined {
  const [field, words] = PROFILE_FIELDS.find(([f]) => delegation.values[f] === undefined && delegation.unknown[f] !== undefined) ?? [];
  if (field === undefined) {
    return undefined;
  }
  const name = delegation.values.MfaRoleProfile ?? 'mfa';
  const reason = delegation.unknown[field];
  return delegation.member === undefined
    ? `Cannot preview the profile ${name} of delegation ${delegation.id}: ${delegation.id}${field} is known only after deploy: ${reason}.`
    : `Cannot preview the profile ${name} of member ${delegation.member.userName} of team ${delegation.member.team}: its ${words} is known `
      + `only after deploy: ${reason}.`;
}

/** Profile names given by option name the profiles of one delegation. */
function checkNamedOnce(delegations: readonly Delegation[], options: RoleProfileOptions): void {
  if (delegations.length > 1 && (options.profile !== undefined || options.sourceProfile !== undefined)) {
    throw new CliError(`Stack ${delegations[0].stackName} has several delegations (${delegations.map((d) => d.id).join(', ')}): `
      + 'pick one with --delegation before naming its profiles.');
  }
}

/**
 * The role profile of one delegation.
 */
export function roleProfile(delegation: Delegation, options: RoleProfileOptions = {}): RoleProfile {
  const roleArn = requireValue(delegation, 'MfaRoleArn');
  const mfaSerial = requireValue(delegation, 'MfaSerial');
  const name = checkProfileName(options.profile ?? delegation.values.MfaRoleProfile ?? 'mfa');
  const sourceProfile = checkProfileName(options.sourceProfile ?? sourceProfileName(delegation));
  if (name === sourceProfile) {
    throw new CliError(`The role profile and the source profile are both named ${name}: give them different names.`);
  }
  const sessionName = checkSessionName(options.roleSessionName ?? requireValue(delegation, 'MfaUserName'));
  const entries: Array<[string, string]> = [['role_arn', roleArn], ['source_profile', sourceProfile], ['mfa_serial', mfaSerial], ['role_session_name', sessionName]];
  if (options.durationSeconds !== undefined) {
    entries.push(['duration_seconds', String(roleDuration(options.durationSeconds, delegation))]);
  }
  if (options.region !== undefined) {
    entries.push(['region', checkRegion(options.region)]);
  }
  return { name, entries, delegation, sourceProfile };
}

/**
 * The role profile as the AWS Toolkit for Visual Studio guide puts it in the credentials file:
 * `source_profile`, `role_arn`, `mfa_serial`, then the optional keys.
 */
export function credentialsStyle(profile: RoleProfile): ProfileSection {
  const first = ['source_profile', 'role_arn', 'mfa_serial'];
  const entries = [...profile.entries].sort(([a], [b]) => rank(first, a) - rank(first, b));
  return { name: profile.name, entries };
}

/**
 * The source profile's default name: the `MfaSourceProfile` output, else the user name.
 */
export function sourceProfileName(delegation: Delegation): string {
  return delegation.values.MfaSourceProfile ?? requireValue(delegation, 'MfaSourceProfile' in delegation.unknown ? 'MfaSourceProfile' : 'MfaUserName');
}

/**
 * The source profile with long-term keys, for the credentials file.
 */
export function accessKeySection(name: string, accessKeyId: string, secretAccessKey: string): ProfileSection {
  return { name: checkProfileName(name), entries: [['aws_access_key_id', accessKeyId], ['aws_secret_access_key', secretAccessKey]] };
}

/**
 * A profile with temporary credentials (`aws sts get-session-token`), for the credentials file.
 */
export function sessionSection(name: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }): ProfileSection {
  return {
    name: checkProfileName(name),
    entries: [
      ['aws_access_key_id', credentials.accessKeyId],
      ['aws_secret_access_key', credentials.secretAccessKey],
      ['aws_session_token', credentials.sessionToken],
    ],
  };
}

/**
 * Check `--duration-seconds`: a whole number from 900 up to `max`; `why` explains the maximum.
 */
export function checkDuration(seconds: number, max: number, why = ''): number {
  if (!Number.isInteger(seconds) || seconds < MIN_SESSION_SECONDS || seconds > max) {
    throw new CliError(`--duration-seconds is ${seconds}, but must be a whole number from ${MIN_SESSION_SECONDS} to ${max}${why}.`);
  }
  return seconds;
}

/**
 * The most a role profile's `duration_seconds` may be: the role's maximum session duration when known, else 12 hours.
 */
function roleDuration(seconds: number, delegation: Delegation): number {
  const max = Number(delegation.values.MfaRoleMaxSessionDuration);
  return Number.isInteger(max) && max > 0
    ? checkDuration(seconds, max, ' (the role\'s maximum session duration)')
    : checkDuration(seconds, MAX_SESSION_SECONDS);
}

function checkSessionName(name: string): string {
  if (!/^[\w+=,.@-]{2,64}$/.test(name)) {
    throw new CliError(`--role-session-name "${name}" is not valid: use 2 to 64 letters, digits and _+=,.@-.`);
  }
  return name;
}

function checkRegion(region: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new CliError(`--profile-region "${region}" is not an AWS region name (like us-east-1).`);
  }
  return region;
}

function rank(order: readonly string[], key: string): number {
  const index = order.indexOf(key);
  return index === -1 ? order.length : index;
}
