import { CustomResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { stackHandler } from './device-provider';
import { USER_CLEANUP_RESOURCE_TYPE, UserCleanupResourceProperties } from '../contract';

/**
 * Define `Cleanup` under `scope`: a `Custom::MfaUserCleanup` of the stack's handler for a user that the stack creates
 * and that may get an access key from `mfa-profile` (outside CloudFormation). Its Delete deletes the user's access keys,
 * so that CloudFormation can then delete the user (`cdk destroy`, a member removed from a team). It refers to the user,
 * so CloudFormation deletes it before the user. With `grant`, the handler may list and delete the keys of this user
 * (MfaTeam grants by the team's IAM path instead).
 */
export function userCleanup(scope: Construct, user: iam.IUser, grant: boolean): CustomResource {
  const handler = stackHandler(Stack.of(scope));
  if (grant) {
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:ListAccessKeys', 'iam:DeleteAccessKey'], resources: [user.userArn] }));
  }
  const cleanup = new CustomResource(scope, 'Cleanup', {
    serviceToken: handler.functionArn,
    resourceType: USER_CLEANUP_RESOURCE_TYPE,
    properties: { UserName: user.userName } satisfies UserCleanupResourceProperties,
  });
  // The handler and its grants exist before the cleanup and stay until it is deleted.
  cleanup.node.addDependency(handler);
  return cleanup;
}
