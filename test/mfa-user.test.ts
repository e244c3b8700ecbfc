import { App, CliCredentialsStackSynthesizer, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MfaRequiredRole, MfaUser } from '../lib';
import { MFA, MFA_WITHIN_AN_HOUR, newStack } from './support/stacks';

describe('MfaUser', () => {
  test('has one inline policy that allows only sts:AssumeRole on its role, with MFA within an hour', () => {
    // GIVEN
    const stack = newStack();
    const role = iam.Role.fromRoleName(stack, 'Role', 'toolkit-role');
    // WHEN
    new MfaUser(stack, 'User', { userName: 'toolkit-user', roles: [role] });
    // THEN
    const template = Template.fromStack(stack);
    // (the other policy is the stack's handler's, which deletes the user's access keys when the user is deleted)
    expect(Object.keys(template.findResources('AWS::IAM::Policy', { Properties: { Users: Match.anyValue() } }))).toHaveLength(1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Users: [{ Ref: 'UserFDDCDD17' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'AssumeRolesWithMfaAtMost3600sOld',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/toolkit-role']] },
          Condition: MFA_WITHIN_AN_HOUR,
        }],
      },
    });
  });

  test('has no managed policy, no group, no login profile and no other policy', () => {
    const stack = newStack();
    new MfaUser(stack, 'User', { userName: 'toolkit-user', roles: [iam.Role.fromRoleName(stack, 'Role', 'r')] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::User', {
      UserName: 'toolkit-user',
      ManagedPolicyArns: Match.absent(),
      Groups: Match.absent(),
      LoginProfile: Match.absent(),
      Policies: Match.absent(),
    });
    template.resourceCountIs('AWS::IAM::Group', 0);
    // The one managed policy is the stack's device handler's (for the cleanup of the user's keys), not the user's.
    expect(Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map((p: any) => p.Properties.Users)).toEqual([undefined]);
    template.resourceCountIs('AWS::IAM::UserToGroupAddition', 0);
  });

  test('defines no access key and no access-key secret, only a cleanup of the keys mfa-profile will create, by default', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const user = new MfaUser(stack, 'User', { roles: [iam.Role.fromRoleName(stack, 'Role', 'r')] });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('Custom::MfaUserCleanup', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VirtualMfaDeviceHandler'), 'Arn'] },
      UserName: { Ref: 'UserFDDCDD17' },
    });
    expect(user.accessKey).toBe(true);
  });

  test('tags the user for the stack\'s handler, which may delete its keys, and cleans up after the handler\'s permissions exist', () => {
    const stack = newStack();
    new MfaUser(stack, 'User', { roles: [iam.Role.fromRoleName(stack, 'Role', 'r')] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::User', { Tags: [{ Key: 'cdk-mfa-delegation:stack-id', Value: { Ref: 'AWS::StackId' } }] });
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as any[];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Sid: 'UsersOfThisStack',
      Action: expect.arrayContaining(['iam:ListAccessKeys', 'iam:DeleteAccessKey']),
      Condition: expect.objectContaining({ StringEquals: { 'aws:ResourceTag/cdk-mfa-delegation:stack-id': { Ref: 'AWS::StackId' } } }),
    }));
    const [cleanup] = Object.values(template.findResources('Custom::MfaUserCleanup')) as any[];
    expect(cleanup.DependsOn).toEqual(expect.arrayContaining([
      expect.stringMatching(/^VirtualMfaDeviceHandler\w+Permissions[0-9A-F]{8}$/),
      expect.stringMatching(/^VirtualMfaDeviceHandler\w+ServiceRole[0-9A-F]{8}$/),
    ]));
    expect(cleanup.Properties.ServiceTimeout).toEqual('660');
  });

  test('defines no cleanup with accessKey false, nor for an existing user', () => {
    const stack = newStack();
    const user = new MfaUser(stack, 'User', { accessKey: false, roles: [iam.Role.fromRoleName(stack, 'Role', 'r')] });
    new MfaUser(stack, 'Existing', { user: iam.User.fromUserName(stack, 'Bob', 'bob'), roles: [iam.Role.fromRoleName(stack, 'Other', 'o')] });
    Template.fromStack(stack).resourceCountIs('Custom::MfaUserCleanup', 0);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 0);
    expect(user.accessKey).toBe(false);
  });

  test('fails when a resource of the user gets a secret-bearing attribute, naming the resource and the attribute', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const key = new iam.AccessKey(stack, 'Key', { user: iam.User.fromUserName(stack, 'Other', 'other') });
    new MfaUser(stack, 'User', { userName: key.secretAccessKey.unsafeUnwrap(), accessKey: false, roles: [iam.Role.fromRoleName(stack, 'Role', 'r')] });
    expect(() => app.synth()).toThrow('Validation failed with the following errors:\n  [Stack/User] Stack/User/Resource/Resource uses Key961B73FD.SecretAccessKey, '
      + 'a secret-bearing attribute: CloudFormation would resolve it and record the resolved value in the stack\'s events, which read-only '
      + 'principals (ReadOnlyAccess, cloudformation:DescribeStackEvents) can read; keep secrets out of CloudFormation (mfa-profile creates '
      + 'access keys on the owner\'s machine)');
  });

  test('locks the console password: only the user reads it, only the CloudFormation execution role may do anything else', () => {
    const stack = newStack();
    new MfaUser(stack, 'User', { consoleAccess: true, roles: [iam.Role.fromRoleName(stack, 'Role', 'r')] });
    const template = Template.fromStack(stack);
    const user = { 'Fn::GetAtt': ['UserFDDCDD17', 'Arn'] };
    const exec = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-us-east-1' };
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      SecretId: { Ref: 'UserConsolePasswordSecret775871F5' },
      BlockPublicPolicy: true,
      ResourcePolicy: {
        Version: '2012-10-17',
        Statement: [
          Match.objectLike({ Sid: 'DenyEveryoneTheStackDidNotName', Effect: 'Deny', Action: 'secretsmanager:*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': [user, exec] } } }),
          Match.objectLike({ Sid: 'ReadersOnlyRead', NotAction: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] }),
          Match.objectLike({ Sid: 'ReadersRead', Effect: 'Allow', Principal: { AWS: user } }),
        ],
      },
    });
  });

  test('fails for console access that nobody could read: no access key and no secretReaders; and with a synthesizer without execution role', () => {
    const stack = newStack();
    expect(() => new MfaUser(stack, 'User', { consoleAccess: true, accessKey: false, roles: [iam.Role.fromRoleName(stack, 'Role', 'r')] })).toThrow(
      'Nobody could read the first console password of Stack/User: its user gets no access key (accessKey: false) to read it with; name who reads '
      + 'it with secretReaders');
    const cli = new Stack(new App(), 'Cli', { synthesizer: new CliCredentialsStackSynthesizer() });
    expect(() => new MfaUser(cli, 'User', { consoleAccess: true, roles: [iam.Role.fromRoleName(cli, 'Role', 'r')] })).toThrow(
      'The console password secret of Cli/User needs the role CloudFormation deploys stack Cli with, to let it (and no one else but the readers) '
      + 'manage the secret, but the stack\'s synthesizer (CliCredentialsStackSynthesizer) has none: CloudFormation would act as whoever deploys. '
      + 'Use the DefaultStackSynthesizer (the default; with cloudFormationExecutionRole for a role of your own)');
  });

  test('gives console access with a generated password that must be reset, and lets the user change it with MFA', () => {
    const stack = newStack();
    const user = new MfaUser(stack, 'User', { consoleAccess: true, roles: [iam.Role.fromRoleName(stack, 'Role', 'r')] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'password', PasswordLength: 32 },
    });
    template.hasResourceProperties('AWS::IAM::User', {
      LoginProfile: {
        Password: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'UserConsolePasswordSecret775871F5' }, ':SecretString:password::}}']] },
        PasswordResetRequired: true,
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'ChangeOwnPasswordWithMfa',
          Effect: 'Allow',
          Action: 'iam:ChangePassword',
          Resource: { 'Fn::GetAtt': ['UserFDDCDD17', 'Arn'] },
          Condition: MFA,
        }]),
      },
    });
    expect(user.consolePasswordSecret).toBeDefined();
  });

  test('allowAssume adds roles to the one statement', () => {
    const stack = newStack();
    const user = new MfaUser(stack, 'User', { accessKey: false });
    user.allowAssume(iam.Role.fromRoleName(stack, 'A', 'a'));
    user.allowAssume(iam.Role.fromRoleName(stack, 'B', 'b'));
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0] as any;
    expect(policy.Properties.PolicyDocument.Statement).toHaveLength(1);
    expect(JSON.stringify(policy.Properties.PolicyDocument.Statement[0].Resource)).toMatch(/role\/a.*role\/b/);
  });

  test('bounds the MFA age for a role with maxMfaAge in a statement of its own', () => {
    const stack = newStack();
    const bounded = new MfaRequiredRole(stack, 'Bounded', { trustAccount: true, maxMfaAge: Duration.minutes(15) });
    const user = new MfaUser(stack, 'User', { accessKey: false, roles: [iam.Role.fromRoleName(stack, 'Plain', 'plain'), bounded] });
    expect(user).toBeDefined();
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Sid: 'AssumeRolesWithMfaAtMost3600sOld', Condition: MFA_WITHIN_AN_HOUR }),
          {
            Sid: 'AssumeRolesWithMfaAtMost900sOld',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: { 'Fn::GetAtt': ['Bounded2C639712', 'Arn'] },
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '900' } },
          },
        ],
      },
    });
  });

  test('attaches its policy to an existing user', () => {
    const stack = newStack();
    const existing = iam.User.fromUserName(stack, 'Existing', 'alice');
    const user = new MfaUser(stack, 'User', { user: existing, accessKey: false, roles: [iam.Role.fromRoleName(stack, 'Role', 'r')] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::User', 0);
    template.hasResourceProperties('AWS::IAM::Policy', { Users: ['alice'] });
    expect(user.user).toBe(existing);
    expect(user.userName).toEqual('alice');
  });

  test('fails synth when it may assume no role', () => {
    const stack = newStack();
    new MfaUser(stack, 'User');
    expect(() => Template.fromStack(stack)).toThrow('Stack/User may assume no role: pass roles or call allowAssume(role)');
  });

  test('fails synth when its inline policy exceeds 2048 characters', () => {
    const stack = newStack();
    const roles = Array.from({ length: 40 }, (_, i) => iam.Role.fromRoleArn(stack, `R${i}`, `arn:aws:iam::111111111111:role/role-number-${i}`));
    new MfaUser(stack, 'User', { roles });
    expect(() => Template.fromStack(stack)).toThrow(
      "The inline policy of Stack/User is 2158 characters, over IAM's limit of 2048 characters (not counting white space)");
  });

  test('fails with a user name that IAM rejects', () => {
    expect(() => new MfaUser(newStack(), 'User', { userName: 'toolkit user' })).toThrow(
      "userName must be 1 to 64 characters of letters, digits and _+=,.@- but got 'toolkit user'");
  });

  test('fails with a user name longer than 64 characters', () => {
    expect(() => new MfaUser(newStack(), 'User', { userName: 'u'.repeat(65) })).toThrow(
      `userName must be 1 to 64 characters of letters, digits and _+=,.@- but got '${'u'.repeat(65)}'`);
  });

  test('fails with an empty user name', () => {
    expect(() => new MfaUser(newStack(), 'User', { userName: '' })).toThrow(
      "userName must be 1 to 64 characters of letters, digits and _+=,.@- but got ''");
  });

  test('fails with a path that does not start with a slash', () => {
    expect(() => new MfaUser(newStack(), 'User', { path: 'people/' })).toThrow(
      "path must be 1 to 512 characters that start and end with '/' (printable ASCII in between), but got 'people/'");
  });

  test('fails with a path longer than 512 characters', () => {
    const path = `/${'p'.repeat(511)}/`;
    expect(() => new MfaUser(newStack(), 'User', { path })).toThrow(
      `path must be 1 to 512 characters that start and end with '/' (printable ASCII in between), but got '${path}'`);
  });

  test('fails with a path containing a space', () => {
    expect(() => new MfaUser(newStack(), 'User', { path: '/my people/' })).toThrow(
      "path must be 1 to 512 characters that start and end with '/' (printable ASCII in between), but got '/my people/'");
  });

  test('fails with an existing user and a user name', () => {
    const stack = newStack();
    expect(() => new MfaUser(stack, 'User', { user: iam.User.fromUserName(stack, 'E', 'alice'), userName: 'bob' })).toThrow(
      'user cannot be combined with userName, path or consoleAccess: those describe a user that MfaUser defines');
  });

  test('fails with an existing user and console access', () => {
    const stack = newStack();
    expect(() => new MfaUser(stack, 'User', { user: iam.User.fromUserName(stack, 'E', 'alice'), consoleAccess: true })).toThrow(
      'user cannot be combined with userName, path or consoleAccess: those describe a user that MfaUser defines');
  });
});
