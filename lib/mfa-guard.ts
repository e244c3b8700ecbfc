import { Annotations, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import {
  assumeRoleWithoutMfa, describePrincipal, describeValue, MfaFinding, MfaProblem, trustAdmitsAwsPrincipal,
} from './private/mfa-policy-inspection';

/**
 * Properties of an MfaGuard.
 */
export interface MfaGuardProps {
  /**
   * Whether to check identity policies too: an Allow of `sts:AssumeRole` without the MFA condition is an error.
   *
   * Checked are the inline and customer managed policies of IAM users and groups, of roles that an IAM user, role or
   * account can assume, and managed policies attached to nothing in the stack. Policies attached only to service
   * roles (roles that only service or federated principals can assume) are not: a service cannot present MFA.
   *
   * @default true
   */
  readonly checkIdentityPolicies?: boolean;
}

const MFA_FIX = 'Bool aws:MultiFactorAuthPresent "true"';
const ROLE_TYPE = iam.CfnRole.CFN_RESOURCE_TYPE_NAME;
const IDENTITY_TYPES = [iam.CfnUser.CFN_RESOURCE_TYPE_NAME, iam.CfnGroup.CFN_RESOURCE_TYPE_NAME, ROLE_TYPE];

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/**
 * An Aspect that reports an error on every IAM role that an IAM user, role or account may assume without MFA, and on
 * every identity policy that allows `sts:AssumeRole` without MFA.
 *
 * It inspects the CloudFormation resources, so it sees plain `iam.Role`s, `iam.Policy`s and L1 resources of any
 * library alike:
 *
 * - a role (`AWS::IAM::Role`) whose trust policy has an Allow statement for `sts:AssumeRole` (or a wildcard that
 *   covers it) with an AWS principal (user, role, account, `*`) and without `Bool aws:MultiFactorAuthPresent "true"`.
 *   `BoolIfExists` is an error too: the key is absent for long-term access keys, so it lets them in without MFA.
 *   Service and federated principals are ignored; so are Deny statements, except that a Deny of `sts:AssumeRole`
 *   for everyone with only `BoolIfExists aws:MultiFactorAuthPresent "false"` protects its whole document;
 * - an identity policy (`AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`, `AWS::IAM::RolePolicy`, `AWS::IAM::UserPolicy`,
 *   `AWS::IAM::GroupPolicy`, the inline `Policies` of a user, group or role) with such an Allow statement, see
 *   `checkIdentityPolicies`.
 *
 * Policies that AWS manages (`ReadOnlyAccess`, `AdministratorAccess`, ...) are referenced by ARN only and cannot be
 * inspected. The Aspect only reads the tree, so it can run with `AspectPriority.READONLY`.
 *
 * @example
 * declare const app: App;
 * Aspects.of(app).add(new MfaGuard(), { priority: AspectPriority.READONLY });
 */
export class MfaGuard implements IAspect {
  private readonly checkIdentityPolicies: boolean;

  constructor(props: MfaGuardProps = {}) {
    this.checkIdentityPolicies = props.checkIdentityPolicies ?? true;
  }

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) {
      return;
    }
    switch (node.cfnResourceType) {
      case iam.CfnRole.CFN_RESOURCE_TYPE_NAME:
        this.checkRole(node as iam.CfnRole);
        break;
      case iam.CfnUser.CFN_RESOURCE_TYPE_NAME:
      case iam.CfnGroup.CFN_RESOURCE_TYPE_NAME:
        this.checkInlinePolicies(node, (node as iam.CfnUser | iam.CfnGroup).policies);
        break;
      case iam.CfnPolicy.CFN_RESOURCE_TYPE_NAME:
        this.checkPolicyResource(node, (node as iam.CfnPolicy).policyDocument, (node as iam.CfnPolicy).policyName);
        break;
      case iam.CfnManagedPolicy.CFN_RESOURCE_TYPE_NAME:
        this.checkPolicyResource(node, (node as iam.CfnManagedPolicy).policyDocument, (node as iam.CfnManagedPolicy).managedPolicyName);
        break;
      case iam.CfnRolePolicy.CFN_RESOURCE_TYPE_NAME:
      case iam.CfnUserPolicy.CFN_RESOURCE_TYPE_NAME:
      case iam.CfnGroupPolicy.CFN_RESOURCE_TYPE_NAME:
        this.checkPolicyResource(node, (node as iam.CfnRolePolicy).policyDocument, (node as iam.CfnRolePolicy).policyName);
        break;
      default:
        break;
    }
  }

  private checkRole(role: iam.CfnRole): void {
    const stack = Stack.of(role);
    const trust = stack.resolve(role.assumeRolePolicyDocument);
    for (const finding of assumeRoleWithoutMfa(trust, true)) {
      const where = `Role ${role.node.path} lets ${describePrincipal(finding.statement)} assume it`;
      Annotations.of(role).addError(finding.problem === MfaProblem.IF_EXISTS
        ? `${where} with BoolIfExists aws:MultiFactorAuthPresent (trust policy statement ${finding.statementNumber}), which also `
          + `admits long-term access keys without MFA: use ${MFA_FIX} instead`
        : `${where} without MFA (trust policy statement ${finding.statementNumber}): put the condition ${MFA_FIX} on that principal, `
          + 'e.g. new iam.PrincipalWithConditions(principal, { Bool: { \'aws:MultiFactorAuthPresent\': \'true\' } }), or use MfaRequiredRole');
    }
    if (trustAdmitsAwsPrincipal(trust)) {
      this.checkInlinePolicies(role, role.policies);
    }
  }

  private checkInlinePolicies(identity: CfnResource, policies: unknown): void {
    if (!this.checkIdentityPolicies) {
      return;
    }
    const resolved = Stack.of(identity).resolve(policies);
    // An L1 property holds `{ policyName, policyDocument }`; a raw override `{ PolicyName, PolicyDocument }`.
    for (const policy of listOf(resolved) as any[]) {
      this.report(identity, `inline policy ${describeValue(policy?.policyName ?? policy?.PolicyName)} of ${identity.node.path}`,
        assumeRoleWithoutMfa(policy?.policyDocument ?? policy?.PolicyDocument, false));
    }
  }

  private checkPolicyResource(policy: CfnResource, document: unknown, name: unknown): void {
    if (!this.checkIdentityPolicies) {
      return;
    }
    const stack = Stack.of(policy);
    // Most policies grant no sts:AssumeRole without MFA: look at the attachments (a walk of the stack) only for those that do.
    const findings = assumeRoleWithoutMfa(stack.resolve(document), false);
    if (findings.length === 0 || this.attachedOnlyToServiceRoles(policy)) {
      return;
    }
    this.report(policy, `policy ${policy.node.path} (${describeValue(stack.resolve(name) ?? stack.resolve(policy.logicalId))})`, findings);
  }

  private report(node: IConstruct, what: string, findings: MfaFinding[]): void {
    for (const finding of findings) {
      Annotations.of(node).addError(`Statement ${finding.statementNumber} of ${what} allows ${this.describeGrant(finding)} `
        + `${finding.problem === MfaProblem.IF_EXISTS ? 'with BoolIfExists aws:MultiFactorAuthPresent, which also admits long-term access keys without MFA' : 'without MFA'}: `
        + `add the condition ${MFA_FIX} to the statement (as MfaRequiredRole.grantAssumeRole and MfaUser.allowAssume do)`);
    }
  }

  private describeGrant(finding: MfaFinding): string {
    const actions = finding.statement.NotAction !== undefined
      ? `every action but ${describeValue(finding.statement.NotAction)}`
      : describeValue(finding.statement.Action);
    const resources = finding.statement.NotResource !== undefined
      ? `every resource but ${describeValue(finding.statement.NotResource)}`
      : describeValue(finding.statement.Resource ?? '*');
    return `${actions} on ${resources}`;
  }

  /**
   * Whether the policy is attached to at least one role and only to roles of its stack that only service or federated
   * principals can assume. Users, groups, roles outside the stack, or no attachment at all: false.
   */
  private attachedOnlyToServiceRoles(policy: CfnResource): boolean {
    const stack = Stack.of(policy);
    // AWS::IAM::Policy and ManagedPolicy name lists of users, groups, roles; AWS::IAM::UserPolicy etc. one of them.
    const props = policy as unknown as Record<'users' | 'groups' | 'roles' | 'userName' | 'groupName' | 'roleName', unknown>;
    const listed = (list: unknown, single: unknown) => [...listOf(stack.resolve(list)), ...listOf(stack.resolve(single))];
    const identities = stack.node.findAll().filter(CfnResource.isCfnResource).filter((r) => IDENTITY_TYPES.includes(r.cfnResourceType));
    const refTo = (resource: CfnResource) => JSON.stringify({ Ref: stack.resolve(resource.logicalId) });
    const policyRef = refTo(policy);
    // Identities that attach the (managed) policy through their ManagedPolicyArns, and the roles the policy names.
    const holders = identities.filter((r) => JSON.stringify(stack.resolve((r as iam.CfnRole).managedPolicyArns) ?? []).includes(policyRef));
    const namedRoles = listed(props.roles, props.roleName).map((name) => identities.find((r) => r.cfnResourceType === ROLE_TYPE
      && (JSON.stringify(name) === refTo(r) || name === stack.resolve((r as iam.CfnRole).roleName))));
    const attached = [...holders, ...namedRoles];
    if (attached.length === 0 || listed(props.users, props.userName).length > 0 || listed(props.groups, props.groupName).length > 0) {
      return false;
    }
    return attached.every((r) => r?.cfnResourceType === ROLE_TYPE
      && !trustAdmitsAwsPrincipal(stack.resolve((r as iam.CfnRole).assumeRolePolicyDocument)));
  }
}
