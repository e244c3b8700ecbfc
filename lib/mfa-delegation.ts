import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DELEGATION_OUTPUT_FIELDS } from './contract';
import { MfaAccountRole } from './mfa-account-role';
import { MfaRequiredRole } from './mfa-required-role';
import { MfaUser } from './mfa-user';
import { accountRoleOutput, accountRoleStatement, acknowledgeAccountRole, validateAccountRole } from './private/account-role-grants';
import { outputPrefixOf } from './private/output-prefix';
import { validateSessionName } from './private/session-revocation';
import { validateProfileName } from './private/validation';
import { IMfaDevice, VirtualMfaDevice } from './virtual-mfa-device';

/**
 * Properties of an MfaDelegation.
 */
export interface MfaDelegationProps {
  /**
   * A name for the role.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly roleName?: string;

  /**
   * A name for the IAM user. Ignored when `user` is given.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly userName?: string;

  /**
   * Managed policies of the role: what the user may do once it has assumed the role with MFA.
   *
   * @default - no managed policies
   */
  readonly managedPolicies?: iam.IManagedPolicy[];

  /**
   * Inline policies of the role.
   *
   * @default - no inline policies
   */
  readonly inlinePolicies?: { [name: string]: iam.PolicyDocument };

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

  /**
   * Deny every session of the role issued before this time (UTC, ISO 8601): see MfaRequiredRole's
   * `revokeSessionsIssuedBefore`. `role.revokeSessions` adds more cuts.
   *
   * @default - no session is revoked
   */
  readonly revokeSessionsIssuedBefore?: string;

  /**
   * Trust this whole account (with MFA) instead of exactly the delegation's user, as the AWS Toolkit guide does.
   *
   * Then every principal of that account with `sts:AssumeRole` on the role (e.g. from `PowerUserAccess`) and an MFA
   * device of its own may assume the role, and its session name is not tied to its user name (see MfaRequiredRole's
   * `trustAccount`).
   *
   * @default - the role trusts exactly the delegation's user (least privilege), who must name its session after itself
   */
  readonly trustedAccount?: string;

  /**
   * An existing IAM user to delegate to, instead of defining one.
   *
   * @default - a new IAM user is defined
   */
  readonly user?: iam.IUser;

  /**
   * An existing MFA device of the user (virtual or hardware), instead of defining a virtual one.
   *
   * @default - a VirtualMfaDevice is defined for the user
   */
  readonly mfaDevice?: IMfaDevice;

  /**
   * Roles in other accounts that the user may also assume (e.g. `MfaRoleStackSet.accountRole`): the user's policy
   * allows `sts:AssumeRole` on each with MFA in its accounts or organization only. The user's inline policy is at most
   * 2,048 characters, so list up to about 100 accounts in all, or use `organizationId`.
   *
   * @default - only the delegation's own role
   */
  readonly accountRoles?: MfaAccountRole[];

  /**
   * Whether to enable the defined virtual MFA device at deploy time. Ignored when `mfaDevice` is given.
   *
   * @default true
   */
  readonly enableMfaDevice?: boolean;

  /**
   * Whether the user is meant to get an access key from `mfa-profile setup` (see `MfaUser`'s `accessKey`): the stack
   * defines no key, and says so in the output `<prefix>MfaAccessKey` (`"true"`).
   *
   * @default true
   */
  readonly accessKey?: boolean;

  /**
   * Whether the user may sign in to the AWS console (a generated first password, kept in Secrets Manager).
   *
   * @default false
   */
  readonly consoleAccess?: boolean;

  /**
   * The principals (IAM users or roles) that may read the seed secret (and delete it) and the first console password;
   * every other principal is denied every Secrets Manager action on them (see `VirtualMfaDevice`'s `secretReaders`).
   *
   * @default - the delegation's user itself, with the access key `mfa-profile setup` creates for it
   */
  readonly secretReaders?: iam.IPrincipal[];

