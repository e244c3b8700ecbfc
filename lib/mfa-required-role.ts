import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { revokeStatement } from './contract';
import { MfaGuard } from './mfa-guard';
import { admitsAnyone, assumeGrantsWithoutMfa, rejectAnyone } from './private/assume-grants';
import { DEFAULT_MAX_MFA_AGE, mfaCondition } from './private/mfa-condition';
import { actionPatternMatches, describePrincipal, describeValue, MfaProblem, mfaProblemOf, statementsOf } from './private/mfa-policy-inspection';
import { checkPolicySize, IAM_POLICY_LIMITS, policySize, resolvedPolicySize } from './private/policy-size';
import { denySessionsNotNamedStatements, validateIssuedBefore, validateSessionName } from './private/session-revocation';
import { MAX_MFA_AGE_SECONDS, validateAccountId, validateDuration, validateIamName } from './private/validation';

/**
 * Properties of an MfaRequiredRole.
 */
export interface MfaRequiredRoleProps {
  /**
   * Specific principals (users or roles) that may assume the role, instead of a whole account.
   *
   * Each gets its own trust statement with the MFA condition on it. An IAM user (an `iam.IUser`, or an
   * `iam.ArnPrincipal` of a user ARN) must also name its session after itself: its statement requires
   * `sts:RoleSessionName` = `${aws:username}`, so that CloudTrail names the person behind every session.
   *
   * One of `trustedPrincipals` and `trustAccount: true` is required.
   *
   * @default - none: `trustAccount` must be true
   */
  readonly trustedPrincipals?: iam.IPrincipal[];

  /**
   * Trust a whole AWS account (with MFA) instead of given principals: set it to `true` to state that choice.
   *
   * With account trust, **every principal of the account** (`trustedAccount`, or the stack's account) that an identity
   * policy allows `sts:AssumeRole` on this role (as `"Resource": "*"` does, e.g. in `PowerUserAccess` or
   * `AdministratorAccess`) and that has an MFA device of its own may assume the role: the role does not choose who.
   * That is how the IAM console's "Another AWS account" works. Prefer `trustedPrincipals`.
   *
   * Cannot be combined with `trustedPrincipals`.
   *
   * @default false
   */
  readonly trustAccount?: boolean;

  /**
   * The account whose principals may assume the role (with MFA) when `trustAccount` is true, as in the IAM console's
   * "Another AWS account". The account's principals still need an identity policy that allows `sts:AssumeRole` on the
   * role.
   *
   * @default - the stack's account
   */
  readonly trustedAccount?: string;

  /**
   * The longest time since the MFA sign-in after which the role may still be assumed.
   *
   * Adds `NumericLessThan aws:MultiFactorAuthAge <seconds>` to every trust statement. Between 1 second and 36 hours
   * (the longest session that `GetSessionToken` gives).
   *
   * @default Duration.hours(1)
   */
  readonly maxMfaAge?: Duration;

  /**
   * Deny every session of the role issued before this time (UTC, ISO 8601, e.g. `2026-12-01T12:00:00Z`), as the IAM
   * console's "Revoke active sessions" does: an inline policy of the role denies every action when
   * `aws:TokenIssueTime` is earlier. Sessions issued later are not affected, so the statement never needs lifting.
   * More cuts (also for one session name) can be added with `revokeSessions`.
   *
   * @default - no session is revoked
   */
  readonly revokeSessionsIssuedBefore?: string;

  /**
   * A name for the role.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly roleName?: string;

  /**
   * The path of the role.
   *
   * @default /
   */
  readonly path?: string;

  /**
   * A description of the role.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Managed policies attached to the role: what the role's sessions may do.
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
   * A managed policy that bounds the role's permissions.
   *
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
}

/**
 * Which sessions of an MfaRequiredRole to revoke.
 */
export interface RevokeSessionsOptions {
  /**
   * Deny the sessions issued before this time: UTC, ISO 8601 (e.g. `2026-12-01T12:00:00Z`), or a time known at deploy
   * time, such as a VirtualMfaDevice's `createdAt` (the sessions that a device it replaced could have given).
   */
  readonly issuedBefore: string;

