import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { AccountRoleEntry } from '../contract';
import type { MfaAccountRole } from '../mfa-account-role';
import { mfaCondition } from './mfa-condition';
import { nagArn } from './nag-arn';
import { MAX_MFA_AGE_SECONDS, validateAccountId, validateDuration, validateIamName, validateIamPath } from './validation';

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** The default bound on the age of the MFA sign-in for roles in other accounts. */
export const ACCOUNT_ROLE_MAX_MFA_AGE = Duration.hours(1);

/**
 * Check an MfaAccountRole: a literal role name and path, accounts and/or an organization, durations in range. Throws
 * a sentence that names the role and the bad value.
 */
export function validateAccountRole(role: MfaAccountRole): void {
  if (Token.isUnresolved(role.roleName)) {
    throw new Error('The roleName of a role in other accounts must be a literal name: it names the role in every account');
  }
  validateIamName('The roleName of a role in other accounts', role.roleName);
  validateIamPath(`The path of the role ${role.roleName} in other accounts`, role.path);
  const accounts = role.accounts ?? [];
  if (role.accounts === undefined && role.organizationId === undefined) {
    throw new Error(`The role ${role.roleName} in other accounts needs accounts, organizationId or both: without either, `
      + 'users could assume a role of that name in any AWS account that trusts them');
  }
  if (role.accounts !== undefined && accounts.length === 0) {
    throw new Error(`The role ${role.roleName} in other accounts lists no accounts: list at least one, or leave accounts out to allow every account of organizationId`);
  }
  accounts.forEach((account) => validateAccountId(`Every account of the role ${role.roleName}`, account));
  const twice = accounts.find((a, i) => accounts.indexOf(a) !== i);
  if (twice !== undefined) {
    throw new Error(`The role ${role.roleName} in other accounts lists the account ${twice} twice: list each account once`);
  }
  if (role.organizationId !== undefined && !Token.isUnresolved(role.organizationId) && !ORGANIZATION_ID.test(role.organizationId)) {
    throw new Error(`The organizationId of the role ${role.roleName} must be an AWS Organizations id (o- and 10 to 32 lower-case letters and digits), `
      + `but got '${role.organizationId}'`);
  }
  validateDuration(`The maxMfaAge of the role ${role.roleName}`, role.maxMfaAge, 1, MAX_MFA_AGE_SECONDS);
  validateDuration(`The maxSessionDuration of the role ${role.roleName}`, role.maxSessionDuration, 3600, 43200);
}

/**
 * The statement that allows `sts:AssumeRole` on a role in other accounts with MFA: the role's ARN in any account,
 * restricted by `aws:ResourceAccount` to the listed accounts and/or by `aws:ResourceOrgID` to the organization.
 */
export function accountRoleStatement(scope: IConstruct, role: MfaAccountRole): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['sts:AssumeRole'],
    resources: [roleInAnyAccount(scope, role)],
    conditions: {
      ...mfaCondition(role.maxMfaAge ?? ACCOUNT_ROLE_MAX_MFA_AGE),
      StringEquals: {
        ...(role.accounts === undefined ? {} : { 'aws:ResourceAccount': role.accounts }),
        ...(role.organizationId === undefined ? {} : { 'aws:ResourceOrgID': role.organizationId }),
      },
    },
  });
}

/**
 * Acknowledge cdk-nag's finding on the account wildcard of a statement of `accountRoleStatement` (on the construct
 * that holds the statement), with the reason.
 */
export function acknowledgeAccountRole(holder: IConstruct, role: MfaAccountRole): void {
  const where = role.accounts === undefined ? `the accounts of the organization ${role.organizationId}` : `the ${role.accounts.length} listed accounts`;
  Validations.of(holder).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagArn(Stack.of(holder), roleInAnyAccount(holder, role))}]`,
    reason: `The account in the ARN of ${role.roleName} is a wildcard so that one statement covers many accounts; aws:ResourceAccount and/or `
      + `aws:ResourceOrgID restrict it to ${where}, and only with MFA.`,
  });
}

/** The ARN of a role in other accounts, with a wildcard for the account. */
function roleInAnyAccount(scope: IConstruct, role: MfaAccountRole): string {
  const resourceName = `${(role.path ?? '/').substring(1)}${role.roleName}`;
  return Stack.of(scope).formatArn({ service: 'iam', region: '', account: '*', resource: 'role', resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/** The longest value of a stack output. */
const OUTPUT_VALUE_CHARACTERS = 4096;

/**
 * What `mfa-profile` needs of roles in other accounts, as one stack output's JSON: name, path, accounts or
 * organization, and the longest session of each. Throws when it is longer than an output takes.
 */
export function accountRoleOutput(scope: IConstruct, roles: readonly MfaAccountRole[]): string {
  const json = JSON.stringify(roles.map(accountRoleEntry));
  checkAccountRoleOutput(`The roles in other accounts of ${scope.node.path} need`, json.length);
  return json;
}

/**
 * Throws when the JSON of roles in other accounts (`characters` long) does not fit into one stack output.
 *
 * @param what the start of the sentence, e.g. `The roles in other accounts of App/Toolkit need`
 */
export function checkAccountRoleOutput(what: string, characters: number): void {
  if (characters > OUTPUT_VALUE_CHARACTERS) {
    throw new Error(`${what} ${characters} characters in the stack output that tells mfa-profile about them, over CloudFormation's `
      + `${OUTPUT_VALUE_CHARACTERS} characters per output: list fewer accounts and use organizationId`);
  }
}

/** One role in other accounts as the outputs describe it (`mfa-profile` reads it). */
export function accountRoleEntry(role: MfaAccountRole): AccountRoleEntry {
  return {
    roleName: role.roleName,
    path: role.path ?? '/',
    ...(role.accounts ? { accounts: role.accounts } : {}),
    ...(role.organizationId ? { organizationId: role.organizationId } : {}),
    maxSessionDuration: (role.maxSessionDuration ?? Duration.hours(1)).toSeconds(),
  };
}
