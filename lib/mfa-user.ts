import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { MfaRequiredRole } from './mfa-required-role';
import { markAssumeOnly } from './private/assume-only';
import { DEFAULT_MAX_MFA_AGE, MFA_PRESENT, mfaCondition } from './private/mfa-condition';
import { checkPolicySize, IAM_POLICY_LIMITS, policySize } from './private/policy-size';
import { checkNoSecretBearingAttributes } from './private/secret-bearing';
import { cloudFormationExecutionRoleArn, readerArn, secretPolicyDocument } from './private/secret-policy';
import { userCleanup } from './private/user-cleanup';
import { validateIamName, validateIamPath } from './private/validation';

/**
 * Properties of an MfaUser.
 */
export interface MfaUserProps {
  /**
   * A name for the IAM user.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly userName?: string;

  /**
   * The path of the IAM user.
   *
   * @default /
   */
  readonly path?: string;

  /**
   * An existing IAM user (e.g. `iam.User.fromUserName(...)`) to give the assume-only policy to, instead of defining one.
   *
   * `userName`, `path` and `consoleAccess` cannot be combined with it.
   *
   * @default - a new IAM user is defined
   */
  readonly user?: iam.IUser;

  /**
   * The roles the user may assume (with MFA). More can be added with `allowAssume`.
   *
   * @default - none yet; at least one must be added before synthesis
   */
  readonly roles?: iam.IRole[];

  /**
   * Whether the user is meant to get an access key: `mfa-profile setup` (or `credentials`) creates it with the
   * caller's IAM rights and writes it straight into the owner's credentials file.
   *
   * The stack defines no access key (CloudFormation would record the secret access key in the stack's events, which
   * read-only principals can read). For a user that this construct defines, a `Custom::MfaUserCleanup` resource
   * deletes the user's access keys when the user is deleted, so that `cdk destroy` works.
   *
   * @default true
   */
  readonly accessKey?: boolean;

  /**
   * Whether the user may sign in to the AWS console.
   *
   * Defines a login profile whose generated first password is kept in a Secrets Manager secret (`{ "password" }`);
   * the user must choose a new password at first sign-in, for which the user's policy allows `iam:ChangePassword`
   * on the user itself, with MFA.
   *
   * @default false
   */
  readonly consoleAccess?: boolean;

  /**
   * The principals (IAM users or roles) that may read the first console password (`GetSecretValue`,
   * `DescribeSecret`). The secret's resource policy denies every Secrets Manager action to every other principal
   * except the role CloudFormation deploys with (which resolves the password into the login profile). Ignored without
   * `consoleAccess`.
   *
   * @default - the user itself, with the access key `mfa-profile` creates for it
   */
  readonly secretReaders?: iam.IPrincipal[];
}

/**
 * Defines an IAM user whose only permission is to assume the given roles with MFA.
 *
 * The user has one inline policy (an `iam.Policy`) with one statement per MFA age bound: `sts:AssumeRole` on the roles,
 * conditioned on `Bool aws:MultiFactorAuthPresent "true"` and `NumericLessThan aws:MultiFactorAuthAge` (the role's
 * `maxMfaAge` for an `MfaRequiredRole`, one hour for any other role). No managed policy, no group, no other statement.
 *
 * @example
 * declare const stack: Stack;
 * declare const role: MfaRequiredRole;
 * const user = new MfaUser(stack, 'User', { userName: 'toolkit-user', roles: [role] });
 */
export class MfaUser extends Construct {
  /** The IAM user. */
  public readonly user: iam.IUser;

  /** The assume-only policy of the user. */
  public readonly policy: iam.Policy;

  /** Whether the user is meant to get an access key from `mfa-profile` (the `accessKey` prop). */
  public readonly accessKey: boolean;

  /** The secret holding the first console password, when `consoleAccess` is true. */
  public readonly consolePasswordSecret?: secretsmanager.ISecret;

  private readonly assumeStatements = new Map<number, iam.PolicyStatement>();