  /**
   * Deny only the sessions with this name (`aws:userid` ending in `:<sessionName>`). Where the trust policy requires
   * the session name to be the caller's IAM user name (trusted IAM users, MfaDelegation, MfaTeam), that is every
   * session of that user.
   *
   * @default - every session of the role
   */
  readonly sessionName?: string;
}

/** The name of the role's inline policy that revokes sessions (`revokeSessions`, MfaTeam's members). */
const SESSION_POLICY_NAME = 'RevokeSessions';
/** The id of the managed policy that holds the cuts at times known at deploy time only. */
const DEPLOY_TIME_CUTS_ID = 'RevokeSessionsAtDeployTime';

/** The longest list of session names kept in the inline policy; longer ones go to managed policies. */
const INLINE_SESSION_NAMES_CHARS = 8192;
/** `{"Version":"2012-10-17","Statement":[]}` */
const POLICY_DOCUMENT_OVERHEAD_CHARS = 40;
/**
 * The longest statement of a split list of session names: as long as a managed policy takes, so that a role needs as
 * few of its 10 managed policies as the names allow (the smaller statements of a split are packed together).
 */
const SESSION_NAMES_STATEMENT_CHARS = IAM_POLICY_LIMITS.managedPolicy - POLICY_DOCUMENT_OVERHEAD_CHARS;

/**
 * Defines an IAM role that can only be assumed with MFA, by the principals the stack names.
 *
 * Every statement of its trust policy carries `Bool aws:MultiFactorAuthPresent "true"` and `NumericLessThan
 * aws:MultiFactorAuthAge` (one hour unless `maxMfaAge` says otherwise) on the principal itself, so no principal can
 * assume the role with long-term access keys alone, nor with a code older than the bound. A trust statement added
 * later without that condition fails synthesis, and `grantAssumeRole` puts the condition on the grantee's statement
 * too. IAM users it trusts must name their session after themselves (`sts:RoleSessionName` = `${aws:username}`).
 *
 * The role trusts `trustedPrincipals`, or a whole account only with `trustAccount: true`. Sessions can be cut with
 * `revokeSessionsIssuedBefore` or `revokeSessions` (AWS's "revoke active sessions").
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
 *
 * @example
 * declare const stack: Stack;
 * declare const user: iam.IUser;
 * new MfaRequiredRole(stack, 'Role', {
 *   roleName: 'toolkit-role',
 *   trustedPrincipals: [user],
 *   managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
 * });
 */
export class MfaRequiredRole extends iam.Role {
  /**
   * The bound on the age of the MFA sign-in.
   */
  public readonly maxMfaAge: Duration;

  /** The statements that deny sessions: revoked ones, and those of no member (MfaTeam). */
  private readonly sessionPolicy = new iam.PolicyDocument();
  /** The cuts at times known at deploy time only (a device's `createdAt`): a policy of its own, which may depend on them. */
  private deployTimeCuts?: iam.ManagedPolicy;
  private readonly inlinePolicyNames: string[];

