import { Duration } from 'aws-cdk-lib';

/**
 * An MFA-only role of the same name in other accounts (for example one that an `MfaRoleStackSet` defines in every
 * account of an organization), which users of this account may be allowed to assume.
 *
 * The users' policy allows `sts:AssumeRole` on `arn:<partition>:iam::*:role<path><roleName>` with MFA, and only in the
 * listed accounts (`StringEquals aws:ResourceAccount`) and/or in the organization (`StringEquals aws:ResourceOrgID`):
 * one statement of about 15 characters per account, so that 200 accounts fit into an IAM group's 5,120 characters.
 * The role in each account must trust this account too (as MfaRoleStackSet's roles do).
 */
export interface MfaAccountRole {
  /**
   * The name of the role, the same in every account.
   */
  readonly roleName: string;

  /**
   * The path of the role.
   *
   * @default /
   */
  readonly path?: string;

  /**
   * The accounts whose role may be assumed. `mfa-profile` writes one profile per account.
   *
   * @default - any account of `organizationId`
   */
  readonly accounts?: string[];

  /**
   * The organization (`o-xxxxxxxxxx`) whose accounts' role may be assumed. With `accounts`, only those accounts and
   * only while they are in the organization. Without `accounts`, `mfa-profile` needs the accounts from `--accounts` or
   * from AWS Organizations.
   *
   * @default - only the listed `accounts`, in or out of an organization
   */
  readonly organizationId?: string;

  /**
   * The longest time since the MFA sign-in after which the users may still assume the role. Keep it at most the
   * role's own bound: the stricter of the two applies.
   *
   * @default Duration.hours(1)
   */
  readonly maxMfaAge?: Duration;

  /**
   * The role's longest session (`duration_seconds` of the profiles that `mfa-profile` writes).
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}
