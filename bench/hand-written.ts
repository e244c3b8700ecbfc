import * as path from 'path';
import { CfnOutput, CustomResource, Duration, SecretValue, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'lib', 'private', 'mfa-device-handler.lambda');

/**
 * The example app (bin/app.ts: one MfaDelegation) written by hand with plain aws-cdk-lib, without the library's
 * constructs and checks: the same resources with the same properties, the same outputs, and the same cdk-nag findings
 * acknowledged on the same resources (so that it would pass AwsSolutionsChecks as the example app does). Only logical
 * ids and construct paths differ. bench/synth.ts (with bench/same-assembly.ts) refuses to report a ratio when the two
 * no longer synthesize the same, and test/benchmark-baseline.test.ts checks it on every test run.
 */
export class HandWrittenExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const user = new iam.User(this, 'ToolkitUser', { userName: 'toolkit-user' });
    const role = new iam.Role(this, 'ToolkitRole', {
      roleName: 'toolkit-role',
      assumedBy: new iam.PrincipalWithConditions(new iam.ArnPrincipal(user.userArn), MFA),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    });
    // As the example app does for its role (app code, not library code).
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
      reason: 'The AWS Toolkit guide gives toolkit-role ReadOnlyAccess, which AWS keeps current as services are added; '
        + 'the role can only be assumed by toolkit-user with MFA.',
    });
    new iam.Policy(this, 'ToolkitUserAssumeRolePolicy', {
      users: [user],
      statements: [new iam.PolicyStatement({ sid: 'AssumeRolesWithMfa', actions: ['sts:AssumeRole'], resources: [role.roleArn], conditions: MFA })],
    });
    const key = new iam.AccessKey(this, 'ToolkitUserAccessKey', { user });
    const keySecret = new secretsmanager.Secret(this, 'ToolkitUserAccessKeySecret', {
      description: 'Access key of the IAM user defined by MfaDelegationExample/Toolkit/User',
      secretObjectValue: {
        userName: SecretValue.unsafePlainText(user.userName),
        accessKeyId: SecretValue.unsafePlainText(key.accessKeyId),
        secretAccessKey: key.secretAccessKey,
      },
    });
    const seedSecret = new secretsmanager.Secret(this, 'ToolkitMfaDeviceSeedSecret', {
      description: 'MFA seed of the virtual MFA device defined by MfaDelegationExample/Toolkit/MfaDevice',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'pending', excludePunctuation: true },
    });
    for (const secret of [keySecret, seedSecret]) {
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'Its value changes only with the resource that the secret holds.' });
    }
    const handler = new lambda.Function(this, 'VirtualMfaDeviceHandler', {
      description: 'cdk-mfa-delegation: creates, enables and deletes virtual MFA devices and stores their seeds in Secrets Manager',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(HANDLER_ASSET),
      timeout: Duration.minutes(1),
    });
    Validations.of(handler.role!).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The handler needs exactly the CloudWatch Logs permissions of this policy.',
    });
    const serial = this.formatArn({ service: 'iam', region: '', resource: 'mfa', resourceName: user.userName });
    const handlerPolicy = new iam.CfnRolePolicy(this, 'ToolkitMfaDeviceHandlerPolicy', {
      roleName: handler.role!.roleName,
      // The name VirtualMfaDevice derives from what the policy grants; by hand, the literal.
      policyName: 'VirtualMfaDevice-079a9276b71fcecae0a9bae458450edc',
      policyDocument: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ actions: ['iam:CreateVirtualMFADevice', 'iam:DeleteVirtualMFADevice'], resources: [serial] }),
          new iam.PolicyStatement({ actions: ['iam:EnableMFADevice', 'iam:DeactivateMFADevice'], resources: [user.userArn] }),
          new iam.PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [seedSecret.secretArn] }),
        ],
      }),
    });
    const device = new CustomResource(this, 'ToolkitMfaDevice', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::VirtualMfaDevice',
      properties: { UserName: user.userName, DeviceName: user.userName, Path: '/', SeedSecretArn: seedSecret.secretArn, Enable: 'true' },
    });
    device.node.addDependency(handler, handlerPolicy);

    // Output key, and the field named in its description.
    const outputs: Array<[string, string, string]> = [
      ['ToolkitMfaRoleArn', 'roleArn', role.roleArn],
      ['ToolkitMfaUserName', 'userName', user.userName],
      ['ToolkitMfaUserArn', 'userArn', user.userArn],
      ['ToolkitMfaSerial', 'mfaSerial', serial],
      ['ToolkitMfaAccessKeySecretArn', 'accessKeySecretArn', keySecret.secretArn],
      ['ToolkitMfaSeedSecretArn', 'seedSecretArn', seedSecret.secretArn],
      ['ToolkitMfaSourceProfile', 'sourceProfile', user.userName],
      ['ToolkitMfaRoleProfile', 'roleProfile', 'mfa'],
      ['ToolkitMfaRoleMaxSessionDuration', 'roleMaxSessionDuration', '3600'],
    ];
    for (const [outputKey, field, value] of outputs) {
      new CfnOutput(this, outputKey, { key: outputKey, value, description: `cdk-mfa-delegation Toolkit ${field}` });
    }
  }
}
