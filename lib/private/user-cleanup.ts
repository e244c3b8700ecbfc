import { CustomResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { handlerResource, tagUserForHandler } from './device-provider';
import { USER_CLEANUP_RESOURCE_TYPE, UserCleanupResourceProperties } from '../contract';

/**
 * Define `Cleanup` under `scope`: a `Custom::MfaUserCleanup` of the stack's handler for a user that the stack creates
 * and that may get an access key from `mfa-profile` (outside CloudFormation). Its Delete deletes the user's access keys
 * (and devices), so that CloudFormation can then delete the user (`cdk destroy`, a member removed from a team). It
 * refers to the user, so CloudFormation deletes it before the user. The user gets the stack's tag, the only users the
 * handler's role may act on (lib/private/handler-grants.ts).
 */
export function userCleanup(scope: Construct, user: iam.IUser): CustomResource {
  tagUserForHandler(scope, user);
  return handlerResource(scope, 'Cleanup', USER_CLEANUP_RESOURCE_TYPE, { UserName: user.userName } satisfies UserCleanupResourceProperties);
}
