import { Annotations, ArnFormat, CfnOutput, Duration, NestedStack, Stack, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { TEAM_OUTPUT_FIELDS, TEAM_OUTPUT_VERSION, TeamMemberEntry, TeamOutput, TeamRoleEntry, teamPath, teamSecretName, teamSecretNamePrefix } from './contract';
import { MfaAccountRole } from './mfa-account-role';
import { MfaRequiredRole } from './mfa-required-role';
import { accountRoleEntry, accountRoleStatement, acknowledgeAccountRole, checkAccountRoleOutput, validateAccountRole } from './private/account-role-grants';
import { markAssumeOnly } from './private/assume-only';
import { JsonEntry, packJson } from './private/json-outputs';
import { jumpHash, memberKey } from './private/member-placement';
import { outputPrefixOf } from './private/output-prefix';
import { IAM_POLICY_LIMITS } from './private/policy-size';
import { checkNoSecretBearingAttributes } from './private/secret-bearing';
import { denySessionsIssuedBeforeStatements, NEWEST_DEVICE_SID, validateSessionName } from './private/session-revocation';
import { teamRoleTagKey } from './private/team-role-tag';
import { CLOUDFORMATION_LIMITS, IAM_LIMITS, checkTemplate, renderTemplate } from './private/template-limits';
import { userCleanup } from './private/user-cleanup';
import { validateMfaSerial, validateProfileName } from './private/validation';
import { VirtualMfaDevice } from './virtual-mfa-device';

/**
 * A role of an MfaTeam.
 */
export interface MfaTeamRole {
  /**
   * The role's name in the team: what members list in `roles`. 1 to 64 characters of letters, digits and _+=.@-,
   * unique in the team regardless of case.
   */
  readonly name: string;

  /**
   * A name for the IAM role.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly roleName?: string;

  /**
   * Managed policies of the role: what its sessions may do.
   *
   * @default - no managed policies
   */
  readonly managedPolicies?: iam.IManagedPolicy[];

  /**
   * The longest session that `AssumeRole` may ask for: 1 to 12 hours.
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;

  /**
   * The longest time since the MFA sign-in after which the role may still be assumed.
   *
   * @default Duration.hours(1)
   */
  readonly maxMfaAge?: Duration;
}

/**
 * A role of the same name in other accounts that members of an MfaTeam may assume (for example one of an
 * MfaRoleStackSet): an IAM group whose members may assume it with MFA in those accounts.
 */
export interface MfaTeamAccountRole extends MfaAccountRole {
  /**
   * The role's name in the team: what members list in `roles`. 1 to 64 characters of letters, digits and _+=.@-,
   * unique among the team's roles and account roles regardless of case.
   */
  readonly name: string;
}

/**
 * A member of an MfaTeam: one IAM user.
 */
export interface MfaTeamMember {
  /**
   * The name of the member's IAM user: 1 to 64 characters of letters, digits and _+=.@- (no commas: the member's
   * secrets are named after it), unique in the team regardless of case. Not `default`: it names the member's source
   * profile too, and mfa-profile never takes over the default profile.
   */
  readonly userName: string;

  /**
   * The names of the team roles and account roles the member may assume: 1 to 10, because the member is in one IAM
   * group per role and IAM puts a user in at most 10 groups.
   */
  readonly roles: string[];

  /**
   * The serial number of an MFA device the member already has or will get outside this stack (a hardware TOTP token,
   * or a virtual device someone enables for the user): the ARN of a virtual device or a hardware serial.
   *
   * @default - the team defines a virtual MFA device for the member
   */
  readonly mfaSerial?: string;

  /**
   * Whether the member is meant to get an access key from `mfa-profile setup --member` (see `MfaUser`'s
   * `accessKey`): the stack defines no key and keeps none in Secrets Manager; the members output says `"accessKey":
   * true`, and a `Custom::MfaUserCleanup` deletes the member's access keys when the member's user is deleted.
   *
   * @default true
   */
  readonly accessKey?: boolean;

  /**
   * Deny every session of this member on the team's roles issued before this time (UTC, ISO 8601, e.g.
   * `2026-12-01T12:00:00Z`): sessions are named after their member, so the cut ends exactly this member's sessions
   * (after a lost laptop, or a device replaced outside the stack).
   *
   * @default - none of the member's sessions is revoked, beyond the team's own cuts
   */
  readonly revokeSessionsIssuedBefore?: string;
}

/**
 * Properties of an MfaTeam.
 */
export interface MfaTeamProps {
  /**
   * The team's roles. Each is an MfaRequiredRole with an IAM group whose members may assume it with MFA. May be empty
   * when the team has account roles.
   */
  readonly roles: MfaTeamRole[];

  /**
   * Roles in other accounts that members may assume (e.g. `MfaRoleStackSet.accountRole`), each with an IAM group whose
   * policy allows `sts:AssumeRole` on it with MFA in its accounts or organization only.
   *
   * @default - no roles in other accounts
   */
  readonly accountRoles?: MfaTeamAccountRole[];

  /**
   * The team's members and the roles each may assume.
   */
  readonly members: MfaTeamMember[];

  /**
   * The team's name: its users, groups, roles and MFA devices have the IAM path `/mfa-team/<teamName>/`, and its
   * secrets are named `mfa-team/<teamName>/...`. 1 to 64 characters of letters, digits and _+=.@-, unique in the app.
   *
   * @default - the construct id without the characters that are not letters or digits
   */
  readonly teamName?: string;

  /**
   * Whether to enable the virtual MFA devices at deploy time (see `VirtualMfaDevice`'s `enable`).
   *
   * @default true
   */
  readonly enableMfaDevices?: boolean;

  /**
   * The number of nested stacks that hold the members' resources, or 0 to keep them in the team's own stack.
   *
   * A member's nested stack follows from its user name alone (a consistent hash), so adding or removing members
   * never moves another member. Changing this number does move members (going from n to n + 1 moves about
   * 1 / (n + 1) of them); CloudFormation cannot move a named IAM user between stacks in one deploy, so remove the
   * moving members in one deploy and add them back in the next (they get new MFA devices and access keys).
   *
   * @default - 0 while the team's resources fit into 400 of the stack's 500; else the fewest nested stacks that hold
   * at most 400 resources each, with a warning to set the number, so that the layout stays as the team grows
   */
  readonly memberStacks?: number;

  /**
   * The principals (IAM users or roles) that may read (and delete) every member's seed secret, instead of each member
   * reading its own; every other principal is denied every Secrets Manager action on it (see `VirtualMfaDevice`'s
   * `secretReaders`).
   *
   * @default - each member reads its own seed, with the access key `mfa-profile setup --member` creates for it
   */
  readonly secretReaders?: iam.IPrincipal[];

  /**
   * The prefix of the team's stack output keys (letters and digits, starting with a letter).
   *
   * @default - the construct id without the characters that are not letters or digits
   */
  readonly outputPrefix?: string;

  /**
   * Deny every session of every team role issued before this time (UTC, ISO 8601, e.g. `2026-12-01T12:00:00Z`), as
   * the IAM console's "Revoke active sessions" does. Sessions issued later are not affected.
   *
   * @default - no session is revoked, beyond the team's own cuts
   */
  readonly revokeSessionsIssuedBefore?: string;
}

/**
 * Which sessions of an MfaTeam's roles to revoke.
 */
export interface RevokeTeamSessionsOptions {
  /**
   * Deny the sessions issued before this time: UTC, ISO 8601 (e.g. `2026-12-01T12:00:00Z`).
   */
  readonly issuedBefore: string;

  /**
   * Deny only this member's sessions (every session of the team's roles is named after its member).
   *
   * @default - every session of every team role
   */
  readonly userName?: string;
}

/** The longest JSON value of one stack output: a JSON map longer than this is spread over several outputs. */
const OUTPUT_VALUE_BYTES = 4096;

/** The resources a member stack may hold by default: 100 below CloudFormation's 500, for members to come. */
const MEMBER_STACK_RESOURCES = 400;

/** The resources of the custom resource handler in each stack with virtual MFA devices: function, role, policy. */
const HANDLER_RESOURCES = 3;

/**
 * The devices' creation times that one managed policy of a role holds (`DateLessThan aws:TokenIssueTime [...]`): as
 * many as fit IAM's 6,144 characters, each `"2026-12-01T12:00:01Z",` (23).
 */
const TIMES_PER_CUT_POLICY = Math.floor((IAM_POLICY_LIMITS.managedPolicy + 1 - JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: NEWEST_DEVICE_SID, Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': [] } } }],
}).length) / '"2026-12-01T12:00:01Z",'.length);

