import * as path from 'path';
import { App, AppProps, ArnFormat, Aws, CfnOutput, CustomResource, Duration, Stack, StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ASSUME_ONLY_METADATA_KEY } from '../lib/contract';

const READ = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'];
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } };
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'lib', 'handler', 'index');

/**
 * The example app (bin/app.ts: one MfaDelegation) written by hand with plain aws-cdk-lib, without the library's
 * constructs and checks. It synthesizes a byte-identical template: the same resources under the same logical ids (in
 * CloudFormation the logical id is a resource's identity, so it keeps the construct paths, with plain `Construct`s as
 * scopes), the same properties and outputs, and the same cdk-nag findings acknowledged on the same constructs (so that
 * it would pass AwsSolutionsChecks as the example app does). bench/synth.ts (with bench/same-assembly.ts) refuses to
 * report a ratio when the two no longer synthesize the same, and test/benchmark-baseline.test.ts checks it on every
 * test run.
 */
export class HandWrittenExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const toolkit = new Construct(this, 'Toolkit');
    const userScope = new Construct(toolkit, 'User');
    const user = new iam.User(userScope, 'Resource', { userName: 'toolkit-user' });
    Tags.of(user).add('cdk-mfa-delegation:stack-id', Aws.STACK_ID);
    const role = new iam.Role(toolkit, 'Role', {
      roleName: 'toolkit-role',
      assumedBy: new iam.PrincipalWithConditions(new iam.ArnPrincipal(user.userArn), { ...MFA, StringEquals: { 'sts:RoleSessionName': '${aws:username}' } }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    });
    // As the example app does for its role (app code, not library code).
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
      reason: 'The AWS Toolkit guide gives toolkit-role ReadOnlyAccess, which AWS keeps current as services are added; '
        + 'the role can only be assumed by toolkit-user with MFA.',
    });
    const assumePolicy = new iam.Policy(userScope, 'AssumeRolePolicy', {
      users: [user],
      statements: [new iam.PolicyStatement({ sid: 'AssumeRolesWithMfaAtMost3600sOld', actions: ['sts:AssumeRole'], resources: [role.roleArn], conditions: MFA })],
    });
    // The mark that lets MfaGuard find the assume-only user in the template.
    (assumePolicy.node.defaultChild as iam.CfnPolicy).addMetadata(ASSUME_ONLY_METADATA_KEY, { ConsoleAccess: false });
    const deviceScope = new Construct(toolkit, 'MfaDevice');
    // VirtualMfaDevice ends the name with a hash of the secret's policy as synthesized; by hand, the literal.
    const seedSecretName = `mfa-seed/${user.userName}-76891f54`;
    const handler = new lambda.Function(this, 'VirtualMfaDeviceHandlere8a3c7f05d1b4b8e9a6f2c4d1e7b9f30', {
      description: 'cdk-mfa-delegation: creates, enables and deletes virtual MFA devices and stores their seeds in Secrets Manager',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(HANDLER_ASSET),
      timeout: Duration.minutes(10),
      environment: { STACK_ID: Aws.STACK_ID },
    });
    Validations.of(handler.role!).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The handler needs exactly the CloudWatch Logs permissions of this policy.',
    });
    // The handler's permissions, by hand: from the function only, on what carries the stack's tag; never read a secret.
    const fromHandler = { ArnEquals: { 'lambda:SourceFunctionArn': handler.functionArn } };
    const tagged = (key: string) => ({ StringEquals: { [`${key}/cdk-mfa-delegation:stack-id`]: Aws.STACK_ID }, ...fromHandler });
    const users = this.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' });
    const devices = this.formatArn({ service: 'iam', region: '', resource: 'mfa', resourceName: '*' });
    const secrets = this.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const permissions = new iam.ManagedPolicy(handler, 'Permissions', {
      roles: [handler.role!],
      statements: [
        new iam.PolicyStatement({
          sid: 'UsersOfThisStack',
          actions: ['iam:EnableMFADevice', 'iam:DeactivateMFADevice', 'iam:ListMFADevices', 'iam:ListAccessKeys', 'iam:DeleteAccessKey'],
          resources: [users],
          conditions: tagged('aws:ResourceTag'),
        }),
        new iam.PolicyStatement({ sid: 'ReadUsers', actions: ['iam:GetUser'], resources: [users], conditions: fromHandler }),
        new iam.PolicyStatement({
          sid: 'CreateDevicesTagged', actions: ['iam:CreateVirtualMFADevice', 'iam:TagMFADevice'], resources: [devices], conditions: tagged('aws:RequestTag'),
        }),
        new iam.PolicyStatement({
          sid: 'DeleteDevicesOfThisStack', actions: ['iam:DeleteVirtualMFADevice'], resources: [devices], conditions: tagged('aws:ResourceTag'),
        }),
        new iam.PolicyStatement({ sid: 'ReadDeviceTags', actions: ['iam:ListMFADeviceTags'], resources: [devices], conditions: fromHandler }),
        new iam.PolicyStatement({
          sid: 'CreateSecretsTagged',
          actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
          resources: [secrets],
          conditions: tagged('aws:RequestTag'),
        }),
        new iam.PolicyStatement({
          sid: 'WriteSecretsOfThisStack',
          actions: ['secretsmanager:PutResourcePolicy', 'secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'],
          resources: [secrets],
          conditions: tagged('aws:ResourceTag'),
        }),
        new iam.PolicyStatement({
          sid: 'ReadOwnStack',
          actions: ['cloudformation:DescribeStacks', 'cloudformation:ListStackResources', 'cloudformation:GetTemplate'],
          resources: [Aws.STACK_ID],
          conditions: fromHandler,
        }),
        new iam.PolicyStatement({
          sid: 'NeverReadOrMintAFactor',
          effect: iam.Effect.DENY,
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue', 'iam:CreateAccessKey', 'iam:UpdateAccessKey',
            'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'],
          resources: ['*'],
        }),
      ],
    });
    for (const arn of ['iam::<AWS::AccountId>:user/*', 'iam::<AWS::AccountId>:mfa/*', 'secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:*']) {
      Validations.of(permissions).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${arn}]`,
        reason: 'Every statement is conditioned on the calling function and on the stack\'s tag.',
      });
    }
    const cleanup = new CustomResource(userScope, 'Cleanup', {
      serviceToken: handler.functionArn,
      serviceTimeout: Duration.seconds(660),
      resourceType: 'Custom::MfaUserCleanup',
      properties: { UserName: user.userName },
    });
    cleanup.node.addDependency(handler, permissions);
    const serial = this.formatArn({ service: 'iam', region: '', resource: 'mfa', resourceName: user.userName });
    const device = new CustomResource(deviceScope, 'Resource', {
      serviceToken: handler.functionArn,
      serviceTimeout: Duration.seconds(660),
      resourceType: 'Custom::VirtualMfaDevice',
      properties: {
        UserName: user.userName,
        DeviceName: user.userName,
        Path: '/',
        Enable: 'true',
        SeedSecretName: seedSecretName,
        // The seed secret's policy: only the user reads and deletes it, the handler only writes, describes and deletes it.
        SeedSecretPolicy: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'DenyEveryoneTheStackDidNotName',
              effect: iam.Effect.DENY,
              principals: [new iam.AnyPrincipal()],
              actions: ['secretsmanager:*'],
              resources: ['*'],
              conditions: { ArnNotEquals: { 'aws:PrincipalArn': [user.userArn, handler.role!.roleArn] } },
            }),
            new iam.PolicyStatement({
              sid: 'ReadersOnlyRead',
              effect: iam.Effect.DENY,
              principals: [new iam.AnyPrincipal()],
              notActions: READ,
              resources: ['*'],
              conditions: { ArnEquals: { 'aws:PrincipalArn': [user.userArn] } },
            }),
            new iam.PolicyStatement({
              sid: 'HandlerOnlyWrites',
              effect: iam.Effect.DENY,
              principals: [new iam.AnyPrincipal()],
              notActions: ['secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'],
              resources: ['*'],
              conditions: { ArnEquals: { 'aws:PrincipalArn': handler.role!.roleArn } },
            }),
            new iam.PolicyStatement({ sid: 'ReadersRead', principals: [new iam.ArnPrincipal(user.userArn)], actions: READ, resources: ['*'] }),
          ],
        }),
      },
    });
    device.node.addDependency(handler, permissions);
    // A new device ends the role's sessions issued before it (the time the handler answers as CreatedAt).
    new iam.ManagedPolicy(role, 'RevokeSessionsAtDeployTime', {
      description: `cdk-mfa-delegation: denies the sessions of ${role.node.path} issued before times known at deploy time (new MFA devices)`,
      roles: [role],
      statements: [new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['*'],
        resources: ['*'],
        conditions: { DateLessThan: { 'aws:TokenIssueTime': device.getAttString('CreatedAt') } },
      })],
    });
    Validations.of(device).acknowledge({ id: 'MfaGuard::AssumeOnlyUserWidened', reason: 'The seed secret lets its own user read its own seed.' });

    // Output id, and the field named in its description.
    const outputs: Array<[string, string, string]> = [
      ['MfaRoleArn', 'roleArn', role.roleArn],
      ['MfaUserName', 'userName', user.userName],
      ['MfaUserArn', 'userArn', user.userArn],
      ['MfaSerial', 'mfaSerial', serial],
      ['MfaAccessKey', 'accessKey', 'true'],
      ['MfaSeedSecretArn', 'seedSecretArn', seedSecretName],
      ['MfaSourceProfile', 'sourceProfile', user.userName],
      ['MfaRoleProfile', 'roleProfile', 'mfa'],
      ['MfaRoleMaxSessionDuration', 'roleMaxSessionDuration', '3600'],
    ];
    for (const [outputId, field, value] of outputs) {
      new CfnOutput(toolkit, outputId, { key: `Toolkit${outputId}`, value, description: `cdk-mfa-delegation Toolkit ${field}` });
    }
  }
}

/** The hand-written app: one stack, `MfaDelegationExample`, as bin/app.ts's createExampleApp defines it. */
export function createHandWrittenApp(props?: AppProps): App {
  const app = new App(props);
  new HandWrittenExampleStack(app, 'MfaDelegationExample', {
    description: 'cdk-mfa-delegation example: an MFA-only role, an assume-only user and its virtual MFA device',
  });
  return app;
}

// `node hand-written.js [example]` (compiled by bench/synth.ts): one synth of the hand-written app, or of the example
// app, as `cdk synth` runs an app; bench/synth.ts times it in a fresh process. Only the app that runs is loaded.
if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (process.argv[2] === 'example' ? require('../bin/example-stack').createExampleApp() as App : createHandWrittenApp()).synth();
}