  /**
   * The suggested name of the AWS profile that assumes the role (`[profile NAME]` with `role_arn` and `mfa_serial`).
   * Not `default`, which mfa-profile never takes over.
   *
   * @default 'mfa'
   */
  readonly profileName?: string;

  /**
   * The suggested name of the AWS profile that holds the user's access key (the `source_profile`). Not `default`,
   * which mfa-profile never takes over: give one when the user is named `default`.
   *
   * @default - the user's name
   */
  readonly sourceProfileName?: string;

  /**
   * The prefix of this delegation's stack output keys (letters and digits, starting with a letter).
   *
   * @default - the construct id without its non-alphanumeric characters
   */
  readonly outputPrefix?: string;
}

/**
 * The suffixes of an MfaDelegation's stack output keys (lib/contract.ts, DESIGN.md).
 */
const OUTPUT_FIELDS = DELEGATION_OUTPUT_FIELDS;

const DELEGATION_SYMBOL = Symbol.for('cdk-mfa-delegation.MfaDelegation');

/** The delegations of each stack by output prefix: two with one prefix would give the same output keys. */
const DELEGATIONS_OF_STACK = new WeakMap<Stack, Map<string, MfaDelegation>>();

/**
 * Defines the whole MFA delegation of the AWS Toolkit guide in one construct: an MfaRequiredRole, an MfaUser allowed
 * to assume it, a VirtualMfaDevice for that user, and stack outputs with everything an AWS profile needs.
 *
 * Output keys are `<outputPrefix><Field>` (e.g. `ToolkitMfaRoleArn`, `ToolkitMfaSerial`), so a program such as
 * `mfa-profile` can tell several delegations in one stack apart without anyone typing output keys.
 *
 * @example
 * declare const stack: Stack;
 * new MfaDelegation(stack, 'Toolkit', {
 *   roleName: 'toolkit-role',
 *   userName: 'toolkit-user',
 *   managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
 * });
 */
export class MfaDelegation extends Construct {
  /**
   * Whether the given object is an MfaDelegation.
   */
  public static isMfaDelegation(x: any): x is MfaDelegation {
    return x !== null && typeof x === 'object' && DELEGATION_SYMBOL in x;
  }

  /** The role that can only be assumed with MFA. */
  public readonly role: MfaRequiredRole;

  /** The assume-only user. */
  public readonly mfaUser: MfaUser;

  /** The MFA device of the user: the defined virtual device, or the given one. */
  public readonly mfaDevice: IMfaDevice;

  /** The virtual MFA device this delegation defines, if it defines one. */
  public readonly virtualMfaDevice?: VirtualMfaDevice;

  /** The prefix of this delegation's stack output keys. */
  public readonly outputPrefix: string;

