import * as fs from 'fs';
import { join } from 'path';
import { AspectPriority, Aspects, CfnOutput, CfnParameter, CfnResource, CfnStackSet, Duration, Fn, NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { createExampleApp } from '../bin/app';
import { MfaDelegation, MfaGuard, MfaGuardProps, MfaRequiredRole, MfaRoleStackSet, MfaRoleStackSetTarget, MfaTeam, MfaUser, VirtualMfaDevice } from '../lib';
import { ACCOUNT } from './support/concrete-template';
import { CONFIGURATIONS } from './support/configurations';
import { guardApp, GuardFinding, guardFindings, readGuardReport } from './support/guard';
import { simulate } from './support/iam-simulation';
import { MFA } from './support/stacks';
import { KNOWN_AWS_MANAGED_POLICIES } from '../lib/private/aws-managed-policies';

const ROOT = 'AWS arn:${AWS::Partition}:iam::${AWS::AccountId}:root';
const TRUST_FIX = 'Put the condition Bool aws:MultiFactorAuthPresent "true" on that principal, '
  + 'e.g. new iam.PrincipalWithConditions(principal, { Bool: { \'aws:MultiFactorAuthPresent\': \'true\' } }), or use MfaRequiredRole';
const POLICY_FIX = 'Add the condition Bool aws:MultiFactorAuthPresent "true" to the statement (as MfaRequiredRole.grantAssumeRole and '
  + 'MfaUser.allowAssume do)';

const MANAGED_FIXTURES = join(__dirname, 'fixtures', 'aws-managed-policies');
/** A resource for each example action of KNOWN_AWS_MANAGED_POLICIES (by service, or by action). */
const EXAMPLE_RESOURCES: Record<string, string> = {
  'iam:CreateAccessKey': `arn:aws:iam::${ACCOUNT}:user/alice`,
  'iam:GetAccountAuthorizationDetails': '*',
  'secretsmanager': `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:payroll-AbCdEf`,
  'sts': `arn:aws:iam::${ACCOUNT}:role/admin`,
  'lambda': `arn:aws:lambda:us-east-1:${ACCOUNT}:function:payroll`,
  'cloudformation': `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/Payroll/11111111-2222-3333-4444-555555555555`,
  's3': 'arn:aws:s3:::payroll/2026.csv',
};

/** MfaGuard's findings for a stack built by `build`, the guard registered on its app as a validation plugin. */
function guardErrors(build: (stack: Stack) => void, props?: MfaGuardProps): GuardFinding[] {
  const app = guardApp();
  build(new Stack(app, 'Stack'));
  return guardFindings(app, props);
}

function trustError(path: string, principal: string, statement = 1): GuardFinding {
  return ['TrustWithoutMfa', `Stack/${path}`, `Role Stack/${path} lets ${principal} assume it without MFA (trust policy statement ${statement}). ${TRUST_FIX}`];
}

function policyError(path: string, text: string): GuardFinding {
  return ['AssumeWithoutMfa', `Stack/${path}`, `${text}. ${POLICY_FIX}`];
}

/** A user of the account, by ARN: a principal narrower than the account. */
function alice(): iam.ArnPrincipal {
  return new iam.ArnPrincipal('arn:aws:iam::111111111111:user/alice');
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
      expect(guardFindings(createExampleApp({ outdir: guardApp().outdir, builtinCloudFormationValidation: false }))).toEqual([]);
    });

    test.each(CONFIGURATIONS.slice(1))('$name', (config) => {
      expect(guardFindings(config.createApp({ outdir: guardApp().outdir, builtinCloudFormationValidation: false }))).toEqual([]);
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
        const operator = new iam.Role(stack, 'Operator', { assumedBy: alice().withConditions(MFA) });
        const role = new MfaRequiredRole(stack, 'Role', { trustedPrincipals: [operator, new iam.ArnPrincipal('arn:aws:iam::222222222222:user/bob')] });
        new MfaUser(stack, 'User', { roles: [role] });
        role.grantAssumeRole(operator);
      })).toEqual([]);
    });

    test('a plain iam.Role whose principal carries Bool aws:MultiFactorAuthPresent "true"', () => {
      expect(guardErrors((stack) => {
        new iam.Role(stack, 'Role', { assumedBy: alice().withConditions(MFA) });
        new iam.Role(stack, 'Boolean', { assumedBy: alice().withConditions({ Bool: { 'aws:multifactorauthpresent': true } }) });
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
        rawTrust({ AWS: 'arn:aws:iam::111111111111:user/alice' }),
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
        trustError('Not', 'every principal but AWS arn:aws:iam::111111111111:user/eve'),
        trustError('Star', '*'),
      ]);
    });

    test('fails on BoolIfExists aws:MultiFactorAuthPresent "true", which lets long-term access keys in', () => {
      expect(guardErrors((stack) => rawRole(stack, 'Role', [
        rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }, { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } }),
      ]))).toEqual([['TrustWithoutMfa', 'Stack/Role', 'Role Stack/Role lets AWS arn:aws:iam::111111111111:root assume it with BoolIfExists '
        + 'aws:MultiFactorAuthPresent (trust policy statement 1), which also admits long-term access keys without MFA. '
        + 'Use Bool aws:MultiFactorAuthPresent "true" instead']]);
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
        const role = new iam.Role(stack, 'Role', { assumedBy: alice().withConditions(MFA) });
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
      })).toEqual([policyError('User/DefaultPolicy/Resource', 'Statement 1 of policy Stack/User/DefaultPolicy/Resource (UserDefaultPolicy1F97781E) allows '
        + 'sts:AssumeRole on arn:aws:iam::111111111111:role/admin without MFA')]);
    });

    test('fails on grantAssumeRole of a plain iam.Role to a user', () => {
      expect(guardErrors((stack) => {
        const role = new iam.Role(stack, 'Role', { assumedBy: alice().withConditions(MFA) });
        role.grantAssumeRole(new iam.User(stack, 'User'));
      })).toEqual([policyError('User/DefaultPolicy/Resource', 'Statement 1 of policy Stack/User/DefaultPolicy/Resource (UserDefaultPolicy1F97781E) allows '
        + 'sts:AssumeRole on ${Role1ABCC5F0.Arn} without MFA')]);
    });

    test('fails on BoolIfExists in an identity policy', () => {
      expect(guardErrors((stack) => {
        new iam.User(stack, 'User').addToPolicy(new iam.PolicyStatement({
          actions: ['sts:AssumeRole'], resources: ['*'], conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } },
        }));
      })).toEqual([policyError('User/DefaultPolicy/Resource', 'Statement 1 of policy Stack/User/DefaultPolicy/Resource (UserDefaultPolicy1F97781E) allows '
        + 'sts:AssumeRole on * with BoolIfExists aws:MultiFactorAuthPresent, which also admits long-term access keys without MFA')]);
    });

    test('fails on a group\'s policy and on a managed policy attached to nothing', () => {
      expect(guardErrors((stack) => {
        new iam.Group(stack, 'Group').addToPolicy(new iam.PolicyStatement({ actions: ['sts:*'], resources: ['*'] }));
        new iam.ManagedPolicy(stack, 'Loose', { managedPolicyName: 'loose', statements: [new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['*'] })] });
      })).toEqual([
        policyError('Group/DefaultPolicy/Resource', 'Statement 1 of policy Stack/Group/DefaultPolicy/Resource (GroupDefaultPolicy402C318A) allows '
          + 'sts:* on * without MFA'),
        policyError('Loose/Resource', 'Statement 1 of policy Stack/Loose/Resource (loose) allows every action but iam:* on * without MFA'),
      ]);
    });

    test('fails on inline Policies of an L1 user and of a role that its account can assume', () => {
      const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
      expect(guardErrors((stack) => {
        new iam.CfnUser(stack, 'User', { policies: [{ policyName: 'everything', policyDocument: document }] });
        new iam.Role(stack, 'Role', {
          assumedBy: alice().withConditions(MFA),
          inlinePolicies: { chain: iam.PolicyDocument.fromJson(document) },
        });
      })).toEqual([
        policyError('Role/Resource', 'Statement 1 of inline policy chain of Stack/Role/Resource allows * on * without MFA'),
        policyError('User', 'Statement 1 of inline policy everything of Stack/User allows * on * without MFA'),
      ]);
    });

    test('fails on AWS::IAM::UserPolicy and on a RolePolicy of a role its account can assume, not on a RolePolicy of a service role', () => {
      const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };
      expect(guardErrors((stack) => {
        const user = new iam.User(stack, 'User', { userName: 'alice' });
        new iam.CfnUserPolicy(stack, 'UserPolicy', { userName: user.userName, policyName: 'assume', policyDocument: document });
        const chained = new iam.Role(stack, 'Chained', { assumedBy: alice().withConditions(MFA) });
        new iam.CfnRolePolicy(stack, 'ChainedPolicy', { roleName: chained.roleName, policyName: 'chain', policyDocument: document });
        const service = new iam.Role(stack, 'Service', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
        new iam.CfnRolePolicy(stack, 'ServicePolicy', { roleName: service.roleName, policyName: 'service', policyDocument: document });
      })).toEqual([
        policyError('ChainedPolicy', 'Statement 1 of policy Stack/ChainedPolicy (chain) allows sts:AssumeRole on * without MFA'),
        policyError('UserPolicy', 'Statement 1 of policy Stack/UserPolicy (assume) allows sts:AssumeRole on * without MFA'),
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
      })).toEqual([policyError('Shared/Resource', 'Statement 1 of policy Stack/Shared/Resource (shared) allows sts:AssumeRole on * without MFA')]);
    });
  });

  describe('whole-account trust (#17.2)', () => {
    const WHOLE_FIX = 'Trust the principals who need the role (MfaRequiredRole\'s trustedPrincipals, or a condition on aws:PrincipalArn), or '
      + 'acknowledge MfaGuard::TrustsWholeAccount on the role with the reason the whole account may assume it';
    const whole = (path: string, who: string, statement = 1): GuardFinding => ['TrustsWholeAccount', `Stack/${path}`, `Role Stack/${path} trusts ${who} `
      + `(trust policy statement ${statement}): with MFA, but anyone there whose own policies allow sts:AssumeRole on it (e.g. on *) assumes it `
      + `with an MFA device of their own. ${WHOLE_FIX}`];

    test('fails on a role that trusts its own account, another account by id or ARN, or anyone, with MFA', () => {
      expect(guardErrors((stack) => {
        new iam.Role(stack, 'Own', { assumedBy: new iam.AccountRootPrincipal().withConditions(MFA) });
        rawRole(stack, 'Id', [rawTrust({ AWS: '222222222222' }, MFA)]);
        rawRole(stack, 'Arn', [rawTrust({ AWS: ['arn:aws:iam::111111111111:user/alice', 'arn:aws:iam::222222222222:root'] }, MFA)]);
        rawRole(stack, 'Star', [rawTrust('*', MFA)]);
        rawRole(stack, 'Not', [{ Effect: 'Allow', Action: 'sts:AssumeRole', NotPrincipal: { AWS: 'arn:aws:iam::111111111111:user/eve' }, Condition: MFA }]);
      })).toEqual([
        whole('Arn', 'every principal of account 222222222222'),
        whole('Id', 'every principal of account 222222222222'),
        whole('Not', 'every principal but AWS arn:aws:iam::111111111111:user/eve'),
        whole('Own/Resource', 'every principal of its own account'),
        whole('Star', 'every AWS principal (Principal *)'),
      ]);
    });

    test('fails on a narrowing to every user of the account (aws:PrincipalArn user/*), and on the force-MFA Deny pattern with account trust', () => {
      expect(guardErrors((stack) => {
        rawRole(stack, 'Users', [rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }, { ...MFA, ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:user/*' } })]);
        rawRole(stack, 'Forced', [
          rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }),
          { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { AWS: '*' }, Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
        ]);
      })).toEqual([whole('Forced', 'every principal of account 111111111111'), whole('Users', 'every principal of account 111111111111')]);
    });

    test('passes a trust narrowed to a path or to named principals with aws:PrincipalArn, and a team\'s roles', () => {
      expect(guardErrors((stack) => {
        rawRole(stack, 'Path', [rawTrust({ AWS: 'arn:aws:iam::111111111111:root' }, { ...MFA, ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:user/ops/*' } })]);
        rawRole(stack, 'Named', [rawTrust({ AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
          { ...MFA, ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:user/alice', 'arn:aws:iam::111111111111:role/ci'] } })]);
        new MfaTeam(stack, 'Team', { roles: [{ name: 'reader' }], members: [{ userName: 'alice', roles: ['reader'], mfaSerial: 'GAHT12345678', accessKey: false }] });
      }).filter(([rule]) => rule !== 'SecretInTemplate')).toEqual([]);
    });

    test('fails closed on a principal imported from another stack, which may be an account', () => {
      expect(guardErrors((stack) => rawRole(stack, 'Role', [rawTrust({ AWS: Fn.importValue('ci-principal') }, MFA)]))).toEqual([['CannotEvaluate', 'Stack/Role',
        'MfaGuard cannot evaluate statement 1 of the trust policy of Stack/Role: the principal Fn::ImportValue(ci-principal), which may be a whole account. '
        + 'Write it as literal JSON (Fn::If is fine: both branches are checked; so is a JSON string), or acknowledge MfaGuard::CannotEvaluate on the '
        + 'resource with the reason it is safe']]);
    });

    test('an acknowledgement with a reason on the role lets synthesis pass, and the report lists it', () => {
      // GIVEN
      const app = guardApp();
      const stack = new Stack(app, 'Stack');
      const role = new iam.Role(stack, 'BreakGlass', { assumedBy: new iam.AccountRootPrincipal().withConditions(MFA) });
      Validations.of(role).acknowledge({ id: MfaGuard.TRUSTS_WHOLE_ACCOUNT, reason: 'Break-glass role: any administrator of the account, with MFA' });
      Validations.of(app).addPlugins(new MfaGuard());
      // WHEN
      const report = readGuardReport(app);
      // THEN
      expect(report).toEqual({
        findings: [],
        acknowledged: [['TrustsWholeAccount', 'Stack/BreakGlass/Resource', 'Break-glass role: any administrator of the account, with MFA']],
        synthFailed: false,
      });
    });

    test('an acknowledgement of another rule, or on another resource, does not hide the finding', () => {
      const app = guardApp();
      const stack = new Stack(app, 'Stack');
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal().withConditions(MFA) });
      const other = new iam.Role(stack, 'Other', { assumedBy: alice().withConditions(MFA) });
      Validations.of(role).acknowledge({ id: MfaGuard.CANNOT_EVALUATE, reason: 'wrong rule' });
      Validations.of(other).acknowledge({ id: MfaGuard.TRUSTS_WHOLE_ACCOUNT, reason: 'wrong resource' });
      expect(guardFindings(app).map(([rule, path]) => [rule, path])).toEqual([['TrustsWholeAccount', 'Stack/Role/Resource']]);
    });
  });

  describe('assume-only users (#10.3)', () => {
    const WIDENED_FIX = (at: string) => 'Grant the permissions to a role that the user assumes with MFA (e.g. MfaRequiredRole\'s managedPolicies or '
      + `role.addToPolicy) instead of to the user, or acknowledge MfaGuard::AssumeOnlyUserWidened on ${at} with the reason`;
    const widened = (path: string, user: string, what: string): GuardFinding => ['AssumeOnlyUserWidened', `Stack/${path}`,
      `The IAM user ${user} may only assume roles with MFA (it is an MfaUser's, MfaDelegation's or MfaTeam's user), but Stack/${path} ${what}. `
      + WIDENED_FIX(`Stack/${path}`)];

    function mfaUser(stack: Stack, props: { consoleAccess?: boolean } = {}): MfaUser {
      const role = new MfaRequiredRole(stack, 'Role', { trustedPrincipals: [alice()] });
      // Without an access key, someone else must read a first console password: a security role.
      const readers = props.consoleAccess ? { secretReaders: [iam.Role.fromRoleName(stack, 'Security', 'security')] } : {};
      return new MfaUser(stack, 'Bob', { userName: 'bob', accessKey: false, roles: [role], ...readers, ...props });
    }

    test('passes an MfaUser, a console MfaUser (iam:ChangePassword) and Deny statements added to one', () => {
      expect(guardErrors((stack) => {
        const bob = mfaUser(stack, { consoleAccess: true });
        bob.policy.addStatements(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['*'], resources: ['*'], conditions: { DateLessThan: { 'aws:TokenIssueTime': '2026-12-01T00:00:00Z' } } }));
      })).toEqual([]);
    });

    test('fails on a managed policy, an inline statement, a grant and a group added to an MfaUser, naming the user and what was added', () => {
      expect(guardErrors((stack) => {
        const bob = mfaUser(stack);
        bob.user.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
        bob.policy.addStatements(new iam.PolicyStatement({ actions: ['iam:ChangePassword'], resources: ['*'] }));
        bob.user.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::payroll/*'] }));
        const admins = new iam.Group(stack, 'Admins');
        admins.addToPolicy(new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['*'] }));
        bob.user.addToGroup(admins);
      })).toEqual([
        widened('Admins/DefaultPolicy/Resource', 'Stack/Bob/Resource/Resource',
          'gets statement 1 of policy Stack/Admins/DefaultPolicy/Resource (AdminsDefaultPolicy03950D6B) (through group Stack/Admins/Resource), which allows every action but iam:* on *'),
        policyError('Admins/DefaultPolicy/Resource', 'Statement 1 of policy Stack/Admins/DefaultPolicy/Resource (AdminsDefaultPolicy03950D6B) allows '
          + 'every action but iam:* on * without MFA'),
        widened('Bob/AssumeRolePolicy/Resource', 'Stack/Bob/Resource/Resource',
          'gets statement 2 of policy Stack/Bob/AssumeRolePolicy/Resource (BobAssumeRolePolicyC7149DAB), which allows iam:ChangePassword on *'),
        widened('Bob/Resource/DefaultPolicy/Resource', 'Stack/Bob/Resource/Resource',
          'gets statement 1 of policy Stack/Bob/Resource/DefaultPolicy/Resource (BobDefaultPolicy551A8608), which allows s3:GetObject on arn:aws:s3:::payroll/*'),
        widened('Bob/Resource/Resource', 'Stack/Bob/Resource/Resource',
          'attaches the AWS managed policy ReadOnlyAccess, which allows the read actions of every service (cloudformation:DescribeStackEvents, '
          + 's3:GetObject, secretsmanager:GetResourcePolicy, ...)'),
      ]);
    });

    test('fails on a team member added to another group, by a UserToGroupAddition', () => {
      expect(guardErrors((stack) => {
        const team = new MfaTeam(stack, 'Team', { roles: [{ name: 'reader' }], members: [{ userName: 'alice', roles: ['reader'], mfaSerial: 'GAHT12345678', accessKey: false }] });
        const ops = new iam.Group(stack, 'Ops', { groupName: 'ops', managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')] });
        new iam.CfnUserToGroupAddition(stack, 'AddAlice', { groupName: ops.groupName, users: ['alice'] });
        void team;
      }).filter(([rule]) => rule !== 'SecretInTemplate')).toEqual([
        widened('Ops/Resource', 'Stack/Team/Members/alice/User/Resource',
          'attaches the AWS managed policy PowerUserAccess (through group Stack/Ops/Resource), which allows every action but iam:*, organizations:* '
          + 'and account:* on every resource (secretsmanager:GetSecretValue, lambda:UpdateFunctionCode, sts:AssumeRole, ...)'),
      ]);
    });
    test('fails closed on a managed policy it cannot read on an MfaUser: an AWS managed policy it does not know, a customer managed policy of no stack of the app', () => {
      const findings = guardErrors((stack) => {
        const bob = mfaUser(stack);
        bob.user.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3FullAccess'));
        bob.user.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyName(stack, 'Legacy', 'legacy-ops'));
      });
      const fix = 'Grant the permissions to a role that the user assumes with MFA instead, define the managed policy in this app, or acknowledge '
        + 'MfaGuard::CannotEvaluate on the resource with the reason the policy allows the user nothing but sts:AssumeRole with MFA';
      expect(findings).toEqual([
        ['CannotEvaluate', 'Stack/Bob/Resource/Resource', 'MfaGuard cannot evaluate the managed policy arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/legacy-ops, '
          + 'attached to the assume-only user Stack/Bob/Resource/Resource, of Stack/Bob/Resource/Resource: it is not defined in this app, so MfaGuard cannot read it. ' + fix],
        ['CannotEvaluate', 'Stack/Bob/Resource/Resource', 'MfaGuard cannot evaluate the managed policy arn:${AWS::Partition}:iam::aws:policy/AmazonS3FullAccess, '
          + 'attached to the assume-only user Stack/Bob/Resource/Resource, of Stack/Bob/Resource/Resource: MfaGuard does not know this AWS managed policy. ' + fix],
      ]);
    });

    const UNRESOLVED_FIX = (at: string) => 'Name users and groups by reference or by their literal name (not a parameter, an import of no export of this app or a '
      + `wildcard), or acknowledge MfaGuard::CannotEvaluate on ${at} with the reason it names no assume-only user`;
    const unresolved = (path: string, what: string): GuardFinding => ['CannotEvaluate', `Stack/${path}`,
      `MfaGuard cannot resolve a user, group or principal that Stack/${path} names, which may be the assume-only user Stack/Bob/Resource/Resource (an `
      + 'MfaUser\'s, MfaDelegation\'s or MfaTeam\'s user, which may only assume roles with MFA): '
      + `Stack/${path} ${what}. ${UNRESOLVED_FIX(`Stack/${path}`)}`];

    test('fails closed on a policy, a group addition and a resource policy that name users it cannot resolve, when the app has an assume-only user', () => {
      expect(guardErrors((stack) => {
        mfaUser(stack);
        const who = new CfnParameter(stack, 'Who');
        new iam.CfnPolicy(stack, 'Ops', { policyName: 'ops', users: [who.valueAsString], policyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } });
        const admins = new iam.Group(stack, 'Admins');
        new iam.CfnUserToGroupAddition(stack, 'Add', { groupName: admins.groupName, users: [Fn.importValue('user-name')] });
        new CfnResource(stack, 'Everyone', {
          type: 'AWS::SecretsManager::ResourcePolicy',
          properties: { SecretId: 'payroll', ResourcePolicy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/*` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }) },
        });
        new CfnResource(stack, 'Unreadable', { type: 'AWS::SecretsManager::ResourcePolicy', properties: { SecretId: 'payroll', ResourcePolicy: who.valueAsString } });
      })).toEqual([
        unresolved('Add', 'adds it to the group Stack/Admins/Resource'),
        unresolved('Everyone', 'allows it secretsmanager:GetSecretValue on * in statement 1 of its resource policy'),
        unresolved('Ops', 'gets statement 1 of policy Stack/Ops (ops), which allows s3:* on *'),
        unresolved('Unreadable', 'has a resource policy that MfaGuard cannot read (the policy document ${Who}, whose value is known only at deployment), which may allow it anything'),
      ]);
    });

    test('fails closed on a policy of a group it cannot resolve when an assume-only user is in a group, and on a resource policy written with Stack.toJsonString', () => {
      expect(guardErrors((stack) => {
        const bob = mfaUser(stack);
        bob.user.addToGroup(new iam.Group(stack, 'Readers'));
        const group = new CfnParameter(stack, 'Group');
        new iam.CfnPolicy(stack, 'Ops', { policyName: 'ops', groups: [group.valueAsString], policyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } });
        new CfnResource(stack, 'Payroll', {
          type: 'AWS::SecretsManager::ResourcePolicy',
          properties: {
            SecretId: 'payroll',
            ResourcePolicy: stack.toJsonString({ Statement: [{ Effect: 'Allow', Principal: { AWS: bob.user.userArn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }),
          },
        });
      })).toEqual([
        unresolved('Ops', 'gets statement 1 of policy Stack/Ops (ops) (through a group), which allows s3:* on *'),
        widened('Payroll', 'Stack/Bob/Resource/Resource', 'allows it secretsmanager:GetSecretValue on * in statement 1 of its resource policy'),
      ]);
    });

    test('reads a resource policy for everyone (*) by its conditions: public passes, aws:PrincipalArn names the principals, a condition on the user name fails closed', () => {
      expect(guardErrors((stack) => {
        mfaUser(stack);
        const bucket = new s3.Bucket(stack, 'Public', { bucketName: 'public', blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY });
        bucket.grantPublicAccess();
        bucket.addToResourcePolicy(new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects('*')],
          conditions: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/bob` } },
        }));
        bucket.addToResourcePolicy(new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:DeleteObject'],
          resources: [bucket.arnForObjects('*')],
          conditions: { StringEquals: { 'aws:username': 'bob' } },
        }));
      })).toEqual([
        widened('Public/Policy/Resource', 'Stack/Bob/Resource/Resource', 'allows it s3:PutObject on ${PublicD0AE4A11.Arn}/* in statement 2 of its resource policy'),
        unresolved('Public/Policy/Resource', 'allows it s3:DeleteObject on ${PublicD0AE4A11.Arn}/* in statement 3 of its resource policy'),
      ]);
    });

    test('passes policies and resource policies that name users it cannot resolve in an app without assume-only users, and grants to roles and services', () => {
      expect(guardErrors((stack) => {
        const who = new CfnParameter(stack, 'Who');
        new iam.CfnPolicy(stack, 'Ops', { policyName: 'ops', users: [who.valueAsString], policyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } });
      })).toEqual([]);
      expect(guardErrors((stack) => {
        mfaUser(stack);
        new CfnResource(stack, 'ToRole', {
          type: 'AWS::SecretsManager::ResourcePolicy',
          properties: {
            SecretId: 'payroll',
            ResourcePolicy: Fn.sub(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/payroll' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] })),
          },
        });
        new lambda.CfnPermission(stack, 'FromS3', { action: 'lambda:InvokeFunction', functionName: 'payroll', principal: 's3.amazonaws.com' });
      })).toEqual([]);
    });

    test('passes the key policy of a seed that lets an MfaUser decrypt its own seed only through Secrets Manager, and fails on a plain decrypt', () => {
      expect(guardErrors((stack) => {
        const bob = mfaUser(stack);
        new VirtualMfaDevice(stack, 'Device', { user: bob.user, encryptionKey: new kms.Key(stack, 'SeedKey') });
      })).toEqual([]);
      expect(guardErrors((stack) => {
        mfaUser(stack);
        new kms.Key(stack, 'Key').grantDecrypt(new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:user/bob`));
      })).toEqual([widened('Key/Resource', 'Stack/Bob/Resource/Resource', 'allows it kms:Decrypt on * in statement 2 of its resource policy')]);
    });

    test('each AWS managed policy MfaGuard knows has its document as a fixture, which the evaluator shows allows the examples the findings name', async () => {
      const fixtures = fs.readdirSync(MANAGED_FIXTURES).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
      expect(Object.keys(KNOWN_AWS_MANAGED_POLICIES).sort()).toEqual(fixtures);
      for (const [name, known] of Object.entries(KNOWN_AWS_MANAGED_POLICIES)) {
        const policy = JSON.parse(fs.readFileSync(join(MANAGED_FIXTURES, `${name}.json`), 'utf8'));
        for (const action of known.examples) {
          const resource = EXAMPLE_RESOURCES[action.split(':')[0]] ?? EXAMPLE_RESOURCES[action];
          expect([name, action, await simulate({ principal: `arn:aws:iam::${ACCOUNT}:user/bob`, action, resource, identityPolicies: [{ name, policy }] })])
            .toEqual([name, action, 'Allowed']);
        }
      }
    });
  });

  describe('secrets in templates (#16.1)', () => {
    const SECRET_FIX = 'Never pass a secret through CloudFormation: let its owner create it where it is used (mfa-profile creates access keys '
      + 'with the caller\'s IAM rights), or pass a Secrets Manager dynamic reference ({{resolve:secretsmanager:...}}) to a property that takes one';
    const EXPOSED = 'CloudFormation records resolved properties in the stack\'s events, and outputs and parameters are readable by anyone who may describe the stack';

    test('fails on an access key\'s secret in an output, a resource property (Fn::Sub) and a nested stack\'s parameter', () => {
      expect(guardErrors((stack) => {
        const key = new iam.CfnAccessKey(stack, 'Key', { userName: 'ci' });
        new CfnOutput(stack, 'Secret', { value: key.attrSecretAccessKey });
        new CfnResource(stack, 'Config', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: Fn.sub('${Key.SecretAccessKey}') } });
        const nested = new NestedStack(stack, 'Nested', { parameters: { Secret: key.attrSecretAccessKey } });
        void nested;
      })).toEqual([
        ['SecretInTemplate', 'Stack/Config', `Stack/Config uses the secret Key.SecretAccessKey (AWS::IAM::AccessKey) in Properties.Value: ${EXPOSED}. ${SECRET_FIX}`],
        ['SecretInTemplate', 'Stack/Nested.NestedStack/Nested.NestedStackResource',
          'Stack/Nested.NestedStack/Nested.NestedStackResource uses the secret Key.SecretAccessKey (AWS::IAM::AccessKey) in Properties.Parameters.Secret: '
          + `${EXPOSED}. ${SECRET_FIX}`],
        ['SecretInTemplate', 'Stack/Secret', `output Secret of Stack uses the secret Key.SecretAccessKey (AWS::IAM::AccessKey) in Value: ${EXPOSED}. ${SECRET_FIX}`],
      ]);
    });

    test('fails on a user pool client\'s secret passed to a Lambda function\'s environment', () => {
      expect(guardErrors((stack) => {
        const client = new CfnResource(stack, 'Client', { type: 'AWS::Cognito::UserPoolClient', properties: { UserPoolId: 'us-east-1_abc', GenerateSecret: true } });
        new CfnResource(stack, 'Fn', { type: 'AWS::Lambda::Function', properties: { Environment: { Variables: { SECRET: client.getAtt('ClientSecret') } } } });
      })).toEqual([['SecretInTemplate', 'Stack/Fn',
        `Stack/Fn uses the secret Client.ClientSecret (AWS::Cognito::UserPoolClient) in Properties.Environment.Variables.SECRET: ${EXPOSED}. ${SECRET_FIX}`]]);
    });

    test('fails on a custom resource\'s Password attribute, and fails closed on an attribute named by an intrinsic', () => {
      expect(guardErrors((stack) => {
        const custom = new CfnResource(stack, 'Db', { type: 'Custom::Database', properties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:db' } });
        new CfnOutput(stack, 'Password', { value: custom.getAtt('Password').toString() });
        new CfnOutput(stack, 'Arn', { value: custom.getAtt('PasswordSecretArn').toString() });
        const which = new CfnParameter(stack, 'Which');
        new CfnOutput(stack, 'Any', { value: Fn.getAtt('Db', which.valueAsString).toString() });
      })).toEqual([
        ['CannotEvaluate', 'Stack/Any', 'MfaGuard cannot evaluate a Fn::GetAtt in Value of Stack/Any: the attribute ${Which} of Db (Custom::Database). '
          + 'Write it as literal JSON (Fn::If is fine: both branches are checked; so is a JSON string), or acknowledge MfaGuard::CannotEvaluate on the resource with the reason it is safe'],
        ['SecretInTemplate', 'Stack/Password', `output Password of Stack uses the secret Db.Password (Custom::Database) in Value: ${EXPOSED}. ${SECRET_FIX}`],
      ]);
    });
  });

  describe('fail closed (#10.2)', () => {
    const CANNOT_FIX = 'Write it as literal JSON (Fn::If is fine: both branches are checked; so is a JSON string), or acknowledge '
      + 'MfaGuard::CannotEvaluate on the resource with the reason it is safe';

    test('fails on a trust policy, an Action, an Effect and inline policies it cannot read', () => {
      expect(guardErrors((stack) => {
        const document = new CfnParameter(stack, 'Document');
        new iam.CfnRole(stack, 'Param', { assumeRolePolicyDocument: document.valueAsString });
        const action = new CfnParameter(stack, 'Action');
        rawRole(stack, 'ActionRole', [rawTrust({ AWS: 'arn:aws:iam::111111111111:user/alice' }, undefined, [action.valueAsString])]);
        rawRole(stack, 'Effect', [{ ...rawTrust({ AWS: 'arn:aws:iam::111111111111:user/alice' }), Effect: Fn.importValue('effect') }]);
        new iam.CfnUser(stack, 'User', { policies: Fn.importValue('policies') as any });
      })).toEqual([
        ['CannotEvaluate', 'Stack/ActionRole', `MfaGuard cannot evaluate statement 1 of the trust policy of Stack/ActionRole: the Action \${Action}. ${CANNOT_FIX}`],
        ['CannotEvaluate', 'Stack/Effect', `MfaGuard cannot evaluate statement 1 of the trust policy of Stack/Effect: the Effect Fn::ImportValue(effect). ${CANNOT_FIX}`],
        ['CannotEvaluate', 'Stack/Param', 'MfaGuard cannot evaluate the trust policy of Stack/Param: the policy document ${Document}, whose value is known only '
          + `at deployment. ${CANNOT_FIX}`],
        ['CannotEvaluate', 'Stack/User', `MfaGuard cannot evaluate the inline policies of Stack/User: Fn::ImportValue(policies). ${CANNOT_FIX}`],
      ]);
    });

    test('fails on a template it cannot read: a nested stack from a URL, a StackSet from a URL or a YAML body, a Transform', () => {
      expect(guardErrors((stack) => {
        new CfnResource(stack, 'Legacy', { type: 'AWS::CloudFormation::Stack', properties: { TemplateURL: 'https://s3.amazonaws.com/legacy/admin.json' } });
        new CfnStackSet(stack, 'FromUrl', { stackSetName: 'url', permissionModel: 'SELF_MANAGED', templateUrl: 'https://s3.amazonaws.com/legacy/roles.json' });
        new CfnStackSet(stack, 'Yaml', { stackSetName: 'yaml', permissionModel: 'SELF_MANAGED', templateBody: 'Resources:\n  Role:\n    Type: AWS::IAM::Role\n' });
        stack.addTransform('AWS::Serverless-2016-10-31');
      })).toEqual([
        ['CannotEvaluate', 'Stack', 'MfaGuard cannot evaluate stack Stack: its Transform AWS::Serverless-2016-10-31 rewrites the template after synthesis. '
          + CANNOT_FIX],
        ['CannotEvaluate', 'Stack/FromUrl', 'MfaGuard cannot read the template of Stack/FromUrl: its template is given by TemplateURL '
          + 'https://s3.amazonaws.com/legacy/roles.json, which MfaGuard cannot read. Define the stack in this app (a NestedStack, or a StackSet whose '
          + 'TemplateBody is JSON), or acknowledge MfaGuard::CannotEvaluate on it with the reason its template is safe'],
        ['CannotEvaluate', 'Stack/Legacy', 'MfaGuard cannot read the template of Stack/Legacy: its TemplateURL https://s3.amazonaws.com/legacy/admin.json '
          + 'is not a template of this app. Define the stack in this app (a NestedStack, or a StackSet whose TemplateBody is JSON), or acknowledge '
          + 'MfaGuard::CannotEvaluate on it with the reason its template is safe'],
        ['CannotEvaluate', 'Stack/Yaml', 'MfaGuard cannot read the template of Stack/Yaml: its TemplateBody "Resources:\\n  Role:\\n    Type: AWS::IAM::Role\\n", '
          + 'which is not JSON. Define the stack in this app (a NestedStack, or a StackSet whose TemplateBody is JSON), or acknowledge '
          + 'MfaGuard::CannotEvaluate on it with the reason its template is safe'],
      ]);
    });
  });

  describe('StackSets (#14)', () => {
    test('fails on a role without MFA in a StackSet\'s TemplateBody, at the StackSet, naming the role in the body', () => {
      const body = {
        Resources: {
          Admin: {
            Type: 'AWS::IAM::Role',
            Properties: {
              AssumeRolePolicyDocument: {
                Version: '2012-10-17', Statement: [rawTrust({ AWS: 'arn:aws:iam::111111111111:user/alice' })],
              },
            },
          },
        },
      };
      expect(guardErrors((stack) => {
        new CfnStackSet(stack, 'Roles', { stackSetName: 'roles', permissionModel: 'SELF_MANAGED', templateBody: JSON.stringify(body) });
      })).toEqual([['TrustWithoutMfa', 'Stack/Roles', 'Role Admin in the TemplateBody of StackSet Stack/Roles lets AWS arn:aws:iam::111111111111:user/alice '
        + `assume it without MFA (trust policy statement 1). ${TRUST_FIX}`]]);
    });
  });

  describe('StackSets (#14), MfaRoleStackSet', () => {
    test('passes an MfaRoleStackSet without principalPath, whose whole-account trust the construct acknowledges, and lists the acknowledgement', () => {
      // GIVEN
      const app = guardApp();
      new MfaRoleStackSet(new Stack(app, 'Stack'), 'Roles', {
        identityAccount: '111111111111',
        roles: [{ roleName: 'reader' }, { roleName: 'admin' }],
        target: MfaRoleStackSetTarget.fromAccounts({ accounts: ['222222222222'] }),
      });
      Validations.of(app).addPlugins(new MfaGuard());
      // WHEN
      const report = readGuardReport(app);
      // THEN
      const reason = 'The roles trust the IAM users of account 111111111111 (identityAccount), with MFA; no principalPath narrows them';
      expect(report).toEqual({
        findings: [],
        acknowledged: [['TrustsWholeAccount', 'Stack/Roles/Resource', reason], ['TrustsWholeAccount', 'Stack/Roles/Resource', reason]],
        synthFailed: false,
      });
    });
  });

  describe('registration', () => {
    test('Validations.of(app).addPlugins(new MfaGuard()) lists its rules', () => {
      expect(new MfaGuard().ruleIds).toEqual(['TrustWithoutMfa', 'AssumeWithoutMfa', 'AssumeOnlyUserWidened', 'TrustsWholeAccount', 'SecretInTemplate', 'CannotEvaluate']);
      expect([MfaGuard.TRUST_WITHOUT_MFA, MfaGuard.ASSUME_WITHOUT_MFA, MfaGuard.ASSUME_ONLY_USER_WIDENED, MfaGuard.TRUSTS_WHOLE_ACCOUNT,
        MfaGuard.SECRET_IN_TEMPLATE, MfaGuard.CANNOT_EVALUATE]).toEqual(new MfaGuard().ruleIds!.map((id) => `MfaGuard::${id}`));
    });

    test('Aspects.of(app).add(new MfaGuard()) keeps working: it checks every stack of the app, stacks in Stages too', () => {
      // GIVEN
      const app = guardApp();
      new iam.Role(new Stack(new Stage(app, 'Prod'), 'Stack'), 'Role', { assumedBy: alice() });
      // WHEN
      Aspects.of(app).add(new MfaGuard(), { priority: AspectPriority.READONLY });
      const report = readGuardReport(app);
      // THEN
      expect(report.synthFailed).toBe(true);
      expect(report.findings.map(([rule, path]) => [rule, path])).toEqual([['TrustWithoutMfa', 'Prod/Stack/Role/Resource']]);
    });

    test('Aspects.of(stack).add(new MfaGuard()) checks the stacks under that scope only', () => {
      const app = guardApp();
      const checked = new Stack(app, 'Checked');
      new iam.Role(checked, 'Role', { assumedBy: alice() });
      new iam.Role(new Stack(app, 'Other'), 'Role', { assumedBy: alice() });
      const guard = new MfaGuard();
      Aspects.of(checked).add(guard);
      expect(readGuardReport(app).findings.map(([rule, path]) => [rule, path])).toEqual([['TrustWithoutMfa', 'Checked/Role/Resource']]);
    });
  });
});
