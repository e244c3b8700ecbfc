import { CfnResource } from 'aws-cdk-lib';
import { ASSUME_ONLY_METADATA_KEY, AssumeOnlyMarker } from '../contract';

/** Mark the user (an `AWS::IAM::User`), or the users of the policy (an `AWS::IAM::Policy`), as assume-only in the template. */
export function markAssumeOnly(resource: CfnResource, consoleAccess: boolean): void {
  const marker: AssumeOnlyMarker = { ConsoleAccess: consoleAccess };
  resource.addMetadata(ASSUME_ONLY_METADATA_KEY, marker);
}