  constructor(scope: Construct, id: string, props: MfaDelegationProps = {}) {
    super(scope, id);
    Object.defineProperty(this, DELEGATION_SYMBOL, { value: true });

    this.outputPrefix = outputPrefixOf(id, props.outputPrefix);
    const delegations = DELEGATIONS_OF_STACK.get(Stack.of(this)) ?? new Map<string, MfaDelegation>();
    DELEGATIONS_OF_STACK.set(Stack.of(this), delegations);
    const clash = delegations.get(this.outputPrefix);
    if (clash) {
      throw new Error(`MfaDelegations ${clash.node.path} and ${this.node.path} both use the output prefix '${this.outputPrefix}': `
        + 'give one of them another outputPrefix');
    }
    delegations.set(this.outputPrefix, this);
    validateProfileName('profileName', props.profileName);
    validateProfileName('sourceProfileName', props.sourceProfileName);
    if (props.sourceProfileName === undefined) {
      validateProfileName('sourceProfileName', props.userName ?? props.user?.userName, ' (the user\'s name, its default)');
    }
    // The role requires the session name to be the user's name, which STS takes at 2 to 64 characters.
    if (props.trustedAccount === undefined) {
      if (props.userName !== undefined) {
        validateSessionName('userName', props.userName);
      } else if (props.user !== undefined) {
        validateSessionName('The name of the given user', props.user.userName);
      }
    }
    if (props.user && props.userName !== undefined) {
      throw new Error('user cannot be combined with userName: userName names a user that MfaDelegation defines');
    }
    if (!props.mfaDevice && props.secretReaders === undefined && props.accessKey === false) {
      throw new Error(`Nobody could read the MFA seed of ${this.node.path}: its user gets no access key (accessKey: false) to read it with; `
        + 'name who reads it with secretReaders');
    }
    if (props.mfaDevice && props.enableMfaDevice !== undefined) {
      throw new Error('mfaDevice cannot be combined with enableMfaDevice: enableMfaDevice applies to a device that MfaDelegation defines');
    }

    this.mfaUser = new MfaUser(this, 'User', {
      user: props.user,
      userName: props.userName,
      accessKey: props.accessKey,
      consoleAccess: props.consoleAccess,
      secretReaders: props.secretReaders,
    });
    this.role = new MfaRequiredRole(this, 'Role', {
      roleName: props.roleName,
      managedPolicies: props.managedPolicies,
      inlinePolicies: props.inlinePolicies,
      maxSessionDuration: props.maxSessionDuration,
      maxMfaAge: props.maxMfaAge,
      revokeSessionsIssuedBefore: props.revokeSessionsIssuedBefore,
      ...(props.trustedAccount === undefined
        ? { trustedPrincipals: [this.mfaUser.user] }
        : { trustAccount: true, trustedAccount: props.trustedAccount }),
    });
    this.mfaUser.allowAssume(this.role);
    for (const accountRole of props.accountRoles ?? []) {
      validateAccountRole(accountRole);
      this.mfaUser.policy.addStatements(accountRoleStatement(this, accountRole));
      acknowledgeAccountRole(this.mfaUser.policy, accountRole);
    }

    if (props.mfaDevice) {
      this.mfaDevice = props.mfaDevice;
    } else {
      this.virtualMfaDevice = new VirtualMfaDevice(this, 'MfaDevice', {
        user: this.mfaUser.user,
        enable: props.enableMfaDevice,
        secretReaders: props.secretReaders,
      });
      this.mfaDevice = this.virtualMfaDevice;
      if (props.trustedAccount === undefined) {
        // A new device (another name, a replaced user) ends the role's sessions that the device it replaces could have given.
        this.role.revokeSessions({ issuedBefore: this.virtualMfaDevice.createdAt });
      }
    }

    const userName = this.mfaUser.userName;
    this.output('roleArn', this.role.roleArn);
    this.output('userName', userName);
    this.output('userArn', this.mfaUser.userArn);
    this.output('mfaSerial', this.mfaDevice.serialNumber);
    this.output('accessKey', this.mfaUser.accessKey ? 'true' : undefined);
    this.output('seedSecretArn', this.virtualMfaDevice?.seedSecretName);
    this.output('consolePasswordSecretArn', this.mfaUser.consolePasswordSecret?.secretArn);
    this.output('sourceProfile', props.sourceProfileName ?? userName);
    this.output('roleProfile', props.profileName ?? 'mfa');
    this.output('roleMaxSessionDuration', String((props.maxSessionDuration ?? Duration.hours(1)).toSeconds()));
    this.output('accountRoles', props.accountRoles?.length ? accountRoleOutput(this, props.accountRoles) : undefined);
  }

  private output(field: keyof typeof OUTPUT_FIELDS, value: string | undefined): void {
    if (value === undefined) {
      return;
    }
    const key = `${this.outputPrefix}${OUTPUT_FIELDS[field]}`;
    new CfnOutput(this, OUTPUT_FIELDS[field], {
      key,
      value,
      description: `cdk-mfa-delegation ${this.outputPrefix} ${field}`,
    });
  }
}
