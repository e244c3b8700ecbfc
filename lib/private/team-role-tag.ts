/**
 * The key of the tag that an MfaTeam puts on each member's IAM user for each role the member may assume (value: the
 * team's name), and that the role's trust policy requires as `aws:PrincipalTag/<key>` (DECISIONS 6): a team role in
 * the team's account, or a role of an MfaRoleStackSet in other accounts (the team's `accountRoles`). Changing a user's
 * tags takes `iam:TagUser`, an IAM administrator's right.
 */
export function teamRoleTagKey(roleName: string): string {
  return `cdk-mfa-delegation:role:${roleName}`;
}
