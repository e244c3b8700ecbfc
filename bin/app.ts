import { App, AppProps, AspectPriority, Aspects, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { MfaDelegation, MfaGuard } from '../lib';

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

/**
 * The example app with its guardrails: MfaGuard (no role or policy lets anyone assume a role without MFA) and the AWS
 * Solutions checks of cdk-nag. Synthesis fails on any MfaGuard error and on any cdk-nag finding that is not acknowledged.
 */
export function createCheckedExampleApp(props?: AppProps): App {
  const app = createExampleApp(props);
  Aspects.of(app).add(new MfaGuard(), { priority: AspectPriority.READONLY });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

if (require.main === module) {
  createCheckedExampleApp().synth();
}
