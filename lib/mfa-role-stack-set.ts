import {
  Aws, DockerImageAssetLocation, DockerImageAssetSource, Duration, FileAssetLocation, FileAssetSource, ISynthesisSession, Lazy, Names,
  RemovalPolicy, Stack, StackSynthesizer, Token, Validations,
} from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { MfaAccountRole } from './mfa-account-role';
import { MfaGuard } from './mfa-guard';
import { MfaRequiredRole } from './mfa-required-role';
import type { MfaTeamAccountRole } from './mfa-team';
import { teamRoleTagKey } from './private/team-role-tag';
import { renderTemplate } from './private/template-limits';
import { validateAccountId, validateIamName, validateIamPath } from './private/validation';

/**
 * One MFA-only role that an MfaRoleStackSet defines in every target account.
 */
export interface MfaRoleStackSetRole {
  /**
   * The name of the role, the same in every account: the identity account's users name it in their profiles and
   * policies, so it cannot be generated. 1 to 64 characters of letters, digits and _+=,.@-, unique in the StackSet
   * regardless of case.
   */
  readonly roleName: string;

  /**
   * The role's name in the `trustedTeam`'s `accountRoles` (what its members list in `roles`): the role trusts only
   * members that the team tagged for it. 1 to 64 letters, digits and _+=.@-. Only with `trustedTeam`.
   *
   * @default - the roleName
   */
  readonly teamRoleName?: string;

  /**
   * The path of the role.
   *
   * @default /
   */
  readonly path?: string;

  /**
   * A description of the role.
   *
   * @default - says that cdk-mfa-delegation deployed it and which account it trusts
   */
  readonly description?: string;

  /**
   * Managed policies attached to the role: what the role's sessions may do. AWS managed policies (by name) work in
   * every account; a customer managed policy must be defined in `templateStack` so that every account gets it.
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
   * A managed policy that bounds the role's permissions.
   *
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
}

/**
 * How an MfaRoleStackSet's operations roll out over the accounts.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-concepts.html#stackset-ops-options
 */
export interface MfaRoleStackSetOperationPreferences {
  /**
   * The most accounts deployed to at once. Not with `maxConcurrentPercentage`.
   *
   * @default - `maxConcurrentPercentage` 25
   */
  readonly maxConcurrentCount?: number;

  /**
   * The most accounts deployed to at once, as a percentage (1 to 100) of the target accounts. Not with
   * `maxConcurrentCount`.
   *
   * @default 25, unless `maxConcurrentCount` is given
   */
  readonly maxConcurrentPercentage?: number;

  /**
   * The failed accounts after which CloudFormation stops the operation. Not with `failureTolerancePercentage`.
   *
   * @default 0, unless `failureTolerancePercentage` is given
   */
  readonly failureToleranceCount?: number;

  /**
   * The failed accounts after which CloudFormation stops the operation, as a percentage (0 to 100) of the target
   * accounts. Not with `failureToleranceCount`.
   *
   * @default - `failureToleranceCount` 0
   */
  readonly failureTolerancePercentage?: number;

  /**
   * Whether failures lower the concurrency (strict) or not (soft).
   *
   * @default StackSetConcurrencyMode.SOFT_FAILURE_TOLERANCE
   */
  readonly concurrencyMode?: StackSetConcurrencyMode;
}

/**
 * How failures bound a StackSet operation's concurrency.
 */
export enum StackSetConcurrencyMode {
  /** The concurrency drops with every failure: at most `failureToleranceCount` + 1 accounts at once. */
  STRICT_FAILURE_TOLERANCE = 'STRICT_FAILURE_TOLERANCE',
  /** The concurrency stays at `maxConcurrent*` whatever fails, until the failure tolerance is exceeded. */
  SOFT_FAILURE_TOLERANCE = 'SOFT_FAILURE_TOLERANCE',
}

/**
 * Options of a StackSet deployed through AWS Organizations to organizational units.
 */
export interface OrganizationalUnitsTargetOptions {
  /**
   * The organizational units (`ou-xxxx-xxxxxxxx`) or the organization's root (`r-xxxx`) whose accounts get the roles.
   * Service-managed StackSets never deploy to the organization's management account.
   */
  readonly organizationalUnitIds: string[];

