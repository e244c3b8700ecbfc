import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { mfaCondition } from './private/mfa-condition';
import { describePrincipal, describeValue, MfaProblem, mfaProblemOf, statementsOf } from './private/mfa-policy-inspection';
import { checkPolicySize, IAM_POLICY_LIMITS, policySize, resolvedPolicySize } from './private/policy-size';
import { MAX_MFA_AGE_SECONDS, validateAccountId, validateDuration, validateIamName } from './private/validation';

/**
 * Properties of an MfaRequiredRole.
 */
export interface MfaRequiredRoleProps {
  /**
   * The AWS account whose principals may assume the role (with MFA), as in the IAM console's "Another AWS account".
   *
   * The account's principals still need an identity policy that allows `sts:AssumeRole` on the role.
   * Ignored when `trustedPrincipals` is given.
   *
   * @default - the stack's account
   */
  readonly trustedAccount?: string;

  /**
   * Specific principals (users or roles) that may assume the role, instead of a whole account.
   *
   * Each gets its own trust statement with the MFA condition on it.
   *
   * @default - the account in `trustedAccount` is trusted
   */
  readonly trustedPrincipals?: iam.IPrincipal[];

  /**
   * The longest time since the MFA sign-in after which the role may still be assumed.
   *
   * Adds `NumericLessThan aws:MultiFactorAuthAge <seconds>` to every trust statement. Between 1 second and 36 hours
   * (the longest session that `GetSessionToken` gives).
   *
   * @default - no bound on the age of the MFA sign-in
   */
  readonly maxMfaAge?: Duration;

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
 * Defines an IAM role that can only be assumed with MFA.
 *
 * Every statement of its trust policy carries `Bool aws:MultiFactorAuthPresent "true"` on the principal itself, so
 * no principal can assume the role with long-term access keys alone. A trust statement added later without that
 * condition fails synthesis, and `grantAssumeRole` puts the condition on the grantee's statement too.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
 *
 * @example
 * declare const stack: Stack;
 * new MfaRequiredRole(stack, 'Role', {
 *   roleName: 'toolkit-role',
 *   managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
 * });
 */
export class MfaRequiredRole extends iam.Role {
  /**
   * The bound on the age of the MFA sign-in, if any.
   */
  public readonly maxMfaAge?: Duration;

  constructor(scope: Construct, id: string, props: MfaRequiredRoleProps = {}) {
    validateIamName('roleName', props.roleName);
    validateAccountId('trustedAccount', props.trustedAccount);
    validateDuration('maxMfaAge', props.maxMfaAge, 1, MAX_MFA_AGE_SECONDS);
    if (props.trustedPrincipals !== undefined && props.trustedPrincipals.length === 0) {
      throw new Error('trustedPrincipals must name at least one principal; leave it out to trust an account instead');
    }
    const condition = mfaCondition(props.maxMfaAge);
    const trusted = props.trustedPrincipals
      ?? [props.trustedAccount ? new iam.AccountPrincipal(props.trustedAccount) : new iam.AccountRootPrincipal()];
    super(scope, id, {
      assumedBy: new iam.CompositePrincipal(...trusted.map((principal) => new iam.PrincipalWithConditions(principal, condition))),
      roleName: props.roleName,
      path: props.path,
      description: props.description,
      managedPolicies: props.managedPolicies,
      inlinePolicies: props.inlinePolicies,
      maxSessionDuration: props.maxSessionDuration,
      permissionsBoundary: props.permissionsBoundary,
    });
    this.maxMfaAge = props.maxMfaAge;
    this.node.addValidation({ validate: () => this.validateTrust() });
    this.node.addValidation({
      validate: () => checkPolicySize(`The combined size of the inline policies of ${this.node.path}`,
        Object.values(props.inlinePolicies ?? {}).reduce((sum, doc) => sum + policySize(this, doc), 0), IAM_POLICY_LIMITS.roleInlinePolicies),
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
   * The principal must also be trusted by the role (`trustedPrincipals` or `trustedAccount`).
   */
  public grantAssumeRole(identity: iam.IPrincipal): iam.Grant {
    if (identity instanceof iam.ServicePrincipal || identity instanceof iam.AccountPrincipal) {
      throw new Error(`Cannot grant ${identity} permission to assume ${this.node.path}: service and account principals `
        + 'cannot use MFA; trust an account with trustedAccount instead');
    }
    return iam.Grant.addToPrincipal({
      grantee: identity,
      actions: ['sts:AssumeRole'],
      resourceArns: [this.roleArn],
      conditions: this.mfaCondition,
    });
  }

  /** Every trust statement requires MFA (and the age bound), and the trust policy fits IAM's size limit. */
  private validateTrust(): string[] {
    const document = Stack.of(this).resolve(this.assumeRolePolicy?.toJSON()) ?? {};
    const maxAge = this.maxMfaAge?.toSeconds();
    const errors: string[] = [];
    statementsOf(document).forEach((statement, index) => {
      if (statement.Effect !== 'Allow') {
        return;
      }
      const where = `Trust policy statement ${index + 1} of ${this.node.path} allows ${describePrincipal(statement)} `
        + `to ${describeValue(statement.Action)}`;
      const problem = mfaProblemOf(statement);
      const age = statement.Condition?.NumericLessThan?.['aws:MultiFactorAuthAge'];
      if (problem === MfaProblem.IF_EXISTS) {
        errors.push(`${where} with BoolIfExists aws:MultiFactorAuthPresent, which long-term access keys pass (the key is absent `
          + 'for them): an MfaRequiredRole only takes Bool aws:MultiFactorAuthPresent "true"');
      } else if (problem === MfaProblem.MISSING) {
        errors.push(`${where} without MFA: an MfaRequiredRole only takes trust statements with `
          + 'Bool aws:MultiFactorAuthPresent "true" (use iam.PrincipalWithConditions or the trustedPrincipals prop)');
      } else if (maxAge !== undefined && (age === undefined || Number(age) > maxAge)) {
        errors.push(`${where} with an MFA sign-in older than maxMfaAge (${maxAge} seconds): add `
          + `NumericLessThan aws:MultiFactorAuthAge "${maxAge}" to the statement`);
      }
    });
    errors.push(...checkPolicySize(`The trust policy of ${this.node.path}`, resolvedPolicySize(document), IAM_POLICY_LIMITS.roleTrustPolicy));
    return errors;
  }
}
