import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MfaDelegation, VirtualMfaDevice } from '../lib';
import { MFA_WITHIN_AN_HOUR, newStack, revokeSessionsPolicy, SESSION_NAMED_AFTER_USER } from './support/stacks';

function outputs(stack: Stack): Record<string, any> {
  return Template.fromStack(stack).toJSON().Outputs ?? {};
}

describe('MfaDelegation', () => {
  test('defines a role that trusts exactly its user with MFA within an hour and a session named after the user, by default', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const delegation = new MfaDelegation(stack, 'Toolkit', { roleName: 'toolkit-role', userName: 'toolkit-user' });
    // THEN
    const userLogicalId = stack.getLogicalId(delegation.mfaUser.user.node.defaultChild as iam.CfnUser);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'toolkit-role',
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Condition: { ...MFA_WITHIN_AN_HOUR, ...SESSION_NAMED_AFTER_USER },
          Principal: { AWS: { 'Fn::GetAtt': [userLogicalId, 'Arn'] } },
        }],
      },
    });
  });

  test('lets its user assume its role with MFA and nothing else', () => {
    const stack = newStack();
    const delegation = new MfaDelegation(stack, 'Toolkit', { roleName: 'toolkit-role', userName: 'toolkit-user' });
    const roleLogicalId = stack.getLogicalId(delegation.role.node.defaultChild as iam.CfnRole);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Users: [{ Ref: Match.anyValue() }],
      PolicyDocument: {
        Statement: [{
          Sid: 'AssumeRolesWithMfaAtMost3600sOld',
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [roleLogicalId, 'Arn'] },
          Condition: MFA_WITHIN_AN_HOUR,
        }],
      },
    });
    template.hasResourceProperties('AWS::IAM::User', { UserName: 'toolkit-user', ManagedPolicyArns: Match.absent(), Groups: Match.absent() });
  });

  test('defines a virtual MFA device for its user, no access key, and the cleanup of the key mfa-profile will create', () => {
    const stack = newStack();
    const delegation = new MfaDelegation(stack, 'Toolkit', { userName: 'toolkit-user' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::VirtualMfaDevice', 1);
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
    template.resourceCountIs('Custom::MfaUserCleanup', 1);
    expect(delegation.virtualMfaDevice).toBeDefined();
    expect(delegation.mfaDevice).toBe(delegation.virtualMfaDevice);
  });

  test('emits every value a profile needs as outputs named after the construct id', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit', { roleName: 'toolkit-role', userName: 'toolkit-user' });
    const out = outputs(stack);
    expect(Object.keys(out).sort()).toEqual([
      'ToolkitMfaAccessKey',
      'ToolkitMfaRoleArn',
      'ToolkitMfaRoleMaxSessionDuration',
      'ToolkitMfaRoleProfile',
      'ToolkitMfaSeedSecretArn',
      'ToolkitMfaSerial',
      'ToolkitMfaSourceProfile',
      'ToolkitMfaUserArn',
      'ToolkitMfaUserName',
    ]);
    expect(out.ToolkitMfaRoleArn).toEqual({
      Description: 'cdk-mfa-delegation Toolkit roleArn',
      Value: { 'Fn::GetAtt': [expect.stringMatching(/^ToolkitRole/), 'Arn'] },
    });
    expect(out.ToolkitMfaSerial.Value).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:mfa/', { Ref: expect.stringMatching(/^ToolkitUser/) }]],
    });
    expect(out.ToolkitMfaRoleProfile).toEqual({ Description: 'cdk-mfa-delegation Toolkit roleProfile', Value: 'mfa' });
    expect(out.ToolkitMfaAccessKey).toEqual({ Description: 'cdk-mfa-delegation Toolkit accessKey', Value: 'true' });
    expect(out.ToolkitMfaRoleMaxSessionDuration.Value).toEqual('3600');
    expect(out.ToolkitMfaSourceProfile.Value).toEqual({ Ref: expect.stringMatching(/^ToolkitUser/) });
  });

  test('outputs the suggested profile names and session duration it is given', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit', { profileName: 'toolkit', sourceProfileName: 'toolkit-keys', maxSessionDuration: Duration.hours(2) });
    const out = outputs(stack);
    expect(out.ToolkitMfaRoleProfile.Value).toEqual('toolkit');
    expect(out.ToolkitMfaSourceProfile.Value).toEqual('toolkit-keys');
    expect(out.ToolkitMfaRoleMaxSessionDuration.Value).toEqual('7200');
  });

  test('gives several delegations in one stack outputs a program can tell apart', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit');
    new MfaDelegation(stack, 'break-glass', { profileName: 'break-glass' });
    const keys = Object.keys(outputs(stack));
    expect(keys.filter((k) => k.endsWith('MfaRoleArn')).sort()).toEqual(['ToolkitMfaRoleArn', 'breakglassMfaRoleArn']);
  });

  test('uses the given outputPrefix for its output keys', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit', { outputPrefix: 'Ops' });
    expect(Object.keys(outputs(stack))).toContain('OpsMfaRoleArn');
  });

  test('trusts the account with MFA instead of the user when trustedAccount is set', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit', { trustedAccount: '111111111111' });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Condition: MFA_WITHIN_AN_HOUR,
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
        }],
      },
    });
  });

  test('bounds the MFA age in the trust policy and the user policy alike', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit', { maxMfaAge: Duration.minutes(10) });
    const condition = { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '600' } };
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: condition })] } });
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: [Match.objectLike({ Action: 'sts:AssumeRole', Condition: condition })] } });
  });

  test('passes managed and inline policies to the role', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit', {
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      inlinePolicies: { s3: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] })] }) },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] }],
      Policies: [Match.objectLike({ PolicyName: 's3' })],
    });
  });

  test('works with an existing user and an existing MFA device', () => {
    const stack = newStack();
    const user = iam.User.fromUserName(stack, 'ExistingUser', 'alice');
    const mfaDevice = VirtualMfaDevice.fromSerialNumber(stack, 'Token', 'GAHT12345678');
    new MfaDelegation(stack, 'Alice', { user, mfaDevice, accessKey: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::User', 0);
    template.resourceCountIs('Custom::VirtualMfaDevice', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.hasResourceProperties('AWS::IAM::Policy', { Users: ['alice'] });
    const out = outputs(stack);
    expect(out.AliceMfaSerial.Value).toEqual('GAHT12345678');
    expect(out.AliceMfaUserName.Value).toEqual('alice');
    expect(out.AliceMfaSeedSecretArn).toBeUndefined();
    expect(out.AliceMfaAccessKey).toBeUndefined();
  });

  test('defines a device that its owner enables later with enableMfaDevice false', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit', { enableMfaDevice: false });
    Template.fromStack(stack).hasResourceProperties('Custom::VirtualMfaDevice', { Enable: 'false' });
  });

  test('outputs the console password secret with consoleAccess', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit', { consoleAccess: true });
    expect(outputs(stack).ToolkitMfaConsolePasswordSecretArn.Value).toEqual({ Ref: expect.stringMatching(/^ToolkitUserConsolePasswordSecret/) });
  });

  test('gives the same input a byte-identical template', () => {
    const synth = () => {
      const app = new App();
      const stack = new Stack(app, 'Stack');
      new MfaDelegation(stack, 'Toolkit', { roleName: 'toolkit-role', userName: 'toolkit-user' });
      return JSON.stringify(app.synth().getStackByName('Stack').template);
    };
    expect(synth()).toEqual(synth());
  });

  test('isMfaDelegation tells an MfaDelegation from other constructs', () => {
    const stack = newStack();
    const delegation = new MfaDelegation(stack, 'Toolkit');
    expect(MfaDelegation.isMfaDelegation(delegation)).toBe(true);
    expect(MfaDelegation.isMfaDelegation(delegation.role)).toBe(false);
    expect(MfaDelegation.isMfaDelegation(undefined)).toBe(false);
  });

  test('fails when two delegations in a stack share an output prefix', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit');
    expect(() => new MfaDelegation(stack, 'Other', { outputPrefix: 'Toolkit' })).toThrow(
      "MfaDelegations Stack/Toolkit and Stack/Other both use the output prefix 'Toolkit': give one of them another outputPrefix");
  });

  test('accepts the same output prefix in two stacks', () => {
    const app = new App();
    new MfaDelegation(new Stack(app, 'A'), 'Toolkit');
    expect(() => new MfaDelegation(new Stack(app, 'B'), 'Toolkit')).not.toThrow();
  });

  test('fails with an outputPrefix that is not letters and digits', () => {
    expect(() => new MfaDelegation(newStack(), 'Toolkit', { outputPrefix: 'tool-kit' })).toThrow(
      "outputPrefix must be 1 to 200 letters and digits starting with a letter, but got 'tool-kit'");
  });

  test('fails when no output prefix can be derived from the construct id', () => {
    expect(() => new MfaDelegation(newStack(), '42')).toThrow(
      "outputPrefix cannot be derived from the construct id '42': pass an outputPrefix of letters and digits that starts with a letter");
  });

  test('fails with a profile name that AWS config files cannot hold', () => {
    expect(() => new MfaDelegation(newStack(), 'Toolkit', { profileName: 'my profile' })).toThrow(
      "profileName must be 1 to 64 characters of letters, digits and _+=,.@- but got 'my profile'");
  });

  test('fails with a source profile name that AWS config files cannot hold', () => {
    expect(() => new MfaDelegation(newStack(), 'Toolkit', { sourceProfileName: '[keys]' })).toThrow(
      "sourceProfileName must be 1 to 64 characters of letters, digits and _+=,.@- but got '[keys]'");
  });

  test('fails with the profile name default, which mfa-profile never takes over', () => {
    expect(() => new MfaDelegation(newStack(), 'Toolkit', { profileName: 'default' })).toThrow(
      "profileName is 'default', the profile every AWS tool uses when none is named, which mfa-profile never takes over: choose any other name");
  });

  test('fails with the source profile name default, which mfa-profile never takes over', () => {
    expect(() => new MfaDelegation(newStack(), 'Toolkit', { sourceProfileName: 'default' })).toThrow(
      "sourceProfileName is 'default', the profile every AWS tool uses when none is named, which mfa-profile never takes over: choose any other name");
  });

  test('fails for a user named default without a source profile name, since the source profile is named after the user', () => {
    const message = "sourceProfileName is 'default' (the user's name, its default), the profile every AWS tool uses when none is named, "
      + 'which mfa-profile never takes over: choose any other name';
    expect(() => new MfaDelegation(newStack(), 'Toolkit', { userName: 'default' })).toThrow(message);
    const stack = newStack();
    expect(() => new MfaDelegation(stack, 'Toolkit', { user: iam.User.fromUserName(stack, 'Default', 'default') })).toThrow(message);
  });

  test('a user named default may have a source profile of another name', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit', { userName: 'default', sourceProfileName: 'default-keys' });
    Template.fromStack(stack).hasOutput('ToolkitMfaSourceProfile', { Value: 'default-keys' });
  });

  test('fails with an existing user and a user name', () => {
    const stack = newStack();
    expect(() => new MfaDelegation(stack, 'Toolkit', { user: iam.User.fromUserName(stack, 'A', 'alice'), userName: 'bob' })).toThrow(
      'user cannot be combined with userName: userName names a user that MfaDelegation defines');
  });

  test('fails with an existing MFA device and enableMfaDevice', () => {
    const stack = newStack();
    const mfaDevice = VirtualMfaDevice.fromSerialNumber(stack, 'Token', 'GAHT12345678');
    expect(() => new MfaDelegation(stack, 'Toolkit', { mfaDevice, enableMfaDevice: true })).toThrow(
      'mfaDevice cannot be combined with enableMfaDevice: enableMfaDevice applies to a device that MfaDelegation defines');
  });

  test('fails with a role name that IAM rejects', () => {
    expect(() => new MfaDelegation(newStack(), 'Toolkit', { roleName: 'toolkit/role' })).toThrow(
      "roleName must be 1 to 64 characters of letters, digits and _+=,.@- but got 'toolkit/role'");
  });

  test('fails with a trusted account that is not 12 digits', () => {
    expect(() => new MfaDelegation(newStack(), 'Toolkit', { trustedAccount: 'my-account' })).toThrow(
      "trustedAccount must be a 12-digit AWS account id, but got 'my-account'");
  });

  test('revokes the role\'s sessions issued before revokeSessionsIssuedBefore', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit', { revokeSessionsIssuedBefore: '2026-12-01T12:00:00Z' });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { Policies: [revokeSessionsPolicy('2026-12-01T12:00:00Z')] });
  });

  test('fails with a one-character userName, which STS cannot take as the session name its role requires', () => {
    expect(() => new MfaDelegation(newStack(), 'Toolkit', { userName: 'a' })).toThrow(
      'userName must be 2 to 64 characters of letters, digits and _+=,.@- (it names role sessions, and STS takes session names of 2 to 64 '
      + "characters), but got 'a' (1 character)");
  });

  test('fails with an existing user of one character, which STS cannot take as the session name its role requires', () => {
    const stack = newStack();
    expect(() => new MfaDelegation(stack, 'Toolkit', { user: iam.User.fromUserName(stack, 'A', 'a') })).toThrow(
      'The name of the given user must be 2 to 64 characters of letters, digits and _+=,.@- (it names role sessions, and STS takes session names of 2 to 64 '
      + "characters), but got 'a' (1 character)");
  });
});