/** The id of the construct, in each stack with members' devices, that holds the roles' cuts at their members' new devices. */
const DEVICE_CUTS_ID = 'Cut:NewDevices';

/** The role ARN of the longest partition and a generated role name, for the size of the roles output. */
const LONGEST_ROLE_ARN_WITHOUT_PATH_AND_NAME = 'arn:aws-us-gov:iam::123456789012:role'.length;
const LONGEST_GENERATED_ROLE_NAME = 64;

const TEAM_NAME = /^[A-Za-z0-9_+=.@-]{1,64}$/;
/** The teams of an app by lower-cased teamName, and of a stack by outputPrefix. */
const TEAMS_OF_APP = new WeakMap<IConstruct, Map<string, MfaTeam>>();
const TEAMS_OF_STACK = new WeakMap<Stack, Map<string, MfaTeam>>();

/**
 * Defines a team of IAM users who may assume MFA-only roles: one MfaRequiredRole and one IAM group per role, and per
 * member an IAM user in the groups of its roles and a virtual MFA device (or an existing device's serial). The stack
 * defines no access key: `mfa-profile setup --member` creates a member's key (`accessKey`, default true).
 *
 * Each role trusts exactly its own members, in its trust policy, with MFA: IAM users under the team's IAM path
 * (`ArnLike aws:PrincipalArn arn:aws:iam::<account>:user/mfa-team/<teamName>/*`, which no assumed-role or federated
 * session matches) that carry the role's tag (`StringEquals aws:PrincipalTag/cdk-mfa-delegation:role:<role>
 * <teamName>`, which the stack puts on each member of the role; changing a user's tags takes `iam:TagUser`, an IAM
 * administrator's right), with an MFA sign-in younger than `maxMfaAge` (one hour by default), and a session named
 * after the user (`sts:RoleSessionName` = `${aws:username}`, so CloudTrail names the person). The trust policy is the
 * same size for any number of members (a policy that named a thousand users would be far over IAM's 2,048
 * characters); a member has one tag per role, at most 10 of IAM's 50 tags per user. Each group's inline policy allows
 * `sts:AssumeRole` on its role with the same MFA conditions, as a second lock; the users have no policy of their own.
 *
 * Each role's inline policy `RevokeSessions` denies every action to sessions that are not named after one of the
 * role's current members (`StringNotLike aws:userid *:<member>`): removing a member, or a member's role, ends the
 * member's sessions with the deploy, without a cut to lift later. `revokeSessionsIssuedBefore` (of the team or of a
 * member) and `revokeSessions` deny the sessions issued before a time (`aws:TokenIssueTime`).
 *
 * The stack's handler is allowed to create and delete devices and to enable and deactivate them for users only under
 * the team's IAM path, to write only the team's seed secrets (`mfa-team/<teamName>/<user>/mfa-seed`), never to read
 * one, and to delete the access keys of the team's users when they are deleted, by a few statements per stack, however
 * many members the team has.
 *
 * Resources per member: 1 for the IAM user (which lists its groups itself), 1 for the virtual MFA device (the handler
 * creates its seed secret) and 1 for the cleanup of the access keys that `mfa-profile` creates (`Custom::MfaUserCleanup`,
 * when `accessKey`): 2 without an access key, 3 with one. A member with an existing device (`mfaSerial`) has no device
 * and no seed secret: 1 resource, or 2 with an access key. When the team outgrows its stack, the members are spread
 * over nested stacks (see `memberStacks`). At synth, the
 * team checks every stack it uses against CloudFormation's quotas (resources, outputs, parameters, mappings, template
 * size) and IAM's (policy sizes, groups per user, managed policies per role), and names the quota and the measured value.
 *
 * The stack outputs (contract in DESIGN.md, "Stack outputs of MfaTeam") hold one JSON map of the team, of its roles
 * and of its members, each spread over several outputs of at most 4,096 bytes when longer; `mfa-profile --member`
 * reads them.
 *
 * @example
 * declare const stack: Stack;
 * new MfaTeam(stack, 'Dev', {
 *   roles: [
 *     { name: 'readonly', managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')] },
 *     { name: 'admin', managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')], maxMfaAge: Duration.hours(1) },
 *   ],
 *   members: [
 *     { userName: 'alice', roles: ['readonly', 'admin'] },
 *     { userName: 'bob', roles: ['readonly'], mfaSerial: 'GAHT12345678' },
 *   ],
 * });
 */
