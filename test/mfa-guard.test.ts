import { App, AspectPriority, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createExampleApp } from '../bin/app';
import { MfaDelegation, MfaGuard, MfaGuardProps, MfaRequiredRole, MfaUser } from '../lib';
import { CONFIGURATIONS } from './support/configurations';
import { MFA } from './support/stacks';

const ROOT = 'AWS arn:${AWS::Partition}:iam::${AWS::AccountId}:root';
const TRUST_FIX = 'put the condition Bool aws:MultiFactorAuthPresent "true" on that principal, '
  + 'e.g. new iam.PrincipalWithConditions(principal, { Bool: { \'aws:MultiFactorAuthPresent\': \'true\' } }), or use MfaRequiredRole';
const POLICY_FIX = 'add the condition Bool aws:MultiFactorAuthPresent "true" to the statement (as MfaRequiredRole.grantAssumeRole and '
  + 'MfaUser.allowAssume do)';

/** Error annotations of a stack built by `build`, with MfaGuard applied to the app: `[path, message]` pairs. */
function guardErrors(build: (stack: Stack) => void, props?: MfaGuardProps): Array<[string, string]> {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  build(stack);
  Aspects.of(app).add(new MfaGuard(props), { priority: AspectPriority.READONLY });
  return Annotations.fromStack(stack).findError('*', Match.anyValue()).map((m) => [m.id, m.entry.data as string]);
}

function trustError(path: string, principal: string, statement = 1): [string, string] {
  return [`/Stack/${path}`, `Role Stack/${path} lets ${principal} assume it without MFA (trust policy statement ${statement}): ${TRUST_FIX}`];
}

function rawRole(stack: Stack, id: string, statements: any[]): iam.CfnRole {
  return new iam.CfnRole(stack, id, { assumeRolePolicyDocument: { Version: '2012-10-17', Statement: statements } });
}

function rawTrust(principal: any, condition?: any, action: any = 'sts:AssumeRole'): any {
  return { Effect: 'Allow', Action: action, Principal: principal, ...(condition ? { Condition: condition } : {}) };
}

