import { App, Stack } from 'aws-cdk-lib';

/** The condition every statement that lets a principal assume a role must carry. */
export const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

/** A stack in a fresh app, in account 111111111111 and us-east-1. */
export function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'us-east-1' } });
}
