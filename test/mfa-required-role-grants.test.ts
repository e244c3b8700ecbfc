import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MfaRequiredRole } from '../lib';
import { MFA_WITHIN_AN_HOUR, newStack } from './support/stacks';

// #9.4: no trust of anyone (*), and every way aws-cdk-lib offers to grant sts:AssumeRole on the role keeps MFA.

/** The identity statements that allow sts:AssumeRole (with anything else) in a stack. */
function assumeStatements(stack: Stack): any[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .filter((st: any) => [st.Action].flat().includes('sts:AssumeRole'));
}

describe('MfaRequiredRole trust of anyone', () => {
  test.each([
    ['AnyPrincipal', () => new iam.AnyPrincipal(), '{"AWS":["*"]}'],
    ['StarPrincipal', () => new iam.StarPrincipal(), '{"LiteralString":["*"]}'],
    ['ArnPrincipal(*)', () => new iam.ArnPrincipal('*'), '{"AWS":["*"]}'],
  ])('fails for %s, naming it', (_, principal, json) => {
    const p = principal();
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustedPrincipals: [p] })).toThrow(
      `trustedPrincipals[0] is ${p} (Principal ${json}), which would let every AWS account assume the role with an MFA device of its own: `
      + 'name the users, roles or accounts to trust (trustedPrincipals, trustedAccount)');
  });

  test('fails for an OrganizationPrincipal: every account of the organization', () => {
    expect(() => new MfaRequiredRole(newStack(), 'Role', { trustedPrincipals: [new iam.OrganizationPrincipal('o-abcdefghij')] }))
      .toThrow(/^trustedPrincipals\[0\] is OrganizationPrincipal\(o-abcdefghij\) \(Principal \{"AWS":\["\*"\]\}\), which would let every AWS account of the organization assume the role/);
  });

  test('fails synth for a trust statement added later for *, even with MFA', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = new MfaRequiredRole(stack, 'Role', { trustAccount: true });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'], principals: [new iam.AnyPrincipal()], conditions: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    }));
    expect(() => app.synth()).toThrow(/Trust policy statement 2 of Stack\/Role allows AWS \* to sts:AssumeRole: an MfaRequiredRole trusts only named principals or accounts, never \*/);
  });

  test('trusts a principal of another account', () => {
    const stack = newStack();
    new MfaRequiredRole(stack, 'Role', { trustedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::222222222222:role/ci')] });
    expect(Template.fromStack(stack).toJSON().Resources.Role1ABCC5F0.Properties.AssumeRolePolicyDocument.Statement[0].Principal)
      .toEqual({ AWS: 'arn:aws:iam::222222222222:role/ci' });
  });
});

describe('MfaRequiredRole grants of sts:AssumeRole', () => {
  const setup = () => {
    const stack = newStack();
    const user = new iam.User(stack, 'User', { userName: 'alice' });
    const role = new MfaRequiredRole(stack, 'Role', { trustedPrincipals: [user] });
    return { stack, user, role };
  };

  test('role.grants.assumeRole (the newer grants API) puts the MFA condition on the grantee\'s statement', () => {
    const { stack, user, role } = setup();
    role.grants.assumeRole(user);
    expect(assumeStatements(stack).map((st) => st.Condition)).toEqual([MFA_WITHIN_AN_HOUR]);
  });

  test('role.grant(principal, \'sts:AssumeRole\') and role.grantAssumeRole put it there too', () => {
    const { stack, user, role } = setup();
    role.grant(user, 'sts:AssumeRole');
    role.grantAssumeRole(new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal() }));
    expect(assumeStatements(stack).map((st) => st.Condition)).toEqual([MFA_WITHIN_AN_HOUR, MFA_WITHIN_AN_HOUR]);
  });

  test('fails synth for a grant written past the role (iam.RoleGrants.fromRole, iam.Grant.addToPrincipal), naming the policy', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const user = new iam.User(stack, 'User', { userName: 'alice' });
    const role = new MfaRequiredRole(stack, 'Role', { trustedPrincipals: [user] });
    iam.RoleGrants.fromRole(role).assumeRole(user);
    expect(() => app.synth()).toThrow('Stack/User/DefaultPolicy/Resource allows sts:AssumeRole on Stack/Role without Bool '
      + 'aws:MultiFactorAuthPresent "true" (missing): grant it with role.grantAssumeRole(principal) or role.grants.assumeRole(principal), which '
      + 'add the MFA condition');
  });
});
