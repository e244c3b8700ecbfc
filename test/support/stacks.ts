import { App, Stack } from 'aws-cdk-lib';

/** The condition every statement that lets a principal assume a role must carry. */
export const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

/** MFA, with a sign-in younger than the default maxMfaAge (one hour). */
export const MFA_WITHIN_AN_HOUR = { ...MFA, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } };

/** What a trust statement for an IAM user requires besides MFA: a session named after the user. */
export const SESSION_NAMED_AFTER_USER = { StringEquals: { 'sts:RoleSessionName': '${aws:username}' } };

/** A stack in a fresh app, in account 111111111111 and us-east-1. */
export function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'us-east-1' } });
}

/** The inline policy `RevokeSessions` of a role that denies every session issued before `time`, as CloudFormation gets it. */
export function revokeSessionsPolicy(time: string) {
  return {
    PolicyName: 'RevokeSessions',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': time } } }],
    },
  };
}