  constructor(scope: Construct, id: string, props: MfaRequiredRoleProps = {}) {
    validateIamName('roleName', props.roleName);
    validateAccountId('trustedAccount', props.trustedAccount);
    validateDuration('maxMfaAge', props.maxMfaAge, 1, MAX_MFA_AGE_SECONDS);
    const trusted = trustedPrincipalsOf(props);
    trusted.forEach((principal, i) => rejectAnyone(`trustedPrincipals[${i}]`, principal, scope));
    const maxMfaAge = props.maxMfaAge ?? DEFAULT_MAX_MFA_AGE;
    const condition = mfaCondition(maxMfaAge);
    super(scope, id, {
      assumedBy: new iam.CompositePrincipal(...trusted.map((principal) => new iam.PrincipalWithConditions(principal,
        isIamUser(principal) ? { ...condition, StringEquals: { 'sts:RoleSessionName': '${aws:username}' } } : condition))),
      roleName: props.roleName,
      path: props.path,
      description: props.description,
      managedPolicies: props.managedPolicies,
      inlinePolicies: props.inlinePolicies,
      maxSessionDuration: props.maxSessionDuration,
      permissionsBoundary: props.permissionsBoundary,
    });
    this.maxMfaAge = maxMfaAge;
    this.inlinePolicyNames = Object.keys(props.inlinePolicies ?? {});
    if (props.revokeSessionsIssuedBefore !== undefined) {
      this.revokeSessions({ issuedBefore: props.revokeSessionsIssuedBefore });
    }
    if (props.trustAccount) {
      // Trusting a whole account is the choice that trustAccount states: MfaGuard reports it only where nobody chose it.
      Validations.of(this).acknowledge({
        id: MfaGuard.TRUSTS_WHOLE_ACCOUNT,
        reason: `trustAccount: every principal of ${props.trustedAccount ? `account ${props.trustedAccount}` : 'the stack\'s account'} whose own `
          + 'policies allow sts:AssumeRole on the role may assume it, with MFA',
      });
    }
    // aws-cdk-lib's newer grants API (role.grants.assumeRole) keeps the MFA condition, as grantAssumeRole does.
    const grants = iam.RoleGrants.fromRole(this);
    grants.assumeRole = (identity: iam.IPrincipal) => this.grantAssumeRole(identity);
    (this as { grants: iam.RoleGrants }).grants = grants;
    this.node.addValidation({ validate: () => this.validateTrust() });
    // Grants written past grantAssumeRole (iam.RoleGrants.fromRole(role), iam.Grant.addToPrincipal, addToPolicy) in this stack.
    this.node.addValidation({ validate: () => assumeGrantsWithoutMfa(this) });
    this.node.addValidation({
      validate: () => checkPolicySize(`The combined size of the inline policies of ${this.node.path}`,
        [...Object.values(props.inlinePolicies ?? {}), this.sessionPolicy].filter((doc) => !doc.isEmpty)
          .reduce((sum, doc) => sum + policySize(this, doc), 0),
        IAM_POLICY_LIMITS.roleInlinePolicies),
    });
  }

  /**
   * The condition that every statement allowing this role to be assumed must carry.
   */
  public get mfaCondition(): { [operator: string]: any } {
    return mfaCondition(this.maxMfaAge);
  }