export class MfaTeam extends Construct {
  /** The team's name. */
  public readonly teamName: string;

  /** The IAM path of the team's users, groups, roles and virtual MFA devices: `/mfa-team/<teamName>/`. */
  public readonly path: string;

  /** The prefix of the names of the team's secrets: `mfa-team/<teamName>/`. */
  public readonly secretNamePrefix: string;

  /** The prefix of the team's stack output keys. */
  public readonly outputPrefix: string;

  /** The number of nested stacks that hold the members (0: the members are in the team's stack). */
  public readonly memberStacks: number;

  /** The nested stacks that hold members, by their index (empty when the members are in the team's stack). */
  public readonly nestedStacks: NestedStack[] = [];

  private readonly roles = new Map<string, MfaRequiredRole>();
  /** The team roles (of this account) of each member, by user name. */
  private readonly memberRoles = new Map<string, readonly string[]>();
  private readonly groups = new Map<string, iam.Group>();
  /** The managed policies that cut each role's sessions at its members' new devices (one per stack of members), by role. */
  private readonly cutPolicies = new Map<string, number>();

  constructor(scope: Construct, id: string, props: MfaTeamProps) {
    super(scope, id);
    this.teamName = props.teamName ?? id.replace(/[^A-Za-z0-9]/g, '');
    this.checkTeamName(id, props);
    this.outputPrefix = outputPrefixOf(id, props.outputPrefix);
    this.checkClashes();
    validateRoles(props.roles, props.accountRoles ?? []);
    validateMembers(props.members, [...props.roles, ...props.accountRoles ?? []]);
    if (props.memberStacks !== undefined && (!Number.isInteger(props.memberStacks) || props.memberStacks < 0)) {
      throw new Error(`memberStacks must be a whole number from 0, but got ${props.memberStacks}`);
    }
    this.register();

    this.path = teamPath(this.teamName);
    this.secretNamePrefix = teamSecretNamePrefix(this.teamName);
    const stack = Stack.of(this);

    const usersUnderPath = this.iamArnUnderPath(stack, 'user', '*');
    const rolesScope = new Construct(this, 'Roles');
    const groupsScope = new Construct(this, 'Groups');
    for (const spec of props.roles) {
      this.defineRole(rolesScope, groupsScope, spec, usersUnderPath);
    }
    for (const spec of props.accountRoles ?? []) {
      this.defineAccountRole(groupsScope, spec);
    }

    const layout = memberLayout(props.members, props.roles.length * 2 + (props.accountRoles ?? []).length, new Set(props.roles.map((r) => r.name)),
      props.memberStacks);
    this.memberStacks = layout.stacks;
    if (props.memberStacks === undefined && layout.stacks > 0) {
      Annotations.of(this).addWarningV2('cdk-mfa-delegation:MfaTeam.memberStacks',
        `${this.node.path} spreads its ${props.members.length} members over ${layout.stacks} nested stacks by default. Set memberStacks: `
        + `${layout.stacks} so that the layout stays the same as the team grows: a member who moves to another nested stack has to be `
        + 'removed in one deploy and added back in the next.');
    }
    if (layout.resources > CLOUDFORMATION_LIMITS.resourcesPerOperation) {
      Annotations.of(this).addWarningV2('cdk-mfa-delegation:MfaTeam.resourcesPerOperation',
        `${this.node.path} defines ${layout.resources} resources, and CloudFormation creates, updates or deletes at most `
        + `${CLOUDFORMATION_LIMITS.resourcesPerOperation.toLocaleString('en-US')} resources of a stack and its nested stacks in one operation: `
        + 'create the team in steps (a few hundred members per deploy), and change at most that many resources per deploy.');
    }

    const membersScope = layout.stacks === 0 ? new Construct(this, 'Members') : undefined;
    const nestedStackByIndex = new Map<number, NestedStack>();
    /** The devices the team defines, by the scope (its stack's) that holds them. */
    const devicesByScope = new Map<Construct, Array<{ member: MfaTeamMember; device: VirtualMfaDevice }>>();
    props.members.forEach((member, i) => {
      const index = layout.stackOfMember[i];
      let memberScope = membersScope ?? nestedStackByIndex.get(index);
      if (memberScope === undefined) {
        const nested = new NestedStack(this, `Members${index + 1}`, {
          description: `cdk-mfa-delegation team ${this.teamName}: members, nested stack ${index + 1} of ${layout.stacks}`,
        });
        nestedStackByIndex.set(index, nested);
        memberScope = nested;
      }
      const device = this.defineMember(memberScope, member, props.enableMfaDevices ?? true, props.secretReaders);
      if (device !== undefined) {
        devicesByScope.set(memberScope, [...devicesByScope.get(memberScope) ?? [], { member, device }]);
      }
    });
    devicesByScope.forEach((devices, holder) => this.cutSessionsBeforeNewDevices(holder, devices));
    this.nestedStacks.push(...[...nestedStackByIndex.entries()].sort(([a], [b]) => a - b).map(([, nested]) => nested));

    // Each role denies the sessions of anyone who is not (or no longer) its member, then the given cuts.
    for (const [name, role] of this.roles) {
      role._denySessionsNotNamed(props.members.filter((m) => m.roles.includes(name)).map((m) => m.userName).sort(compareNames));
    }
    if (props.revokeSessionsIssuedBefore !== undefined) {
      this.revokeSessions({ issuedBefore: props.revokeSessionsIssuedBefore });
    }
    for (const member of props.members) {
      if (member.revokeSessionsIssuedBefore !== undefined) {
        this.revokeSessions({ issuedBefore: member.revokeSessionsIssuedBefore, userName: member.userName });
      }
    }

    this.defineOutputs(props);
    this.node.addValidation({ validate: () => this.validateLimits() });
    checkNoSecretBearingAttributes(this);
  }