  /**
   * Whether accounts that join the organizational units later get the roles automatically.
   *
   * @default true
   */
  readonly autoDeployment?: boolean;

  /**
   * Whether an account that leaves the organizational units keeps the roles (they then trust the identity account
   * from an account outside the StackSet's care).
   *
   * @default false
   */
  readonly retainStacksOnAccountRemoval?: boolean;

  /**
   * Accounts of the organizational units that do not get the roles.
   *
   * @default - every account of the organizational units
   */
  readonly excludedAccounts?: string[];

  /**
   * Whether the stack is deployed in a delegated administrator account of CloudFormation StackSets rather than the
   * organization's management account.
   *
   * @default false
   */
  readonly delegatedAdministrator?: boolean;
}

/**
 * Options of a self-managed StackSet deployed to listed accounts.
 */
export interface AccountsTargetOptions {
  /**
   * The accounts that get the roles.
   */
  readonly accounts: string[];

  /**
   * The role that CloudFormation uses in the StackSet's account to deploy to the accounts.
   *
   * @default - `AWSCloudFormationStackSetAdministrationRole` of the StackSet's account
   */
  readonly administrationRole?: iam.IRole;

  /**
   * The name of the role in every target account that the administration role assumes to deploy.
   *
   * @default AWSCloudFormationStackSetExecutionRole
   */
  readonly executionRoleName?: string;
}

/** What a target contributes to the StackSet. */
interface TargetConfig {
  readonly permissionModel: 'SERVICE_MANAGED' | 'SELF_MANAGED';
  readonly deploymentTargets: cloudformation.CfnStackSet.DeploymentTargetsProperty;
  readonly autoDeployment?: cloudformation.CfnStackSet.AutoDeploymentProperty;
  readonly callAs?: string;
  readonly administrationRoleArn?: string;
  readonly executionRoleName?: string;
}

const OU_ID = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;

/**
 * Where an MfaRoleStackSet deploys its roles: organizational units (service-managed) or listed accounts (self-managed).
 */
export abstract class MfaRoleStackSetTarget {
  /**
   * Deploy through AWS Organizations to every account of organizational units, including accounts that join later.
   *
   * The StackSet's stack must be deployed in the organization's management account or in a delegated administrator
   * account (`delegatedAdministrator`), with trusted access for CloudFormation StackSets enabled.
   *
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-enable-trusted-access.html
   */
  public static fromOrganizationalUnits(options: OrganizationalUnitsTargetOptions): MfaRoleStackSetTarget {
    if (options.organizationalUnitIds.length === 0) {
      throw new Error('organizationalUnitIds must list at least one organizational unit (ou-xxxx-xxxxxxxx) or root (r-xxxx)');
    }
    for (const id of options.organizationalUnitIds) {
      if (!Token.isUnresolved(id) && !OU_ID.test(id)) {
        throw new Error(`organizationalUnitIds must hold organizational unit ids (ou-xxxx-xxxxxxxx) or root ids (r-xxxx), but got '${id}'`);
      }
    }
    validateAccounts('excludedAccounts', options.excludedAccounts ?? [], false);
    const excluded = options.excludedAccounts ?? [];
    return new (class extends MfaRoleStackSetTarget {
      public readonly accounts = undefined;
      public _config(): TargetConfig {
        return {
          permissionModel: 'SERVICE_MANAGED',
          deploymentTargets: {
            organizationalUnitIds: options.organizationalUnitIds,
            ...(excluded.length > 0 ? { accountFilterType: 'DIFFERENCE', accounts: excluded } : {}),
          },
          autoDeployment: {
            enabled: options.autoDeployment ?? true,
            retainStacksOnAccountRemoval: options.retainStacksOnAccountRemoval ?? false,
          },
          callAs: options.delegatedAdministrator ? 'DELEGATED_ADMIN' : 'SELF',
        };
      }
    })();
  }

