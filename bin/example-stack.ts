import { App, AppProps, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { MfaDelegation } from '../lib';

/**
 * The example stack: the AWS Toolkit guide's setup (toolkit-role, toolkit-user, a virtual MFA device) in one construct.
 */
export class MfaDelegationExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const toolkit = new MfaDelegation(this, 'Toolkit', {
      roleName: 'toolkit-role',
      userName: 'toolkit-user',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    });
    Validations.of(toolkit.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
      reason: 'The AWS Toolkit guide gives toolkit-role ReadOnlyAccess, which AWS keeps current as services are added; '
        + 'the role can only be assumed by toolkit-user with MFA.',
    });
  }
}

/**
 * The example app: one stack, `MfaDelegationExample`. Environment-agnostic, so `cdk synth` needs no AWS account.
 */
export function createExampleApp(props?: AppProps): App {
  const app = new App(props);
  new MfaDelegationExampleStack(app, 'MfaDelegationExample', {
    description: 'cdk-mfa-delegation example: an MFA-only role, an assume-only user and its virtual MFA device',
  });
  return app;
}
