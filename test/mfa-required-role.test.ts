import { Aws, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MfaRequiredRole } from '../lib';
import { MFA_WITHIN_AN_HOUR, newStack, revokeSessionsPolicy, SESSION_NAMED_AFTER_USER } from './support/stacks';

function trustStatements(stack: Stack): any[] {
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
  return Object.values(roles).flatMap((r: any) => r.Properties.AssumeRolePolicyDocument.Statement);
}

describe('MfaRequiredRole', () => {
  test('trusts the stack account only with MFA within an hour when trustAccount is true', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new MfaRequiredRole(stack, 'Role', { trustAccount: true });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Condition: MFA_WITHIN_AN_HOUR,
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
        }],
      },
      MaxSessionDuration: Match.absent(),
      RoleName: Match.absent(),
      Policies: Match.absent(),
    });
  });

  test('trusts another account only with MFA within an hour', () => {
    const stack = newStack();
    new MfaRequiredRole(stack, 'Role', { trustAccount: true, trustedAccount: '222222222222' });
    expect(trustStatements(stack)).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Condition: MFA_WITHIN_AN_HOUR,
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
    }]);
  });

  test('fails without trustedPrincipals or trustAccount: the account is trusted only by choice', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role')).toThrow(
      'An MfaRequiredRole needs trustedPrincipals (the users or roles that may assume it), or trustAccount: true to trust every '
      + 'principal of the account that has sts:AssumeRole on it and an MFA device');
  });

  test('fails with trustedAccount alone, which would trust every principal of that account', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustedAccount: '222222222222' })).toThrow(
      "trustedAccount '222222222222' trusts every principal of that account that has sts:AssumeRole on the role and an MFA device: "
      + 'set trustAccount: true to state that choice, or name the principals with trustedPrincipals');
  });

  test('fails with trustedPrincipals and trustAccount together', () => {
    const stack = newStack();
    const user = iam.User.fromUserName(stack, 'Alice', 'alice');
    expect(() => new MfaRequiredRole(stack, 'Role', { trustedPrincipals: [user], trustAccount: true })).toThrow(
      'trustedPrincipals cannot be combined with trustAccount or trustedAccount: trust either the given principals or a whole account');
  });

  test('requires an IAM user it trusts to name its session after itself, and a role not', () => {
    const stack = newStack();
    const defined = new iam.User(stack, 'Defined', { userName: 'defined' });
    const imported = iam.User.fromUserName(stack, 'Alice', 'alice');
    const byArn = new iam.ArnPrincipal('arn:aws:iam::222222222222:user/people/bob');
    const role = iam.Role.fromRoleName(stack, 'Ops', 'ops');
    new MfaRequiredRole(stack, 'Role', { trustedPrincipals: [defined, imported, byArn, role] });
    const conditionOf = (fragment: string) => trustStatements(stack)
      .find((s) => JSON.stringify(stack.resolve(s.Principal)).includes(fragment))!.Condition;
    expect(conditionOf('Defined')).toEqual({ ...MFA_WITHIN_AN_HOUR, ...SESSION_NAMED_AFTER_USER });
    expect(conditionOf(':user/alice')).toEqual({ ...MFA_WITHIN_AN_HOUR, ...SESSION_NAMED_AFTER_USER });
    expect(conditionOf(':user/people/bob')).toEqual({ ...MFA_WITHIN_AN_HOUR, ...SESSION_NAMED_AFTER_USER });
    expect(conditionOf(':role/ops')).toEqual(MFA_WITHIN_AN_HOUR);
  });

  test('puts the MFA condition on every trusted principal', () => {
    const stack = newStack();
    const user = iam.User.fromUserName(stack, 'Alice', 'alice');
    const role = iam.Role.fromRoleName(stack, 'Ops', 'ops');
    new MfaRequiredRole(stack, 'Role', { trustedPrincipals: [user, role] });
    const statements = trustStatements(stack);
    expect(statements.length).toBeGreaterThanOrEqual(1);
    for (const statement of statements) {
      expect(statement).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Condition: expect.objectContaining(MFA_WITHIN_AN_HOUR) });
    }
    const principals = JSON.stringify(statements.map((s) => s.Principal));
    expect(principals).toContain(':user/alice');
    expect(principals).toContain(':role/ops');
    expect(principals).not.toContain(':root');
  });

  test('bounds the age of the MFA sign-in with maxMfaAge', () => {
    const stack = newStack();
    const role = new MfaRequiredRole(stack, 'Role', { trustAccount: true, maxMfaAge: Duration.minutes(15) });
    expect(trustStatements(stack)[0].Condition).toEqual({
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThan: { 'aws:MultiFactorAuthAge': '900' },
    });
    expect(role.maxMfaAge.toSeconds()).toBe(900);
  });

  test('revokes the sessions issued before revokeSessionsIssuedBefore, as AWS\'s "revoke active sessions" does', () => {
    const stack = newStack();
    new MfaRequiredRole(stack, 'Role', { trustAccount: true, revokeSessionsIssuedBefore: '2026-12-01T12:00:00Z' });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { Policies: [revokeSessionsPolicy('2026-12-01T12:00:00Z')] });
  });

  test('revokeSessions adds a cut for one session name after the given inline policies', () => {
    const stack = newStack();
    const role = new MfaRequiredRole(stack, 'Role', {
      trustAccount: true,
      inlinePolicies: { logs: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['logs:GetLogEvents'], resources: ['*'] })] }) },
    });
    role.revokeSessions({ issuedBefore: '2026-12-01T12:00:00.250Z', sessionName: 'alice' });
    const [policies] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role')).map((r: any) => r.Properties.Policies);
    expect(policies.map((p: any) => p.PolicyName)).toEqual(['logs', 'RevokeSessions']);
    expect(policies[1].PolicyDocument.Statement).toEqual([{
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-12-01T12:00:00.250Z' }, StringLike: { 'aws:userid': '*:alice' } },
    }]);
  });

  test.each([
    ['a date without a time', '2026-12-01'],
    ['a local time', '2026-12-01T12:00:00'],
    ['an offset', '2026-12-01T12:00:00+01:00'],
    ['a day that does not exist', '2026-02-30T12:00:00Z'],
    ['an hour that does not exist', '2026-12-01T24:00:00Z'],
    ['words', 'now'],
  ])('fails to revoke sessions before %s', (_, time) => {
    const role = new MfaRequiredRole(newStack(), 'Role', { trustAccount: true });
    expect(() => role.revokeSessions({ issuedBefore: time })).toThrow(
      `issuedBefore must be a UTC time in ISO 8601, such as 2026-12-01T12:00:00Z, but got '${time}'`);
  });

  test('fails with a revokeSessionsIssuedBefore that is not an ISO 8601 UTC time', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustAccount: true, revokeSessionsIssuedBefore: 'yesterday' })).toThrow(
      "issuedBefore must be a UTC time in ISO 8601, such as 2026-12-01T12:00:00Z, but got 'yesterday'");
  });

  test('fails to revoke the sessions of a name STS cannot give a session', () => {
    const role = new MfaRequiredRole(newStack(), 'Role', { trustAccount: true });
    expect(() => role.revokeSessions({ issuedBefore: '2026-12-01T12:00:00Z', sessionName: 'a' })).toThrow(
      'sessionName must be 2 to 64 characters of letters, digits and _+=,.@- (it names role sessions, and STS takes session names of 2 to 64 '
      + "characters), but got 'a' (1 character)");
    expect(() => role.revokeSessions({ issuedBefore: '2026-12-01T12:00:00Z', sessionName: 'al*ce' })).toThrow(
      'sessionName must be 2 to 64 characters of letters, digits and _+=,.@- (it names role sessions, and STS takes session names of 2 to 64 '
      + "characters), but got 'al*ce' (5 characters)");
  });

  test('passes the usual role props through', () => {
    const stack = newStack();
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'boundary');
    new MfaRequiredRole(stack, 'Role', {
      trustAccount: true,
      roleName: 'toolkit-role',
      path: '/people/',
      description: 'for people',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      inlinePolicies: {
        logs: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['logs:GetLogEvents'], resources: ['*'] })] }),
      },
      maxSessionDuration: Duration.hours(4),
      permissionsBoundary: boundary,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'toolkit-role',
      Path: '/people/',
      Description: 'for people',
      MaxSessionDuration: 14400,
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] }],
      Policies: [{ PolicyName: 'logs', PolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Action: 'logs:GetLogEvents' })] }) }],
      PermissionsBoundary: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:policy/boundary']] },
    });
  });

  test('is usable wherever an iam.IRole is', () => {
    const stack = newStack();
    const role: iam.IRole = new MfaRequiredRole(stack, 'Role', { trustAccount: true, roleName: 'toolkit-role' });
    expect(stack.resolve(role.roleName)).toEqual({ Ref: 'Role1ABCC5F0' });
    expect(role.grantPrincipal).toBe(role);
  });

  test('grantAssumeRole puts the MFA condition on the grantee statement', () => {
    const stack = newStack();
    const role = new MfaRequiredRole(stack, 'Role', { trustAccount: true, maxMfaAge: Duration.minutes(30) });
    const user = new iam.User(stack, 'User');
    role.grantAssumeRole(user);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Users: [{ Ref: 'User00B015A1' }],
      PolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': ['Role1ABCC5F0', 'Arn'] },
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '1800' } },
        }],
      },
    });
  });

  test('accepts a later trust statement that carries the MFA condition', () => {
    const stack = newStack();
    const role = new MfaRequiredRole(stack, 'Role', { trustAccount: true });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      principals: [new iam.AccountPrincipal('333333333333')],
      conditions: MFA_WITHIN_AN_HOUR,
    }));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('fails synth when a trust statement without MFA is added later', () => {
    const stack = newStack();
    const role = new MfaRequiredRole(stack, 'Role', { trustAccount: true });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      principals: [new iam.AccountPrincipal('333333333333')],
    }));
    expect(() => Template.fromStack(stack)).toThrow(
      'Trust policy statement 2 of Stack/Role allows AWS arn:${AWS::Partition}:iam::333333333333:root '
      + 'to sts:AssumeRole '
      + 'without MFA: an MfaRequiredRole only takes trust statements with Bool aws:MultiFactorAuthPresent "true" '
      + '(use iam.PrincipalWithConditions or the trustedPrincipals prop)');
  });

  test('fails synth when a service principal is trusted later', () => {
    const stack = newStack();
    const role = new MfaRequiredRole(stack, 'Role', { trustAccount: true });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      principals: [new iam.ServicePrincipal('lambda.amazonaws.com')],
    }));
    expect(() => Template.fromStack(stack)).toThrow('Trust policy statement 2 of Stack/Role allows Service lambda.amazonaws.com '
      + 'to sts:AssumeRole without MFA: an MfaRequiredRole only takes trust statements with Bool aws:MultiFactorAuthPresent "true" '
      + '(use iam.PrincipalWithConditions or the trustedPrincipals prop)');
  });

  test('fails synth when a later trust statement uses BoolIfExists, which lets long-term keys in', () => {
    const stack = newStack();
    const role = new MfaRequiredRole(stack, 'Role', { trustAccount: true });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      principals: [new iam.AccountPrincipal('333333333333')],
      conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } },
    }));
    expect(() => Template.fromStack(stack)).toThrow('Trust policy statement 2 of Stack/Role allows '
      + 'AWS arn:${AWS::Partition}:iam::333333333333:root to sts:AssumeRole with BoolIfExists '
      + 'aws:MultiFactorAuthPresent, which long-term access keys pass (the key is absent for them): an MfaRequiredRole only takes '
      + 'Bool aws:MultiFactorAuthPresent "true"');
  });

  test('fails synth when a later trust statement escapes the maxMfaAge bound, one hour by default', () => {
    const stack = newStack();
    const role = new MfaRequiredRole(stack, 'Role', { trustAccount: true });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      principals: [new iam.AccountPrincipal('333333333333')],
      conditions: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    }));
    expect(() => Template.fromStack(stack)).toThrow('Trust policy statement 2 of Stack/Role allows '
      + 'AWS arn:${AWS::Partition}:iam::333333333333:root to sts:AssumeRole with an MFA sign-in '
      + 'older than maxMfaAge (3600 seconds): add NumericLessThan aws:MultiFactorAuthAge "3600" to the statement');
  });

  test('fails to grant assume to a service principal', () => {
    const stack = newStack();
    const role = new MfaRequiredRole(stack, 'Role', { trustAccount: true });
    expect(() => role.grantAssumeRole(new iam.ServicePrincipal('lambda.amazonaws.com'))).toThrow(
      'Cannot grant ServicePrincipal(lambda.amazonaws.com) permission to assume Stack/Role: service and account principals cannot use MFA; '
      + 'trust an account with trustAccount instead');
  });

  test('fails with an account id that is not 12 digits', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustAccount: true, trustedAccount: '12345' })).toThrow(
      "trustedAccount must be a 12-digit AWS account id, but got '12345'");
  });

  test('fails with an empty trustedPrincipals list', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustedPrincipals: [] })).toThrow(
      'trustedPrincipals must name at least one principal');
  });

  test('fails with a maxMfaAge of zero', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustAccount: true, maxMfaAge: Duration.seconds(0) })).toThrow(
      'maxMfaAge must be a whole number of seconds from 1 to 129600, but got 0');
  });

  test('fails with a maxMfaAge over 36 hours', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustAccount: true, maxMfaAge: Duration.hours(37) })).toThrow(
      'maxMfaAge must be a whole number of seconds from 1 to 129600, but got 133200');
  });

  test('fails with a maxMfaAge of a fraction of a second', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustAccount: true, maxMfaAge: Duration.millis(1500) })).toThrow(
      'maxMfaAge must be a whole number of seconds from 1 to 129600, but got 1.5');
  });

  test('fails with a maxSessionDuration over 12 hours', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustAccount: true, maxSessionDuration: Duration.hours(13) })).toThrow(
      'maxSessionDuration is set to 46800, but must be >= 3600sec (1hr) and <= 43200sec (12hrs)');
  });

  test('fails with a role name that IAM rejects', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustAccount: true, roleName: 'toolkit role' })).toThrow(
      "roleName must be 1 to 64 characters of letters, digits and _+=,.@- but got 'toolkit role'");
  });

  test('fails with a role path that does not end with a slash', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustAccount: true, path: '/people' })).toThrow(
      'Role path must be either a slash or valid characters (alphanumerics and symbols) surrounded by slashes. '
      + 'Valid characters are unicode characters in [\\u0021-\\u007F]. However, /people is provided.');
  });

  test('fails synth when the trust policy exceeds 2048 characters', () => {
    const stack = newStack();
    const principals = Array.from({ length: 40 }, (_, i) => new iam.ArnPrincipal(`arn:aws:iam::111111111111:user/user-number-${i}`));
    new MfaRequiredRole(stack, 'Role', { trustedPrincipals: principals });
    expect(() => Template.fromStack(stack)).toThrow(
      "The trust policy of Stack/Role is 11268 characters, over IAM's limit of 2048 characters (not counting white space)");
  });

  test('fails synth when the inline policies exceed 10240 characters', () => {
    const stack = newStack();
    const statements = Array.from({ length: 120 }, (_, i) =>
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bucket-number-${i}/*`] }));
    new MfaRequiredRole(stack, 'Role', { trustAccount: true, inlinePolicies: { big: new iam.PolicyDocument({ statements }) } });
    expect(() => Template.fromStack(stack)).toThrow(
      "The combined size of the inline policies of Stack/Role is 10608 characters, over IAM's limit of 10240 characters (not counting white space)");
  });

  test('skips validation of values only known at deploy time', () => {
    const stack = newStack();
    new MfaRequiredRole(stack, 'Role', { trustAccount: true, trustedAccount: Aws.ACCOUNT_ID });
    expect(trustStatements(stack)[0].Principal).toEqual({
      AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
    });
  });

  test('fails to revoke sessions when an inline policy of its own is named RevokeSessions', () => {
    const doc = new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['logs:GetLogEvents'], resources: ['*'] })] });
    const role = new MfaRequiredRole(newStack(), 'Role', { trustAccount: true, inlinePolicies: { RevokeSessions: doc } });
    expect(() => role.revokeSessions({ issuedBefore: '2026-12-01T12:00:00Z' })).toThrow(
      'Stack/Role has an inline policy named RevokeSessions, the name of the policy that revokes its sessions: give that policy another name');
  });
});
