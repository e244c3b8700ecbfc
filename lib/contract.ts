// The contract between the constructs (lib/), the custom resource handler (lib/handler/) and the command
// `mfa-profile` (packages/mfa-profile/): every name and shape that one of them writes and another reads.
// No imports, no dependencies: the handler bundle and the CLI package compile this file into themselves, so a change
// here that one side does not follow is a compile error, not a drift found in production.
// Documented for users in DESIGN.md ("Stack outputs", "Secrets", "The custom resource").

// ---------------------------------------------------------------------------------------------------------------
// Stack outputs of MfaDelegation: each output key is `<outputPrefix><field>`.
// ---------------------------------------------------------------------------------------------------------------

/**
 * The fields of an `MfaDelegation`'s stack outputs, by the name the construct gives them.
 */
export const DELEGATION_OUTPUT_FIELDS = {
  roleArn: 'MfaRoleArn',
  userName: 'MfaUserName',
  userArn: 'MfaUserArn',
  mfaSerial: 'MfaSerial',
  /** The secret of the access key, in stacks deployed before `accessKey` (the constructs no longer write it). */
  accessKeySecretArn: 'MfaAccessKeySecretArn',
  /** `"true"` when the user is meant to get an access key from `mfa-profile` (the stack defines none). */
  accessKey: 'MfaAccessKey',
  seedSecretArn: 'MfaSeedSecretArn',
  consolePasswordSecretArn: 'MfaConsolePasswordSecretArn',
  sourceProfile: 'MfaSourceProfile',
  roleProfile: 'MfaRoleProfile',
  roleMaxSessionDuration: 'MfaRoleMaxSessionDuration',
  accountRoles: 'MfaAccountRoles',
} as const;

/** The suffix of one output key of an `MfaDelegation`. */
export type DelegationOutputField = (typeof DELEGATION_OUTPUT_FIELDS)[keyof typeof DELEGATION_OUTPUT_FIELDS];

/**
 * One role in other accounts, as `<prefix>MfaAccountRoles` (a JSON array) and `<prefix>MfaTeamAccountRolesN`
 * (a JSON map by role name) describe it.
 */