  constructor(scope: Construct, id: string, props: MfaUserProps = {}) {
    super(scope, id);
    validateIamName('userName', props.userName);
    validateIamPath('path', props.path);
    if (props.user && (props.userName !== undefined || props.path !== undefined || props.consoleAccess)) {
      throw new Error('user cannot be combined with userName, path or consoleAccess: those describe a user that MfaUser defines');
    }

    const consolePassword = props.consoleAccess
      ? new secretsmanager.Secret(this, 'ConsolePasswordSecret', {
        description: `First console password of the IAM user defined by ${this.node.path}`,
        generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'password', passwordLength: 32 },
      })
      : undefined;
    if (consolePassword) {
      Validations.of(consolePassword).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'The secret holds the first console password, which the user must change at first sign-in (passwordResetRequired); '
          + 'after that it matches no credential, so there is nothing to rotate.',
      });
    }
    this.consolePasswordSecret = consolePassword;

    this.user = props.user ?? new iam.User(this, 'Resource', {
      userName: props.userName,
      path: props.path,
      password: consolePassword?.secretValueFromJson('password'),
      passwordResetRequired: consolePassword ? true : undefined,
    });

    if (consolePassword) {
      lockConsolePassword(this, consolePassword, props.secretReaders, this.user, props.accessKey ?? true);
    }

    this.policy = new iam.Policy(this, 'AssumeRolePolicy', { users: [this.user] });
    // The user is assume-only, whether it was defined here or given: MfaGuard reads that from the policy's Users.
    markAssumeOnly(this.policy.node.defaultChild as iam.CfnPolicy, props.consoleAccess ?? false);
    if (consolePassword) {
      this.policy.addStatements(new iam.PolicyStatement({
        sid: 'ChangeOwnPasswordWithMfa',
        actions: ['iam:ChangePassword'],
        resources: [this.user.userArn],
        conditions: MFA_PRESENT,
      }));
    }
    for (const role of props.roles ?? []) {
      this.allowAssume(role);
    }

    this.accessKey = props.accessKey ?? true;
    if (this.accessKey && !props.user) {
      userCleanup(this, this.user);
    }
    checkNoSecretBearingAttributes(this);

    this.node.addValidation({
      validate: () => this.assumeStatements.size === 0
        ? [`${this.node.path} may assume no role: pass roles or call allowAssume(role)`]
        : checkPolicySize(`The inline policy of ${this.node.path}`, policySize(this, this.policy.document), IAM_POLICY_LIMITS.userInlinePolicies),
    });
  }

  /** The name of the IAM user. */
  public get userName(): string {
    return this.user.userName;
  }

  /** The ARN of the IAM user. */
  public get userArn(): string {
    return this.user.userArn;
  }

  /**
   * Allow the user to assume a role, with MFA.
   *
   * The statement bounds `aws:MultiFactorAuthAge` by the role's `maxMfaAge` for an `MfaRequiredRole`, and by one hour
   * for any other role. The role must trust the user (or its account) too.
   */
  public allowAssume(role: iam.IRole): void {
    const maxMfaAge: Duration = role instanceof MfaRequiredRole ? role.maxMfaAge : DEFAULT_MAX_MFA_AGE;
    const key = maxMfaAge.toSeconds();
    const existing = this.assumeStatements.get(key);
    if (existing) {
      existing.addResources(role.roleArn);
      return;
    }
    const statement = new iam.PolicyStatement({
      sid: `AssumeRolesWithMfaAtMost${key}sOld`,
      actions: ['sts:AssumeRole'],
      resources: [role.roleArn],
      conditions: mfaCondition(maxMfaAge),
    });
    this.assumeStatements.set(key, statement);
    this.policy.addStatements(statement);
  }
}

/**
 * Give the console password secret its resource policy: only the readers may read it, only the CloudFormation execution
 * role may do anything else (create, update and delete it, resolve it into the login profile), every other principal is
 * denied everything.
 */
function lockConsolePassword(scope: MfaUser, secret: secretsmanager.Secret, secretReaders: iam.IPrincipal[] | undefined, user: iam.IUser,
  accessKey: boolean): void {
  if (secretReaders === undefined && !accessKey) {
    throw new Error(`Nobody could read the first console password of ${scope.node.path}: its user gets no access key (accessKey: false) to `
      + 'read it with; name who reads it with secretReaders');
  }
  if (secretReaders !== undefined && secretReaders.length === 0) {
    throw new Error('secretReaders must name at least one principal, or nobody could read the first console password: leave it out to let '
      + 'the user read it');
  }
  const readers = [...new Set((secretReaders ?? [user]).map((reader) => readerArn('secretReaders', reader)))];
  const owner = cloudFormationExecutionRoleArn(scope, `The console password secret of ${scope.node.path}`);
  const policy = new secretsmanager.CfnResourcePolicy(secret, 'Policy', {
    secretId: secret.secretArn,
    resourcePolicy: secretPolicyDocument({ readers, readersMayDelete: false, owner }),
    blockPublicPolicy: true,
  });
  Validations.of(policy).acknowledge({
    id: 'MfaGuard::AssumeOnlyUserWidened',
    reason: 'The console password secret\'s resource policy lets the user read its own first password (changed at first sign-in): '
      + 'the one secret; the user\'s identity policy stays assume-only.',
  });
}
