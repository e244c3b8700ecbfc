import * as path from 'path';
import { CfnOutput, CustomResource, Duration, SecretValue, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'lib', 'private', 'mfa-device-handler.lambda');

/**
 * The resources of the example app (bin/app.ts: one MfaDelegation), written by hand with plain aws-cdk-lib: the same
 * resource types and outputs, without the library's constructs and checks. bench/synth.ts compares the two and refuses
 * to report a ratio when they no longer define the same resources.
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
      description: 'Access key of toolkit-user',
      secretObjectValue: {
        userName: SecretValue.unsafePlainText(user.userName),
        accessKeyId: SecretValue.unsafePlainText(key.accessKeyId),
        secretAccessKey: key.secretAccessKey,
      },
    });
    const seedSecret = new secretsmanager.Secret(this, 'ToolkitMfaDeviceSeedSecret', {
      description: 'MFA seed of toolkit-user',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'pending', excludePunctuation: true },
    });
    const handler = new lambda.Function(this, 'VirtualMfaDeviceHandler', {
      description: 'creates, enables and deletes virtual MFA devices and stores their seeds in Secrets Manager',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(HANDLER_ASSET),
      timeout: Duration.minutes(1),
    });
    const serial = this.formatArn({ service: 'iam', region: '', resource: 'mfa', resourceName: user.userName });
    const handlerPolicy = new iam.CfnRolePolicy(this, 'ToolkitMfaDeviceHandlerPolicy', {
      roleName: handler.role!.roleName,
      policyName: 'VirtualMfaDevice-toolkit-user',
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

    const outputs: Record<string, string> = {
      ToolkitMfaRoleArn: role.roleArn,
      ToolkitMfaUserName: user.userName,
      ToolkitMfaUserArn: user.userArn,
      ToolkitMfaSerial: serial,
      ToolkitMfaAccessKeySecretArn: keySecret.secretArn,
      ToolkitMfaSeedSecretArn: seedSecret.secretArn,
      ToolkitMfaSourceProfile: user.userName,
      ToolkitMfaRoleProfile: 'mfa',
      ToolkitMfaRoleMaxSessionDuration: '3600',
    };
    for (const [outputKey, value] of Object.entries(outputs)) {
      new CfnOutput(this, outputKey, { key: outputKey, value });
    }
  }
}