  /**
   * The MfaRequiredRole of a team role, by its name in the team.
   */
  public role(name: string): MfaRequiredRole {
    const role = this.roles.get(name);
    if (!role) {
      throw new Error(`${this.node.path} has no role '${name}'; its roles are ${list([...this.roles.keys()])}`);
    }
    return role;
  }

  /**
   * Deny the sessions of the team's roles issued before a time: every session, or only one member's (on the member's
   * roles; the sessions of a user who is not a member are denied already). See MfaRequiredRole's `revokeSessions`.
   */
  public revokeSessions(options: RevokeTeamSessionsOptions): void {
    if (options.userName === undefined) {
      this.roles.forEach((role) => role.revokeSessions({ issuedBefore: options.issuedBefore }));
      return;
    }
    const roles = this.memberRoles.get(options.userName);
    if (roles === undefined) {
      throw new Error(`${this.node.path} has no member '${options.userName}' to revoke the sessions of: the roles of the team deny every `
        + 'session that is not named after one of their members already');
    }
    roles.forEach((name) => this.role(name).revokeSessions({ issuedBefore: options.issuedBefore, sessionName: options.userName }));
  }

  private checkTeamName(id: string, props: MfaTeamProps): void {
    if (props.teamName !== undefined) {
      validateTeamName('teamName', props.teamName);
    } else if (Token.isUnresolved(this.teamName) || !TEAM_NAME.test(this.teamName)) {
      throw new Error(`teamName cannot be derived from the construct id '${id}': pass a teamName of letters, digits and _+=.@-`);
    }
  }