describe('MfaGuard', () => {
  describe('passes', () => {
    test('the example app', () => {
      // GIVEN
      const app = createExampleApp();
      const stack = app.node.findChild('MfaDelegationExample') as Stack;
      // WHEN
      Aspects.of(app).add(new MfaGuard());
      // THEN
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    });

    test.each(CONFIGURATIONS.slice(1))('$name', (config) => {
      const app = config.createApp();
      Aspects.of(app).add(new MfaGuard(), { priority: AspectPriority.READONLY });
      expect(Annotations.fromStack(app.node.findChild(config.stackName) as Stack).findError('*', Match.anyValue())).toEqual([]);
    });

    test('every MfaDelegation configuration: trusted account, maxMfaAge, existing user, console access', () => {
      expect(guardErrors((stack) => {
        new MfaDelegation(stack, 'Account', { trustedAccount: '222222222222' });
        new MfaDelegation(stack, 'Aged', { maxMfaAge: Duration.hours(1) });
        new MfaDelegation(stack, 'Existing', { user: iam.User.fromUserName(stack, 'Alice', 'alice') });
        new MfaDelegation(stack, 'Console', { consoleAccess: true });
      })).toEqual([]);
    });

    test('MfaRequiredRole with given principals and an MfaUser that may assume it', () => {
      expect(guardErrors((stack) => {
        const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal().withConditions(MFA) });
        const role = new MfaRequiredRole(stack, 'Role', { trustedPrincipals: [operator, new iam.ArnPrincipal('arn:aws:iam::222222222222:user/bob')] });
        new MfaUser(stack, 'User', { roles: [role] });
        role.grantAssumeRole(operator);
      })).toEqual([]);
    });

    test('a plain iam.Role whose principal carries Bool aws:MultiFactorAuthPresent "true"', () => {
      expect(guardErrors((stack) => {
        new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal().withConditions(MFA) });
        new iam.Role(stack, 'Boolean', { assumedBy: new iam.AccountRootPrincipal().withConditions({ Bool: { 'aws:multifactorauthpresent': true } }) });
      })).toEqual([]);
    });

    test('service and federated principals, and a Lambda service role that may assume roles without MFA', () => {
      expect(guardErrors((stack) => {
        const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};') });
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] }));
        new iam.Role(stack, 'Oidc', { assumedBy: new iam.WebIdentityPrincipal('cognito-identity.amazonaws.com') });
        const service = new iam.Role(stack, 'Service', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
        new iam.ManagedPolicy(stack, 'ServicePolicy', { roles: [service], statements: [new iam.PolicyStatement({ actions: ['sts:*'], resources: ['*'] })] });
        service.addManagedPolicy(new iam.ManagedPolicy(stack, 'AttachedByRole', {
          statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] })],
        }));
      })).toEqual([]);
    });

    test('a trust policy whose Deny blocks sts:AssumeRole for everyone with BoolIfExists aws:MultiFactorAuthPresent "false"', () => {
      expect(guardErrors((stack) => rawRole(stack, 'Role', [
        rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }),
        { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { AWS: '*' }, Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
      ]))).toEqual([]);
    });

    test('an identity policy that allows other sts actions, or denies sts:AssumeRole, without MFA', () => {
      expect(guardErrors((stack) => {
        const user = new iam.User(stack, 'User');
        user.addToPolicy(new iam.PolicyStatement({ actions: ['sts:GetCallerIdentity', 'sts:TagSession', 'sts:AssumeRoleWithWebIdentity'], resources: ['*'] }));
        user.addToPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['sts:AssumeRole'], resources: ['*'] }));
      })).toEqual([]);
    });

    test('identity policies when checkIdentityPolicies is false', () => {
      expect(guardErrors((stack) => {
        new iam.User(stack, 'User').addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] }));
      }, { checkIdentityPolicies: false })).toEqual([]);
    });
  });

  describe('trust policies', () => {
    test('fails on a plain iam.Role that trusts its account without MFA', () => {
      expect(guardErrors((stack) => new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() })))
        .toEqual([trustError('Admin/Resource', ROOT)]);
    });

    test('fails on a plain iam.Role that trusts an IAM user of the stack without MFA', () => {
      expect(guardErrors((stack) => new iam.Role(stack, 'Role', { assumedBy: new iam.User(stack, 'Alice') })))
        .toEqual([trustError('Role/Resource', 'AWS ${AliceD4D33764.Arn}')]);
    });

    test('fails on a plain iam.Role that trusts another account\'s role by ARN without MFA', () => {
      expect(guardErrors((stack) => new iam.Role(stack, 'Role', { assumedBy: new iam.ArnPrincipal('arn:aws:iam::222222222222:role/ci') })))
        .toEqual([trustError('Role/Resource', 'AWS arn:aws:iam::222222222222:role/ci')]);
    });

    test('fails on a plain iam.Role that trusts anyone', () => {
      expect(guardErrors((stack) => new iam.Role(stack, 'Role', { assumedBy: new iam.AnyPrincipal() })))
        .toEqual([trustError('Role/Resource', 'AWS *')]);
    });

    test('fails on Principal "*" and on NotPrincipal', () => {
      expect(guardErrors((stack) => {
        rawRole(stack, 'Star', [rawTrust('*')]);
        rawRole(stack, 'Not', [{ Effect: 'Allow', Action: 'sts:AssumeRole', NotPrincipal: { AWS: 'arn:aws:iam::111111111111:user/eve' } }]);
      })).toEqual([
        trustError('Star', '*'),
        trustError('Not', 'every principal but AWS arn:aws:iam::111111111111:user/eve'),
      ]);
    });

    test('fails on BoolIfExists aws:MultiFactorAuthPresent "true", which lets long-term access keys in', () => {
      expect(guardErrors((stack) => rawRole(stack, 'Role', [
        rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }, { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } }),
      ]))).toEqual([['/Stack/Role', 'Role Stack/Role lets AWS arn:aws:iam::111111111111:root assume it with BoolIfExists '
        + 'aws:MultiFactorAuthPresent (trust policy statement 1), which also admits long-term access keys without MFA: '
        + 'use Bool aws:MultiFactorAuthPresent "true" instead']]);
    });

    test('fails on Bool aws:MultiFactorAuthPresent "false" and on a condition on another key', () => {
      expect(guardErrors((stack) => rawRole(stack, 'Role', [
        rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }, { Bool: { 'aws:MultiFactorAuthPresent': 'false' } }),
        rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }, { Bool: { 'aws:SecureTransport': 'true' } }),
        rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }, { Bool: { 'aws:MultiFactorAuthPresent': ['true', 'false'] } }),
      ]))).toEqual([1, 2, 3].map((n) => trustError('Role', 'AWS arn:aws:iam::111111111111:root', n)));
    });

    test('fails on an unconditioned statement added beside the MFA one (aws-cdk issue 5793)', () => {
      expect(guardErrors((stack) => {
        const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal().withConditions(MFA) });
        role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ArnPrincipal('arn:aws:iam::111111111111:user/eve')] }));
      })).toEqual([trustError('Role/Resource', 'AWS arn:aws:iam::111111111111:user/eve', 2)]);
    });

    test('fails on the AWS part of a principal that mixes a service and an account', () => {
      expect(guardErrors((stack) => new iam.Role(stack, 'Role', {
        assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('ec2.amazonaws.com'), new iam.AccountPrincipal('222222222222')),
      }))).toEqual([trustError('Role/Resource', 'AWS arn:${AWS::Partition}:iam::222222222222:root', 2)]);
    });

    test('fails on wildcard and NotAction grants that cover sts:AssumeRole', () => {
      expect(guardErrors((stack) => rawRole(stack, 'Role', [
        rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }, undefined, 'sts:*'),
        rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }, undefined, '*'),
        rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }, undefined, ['sts:TagSession', 'STS:ASSUME?OLE']),
        { Effect: 'Allow', NotAction: 'sts:TagSession', Principal: { AWS: 'arn:aws:iam::111111111111:root' } },
      ]))).toEqual([1, 2, 3, 4].map((n) => trustError('Role', 'AWS arn:aws:iam::111111111111:root', n)));
    });

    test('fails on a trust policy whose Deny uses Bool instead of BoolIfExists, so long-term keys are not denied', () => {
      expect(guardErrors((stack) => rawRole(stack, 'Role', [
        rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }),
        { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } },
      ]))).toEqual([trustError('Role', 'AWS arn:aws:iam::111111111111:root')]);
    });
  });

  describe('identity policies', () => {
    test('fails on an iam.Policy of a user that allows sts:AssumeRole without MFA', () => {
      expect(guardErrors((stack) => {
        new iam.User(stack, 'User').addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::111111111111:role/admin'] }));
      })).toEqual([['/Stack/User/DefaultPolicy/Resource', 'Statement 1 of policy Stack/User/DefaultPolicy/Resource (UserDefaultPolicy1F97781E) allows '
        + `sts:AssumeRole on arn:aws:iam::111111111111:role/admin without MFA: ${POLICY_FIX}`]]);
    });

    test('fails on grantAssumeRole of a plain iam.Role to a user', () => {
      expect(guardErrors((stack) => {
        const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal().withConditions(MFA) });
        role.grantAssumeRole(new iam.User(stack, 'User'));
      })).toEqual([['/Stack/User/DefaultPolicy/Resource', 'Statement 1 of policy Stack/User/DefaultPolicy/Resource (UserDefaultPolicy1F97781E) allows '
        + `sts:AssumeRole on \${Role1ABCC5F0.Arn} without MFA: ${POLICY_FIX}`]]);
    });

    test('fails on BoolIfExists in an identity policy', () => {
      expect(guardErrors((stack) => {
        new iam.User(stack, 'User').addToPolicy(new iam.PolicyStatement({
          actions: ['sts:AssumeRole'], resources: ['*'], conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } },
        }));
      })).toEqual([['/Stack/User/DefaultPolicy/Resource', 'Statement 1 of policy Stack/User/DefaultPolicy/Resource (UserDefaultPolicy1F97781E) allows '
        + 'sts:AssumeRole on * with BoolIfExists aws:MultiFactorAuthPresent, which also admits long-term access keys without MFA: '
        + `${POLICY_FIX}`]]);
    });

    test('fails on a group\'s policy and on a managed policy attached to nothing', () => {
      expect(guardErrors((stack) => {
        new iam.Group(stack, 'Group').addToPolicy(new iam.PolicyStatement({ actions: ['sts:*'], resources: ['*'] }));
        new iam.ManagedPolicy(stack, 'Loose', { managedPolicyName: 'loose', statements: [new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['*'] })] });
      })).toEqual([
        ['/Stack/Loose/Resource', `Statement 1 of policy Stack/Loose/Resource (loose) allows every action but iam:* on * without MFA: ${POLICY_FIX}`],
        ['/Stack/Group/DefaultPolicy/Resource', 'Statement 1 of policy Stack/Group/DefaultPolicy/Resource (GroupDefaultPolicy402C318A) allows '
          + `sts:* on * without MFA: ${POLICY_FIX}`],
      ]);
    });

    test('fails on inline Policies of an L1 user and of a role that its account can assume', () => {
      const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
      expect(guardErrors((stack) => {
        new iam.CfnUser(stack, 'User', { policies: [{ policyName: 'everything', policyDocument: document }] });
        new iam.Role(stack, 'Role', {
          assumedBy: new iam.AccountRootPrincipal().withConditions(MFA),
          inlinePolicies: { chain: iam.PolicyDocument.fromJson(document) },
        });
      })).toEqual([
        ['/Stack/User', `Statement 1 of inline policy everything of Stack/User allows * on * without MFA: ${POLICY_FIX}`],
        ['/Stack/Role/Resource', `Statement 1 of inline policy chain of Stack/Role/Resource allows * on * without MFA: ${POLICY_FIX}`],
      ]);
    });

    test('fails on AWS::IAM::UserPolicy and on a RolePolicy of a role its account can assume, not on a RolePolicy of a service role', () => {
      const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };
      expect(guardErrors((stack) => {
        const user = new iam.User(stack, 'User', { userName: 'alice' });
        new iam.CfnUserPolicy(stack, 'UserPolicy', { userName: user.userName, policyName: 'assume', policyDocument: document });
        const chained = new iam.Role(stack, 'Chained', { assumedBy: new iam.AccountRootPrincipal().withConditions(MFA) });
        new iam.CfnRolePolicy(stack, 'ChainedPolicy', { roleName: chained.roleName, policyName: 'chain', policyDocument: document });
        const service = new iam.Role(stack, 'Service', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
        new iam.CfnRolePolicy(stack, 'ServicePolicy', { roleName: service.roleName, policyName: 'service', policyDocument: document });
      })).toEqual([
        ['/Stack/UserPolicy', `Statement 1 of policy Stack/UserPolicy (assume) allows sts:AssumeRole on * without MFA: ${POLICY_FIX}`],
        ['/Stack/ChainedPolicy', `Statement 1 of policy Stack/ChainedPolicy (chain) allows sts:AssumeRole on * without MFA: ${POLICY_FIX}`],
      ]);
    });

    test('fails on a managed policy shared by a service role and a user', () => {
      expect(guardErrors((stack) => {
        const service = new iam.Role(stack, 'Service', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
        const user = new iam.User(stack, 'User');
        new iam.ManagedPolicy(stack, 'Shared', {
          managedPolicyName: 'shared',
          roles: [service],
          users: [user],
          statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] })],
        });
      })).toEqual([['/Stack/Shared/Resource', `Statement 1 of policy Stack/Shared/Resource (shared) allows sts:AssumeRole on * without MFA: ${POLICY_FIX}`]]);
    });
  });
});