  /**
   * Grant a principal permission to assume this role, with the MFA condition on the grantee's statement.
   *
   * The principal must also be trusted by the role (`trustedPrincipals` or `trustAccount`).
   */
  /**
   * Grant a principal the given actions on this role; `sts:AssumeRole` (or a pattern that covers it) gets the MFA
   * condition on the grantee's statement, as with `grantAssumeRole`.
   */
  public grant(grantee: iam.IPrincipal, ...actions: string[]): iam.Grant {
    if (actions.some((action) => actionPatternMatches(action, 'sts:AssumeRole'))) {
      return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.roleArn], conditions: this.mfaCondition });
    }
    return super.grant(grantee, ...actions);
  }

  public grantAssumeRole(identity: iam.IPrincipal): iam.Grant {
    if (identity instanceof iam.ServicePrincipal || identity instanceof iam.AccountPrincipal) {
      throw new Error(`Cannot grant ${identity} permission to assume ${this.node.path}: service and account principals `
        + 'cannot use MFA; trust an account with trustAccount instead');
    }
    return iam.Grant.addToPrincipal({
      grantee: identity,
      actions: ['sts:AssumeRole'],
      resourceArns: [this.roleArn],
      conditions: this.mfaCondition,
    });
  }

  /**
   * Deny every session of the role (or every session with one name) issued before a time, as the IAM console's
   * "Revoke active sessions" does: a statement of the role's inline policy `RevokeSessions` denies every action when
   * `aws:TokenIssueTime` is earlier. Sessions issued later, with a new MFA code, are not affected.
   *
   * A time known only at deploy time (e.g. `device.createdAt`) goes into a customer managed policy of the role
   * (`RevokeSessionsAtDeployTime`), created after the role, so that the role does not wait for the device (whose user
   * may wait for the role).
   */
  public revokeSessions(options: RevokeSessionsOptions): void {
    validateIssuedBefore('issuedBefore', options.issuedBefore);
    if (options.sessionName !== undefined) {
      validateSessionName('sessionName', options.sessionName);
    }
    const statement = iam.PolicyStatement.fromJson(revokeStatement(options.issuedBefore, options.sessionName));
    if (Token.isUnresolved(options.issuedBefore)) {
      this.deployTimeCuts ??= new iam.ManagedPolicy(this, DEPLOY_TIME_CUTS_ID, {
        description: `cdk-mfa-delegation: denies the sessions of ${this.node.path} issued before times known at deploy time (new MFA devices)`,
        roles: [this],
      });
      this.deployTimeCuts.addStatements(statement);
    } else {
      this.addSessionStatement(statement);
    }
  }

  /**
   * Deny every session whose name is none of `sessionNames` (MfaTeam: its members). With session names forced to be
   * user names, a user removed from the list loses every session at once, without a cut to lift later.
   *
   * The statement goes into the inline policy `RevokeSessions` while it is at most 8,192 characters; a longer list is
   * split (see `denySessionsNotNamedStatements`) over customer managed policies of at most 6,144 characters attached
   * to the role, so that the role's inline policies stay within IAM's 10,240 characters.
   *
   * @internal
   */
  public _denySessionsNotNamed(sessionNames: string[]): void {
    sessionNames.forEach((name) => validateSessionName('A session name', name));
    const [whole] = denySessionsNotNamedStatements(sessionNames, Number.POSITIVE_INFINITY);
    if (JSON.stringify(whole).length <= INLINE_SESSION_NAMES_CHARS) {
      this.addSessionStatement(iam.PolicyStatement.fromJson({ Sid: 'DenySessionsOfNonMembers', ...whole }));
      return;
    }
    const documents: Array<Array<Record<string, unknown>>> = [];
    let size = Number.POSITIVE_INFINITY;
    for (const statement of denySessionsNotNamedStatements(sessionNames, SESSION_NAMES_STATEMENT_CHARS)) {
      const length = JSON.stringify(statement).length + 1;
      if (size + length > IAM_POLICY_LIMITS.managedPolicy - POLICY_DOCUMENT_OVERHEAD_CHARS) {
        documents.push([]);
        size = 0;
      }
      documents[documents.length - 1].push(statement);
      size += length;
    }
    documents.forEach((statements, i) => new iam.ManagedPolicy(this, `SessionNames${i + 1}`, {
      description: `cdk-mfa-delegation: denies the sessions of ${this.node.path} not named after one of its members (${i + 1} of ${documents.length})`,
      document: iam.PolicyDocument.fromJson({ Version: '2012-10-17', Statement: statements }),
      roles: [this],
    }));
  }

  /** Add a statement to the inline policy `RevokeSessions`, which joins the role's inline policies with its first statement. */
  private addSessionStatement(statement: iam.PolicyStatement): void {
    if (this.sessionPolicy.isEmpty) {
      if (this.inlinePolicyNames.includes(SESSION_POLICY_NAME)) {
        throw new Error(`${this.node.path} has an inline policy named ${SESSION_POLICY_NAME}, the name of the policy that revokes its sessions: `
          + 'give that policy another name');
      }
      const cfnRole = this.node.defaultChild as iam.CfnRole;
      const given = Array.isArray(cfnRole.policies) ? cfnRole.policies : [];
      cfnRole.policies = [...given, { policyName: SESSION_POLICY_NAME, policyDocument: this.sessionPolicy }];
    }
    this.sessionPolicy.addStatements(statement);
  }

  /** Every trust statement requires MFA (and the age bound), and the trust policy fits IAM's size limit. */
  private validateTrust(): string[] {
    const document = Stack.of(this).resolve(this.assumeRolePolicy?.toJSON()) ?? {};
    const maxAge = this.maxMfaAge.toSeconds();
    const errors: string[] = [];
    statementsOf(document).forEach((statement, index) => {
      if (statement.Effect !== 'Allow') {
        return;
      }
      const where = `Trust policy statement ${index + 1} of ${this.node.path} allows ${describePrincipal(statement)} `
        + `to ${describeValue(statement.Action)}`;
      if (admitsAnyone(statement.Principal) || statement.NotPrincipal !== undefined) {
        errors.push(`${where}: an MfaRequiredRole trusts only named principals or accounts, never * (any AWS account with an MFA device `
          + 'of its own could assume it)');
        return;
      }
      const problem = mfaProblemOf(statement);
      const age = statement.Condition?.NumericLessThan?.['aws:MultiFactorAuthAge'];
      if (problem === MfaProblem.IF_EXISTS) {
        errors.push(`${where} with BoolIfExists aws:MultiFactorAuthPresent, which long-term access keys pass (the key is absent `
          + 'for them): an MfaRequiredRole only takes Bool aws:MultiFactorAuthPresent "true"');
      } else if (problem === MfaProblem.MISSING) {
        errors.push(`${where} without MFA: an MfaRequiredRole only takes trust statements with `
          + 'Bool aws:MultiFactorAuthPresent "true" (use iam.PrincipalWithConditions or the trustedPrincipals prop)');
      } else if (age === undefined || Number(age) > maxAge) {
        errors.push(`${where} with an MFA sign-in older than maxMfaAge (${maxAge} seconds): add `
          + `NumericLessThan aws:MultiFactorAuthAge "${maxAge}" to the statement`);
      }
    });
    errors.push(...checkPolicySize(`The trust policy of ${this.node.path}`, resolvedPolicySize(document), IAM_POLICY_LIMITS.roleTrustPolicy));
    return errors;
  }
}