  /**
   * Deploy to listed accounts with self-managed permissions: the StackSet's account needs the administration role,
   * and every target account the execution role that trusts it.
   *
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html
   */
  public static fromAccounts(options: AccountsTargetOptions): MfaRoleStackSetTarget {
    validateAccounts('accounts', options.accounts, true);
    validateIamName('executionRoleName', options.executionRoleName);
    return new (class extends MfaRoleStackSetTarget {
      public readonly accounts = [...options.accounts];
      public _config(): TargetConfig {
        return {
          permissionModel: 'SELF_MANAGED',
          deploymentTargets: { accounts: options.accounts },
          administrationRoleArn: options.administrationRole?.roleArn,
          executionRoleName: options.executionRoleName,
        };
      }
    })();
  }

  /**
   * The accounts of a self-managed target; undefined for organizational units, whose accounts are known only to
   * AWS Organizations.
   */
  public abstract readonly accounts?: string[];

  /** @internal */
  public abstract _config(): TargetConfig;
}

/**
 * Options of `MfaRoleStackSet.accountRole`.
 */
export interface AccountRoleOptions {
  /**
   * The organization of the target accounts (`o-xxxxxxxxxx`): the users may assume the role only in its accounts.
   * Required for organizational units, whose accounts the construct cannot list.
   *
   * @default - only the listed accounts of a self-managed StackSet
   */
  readonly organizationId?: string;
}

/**
 * Properties of an MfaRoleStackSet.
 */
export interface MfaRoleStackSetProps {
  /**
   * The account whose IAM users (with MFA) may assume the roles: where the people live, e.g. the account of an
   * MfaTeam. A literal 12-digit id: the roles are deployed to other accounts, where this stack's values do not exist.
   */
  readonly identityAccount: string;

  /**
   * The IAM path of the users of the identity account who may assume the roles (`ArnLike aws:PrincipalArn
   * arn:<partition>:iam::<identityAccount>:user<path>*` in every trust statement), e.g. an MfaTeam's `path`.
   *
   * @default - any IAM user of the identity account that the identity account's policies allow
   */
  readonly principalPath?: string;

  /**
   * The `teamName` of the MfaTeam of the identity account whose members may assume the roles: each role then trusts only
   * users under the team's path (`/mfa-team/<teamName>/`) that carry the team's tag for that role
   * (`aws:PrincipalTag/cdk-mfa-delegation:role:<teamRoleName>` = `<teamName>`), which the team puts on exactly the
   * members it grants the role in its `accountRoles` (see `teamAccountRole`). A member granted only some roles cannot
   * assume the others, even with `sts:AssumeRole` on `*` from another policy. Not with `principalPath`.
   *
   * @default - no team: the users under `principalPath`, or any user of the identity account
   */
  readonly trustedTeam?: string;

  /**
   * The roles defined in every target account.
   */
  readonly roles: MfaRoleStackSetRole[];

  /**
   * Where the roles go: organizational units or listed accounts.
   */
  readonly target: MfaRoleStackSetTarget;

  /**
   * The one region in which the StackSet deploys to each account. IAM roles are global: a second region would create
   * the same roles again and fail.
   *
   * @default - the stack's region, or us-east-1 for an environment-agnostic stack
   */
  readonly region?: string;

  /**
   * The name of the StackSet: a letter, then letters, digits and hyphens, at most 128 characters.
   *
   * @default - a name derived from the construct's path
   */
  readonly stackSetName?: string;

  /**
   * A description of the StackSet.
   *
   * @default - says which roles it defines and which account they trust
   */
  readonly description?: string;

  /**
   * How operations roll out over the accounts.
   *
   * @default - 25% of the accounts at once, stop at the first failure, soft failure tolerance
   */
  readonly operationPreferences?: MfaRoleStackSetOperationPreferences;

