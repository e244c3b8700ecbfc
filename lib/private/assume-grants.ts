import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { assumeRoleWithoutMfa, describeValue, statementsOf } from './mfa-policy-inspection';

/**
 * Checks that keep the MFA condition on every way aws-cdk-lib offers to trust a principal or to grant it `sts:AssumeRole`
 * on an `MfaRequiredRole`.
 */

/** Whether a resolved principal element admits everyone: `"*"`, `{ "AWS": "*" }` (AnyPrincipal, StarPrincipal, OrganizationPrincipal). */
export function admitsAnyone(principal: unknown): boolean {
  if (principal === '*') {
    return true;
  }
  if (principal && typeof principal === 'object' && !Array.isArray(principal)) {
    // `{ "AWS": "*" }` in a template; `{ "AWS": ["*"] }` or `{ "LiteralString": ["*"] }` (StarPrincipal) in a principal's fragment.
    return Object.entries(principal as Record<string, unknown>).some(([key, value]) => (key === 'AWS' || key === '*' || key === 'LiteralString')
      && (value === '*' || (Array.isArray(value) && value.includes('*'))));
  }
  return false;
}

/**
 * Fail for a principal that is anyone (`*`): `iam.AnyPrincipal`, `iam.StarPrincipal`, `iam.ArnPrincipal('*')`,
 * `iam.OrganizationPrincipal` (anyone in an organization). With MFA, any account in the world (or the organization)
 * could assume the role.
 */
export function rejectAnyone(what: string, principal: iam.IPrincipal, scope: IConstruct): void {
  const fragment = Stack.of(scope).resolve(principal.policyFragment.principalJson);
  if (admitsAnyone(fragment)) {
    throw new Error(`${what} is ${principal} (Principal ${JSON.stringify(fragment)}), which would let every AWS account${principal instanceof iam.OrganizationPrincipal
      ? ' of the organization' : ''} assume the role with an MFA device of its own: name the users, roles or accounts to trust (trustedPrincipals, `
      + 'trustedAccount)');
  }
}

const POLICY_TYPES = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::UserPolicy', 'AWS::IAM::RolePolicy', 'AWS::IAM::GroupPolicy'];
const INLINE_TYPES = ['AWS::IAM::User', 'AWS::IAM::Role', 'AWS::IAM::Group'];

/** The resolved identity policy documents that a CloudFormation IAM resource carries, by where they are. */
function identityDocuments(resource: CfnResource): Array<[string, any]> {
  const type = resource.cfnResourceType;
  if (!POLICY_TYPES.includes(type) && !(INLINE_TYPES.includes(type) && (resource as unknown as { policies?: unknown }).policies !== undefined)) {
    return [];
  }
  const props = Stack.of(resource).resolve((resource as unknown as { _toCloudFormation(): any })._toCloudFormation())
    ?.Resources?.[Stack.of(resource).getLogicalId(resource)]?.Properties ?? {};
  switch (type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
    case 'AWS::IAM::UserPolicy':
    case 'AWS::IAM::RolePolicy':
    case 'AWS::IAM::GroupPolicy':
      return [[resource.node.path, props.PolicyDocument]];
    case 'AWS::IAM::User':
    case 'AWS::IAM::Role':
    case 'AWS::IAM::Group':
      return (props.Policies ?? []).map((p: any) => [`${resource.node.path} (inline policy ${describeValue(p.PolicyName)})`, p.PolicyDocument]);
    default:
      return [];
  }
}

/**
 * The identity policies of the role's stack that allow `sts:AssumeRole` on exactly this role without
 * `Bool aws:MultiFactorAuthPresent "true"`: what `iam.RoleGrants.fromRole(role).assumeRole(...)`, `iam.Grant.addToPrincipal`
 * or `principal.addToPrincipalPolicy` would write. (Policies of other stacks refer to the role by an import: MfaGuard
 * checks the whole assembly.)
 */
export function assumeGrantsWithoutMfa(role: iam.Role): string[] {
  const stack = Stack.of(role);
  const arn = JSON.stringify(stack.resolve(role.roleArn));
  const errors: string[] = [];
  for (const construct of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(construct) || Stack.of(construct) !== stack) {
      continue;
    }
    for (const [where, document] of identityDocuments(construct)) {
      const onRole = { ...document, Statement: statementsOf(document).filter((s) => [s.Resource].flat().some((r) => JSON.stringify(r) === arn)) };
      for (const finding of assumeRoleWithoutMfa(onRole, false)) {
        errors.push(`${where} allows sts:AssumeRole on ${role.node.path} without Bool aws:MultiFactorAuthPresent "true" (${finding.problem}): grant `
          + 'it with role.grantAssumeRole(principal) or role.grants.assumeRole(principal), which add the MFA condition');
      }
    }
  }
  return errors;
}