/** The principals a role trusts: `trustedPrincipals`, or the account with the explicit `trustAccount`. */
function trustedPrincipalsOf(props: MfaRequiredRoleProps): iam.IPrincipal[] {
  if (props.trustedPrincipals !== undefined) {
    if (props.trustAccount || props.trustedAccount !== undefined) {
      throw new Error('trustedPrincipals cannot be combined with trustAccount or trustedAccount: trust either the given principals or a '
        + 'whole account');
    }
    if (props.trustedPrincipals.length === 0) {
      throw new Error('trustedPrincipals must name at least one principal');
    }
    return props.trustedPrincipals;
  }
  if (props.trustAccount !== true) {
    throw new Error(props.trustedAccount === undefined
      ? 'An MfaRequiredRole needs trustedPrincipals (the users or roles that may assume it), or trustAccount: true to trust every '
        + 'principal of the account that has sts:AssumeRole on it and an MFA device'
      : `trustedAccount '${props.trustedAccount}' trusts every principal of that account that has sts:AssumeRole on the role and an MFA `
        + 'device: set trustAccount: true to state that choice, or name the principals with trustedPrincipals');
  }
  return [props.trustedAccount ? new iam.AccountPrincipal(props.trustedAccount) : new iam.AccountRootPrincipal()];
}

/** An IAM user: `aws:username` is set for its requests, so its session name can be required to be its name. */
function isIamUser(principal: iam.IPrincipal): boolean {
  if ('userArn' in principal && 'userName' in principal) {
    return true;
  }
  return principal instanceof iam.ArnPrincipal && /^arn:[\w-]+:iam::\d{12}:user\//.test(principal.arn);
}