  /**
   * What happens to the StackSet, and the roles in every account, when it is removed from the stack.
   *
   * @default RemovalPolicy.DESTROY (the roles are deleted from every account)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The longest template a StackSet takes in `TemplateBody`. */
const TEMPLATE_BODY_BYTES = 51_200;

const STACK_SET_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,127}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Defines MFA-only roles in every account of an organization (or in listed accounts) with one CloudFormation StackSet.
 *
 * The roles are `MfaRequiredRole`s in a stack of their own (`templateStack`) that is not deployed as a stack: its
 * template becomes the StackSet's `TemplateBody`, so the same synthesis checks hold for it, and the StackSet deploys
 * it to every target account. Each role trusts only IAM users of the identity account (optionally only those under
 * `principalPath`), with MFA, an MFA sign-in younger than `maxMfaAge`, and the user's own name as role session name.
 * The identity account still decides which of its users may assume which role (see `MfaTeam`'s `accountRoles`).
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/what-is-cfnstacksets.html
 *
 * @example
 * declare const stack: Stack;
 * new MfaRoleStackSet(stack, 'Roles', {
 *   identityAccount: '111111111111',
 *   principalPath: '/mfa-team/Dev/',
 *   roles: [{ roleName: 'readonly', managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')] }],
 *   target: MfaRoleStackSetTarget.fromOrganizationalUnits({ organizationalUnitIds: ['ou-ab12-cdef3456'] }),
 * });
 */
export class MfaRoleStackSet extends Construct {
  /** The account whose users may assume the roles. */
  public readonly identityAccount: string;

  /** The stack whose template the StackSet deploys: define resources that every account needs (customer managed policies) here. */
  public readonly templateStack: Stack;

  /** The StackSet. */
  public readonly stackSet: cloudformation.CfnStackSet;

  /** The region of the stack instances. */
  public readonly region: string;

  /** The accounts of a self-managed target; undefined for organizational units. */
  public readonly accounts?: string[];

  /** The teamName of the MfaTeam whose tagged members the roles trust, if any. */
  public readonly trustedTeam?: string;

  private readonly roles = new Map<string, MfaRequiredRole>();
  private readonly specs = new Map<string, MfaRoleStackSetRole>();

  constructor(scope: Construct, id: string, props: MfaRoleStackSetProps) {
    super(scope, id);
    if (Token.isUnresolved(props.identityAccount)) {
      throw new Error('identityAccount must be a literal 12-digit account id: the roles are deployed to other accounts, where this stack\'s '
        + 'values (such as its own account) do not exist');
    }
    validateAccountId('identityAccount', props.identityAccount);
    validateIamPath('principalPath', props.principalPath);
    validateStackSetRoles(props.roles, props.trustedTeam);
    if (props.trustedTeam !== undefined && props.principalPath !== undefined) {
      throw new Error(`trustedTeam cannot be combined with principalPath: the team's path is /mfa-team/${props.trustedTeam}/`);
    }
    if (props.stackSetName !== undefined && !Token.isUnresolved(props.stackSetName) && !STACK_SET_NAME.test(props.stackSetName)) {
      throw new Error('stackSetName must be a letter followed by at most 127 letters, digits and hyphens, '
        + `but got '${props.stackSetName}' (${props.stackSetName.length} characters)`);
    }
    const preferences = operationPreferences(props.operationPreferences ?? {});
    this.identityAccount = props.identityAccount;
    this.accounts = props.target.accounts;
    this.region = props.region ?? (Token.isUnresolved(Stack.of(this).region) ? 'us-east-1' : Stack.of(this).region);
    if (!Token.isUnresolved(this.region) && !REGION.test(this.region)) {
      throw new Error(`region must be an AWS region such as us-east-1, but got '${this.region}'`);
    }

    this.templateStack = new Stack(this, 'Template', {
      synthesizer: new StackSetTemplateSynthesizer(),
      analyticsReporting: false,
      description: `cdk-mfa-delegation: MFA-only roles that trust IAM users of account ${props.identityAccount}`,
    });
    this.trustedTeam = props.trustedTeam;
    const principalPath = props.trustedTeam === undefined ? props.principalPath : `/mfa-team/${props.trustedTeam}/`;
    const trusted = (spec: MfaRoleStackSetRole) => new iam.AccountPrincipal(props.identityAccount).withConditions({
      StringEquals: {
        // The caller's own user name as session name: CloudTrail in the member account names the person.
        'sts:RoleSessionName': '${aws:username}',
        ...(props.trustedTeam === undefined ? {} : { [`aws:PrincipalTag/${teamRoleTagKey(spec.teamRoleName ?? spec.roleName)}`]: props.trustedTeam }),
      },
      ...(principalPath === undefined ? {} : {
        ArnLike: { 'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${props.identityAccount}:user${principalPath}*` },
      }),
    });
    for (const spec of props.roles) {
      this.specs.set(spec.roleName, spec);
      this.roles.set(spec.roleName, new MfaRequiredRole(this.templateStack, spec.roleName, {
        roleName: spec.roleName,
        path: spec.path,
        description: spec.description ?? `cdk-mfa-delegation: MFA-only role for IAM users of account ${props.identityAccount}`,
        managedPolicies: spec.managedPolicies,
        inlinePolicies: spec.inlinePolicies,
        maxSessionDuration: spec.maxSessionDuration,
        maxMfaAge: spec.maxMfaAge ?? Duration.hours(1),
        permissionsBoundary: spec.permissionsBoundary,
        trustedPrincipals: [trusted(spec)],
      }));
    }

    const target = props.target._config();
    const roleNames = props.roles.map((r) => r.roleName);
    this.stackSet = new cloudformation.CfnStackSet(this, 'Resource', {
      stackSetName: props.stackSetName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: props.description ?? `cdk-mfa-delegation: the MFA-only roles ${roleNames.join(', ')} that trust IAM users of account `
        + `${props.identityAccount}`,
      permissionModel: target.permissionModel,
      autoDeployment: target.autoDeployment,
      callAs: target.callAs,
      administrationRoleArn: target.administrationRoleArn,
      executionRoleName: target.executionRoleName,
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: preferences,
      stackInstancesGroup: [{ deploymentTargets: target.deploymentTargets, regions: [this.region] }],
      templateBody: Lazy.string({ produce: () => this.templateBody() }),
    });
    this.stackSet.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);
    if (props.principalPath === undefined) {
      // Trusting the identity account's users is what identityAccount states; MfaGuard reads the roles in the TemplateBody.
      Validations.of(this.stackSet).acknowledge({
        id: MfaGuard.TRUSTS_WHOLE_ACCOUNT,
        reason: `The roles trust the IAM users of account ${props.identityAccount} (identityAccount), with MFA; no principalPath narrows them`,
      });
    }
    this.node.addValidation({ validate: () => this.validateTemplate() });
  }

  /**
   * The MfaRequiredRole of the template by its role name (the same role in every target account).
   */
  public role(roleName: string): MfaRequiredRole {
    const role = this.roles.get(roleName);
    if (!role) {
      throw new Error(`${this.node.path} has no role '${roleName}'; its roles are ${[...this.roles.keys()].join(', ')}`);
    }
    return role;
  }

  /**
   * A role of this StackSet as the identity account's users see it, to grant them (MfaTeam's `accountRoles`,
   * MfaDelegation's `accountRoles`): its name, path and durations, and the accounts it is in.
   */
  public accountRole(roleName: string, options: AccountRoleOptions = {}): MfaAccountRole {
    const role = this.role(roleName);
    const spec = this.specs.get(roleName)!;
    if (this.accounts === undefined && options.organizationId === undefined) {
      throw new Error(`${this.node.path} deploys to organizational units, whose accounts it cannot list: pass the organizationId of `
        + `their organization to accountRole('${roleName}')`);
    }
    return {
      roleName,
      path: spec.path,
      accounts: this.accounts,
      organizationId: options.organizationId,
      maxMfaAge: role.maxMfaAge,
      maxSessionDuration: spec.maxSessionDuration,
    };
  }

  /**
   * A role of this StackSet as the `trustedTeam`'s `accountRoles` lists it: `accountRole` with the role's
   * `teamRoleName` as its name in the team, so that the team tags the members it grants the role with the tag that
   * the role's trust requires.
   */
  public teamAccountRole(roleName: string, options: AccountRoleOptions = {}): MfaTeamAccountRole {
    if (this.trustedTeam === undefined) {
      throw new Error(`${this.node.path} trusts no team: set trustedTeam to the teamName of the MfaTeam whose members may assume its roles`);
    }
    return { name: this.specs.get(roleName)?.teamRoleName ?? roleName, ...this.accountRole(roleName, options) };
  }

  /** The template of `templateStack` as the StackSet receives it: JSON without white space. */
  private templateBody(): string {
    const template = renderTemplate(this.templateStack);
    if (template === undefined) {
      throw new Error(`${this.node.path} cannot render the template of its roles: this version of aws-cdk-lib has no Stack._toCloudFormation`);
    }
    return JSON.stringify(template);
  }

  private validateTemplate(): string[] {
    const body = this.templateBody();
    const template = JSON.parse(body);
    const errors: string[] = [];
    const bytes = Buffer.byteLength(body);
    if (bytes > TEMPLATE_BODY_BYTES) {
      errors.push(`The template of ${this.node.path} is ${bytes.toLocaleString('en-US')} bytes, over CloudFormation's limit of `
        + `${TEMPLATE_BODY_BYTES.toLocaleString('en-US')} bytes for a StackSet's TemplateBody: move inline policies into customer managed `
        + 'policies of templateStack, or split the roles over two MfaRoleStackSets');
    }
    const foreign = [
      ...Object.keys(template.Parameters ?? {}).map((name) => `the parameter ${name}`),
      ...(body.includes('"Fn::ImportValue"') ? ['Fn::ImportValue'] : []),
    ];
    if (foreign.length > 0) {
      errors.push(`The template of ${this.node.path} refers to values of other stacks (${foreign.join(', ')}), which do not exist in the target `
        + 'accounts: define what the roles need in templateStack, or use literal values');
    }
    return errors;
  }
}

/**
 * The synthesizer of an MfaRoleStackSet's template stack: the template is the StackSet's TemplateBody, not a stack of
 * the cloud assembly, so nothing is written and no asset can be added (a StackSet's accounts cannot read this app's
 * asset buckets).
 */
class StackSetTemplateSynthesizer extends StackSynthesizer {
  public addFileAsset(asset: FileAssetSource): FileAssetLocation {
    throw new Error(`The template of an MfaRoleStackSet cannot hold assets (${asset.fileName ?? asset.sourceHash}): its accounts cannot read `
      + 'this app\'s asset buckets');
  }

  public addDockerImageAsset(asset: DockerImageAssetSource): DockerImageAssetLocation {
    throw new Error(`The template of an MfaRoleStackSet cannot hold assets (${asset.directoryName ?? asset.sourceHash}): its accounts cannot read `
      + 'this app\'s asset repositories');
  }

  public synthesize(_session: ISynthesisSession): void {
    // The template goes into the StackSet's TemplateBody (MfaRoleStackSet.templateBody), not into the assembly.
  }
}

function validateAccounts(what: string, accounts: readonly string[], required: boolean): void {
  if (required && accounts.length === 0) {
    throw new Error(`${what} must list at least one account`);
  }
  accounts.forEach((account) => validateAccountId(`Every account of ${what}`, account));
  const twice = accounts.find((a, i) => accounts.indexOf(a) !== i);
  if (twice !== undefined) {
    throw new Error(`${what} lists the account ${twice} twice: list each account once`);
  }
}

/** What MfaTeam takes as a teamName, and as the name of a role in the team. */
const TEAM_NAME = /^[A-Za-z0-9_+=.@-]{1,64}$/;

function validateStackSetRoles(roles: readonly MfaRoleStackSetRole[], trustedTeam: string | undefined): void {
  if (roles.length === 0) {
    throw new Error('roles must list at least one role');
  }
  if (trustedTeam !== undefined && (Token.isUnresolved(trustedTeam) || !TEAM_NAME.test(trustedTeam))) {
    throw new Error(`trustedTeam must be the teamName of an MfaTeam: 1 to 64 characters of letters, digits and _+=.@- but got '${trustedTeam}'`);
  }
  const teamNames = new Map<string, string>();
  for (const role of roles) {
    if (role.teamRoleName !== undefined && trustedTeam === undefined) {
      throw new Error(`The role ${role.roleName} has a teamRoleName, which names it in a trusted team: set trustedTeam too`);
    }
    const teamRoleName = role.teamRoleName ?? role.roleName;
    if (trustedTeam !== undefined && !TEAM_NAME.test(teamRoleName)) {
      throw new Error(`The role ${role.roleName} needs a teamRoleName of 1 to 64 characters of letters, digits and _+=.@- (its name in team `
        + `${trustedTeam}), but got '${teamRoleName}'`);
    }
    const twin = teamNames.get(teamRoleName.toLowerCase());
    if (trustedTeam !== undefined && twin !== undefined) {
      throw new Error(`The roles ${twin} and ${role.roleName} have the same name in team ${trustedTeam} regardless of case ('${teamRoleName}'): `
        + 'give each its own teamRoleName');
    }
    teamNames.set(teamRoleName.toLowerCase(), role.roleName);
  }
  const seen = new Map<string, string>();
  for (const role of roles) {
    if (Token.isUnresolved(role.roleName)) {
      throw new Error('The roleName of an MfaRoleStackSet role must be a literal name: the identity account\'s users name the role in every account');
    }
    validateIamName('The roleName of an MfaRoleStackSet role', role.roleName);
    validateIamPath(`The path of the role ${role.roleName}`, role.path);
    const clash = seen.get(role.roleName.toLowerCase());
    if (clash !== undefined) {
      throw new Error(`The roles '${clash}' and '${role.roleName}' have the same name regardless of case, and IAM role names are unique `
        + 'regardless of case: list each role once');
    }
    seen.set(role.roleName.toLowerCase(), role.roleName);
  }
}

function operationPreferences(given: MfaRoleStackSetOperationPreferences): cloudformation.CfnStackSet.OperationPreferencesProperty {
  const whole = (what: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      throw new Error(`${what} must be a whole number from ${min} to ${max}, but got ${value}`);
    }
  };
  whole('maxConcurrentCount', given.maxConcurrentCount, 1, 10_000);
  whole('maxConcurrentPercentage', given.maxConcurrentPercentage, 1, 100);
  whole('failureToleranceCount', given.failureToleranceCount, 0, 10_000);
  whole('failureTolerancePercentage', given.failureTolerancePercentage, 0, 100);
  if (given.maxConcurrentCount !== undefined && given.maxConcurrentPercentage !== undefined) {
    throw new Error('maxConcurrentCount and maxConcurrentPercentage cannot both be given: CloudFormation takes one of them');
  }
  if (given.failureToleranceCount !== undefined && given.failureTolerancePercentage !== undefined) {
    throw new Error('failureToleranceCount and failureTolerancePercentage cannot both be given: CloudFormation takes one of them');
  }
  const mode = given.concurrencyMode ?? StackSetConcurrencyMode.SOFT_FAILURE_TOLERANCE;
  const tolerance = given.failureTolerancePercentage === undefined ? { failureToleranceCount: given.failureToleranceCount ?? 0 }
    : { failureTolerancePercentage: given.failureTolerancePercentage };
  const concurrency = given.maxConcurrentCount === undefined ? { maxConcurrentPercentage: given.maxConcurrentPercentage ?? 25 }
    : { maxConcurrentCount: given.maxConcurrentCount };
  if (mode === StackSetConcurrencyMode.STRICT_FAILURE_TOLERANCE && concurrency.maxConcurrentCount !== undefined
    && tolerance.failureToleranceCount !== undefined && concurrency.maxConcurrentCount > tolerance.failureToleranceCount + 1) {
    throw new Error(`maxConcurrentCount is ${concurrency.maxConcurrentCount}, but with STRICT_FAILURE_TOLERANCE it must be at most `
      + `failureToleranceCount + 1 (${tolerance.failureToleranceCount + 1}): raise failureToleranceCount or use SOFT_FAILURE_TOLERANCE`);
  }
  return { ...concurrency, ...tolerance, concurrencyMode: mode };
}