  /** No other team of the app has this teamName, and no other team of the stack this output prefix. */
  private checkClashes(): void {
    const other = TEAMS_OF_APP.get(this.node.root)?.get(this.teamName.toLowerCase());
    if (other) {
      throw new Error(`MfaTeams ${other.node.path} and ${this.node.path} both have the teamName '${this.teamName}': their users, groups, `
        + 'roles, devices and secrets would share one IAM path and secret prefix; give each team its own teamName');
    }
    const clash = TEAMS_OF_STACK.get(Stack.of(this))?.get(this.outputPrefix);
    if (clash) {
      throw new Error(`MfaTeams ${clash.node.path} and ${this.node.path} both use the output prefix '${this.outputPrefix}': give one of them `
        + 'another outputPrefix');
    }
  }

  private register(): void {
    const byName = TEAMS_OF_APP.get(this.node.root) ?? new Map<string, MfaTeam>();
    TEAMS_OF_APP.set(this.node.root, byName.set(this.teamName.toLowerCase(), this));
    const byPrefix = TEAMS_OF_STACK.get(Stack.of(this)) ?? new Map<string, MfaTeam>();
    TEAMS_OF_STACK.set(Stack.of(this), byPrefix.set(this.outputPrefix, this));
  }

  private defineRole(rolesScope: Construct, groupsScope: Construct, spec: MfaTeamRole, usersUnderPath: string): void {
    const role = new MfaRequiredRole(rolesScope, spec.name, {
      roleName: spec.roleName,
      path: this.path,
      description: `cdk-mfa-delegation team ${this.teamName}: role ${spec.name}`,
      managedPolicies: spec.managedPolicies,
      maxSessionDuration: spec.maxSessionDuration,
      maxMfaAge: spec.maxMfaAge,
      trustedPrincipals: [new iam.AccountRootPrincipal().withConditions({
        ArnLike: { 'aws:PrincipalArn': usersUnderPath },
        StringEquals: { [`aws:PrincipalTag/${teamRoleTagKey(spec.name)}`]: this.teamName, 'sts:RoleSessionName': '${aws:username}' },
      })],
    });
    // The group's policy is inline in AWS::IAM::Group (an iam.Policy would be one more resource per role).
    const group = new iam.Group(groupsScope, spec.name, { path: this.path });
    (group.node.defaultChild as iam.CfnGroup).policies = [{
      policyName: 'AssumeRoleWithMfa',
      policyDocument: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: [role.roleArn],
          conditions: role.mfaCondition,
        })],
      }),
    }];
    this.roles.set(spec.name, role);
    this.groups.set(spec.name, group);
  }

  /** A group whose members may assume a role of the same name in other accounts (inline policy, as for team roles). */
  private defineAccountRole(groupsScope: Construct, spec: MfaTeamAccountRole): void {
    const group = new iam.Group(groupsScope, spec.name, { path: this.path });
    (group.node.defaultChild as iam.CfnGroup).policies = [{
      policyName: 'AssumeAccountRoleWithMfa',
      policyDocument: new iam.PolicyDocument({ statements: [accountRoleStatement(this, spec)] }),
    }];
    acknowledgeAccountRole(group, spec);
    this.groups.set(spec.name, group);
  }

  /**
   * Deny each role's sessions issued before the newest device of its members: for each role, managed policies in the
   * stack of the devices (so that no device's time has to cross a stack, and the role waits for no device) that deny
   * every action when `aws:TokenIssueTime` is earlier than any of those devices' `createdAt`. A replaced device (or a new
   * member) ends every session of the member's roles issued before it, and a first deploy cuts no session issued after it.
   */
  private cutSessionsBeforeNewDevices(scope: Construct, devices: ReadonlyArray<{ member: MfaTeamMember; device: VirtualMfaDevice }>): void {
    const cuts = new Construct(scope, DEVICE_CUTS_ID);
    for (const [name, role] of this.roles) {
      const times = devices.filter(({ member }) => member.roles.includes(name)).map(({ device }) => device.createdAt);
      const statements = denySessionsIssuedBeforeStatements(times, TIMES_PER_CUT_POLICY);
      this.cutPolicies.set(name, (this.cutPolicies.get(name) ?? 0) + statements.length);
      statements.forEach((statement, i) => new iam.ManagedPolicy(cuts, i === 0 ? name : `${name}:${i + 1}`, {
        description: `cdk-mfa-delegation team ${this.teamName}: denies the sessions of role ${name} issued before the newest MFA device of its `
          + `members in this stack (${i + 1} of ${statements.length})`,
        document: iam.PolicyDocument.fromJson({ Version: '2012-10-17', Statement: [statement] }),
        roles: [role],
      }));
    }
  }

  private defineMember(scope: Construct, member: MfaTeamMember, enable: boolean, secretReaders?: iam.IPrincipal[]): VirtualMfaDevice | undefined {
    if (member.mfaSerial === undefined && !hasKey(member) && secretReaders === undefined) {
      throw new Error(`Nobody could read the MFA seed of team member ${member.userName}: the member gets no access key (accessKey: false) to `
        + 'read it with; name who reads the seeds with secretReaders, or give the member an mfaSerial');
    }
    const memberScope = new Construct(scope, member.userName);
    const user = new iam.User(memberScope, 'User', {
      userName: member.userName,
      path: this.path,
      groups: member.roles.map((name) => this.groups.get(name)!),
    });
    // The tag that each of the member's roles requires in its trust policy: a team role of this account, or a role of an
    // MfaRoleStackSet with trustedTeam in other accounts.
    member.roles.forEach((name) => Tags.of(user).add(teamRoleTagKey(name), this.teamName));
    this.memberRoles.set(member.userName, member.roles.filter((name) => this.roles.has(name)));
    markAssumeOnly(user.node.defaultChild as iam.CfnUser, false);
    let device: VirtualMfaDevice | undefined;
    if (member.mfaSerial === undefined) {
      device = new VirtualMfaDevice(memberScope, 'MfaDevice', {
        user,
        path: this.path,
        enable,
        seedSecretName: teamSecretName(this.secretNamePrefix, member.userName, 'seed'),
        secretReaders,
      });
    }
    if (hasKey(member)) {
      userCleanup(memberScope, user);
    }
    return device;
  }

  /** The ARN (in `stack`'s partition and account) of the IAM `resource` type under the team's path, followed by `suffix`. */
  private iamArnUnderPath(stack: Stack, resource: 'user' | 'mfa', suffix: string): string {
    return stack.formatArn({ service: 'iam', region: '', resource, resourceName: `${this.path.substring(1)}${suffix}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }

  private defineOutputs(props: MfaTeamProps): void {
    const stack = Stack.of(this);
    const roleEntries: JsonEntry[] = [...props.roles]
      .sort((a, b) => compareNames(a.name, b.name))
      .map((spec) => {
        const maxSessionDuration = (spec.maxSessionDuration ?? Duration.hours(1)).toSeconds();
        const longestArn = LONGEST_ROLE_ARN_WITHOUT_PATH_AND_NAME + this.path.length + (spec.roleName?.length ?? LONGEST_GENERATED_ROLE_NAME);
        const value: TeamRoleEntry = { roleArn: this.role(spec.name).roleArn, maxSessionDuration };
        return {
          key: spec.name,
          value,
          bytes: JSON.stringify({ roleArn: 'x'.repeat(longestArn), maxSessionDuration }).length,
        };
      });
    const memberEntries: JsonEntry[] = [...props.members]
      .sort((a, b) => compareNames(a.userName, b.userName))
      .map((member) => {
        const value: TeamMemberEntry = {
          roles: member.roles,
          accessKey: member.accessKey ?? true,
          ...(member.mfaSerial ? { mfaSerial: member.mfaSerial } : {}),
        };
        return { key: member.userName, value, bytes: Buffer.byteLength(JSON.stringify(value)) };
      });
    const accountRoleEntries: JsonEntry[] = [...props.accountRoles ?? []]
      .sort((a, b) => compareNames(a.name, b.name))
      .map((spec) => {
        const value = accountRoleEntry(spec);
        const bytes = Buffer.byteLength(JSON.stringify(value));
        // The entry, its key and the braces of its output.
        checkAccountRoleOutput(`The account role ${spec.name} of ${this.node.path} needs`, bytes + Buffer.byteLength(JSON.stringify(spec.name)) + 3);
        return { key: spec.name, value, bytes };
      });
    const roleChunks = packJson(roleEntries, OUTPUT_VALUE_BYTES);
    const memberChunks = packJson(memberEntries, OUTPUT_VALUE_BYTES);
    const accountRoleChunks = packJson(accountRoleEntries, OUTPUT_VALUE_BYTES);

    const team: TeamOutput = {
      // 4: no access key in any secret, mfa-profile creates a member's key; the team may have account roles (since 3).
      version: TEAM_OUTPUT_VERSION,
      teamName: this.teamName,
      path: this.path,
      mfaSerialPrefix: this.iamArnUnderPath(stack, 'mfa', ''),
      secretNamePrefix: this.secretNamePrefix,
      roleOutputs: roleChunks.length,
      memberOutputs: memberChunks.length,
      ...(accountRoleChunks.length > 0 ? { accountRoleOutputs: accountRoleChunks.length } : {}),
    };
    this.output(TEAM_OUTPUT_FIELDS.team, 'team', team);
    roleChunks.forEach((chunk, i) => this.output(`${TEAM_OUTPUT_FIELDS.roles}${i + 1}`, `roles ${i + 1} of ${roleChunks.length}`, chunk));
    memberChunks.forEach((chunk, i) => this.output(`${TEAM_OUTPUT_FIELDS.members}${i + 1}`, `members ${i + 1} of ${memberChunks.length}`, chunk));
    accountRoleChunks.forEach((chunk, i) => this.output(`${TEAM_OUTPUT_FIELDS.accountRoles}${i + 1}`,
      `account roles ${i + 1} of ${accountRoleChunks.length}`, chunk));
  }

  /**
   * The managed policies of each role, across the stacks of the team (a stack's own check sees only its own): a warning
   * over IAM's default quota, an error over the most it can be raised to.
   */
  private validateRolePolicies(): string[] {
    const errors: string[] = [];
    for (const [name, role] of this.roles) {
      const given = [Stack.of(role).resolve((role.node.defaultChild as iam.CfnRole).managedPolicyArns) ?? []].flat().length;
      const own = role.node.children.filter((child) => child instanceof iam.ManagedPolicy).length;
      const cuts = this.cutPolicies.get(name) ?? 0;
      const total = given + own + cuts;
      const what = `${role.node.path} has ${total} managed policies (${given} given, ${own} that deny the sessions of non-members or before a `
        + `time, ${cuts} that deny the sessions issued before its members' newest MFA device, one per stack of members)`;
      if (total > IAM_LIMITS.managedPoliciesPerRoleMax) {
        errors.push(`${what}, over IAM's limit of ${IAM_LIMITS.managedPoliciesPerRoleMax} per role: give the role fewer managed policies, or fewer `
          + 'members with virtual devices (members with an mfaSerial need none)');
      } else if (total > IAM_LIMITS.managedPoliciesPerRole) {
        Annotations.of(this).addWarningV2('cdk-mfa-delegation:MfaTeam.managedPoliciesPerRole', `${what}, over IAM's default quota of `
          + `${IAM_LIMITS.managedPoliciesPerRole} per role: raise "Managed policies per role" in Service Quotas (up to `
          + `${IAM_LIMITS.managedPoliciesPerRoleMax}) before deploying`);
      }
    }
    return errors;
  }

  private output(field: string, what: string, value: unknown): void {
    new CfnOutput(this, field, {
      key: `${this.outputPrefix}${field}`,
      value: Stack.of(this).toJsonString(value),
      description: `cdk-mfa-delegation ${this.outputPrefix} ${what}`,
    });
  }

  private validateLimits(): string[] {
    const errors: string[] = this.validateRolePolicies();
    const spread = this.memberStacks === 0
      ? ': spread the members over nested stacks with memberStacks'
      : `: raise memberStacks (now ${this.memberStacks}) to spread the members more thinly`;
    for (const stack of [Stack.of(this), ...this.nestedStacks]) {
      const template = renderTemplate(stack);
      if (template === undefined) {
        continue;
      }
      const report = checkTemplate(`Stack ${stack.node.path}`, template, spread);
      errors.push(...report.errors);
      for (const warning of report.warnings) {
        Annotations.of(this).addWarningV2('cdk-mfa-delegation:MfaTeam.iamQuota', warning);
      }
    }
    return errors;
  }
}

/**
 * Where the members go: the number of nested stacks, and the resources the team defines in all.
 */
function memberLayout(members: readonly MfaTeamMember[], teamResources: number, teamRoles: ReadonlySet<string>, memberStacks?: number)
  : { stacks: number; resources: number; stackOfMember: number[] } {
  // The user; the device (its seed secret is the handler's, not CloudFormation's); the cleanup of the access keys mfa-profile creates.
  const resourcesOf = (m: MfaTeamMember) => {
    const device = m.mfaSerial === undefined;
    return 1 + (device ? 1 : 0) + (hasKey(m) ? 1 : 0);
  };
  // Per team role, the managed policies that cut its sessions at the devices of its members in the stack.
  const cutPolicies = (group: readonly MfaTeamMember[]) => [...teamRoles].reduce((sum, role) =>
    sum + Math.ceil(group.filter((m) => m.mfaSerial === undefined && m.roles.includes(role)).length / TIMES_PER_CUT_POLICY), 0);
  const stackResources = (group: readonly MfaTeamMember[]) => cutPolicies(group)
    + group.reduce((sum, m) => sum + resourcesOf(m), group.some((m) => m.mfaSerial === undefined || hasKey(m)) ? HANDLER_RESOURCES : 0);
  // Each member's hash key once: the placement is tried for several stack counts.
  const keys = members.map((m) => memberKey(m.userName));
  const place = (stacks: number) => keys.map((key) => jumpHash(key, stacks));
  const usedStacks = (stackOfMember: readonly number[], stacks: number) => {
    const groups = Array.from({ length: stacks }, () => [] as MfaTeamMember[]);
    members.forEach((m, i) => groups[stackOfMember[i]].push(m));
    return groups.filter((g) => g.length > 0).map(stackResources);
  };
  const flat = stackResources(members);
  let stacks = memberStacks ?? (teamResources + flat <= MEMBER_STACK_RESOURCES ? 0 : Math.ceil(flat / MEMBER_STACK_RESOURCES));
  if (stacks === 0) {
    return { stacks, resources: teamResources + flat, stackOfMember: [] };
  }
  let stackOfMember = place(stacks);
  let used = usedStacks(stackOfMember, stacks);
  while (memberStacks === undefined && Math.max(...used) > MEMBER_STACK_RESOURCES) {
    stacks++;
    stackOfMember = place(stacks);
    used = usedStacks(stackOfMember, stacks);
  }
  // Each nested stack is one more resource (AWS::CloudFormation::Stack) in the team's stack.
  return { stacks, resources: teamResources + used.length + used.reduce((sum, n) => sum + n, 0), stackOfMember };
}

/** Whether a member is meant to get an access key (and so gets a cleanup of its keys). */
function hasKey(member: MfaTeamMember): boolean {
  return member.accessKey ?? true;
}

function validateRoles(roles: readonly MfaTeamRole[], accountRoles: readonly MfaTeamAccountRole[]): void {
  if (roles.length === 0 && accountRoles.length === 0) {
    throw new Error('roles must list at least one role, or accountRoles at least one role in other accounts');
  }
  accountRoles.forEach(validateAccountRole);
  const seen = new Map<string, string>();
  for (const role of [...roles, ...accountRoles]) {
    validateTeamName('The name of a team role', role.name);
    const clash = seen.get(role.name.toLowerCase());
    if (clash !== undefined) {
      throw new Error(`The team roles '${clash}' and '${role.name}' have the same name regardless of case: give each role its own name`);
    }
    seen.set(role.name.toLowerCase(), role.name);
  }
}

function validateMembers(members: readonly MfaTeamMember[], roles: ReadonlyArray<{ readonly name: string }>): void {
  if (members.length === 0) {
    throw new Error('members must list at least one member');
  }
  if (members.length > IAM_LIMITS.usersPerAccount) {
    throw new Error(`members lists ${members.length} members, but IAM allows at most ${IAM_LIMITS.usersPerAccount.toLocaleString('en-US')} `
      + 'users in an account');
  }
  const roleNames = new Set(roles.map((r) => r.name));
  const seen = new Map<string, string>();
  for (const member of members) {
    validateTeamName('The userName of a team member', member.userName);
    validateSessionName(`The userName of team member ${member.userName}`, member.userName);
    validateProfileName('The userName of a team member', member.userName, ' (it names the member\'s source profile too)');
    const clash = seen.get(member.userName.toLowerCase());
    if (clash !== undefined) {
      throw new Error(`The team members '${clash}' and '${member.userName}' have the same userName regardless of case, and IAM user names `
        + 'are unique regardless of case: list each member once');
    }
    seen.set(member.userName.toLowerCase(), member.userName);
    if (member.roles.length === 0) {
      throw new Error(`Team member ${member.userName} may assume no role: list at least one of the team's roles (${list([...roleNames])})`);
    }
    if (member.roles.length > IAM_LIMITS.groupsPerUser) {
      throw new Error(`Team member ${member.userName} lists ${member.roles.length} roles, but a member is in one IAM group per role and IAM `
        + `puts a user in at most ${IAM_LIMITS.groupsPerUser} groups`);
    }
    const unknown = member.roles.filter((r) => !roleNames.has(r));
    if (unknown.length > 0) {
      throw new Error(`Team member ${member.userName} lists ${unknown.length === 1 ? 'the role' : 'the roles'} ${list(unknown.map((r) => `'${r}'`))}, `
        + `which the team does not have; its roles are ${list([...roleNames])}`);
    }
    const twice = member.roles.find((r, i) => member.roles.indexOf(r) !== i);
    if (twice !== undefined) {
      throw new Error(`Team member ${member.userName} lists the role '${twice}' twice: list each role once`);
    }
    if (member.mfaSerial !== undefined) {
      validateMfaSerial(member.mfaSerial);
    }
  }
}

function validateTeamName(what: string, name: string): void {
  if (Token.isUnresolved(name) || !TEAM_NAME.test(name)) {
    throw new Error(`${what} must be 1 to 64 characters of letters, digits and _+=.@- but got '${name}'`);
  }
}

/** Order of names in the outputs: regardless of case first (as IAM compares names), then exactly. */
function compareNames(a: string, b: string): number {
  const lower = a.toLowerCase().localeCompare(b.toLowerCase(), 'en');
  return lower !== 0 ? lower : a.localeCompare(b, 'en');
}

/** `A`, `A and B`, `A, B and C`. */
function list(items: readonly string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