export interface AccountRoleEntry {
  readonly roleName: string;
  /** The role's IAM path, `/` by default. */
  readonly path: string;
  /** The accounts the role is in; absent when only `organizationId` is given. */
  readonly accounts?: readonly string[];
  /** The organization whose accounts the role may be in. */
  readonly organizationId?: string;
  /** The longest session of the role, in seconds. */
  readonly maxSessionDuration: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Stack outputs of MfaTeam: `<prefix>MfaTeam` holds the team, `<prefix>MfaTeamRoles1..R`, `<prefix>MfaTeamMembers1..M`
// and `<prefix>MfaTeamAccountRoles1..A` hold JSON maps spread over several outputs.
// ---------------------------------------------------------------------------------------------------------------

/** The suffixes of an `MfaTeam`'s output keys; the maps' outputs are numbered from 1 (`MfaTeamRoles1`). */
export const TEAM_OUTPUT_FIELDS = {
  team: 'MfaTeam',
  roles: 'MfaTeamRoles',
  members: 'MfaTeamMembers',
  accountRoles: 'MfaTeamAccountRoles',
} as const;

/**
 * The versions of the team output (`TeamOutput.version`). A reader refuses a version newer than it knows: the outputs
 * may hold what it would silently drop.
 */
export const TEAM_OUTPUT_VERSIONS = {
  /** A member's access key is in its own secret `<secretNamePrefix><userName>/access-key`. */
  accessKeySecret: 1,
  /**
   * A member with the team's virtual device keeps its access key in the seed secret `<secretNamePrefix><userName>/mfa-seed`;
   * only a member with an existing device (`mfaSerial`) has an `access-key` secret.
   */
  accessKeyInSeedSecret: 2,
  /** As 2, and the team has roles in other accounts (`accountRoleOutputs`, the `MfaTeamAccountRoles` outputs). */
  accountRoles: 3,
  /**
   * No access key in any secret: a member with `accessKey` is meant to get one from `mfa-profile`, which creates it
   * with the caller's IAM rights; the team may have account roles (as 3).
   */
  noAccessKeySecret: 4,
} as const;

/** The newest version of the team output that the constructs write. */
export const TEAM_OUTPUT_VERSION = TEAM_OUTPUT_VERSIONS.noAccessKeySecret;

/** The JSON of `<prefix>MfaTeam`. */
export interface TeamOutput {
  readonly version: number;
  readonly teamName: string;
  /** The IAM path of the team's users, groups, roles and devices: `/mfa-team/<teamName>/`. */
  readonly path: string;
  /** `arn:<partition>:iam::<account>:mfa/mfa-team/<teamName>/`: a member's virtual device is this and the user name. */
  readonly mfaSerialPrefix: string;
  /** `mfa-team/<teamName>/`: see `teamSecretName`. */
  readonly secretNamePrefix: string;
  /** How many `MfaTeamRoles<N>` outputs there are. */
  readonly roleOutputs: number;
  /** How many `MfaTeamMembers<N>` outputs there are. */
  readonly memberOutputs: number;
  /** How many `MfaTeamAccountRoles<N>` outputs there are (version 3). */
  readonly accountRoleOutputs?: number;
}

/** One entry of the JSON map in `<prefix>MfaTeamRoles<N>`, by role name. */
export interface TeamRoleEntry {
  readonly roleArn: string;
  /** In seconds. */
  readonly maxSessionDuration: number;
}

/** One entry of the JSON map in `<prefix>MfaTeamMembers<N>`, by user name. */
export interface TeamMemberEntry {
  /** The names of the team roles the member may assume. */
  readonly roles: readonly string[];
  readonly accessKey: boolean;
  /** The serial of an existing device; absent for the virtual device the team defines. */
  readonly mfaSerial?: string;
}

/** The IAM path of a team's users, groups, roles and devices. */
export function teamPath(teamName: string): string {
  return `/mfa-team/${teamName}/`;
}

/** The prefix of the names of a team's secrets. */
export function teamSecretNamePrefix(teamName: string): string {
  return `mfa-team/${teamName}/`;
}

// ---------------------------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------------------------

/** What a team member's secrets are called after `<secretNamePrefix><userName>/`. */
export const TEAM_SECRET_SUFFIXES = {
  seed: 'mfa-seed',
  accessKey: 'access-key',
} as const;

/** The name of a team member's secret: `<secretNamePrefix><userName>/mfa-seed` or `.../access-key`. */
export function teamSecretName(secretNamePrefix: string, userName: string, kind: keyof typeof TEAM_SECRET_SUFFIXES): string {
  return `${secretNamePrefix}${userName}/${TEAM_SECRET_SUFFIXES[kind]}`;
}

/**
 * The key of the placeholder JSON (`{ "pending": "<random>" }`) a seed secret holds until the handler has created
 * the device and written the seed.
 */
export const PENDING_SECRET_KEY = 'pending';

/** The JSON a seed secret holds once the handler has written it, and `mfa-setup` has changed it. */
export interface SeedSecretValue {
  readonly serialNumber: string;
  readonly userName: string;
  /** The shared secret in base32 (IAM's `Base32StringSeed`); removed by `mfa-setup --forget`. */
  readonly seed?: string;
  /** The `otpauth://` URI of the seed (see `otpauthAccountLabel`); removed with the seed. */
  readonly otpauthUri?: string;
  /** Whether the device is enabled for the user. */
  readonly enabled: boolean;
  /** `true` once `mfa-setup --forget` removed the seed. */
  readonly forgotten?: boolean;
  /** The user's access key, when the device keeps it (`VirtualMfaDevice` `accessKey`, an `MfaTeam` member). */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

/** The JSON an access key secret holds. */
export interface AccessKeySecretValue {
  readonly userName: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The custom resource of VirtualMfaDevice
// ---------------------------------------------------------------------------------------------------------------

/** The CloudFormation type of the device's custom resource. */
export const VIRTUAL_MFA_DEVICE_RESOURCE_TYPE = 'Custom::VirtualMfaDevice';

/** The resource properties of `Custom::VirtualMfaDevice` (besides `ServiceToken`). */
export interface VirtualMfaDeviceResourceProperties {
  readonly UserName: string;
  /** `VirtualMFADeviceName`. */
  readonly DeviceName: string;
  /** The device's IAM path. */
  readonly Path: string;
  /** The secret the handler writes the seed into (`SeedSecretValue`). */
  readonly SeedSecretArn: string;
  /** Whether the handler enables the device for the user: `'true'` or `'false'`. */
  readonly Enable: 'true' | 'false';
  /**
   * An access key to keep in the seed secret, from stacks deployed before the constructs stopped defining keys (#16):
   * the constructs never write these any more (a secret-bearing attribute would be recorded in stack events).
   */
  readonly AccessKeyId?: string;
  readonly SecretAccessKey?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The custom resource that removes the access keys of a user the stack deletes
// ---------------------------------------------------------------------------------------------------------------

/**
 * The CloudFormation type of the custom resource that a construct defines for each IAM user it creates and that may
 * get an access key from `mfa-profile`: its Delete deletes the user's access keys, so that CloudFormation can delete
 * the user. Served by the stack's handler (the devices' `ServiceToken`).
 */
export const USER_CLEANUP_RESOURCE_TYPE = 'Custom::MfaUserCleanup';

/** The resource properties of `Custom::MfaUserCleanup` (besides `ServiceToken`). */
export interface UserCleanupResourceProperties {
  /** The user whose access keys Delete removes (ListAccessKeys, DeleteAccessKey). */
  readonly UserName: string;
}

/** The response `Data` of `Custom::VirtualMfaDevice`, its `Fn::GetAtt` attributes. */
export interface VirtualMfaDeviceResourceData {
  readonly SerialNumber: string;
}

/**
 * The resource properties of `Custom::VirtualMfaDevice` that the handler (lib/handler) reads (DECISIONS 3): the seed
 * lives in a secret the handler creates (`SeedSecretName`), locks with `SeedSecretPolicy` before it holds a value, and
 * deletes for good with the device. They replace `VirtualMfaDeviceResourceProperties` when the construct emits them.
 */
export interface VirtualMfaDeviceHandlerProperties {
  readonly UserName: string;
  readonly DeviceName: string;
  readonly Path: string;
  readonly Enable: 'true' | 'false';
  /** The name of the seed secret; changes whenever the serial changes, so that a replacement gets its own secret. */
  readonly SeedSecretName: string;
  /** The seed secret's resource policy (a policy document). */
  readonly SeedSecretPolicy: Record<string, unknown>;
  /** The KMS key of the seed secret. */
  readonly KmsKeyId?: string;
}

/** The response `Data` the handler gives `Custom::VirtualMfaDevice`. */
export interface VirtualMfaDeviceHandlerData extends VirtualMfaDeviceResourceData {
  /** The ARN of the seed secret ('' when its owner deleted it with `mfa-setup --forget`). */
  readonly SeedSecretArn: string;
  /**
   * When the device came to be, as `aws:TokenIssueTime` compares it (UTC, ISO 8601, to the second, rounded up): the
   * time the handler created it (its tag `createdAt`), the same for every later answer about the same device; for a
   * device without that tag, IAM's EnableDate when it is enabled for its user, else `DEVICE_TIME_UNKNOWN`. The
   * constructs deny the role sessions issued before it (`DateLessThan aws:TokenIssueTime`): a replaced device cuts the
   * sessions that could have come from the device it replaces.
   */
  readonly CreatedAt: string;
}

/** The attribute of `Custom::VirtualMfaDevice` that says when the device came to be (`VirtualMfaDeviceHandlerData`). */
export const CREATED_AT_ATTRIBUTE: keyof VirtualMfaDeviceHandlerData = 'CreatedAt';

/** `CreatedAt` of a device whose creation time nobody recorded and that is not enabled: a cut at it cuts nothing. */
export const DEVICE_TIME_UNKNOWN = '1970-01-01T00:00:00Z';

/** A time as `CreatedAt` gives it: UTC, to the second, rounded up (a session issued in that second may be older). */
export function deviceTime(ms: number): string {
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------------------------
// The per-stack handler (lib/handler) and what it marks
// ---------------------------------------------------------------------------------------------------------------

/** The handler's environment variable that holds its own stack's id (`AWS::StackId`). */
export const HANDLER_STACK_ID_VARIABLE = 'STACK_ID';

/**
 * The tags of the handler. `stackId` marks what belongs to a stack: set by the stack on the IAM users its handler may
 * act on (CloudFormation does not give IAM users its `aws:cloudformation:*` tags; only IAM administrators can tag
 * users), and by the handler on the devices and secrets it creates; the handler's role is conditioned on it. The others
 * are the handler's own records on a device (`logicalId`, `seedVersion`: the seed's version id in the secret,
 * `identity`: a hash of the properties that made it, `requestId`: the CloudFormation request that created it) and on a
 * seed secret (`logicalId`, `serialNumber`: the device whose seed it holds, `policyHash`: a hash of the resource policy
 * it was created with, which the handler never changes).
 */
export const HANDLER_TAGS = {
  stackId: 'cdk-mfa-delegation:stack-id',
  logicalId: 'cdk-mfa-delegation:logical-id',
  seedVersion: 'cdk-mfa-delegation:seed-version',
  identity: 'cdk-mfa-delegation:identity',
  requestId: 'cdk-mfa-delegation:request-id',
  serialNumber: 'cdk-mfa-delegation:serial-number',
  createdAt: 'cdk-mfa-delegation:created-at',
  policyHash: 'cdk-mfa-delegation:policy-hash',
} as const;

/** The attribute of `Custom::VirtualMfaDevice` (and `AWS::IAM::VirtualMFADevice`) that is the device's serial. */
export const SERIAL_NUMBER_ATTRIBUTE: keyof VirtualMfaDeviceResourceData = 'SerialNumber';

// ---------------------------------------------------------------------------------------------------------------
// TOTP and the otpauth:// URI (the handler writes it, mfa-profile shows it)
// ---------------------------------------------------------------------------------------------------------------

/** The TOTP parameters of an AWS virtual MFA device (RFC 6238 defaults, the only ones AWS uses). */
export const TOTP = {
  algorithm: 'SHA1',
  digits: 6,
  periodSeconds: 30,
} as const;

/** The issuer an authenticator app shows for the device. */
export const OTPAUTH_ISSUER = 'Amazon Web Services';

/** The account label an authenticator app shows for the device: `<userName>@<accountId>`. */
export function otpauthAccountLabel(userName: string, accountId: string): string {
  return `${userName}@${accountId}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Role sessions: their names and their revocation (the constructs' policy RevokeSessions, mfa-profile revoke).
// ---------------------------------------------------------------------------------------------------------------

/**
 * A role session name as STS takes it (`RoleSessionName`): 2 to 64 of `[\w+=,.@-]`. Where the trust policy requires
 * `sts:RoleSessionName` = `${aws:username}`, it is the caller's IAM user name.
 */
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** The `aws:userid` pattern of the sessions named `name`: `<role id>:<name>`, and session names have no `:`. */
export function sessionsNamed(name: string): string {
  return `*:${name}`;
}

/**
 * Whether `time` is a real UTC time in ISO 8601 as `aws:TokenIssueTime` compares it: to the second or the
 * millisecond, ending in `Z`.
 */
export function isIsoUtcTime(time: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/.exec(time);
  const date = new Date(time);
  return match !== null && !Number.isNaN(date.getTime()) && date.getUTCDate() === Number(match[3]) && Number(match[4]) <= 23;
}

/** A statement that denies every action to role sessions issued before a time (and, optionally, with one name). */
export interface RevokeStatement {
  readonly Effect: 'Deny';
  readonly Action: '*';
  readonly Resource: '*';
  readonly Condition: {
    readonly DateLessThan: { readonly 'aws:TokenIssueTime': string };
    readonly StringLike?: { readonly 'aws:userid': string };
  };
}

/**
 * The statement of AWS's "revoke active sessions" (`DateLessThan aws:TokenIssueTime`), for the sessions named
 * `sessionName` only when it is given.
 */
export function revokeStatement(issuedBefore: string, sessionName?: string): RevokeStatement {
  return {
    Effect: 'Deny',
    Action: '*',
    Resource: '*',
    Condition: {
      DateLessThan: { 'aws:TokenIssueTime': issuedBefore },
      ...(sessionName === undefined ? {} : { StringLike: { 'aws:userid': sessionsNamed(sessionName) } }),
    },
  };
}

/** The inline policy of a role in which `mfa-profile revoke` writes its cuts; CloudFormation does not manage it. */
export const CLI_REVOKE_POLICY_NAME = 'cdk-mfa-delegation-revoke-sessions';

// Template Metadata that the constructs write and MfaGuard reads (DESIGN.md, "Assume-only users").
// ---------------------------------------------------------------------------------------------------------------

/**
 * The resource Metadata key that marks IAM users as assume-only (MFA-conditioned `sts:AssumeRole`, and
 * `iam:ChangePassword` for console users, nothing else), so that MfaGuard finds them from the template alone. On an
 * `AWS::IAM::User` it marks that user; on an `AWS::IAM::Policy` every user the policy is attached to (`Users`).
 */
export const ASSUME_ONLY_METADATA_KEY = 'cdk-mfa-delegation:assume-only';

/** The value under ASSUME_ONLY_METADATA_KEY. */
export interface AssumeOnlyMarker {
  /** Whether the user signs in to the console, and may therefore change its own password (`iam:ChangePassword`). */
  readonly ConsoleAccess: boolean;
}
