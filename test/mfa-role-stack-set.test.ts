import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MfaRoleStackSet, MfaRoleStackSetProps, MfaRoleStackSetTarget, StackSetConcurrencyMode } from '../lib';

const IDENTITY = '111111111111';
const OU = 'ou-ab12-cdef3456';
const PARTITION_ARN = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

function newStack(env?: { account: string; region: string }): Stack {
  return new Stack(new App(), 'Org', { env });
}

function defineStackSet(stack: Stack, props: Partial<MfaRoleStackSetProps> = {}): MfaRoleStackSet {
  return new MfaRoleStackSet(stack, 'Roles', {
    identityAccount: IDENTITY,
    roles: [{ roleName: 'readonly', managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')] }],
    target: MfaRoleStackSetTarget.fromOrganizationalUnits({ organizationalUnitIds: [OU] }),
    ...props,
  });
}

/** The synthesized StackSet's properties, and its TemplateBody parsed. */
function synthStackSet(stack: Stack): { props: any; inner: any } {
  const template = Template.fromStack(stack);
  const [props] = Object.values(template.findResources('AWS::CloudFormation::StackSet')).map((r: any) => r.Properties);
  return { props, inner: JSON.parse(props.TemplateBody) };
}

describe('MfaRoleStackSet', () => {
  test('defines a service-managed StackSet to organizational units, with auto-deployment on and stacks removed with their account', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    defineStackSet(stack);
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: [OU] }, Regions: ['us-east-1'] }],
      OperationPreferences: { MaxConcurrentPercentage: 25, FailureToleranceCount: 0, ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE' },
      StackSetName: Match.stringLikeRegexp('^Org-Roles-[A-F0-9]{8}$'),
      TemplateBody: Match.anyValue(),
      AdministrationRoleARN: Match.absent(),
      ExecutionRoleName: Match.absent(),
    });
    Template.fromStack(stack).hasResource('AWS::CloudFormation::StackSet', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('the template is the roles\' stack, rendered as JSON without white space, and that stack is not part of the cloud assembly', () => {
    // GIVEN
    const stack = newStack();
    defineStackSet(stack);
    // WHEN
    const assembly = (stack.node.root as App).synth();
    const { props, inner } = synthStackSet(stack);
    // THEN
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['Org']);
    expect(props.TemplateBody).toEqual(JSON.stringify(inner));
    expect(Object.values(inner.Resources).map((r: any) => r.Type)).toEqual(['AWS::IAM::Role']);
    expect(inner.Parameters).toBeUndefined();
    expect(inner.Rules).toBeUndefined();
    expect(inner.Description).toEqual('cdk-mfa-delegation: MFA-only roles that trust IAM users of account 111111111111');
  });

  test('each role trusts only the identity account, with MFA at most an hour old and the caller\'s user name as session name', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    defineStackSet(stack, { roles: [{ roleName: 'readonly', managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')] }] });
    // THEN
    const { inner } = synthStackSet(stack);
    expect(Object.values(inner.Resources)).toEqual([{
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'readonly',
        Description: 'cdk-mfa-delegation: MFA-only role for IAM users of account 111111111111',
        ManagedPolicyArns: [PARTITION_ARN(':iam::aws:policy/ReadOnlyAccess')],
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { AWS: PARTITION_ARN(':iam::111111111111:root') },
            Condition: {
              Bool: { 'aws:MultiFactorAuthPresent': 'true' },
              NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
              StringEquals: { 'sts:RoleSessionName': '${aws:username}' },
            },
          }],
        },
      },
    }]);
  });

  test('with principalPath, each role trusts only users under that path of the identity account', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    defineStackSet(stack, { principalPath: '/mfa-team/Dev/' });
    // THEN
    const { inner } = synthStackSet(stack);
    const [role] = Object.values(inner.Resources) as any[];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnLike).toEqual({
      'aws:PrincipalArn': PARTITION_ARN(':iam::111111111111:user/mfa-team/Dev/*'),
    });
  });

  test('with trustedTeam, each role trusts only the team\'s users that carry the team\'s tag for that role', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const stackSet = defineStackSet(stack, {
      trustedTeam: 'Platform',
      roles: [{ roleName: 'platform-readonly', teamRoleName: 'readonly' }, { roleName: 'admin' }],
    });
    // THEN
    const { inner } = synthStackSet(stack);
    const conditions = Object.values(inner.Resources).map((r: any) => r.Properties.AssumeRolePolicyDocument.Statement[0].Condition);
    expect(conditions.map((c) => [c.StringEquals, c.ArnLike])).toEqual([
      [
        { 'sts:RoleSessionName': '${aws:username}', 'aws:PrincipalTag/cdk-mfa-delegation:role:readonly': 'Platform' },
        { 'aws:PrincipalArn': PARTITION_ARN(':iam::111111111111:user/mfa-team/Platform/*') },
      ],
      [
        { 'sts:RoleSessionName': '${aws:username}', 'aws:PrincipalTag/cdk-mfa-delegation:role:admin': 'Platform' },
        { 'aws:PrincipalArn': PARTITION_ARN(':iam::111111111111:user/mfa-team/Platform/*') },
      ],
    ]);
    expect(stackSet.trustedTeam).toEqual('Platform');
    expect(stackSet.teamAccountRole('platform-readonly', { organizationId: 'o-a1b2c3d4e5' })).toEqual(expect.objectContaining({
      name: 'readonly', roleName: 'platform-readonly', organizationId: 'o-a1b2c3d4e5',
    }));
    expect(stackSet.teamAccountRole('admin', { organizationId: 'o-a1b2c3d4e5' }).name).toEqual('admin');
  });

  test('passes every MfaRequiredRole property of a role through: path, description, policies, durations and boundary', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const stackSet = defineStackSet(stack, {
      roles: [{
        roleName: 'operator',
        path: '/ops/',
        description: 'Operators',
        inlinePolicies: { Logs: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['logs:GetLogEvents'], resources: ['*'] })] }) },
        maxSessionDuration: Duration.hours(4),
        maxMfaAge: Duration.minutes(15),
        permissionsBoundary: iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess'),
      }],
    });
    // THEN
    const { inner } = synthStackSet(stack);
    const [role] = Object.values(inner.Resources) as any[];
    expect(role.Properties).toEqual(expect.objectContaining({
      RoleName: 'operator',
      Path: '/ops/',
      Description: 'Operators',
      MaxSessionDuration: 14400,
      PermissionsBoundary: PARTITION_ARN(':iam::aws:policy/PowerUserAccess'),
      Policies: [{ PolicyName: 'Logs', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*' }] } }],
    }));
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.NumericLessThan).toEqual({ 'aws:MultiFactorAuthAge': '900' });
    expect(stackSet.role('operator').maxMfaAge?.toSeconds()).toEqual(900);
  });

  test('a customer managed policy defined in templateStack is deployed with the roles to every account', () => {
    // GIVEN
    const stack = newStack();
    const stackSet = defineStackSet(stack, { roles: [{ roleName: 'reader' }] });
    // WHEN
    const policy = new iam.ManagedPolicy(stackSet.templateStack, 'Reading', {
      managedPolicyName: 'reading',
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })],
    });
    stackSet.role('reader').addManagedPolicy(policy);
    // THEN
    const { inner } = synthStackSet(stack);
    expect(Object.values(inner.Resources).map((r: any) => r.Type).sort()).toEqual(['AWS::IAM::ManagedPolicy', 'AWS::IAM::Role']);
    const role = Object.values(inner.Resources).find((r: any) => r.Type === 'AWS::IAM::Role') as any;
    expect(role.Properties.ManagedPolicyArns).toEqual([{ Ref: expect.stringMatching(/^Reading/) }]);
  });

  test('organizational units: retained stacks, no auto-deployment, excluded accounts and a delegated administrator', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    defineStackSet(stack, {
      target: MfaRoleStackSetTarget.fromOrganizationalUnits({
        organizationalUnitIds: [OU, 'r-ab12'],
        autoDeployment: false,
        retainStacksOnAccountRemoval: true,
        excludedAccounts: ['333333333333'],
        delegatedAdministrator: true,
      }),
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: false, RetainStacksOnAccountRemoval: true },
      StackInstancesGroup: [{
        DeploymentTargets: { OrganizationalUnitIds: [OU, 'r-ab12'], AccountFilterType: 'DIFFERENCE', Accounts: ['333333333333'] },
        Regions: ['us-east-1'],
      }],
    });
  });

  test('listed accounts: a self-managed StackSet with the given administration and execution roles, no auto-deployment', () => {
    // GIVEN
    const stack = newStack();
    const admin = iam.Role.fromRoleArn(stack, 'Admin', 'arn:aws:iam::999999999999:role/StackSetAdmin');
    // WHEN
    const stackSet = defineStackSet(stack, {
      target: MfaRoleStackSetTarget.fromAccounts({
        accounts: ['222222222222', '333333333333'],
        administrationRole: admin,
        executionRoleName: 'StackSetExecution',
      }),
    });
    // THEN
    expect(stackSet.accounts).toEqual(['222222222222', '333333333333']);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SELF_MANAGED',
      AdministrationRoleARN: 'arn:aws:iam::999999999999:role/StackSetAdmin',
      ExecutionRoleName: 'StackSetExecution',
      AutoDeployment: Match.absent(),
      CallAs: Match.absent(),
      StackInstancesGroup: [{ DeploymentTargets: { Accounts: ['222222222222', '333333333333'] }, Regions: ['us-east-1'] }],
    });
  });

  test('organizational units have no accounts that the construct knows', () => {
    expect(defineStackSet(newStack()).accounts).toBeUndefined();
  });

  test('deploys to the stack\'s region, or to the given one', () => {
    // GIVEN
    const inStack = newStack({ account: '999999999999', region: 'eu-west-1' });
    const given = newStack();
    // WHEN
    defineStackSet(inStack);
    defineStackSet(given, { region: 'eu-central-1', stackSetName: 'mfa-roles', description: 'MFA roles' });
    // THEN
    Template.fromStack(inStack).hasResourceProperties('AWS::CloudFormation::StackSet', { StackInstancesGroup: [Match.objectLike({ Regions: ['eu-west-1'] })] });
    Template.fromStack(given).hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackInstancesGroup: [Match.objectLike({ Regions: ['eu-central-1'] })],
      StackSetName: 'mfa-roles',
      Description: 'MFA roles',
    });
  });

  test('takes the operation preferences and the removal policy', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    defineStackSet(stack, {
      operationPreferences: { maxConcurrentCount: 3, failureToleranceCount: 2, concurrencyMode: StackSetConcurrencyMode.STRICT_FAILURE_TOLERANCE },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // THEN
    Template.fromStack(stack).hasResource('AWS::CloudFormation::StackSet', {
      Properties: Match.objectLike({ OperationPreferences: { MaxConcurrentCount: 3, FailureToleranceCount: 2, ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE' } }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('takes percentages as operation preferences', () => {
    const stack = newStack();
    defineStackSet(stack, { operationPreferences: { maxConcurrentPercentage: 100, failureTolerancePercentage: 10 } });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFormation::StackSet', {
      OperationPreferences: { MaxConcurrentPercentage: 100, FailureTolerancePercentage: 10, ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE' },
    });
  });

  test('ten roles of 200 accounts fit into one StackSet', () => {
    // GIVEN
    const stack = newStack();
    const accounts = Array.from({ length: 200 }, (_, i) => String(200000000000 + i));
    // WHEN
    defineStackSet(stack, {
      roles: Array.from({ length: 10 }, (_, i) => ({ roleName: `role-${i}`, managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')] })),
      target: MfaRoleStackSetTarget.fromAccounts({ accounts }),
    });
    // THEN
    const { props, inner } = synthStackSet(stack);
    expect(Object.keys(inner.Resources)).toHaveLength(10);
    expect(props.StackInstancesGroup[0].DeploymentTargets.Accounts).toHaveLength(200);
  });

  describe('fails', () => {
    test.each([
      ['an identity account that is not 12 digits', { identityAccount: '1234' }, 'identityAccount must be a 12-digit AWS account id, but got \'1234\''],
      ['an identity account known only at deploy time', { identityAccount: Stack.of(newStack()).account },
        'identityAccount must be a literal 12-digit account id: the roles are deployed to other accounts, where this stack\'s values (such as its own account) do not exist'],
      ['a principal path without slashes', { principalPath: 'team' },
        'principalPath must be 1 to 512 characters that start and end with \'/\' (printable ASCII in between), but got \'team\''],
      ['no roles', { roles: [] }, 'roles must list at least one role'],
      ['a role name that IAM does not take', { roles: [{ roleName: 'read only' }] },
        'The roleName of an MfaRoleStackSet role must be 1 to 64 characters of letters, digits and _+=,.@- but got \'read only\''],
      ['two role names that differ only in case', { roles: [{ roleName: 'Admin' }, { roleName: 'admin' }] },
        'The roles \'Admin\' and \'admin\' have the same name regardless of case, and IAM role names are unique regardless of case: list each role once'],
      ['a role path without slashes', { roles: [{ roleName: 'admin', path: 'ops' }] },
        'The path of the role admin must be 1 to 512 characters that start and end with \'/\' (printable ASCII in between), but got \'ops\''],
      ['a StackSet name with an underscore', { stackSetName: 'mfa_roles' },
        'stackSetName must be a letter followed by at most 127 letters, digits and hyphens, but got \'mfa_roles\' (9 characters)'],
      ['a trusted team whose name MfaTeam would not take', { trustedTeam: 'platform team' },
        'trustedTeam must be the teamName of an MfaTeam: 1 to 64 characters of letters, digits and _+=.@- but got \'platform team\''],
      ['a trusted team and a principal path', { trustedTeam: 'Platform', principalPath: '/other/' },
        'trustedTeam cannot be combined with principalPath: the team\'s path is /mfa-team/Platform/'],
      ['a teamRoleName without a trusted team', { roles: [{ roleName: 'admin', teamRoleName: 'admin' }] },
        'The role admin has a teamRoleName, which names it in a trusted team: set trustedTeam too'],
      ['a role name with a comma as the name in a trusted team', { trustedTeam: 'Platform', roles: [{ roleName: 'read,only' }] },
        'The role read,only needs a teamRoleName of 1 to 64 characters of letters, digits and _+=.@- (its name in team Platform), but got \'read,only\''],
      ['two roles of one name in the trusted team', { trustedTeam: 'Platform', roles: [{ roleName: 'a', teamRoleName: 'x' }, { roleName: 'b', teamRoleName: 'X' }] },
        'The roles a and b have the same name in team Platform regardless of case (\'X\'): give each its own teamRoleName'],
      ['a region that is not one', { region: 'Europe' }, 'region must be an AWS region such as us-east-1, but got \'Europe\''],
      ['a maximum age of the MFA sign-in over 36 hours', { roles: [{ roleName: 'admin', maxMfaAge: Duration.hours(37) }] },
        'maxMfaAge must be a whole number of seconds from 1 to 129600, but got 133200'],
      ['both concurrency counts', { operationPreferences: { maxConcurrentCount: 2, maxConcurrentPercentage: 10 } },
        'maxConcurrentCount and maxConcurrentPercentage cannot both be given: CloudFormation takes one of them'],
      ['both failure tolerances', { operationPreferences: { failureToleranceCount: 2, failureTolerancePercentage: 10 } },
        'failureToleranceCount and failureTolerancePercentage cannot both be given: CloudFormation takes one of them'],
      ['a concurrency of 0', { operationPreferences: { maxConcurrentCount: 0 } }, 'maxConcurrentCount must be a whole number from 1 to 10000, but got 0'],
      ['a percentage over 100', { operationPreferences: { maxConcurrentPercentage: 150 } }, 'maxConcurrentPercentage must be a whole number from 1 to 100, but got 150'],
      ['a fractional failure tolerance', { operationPreferences: { failureToleranceCount: 1.5 } },
        'failureToleranceCount must be a whole number from 0 to 10000, but got 1.5'],
      ['a strict concurrency above the failure tolerance + 1',
        {
          operationPreferences: {
            maxConcurrentCount: 5, failureToleranceCount: 1, concurrencyMode: StackSetConcurrencyMode.STRICT_FAILURE_TOLERANCE,
          },
        },
        'maxConcurrentCount is 5, but with STRICT_FAILURE_TOLERANCE it must be at most failureToleranceCount + 1 (2): '
        + 'raise failureToleranceCount or use SOFT_FAILURE_TOLERANCE'],
    ] as Array<[string, Partial<MfaRoleStackSetProps>, string]>)('on %s', (_name, props, message) => {
      expect(() => defineStackSet(newStack(), props)).toThrow(message);
    });

    test.each([
      ['no organizational unit', () => MfaRoleStackSetTarget.fromOrganizationalUnits({ organizationalUnitIds: [] }),
        'organizationalUnitIds must list at least one organizational unit (ou-xxxx-xxxxxxxx) or root (r-xxxx)'],
      ['an account id as organizational unit', () => MfaRoleStackSetTarget.fromOrganizationalUnits({ organizationalUnitIds: ['222222222222'] }),
        'organizationalUnitIds must hold organizational unit ids (ou-xxxx-xxxxxxxx) or root ids (r-xxxx), but got \'222222222222\''],
      ['an excluded account that is not one', () => MfaRoleStackSetTarget.fromOrganizationalUnits({ organizationalUnitIds: [OU], excludedAccounts: ['x'] }),
        'Every account of excludedAccounts must be a 12-digit AWS account id, but got \'x\''],
      ['no accounts', () => MfaRoleStackSetTarget.fromAccounts({ accounts: [] }), 'accounts must list at least one account'],
      ['an account listed twice', () => MfaRoleStackSetTarget.fromAccounts({ accounts: ['222222222222', '222222222222'] }),
        'accounts lists the account 222222222222 twice: list each account once'],
      ['an account id of 11 digits', () => MfaRoleStackSetTarget.fromAccounts({ accounts: ['22222222222'] }),
        'Every account of accounts must be a 12-digit AWS account id, but got \'22222222222\''],
      ['an execution role name with a space', () => MfaRoleStackSetTarget.fromAccounts({ accounts: ['222222222222'], executionRoleName: 'stack set' }),
        'executionRoleName must be 1 to 64 characters of letters, digits and _+=,.@- but got \'stack set\''],
    ])('on a target with %s', (_name, define, message) => {
      expect(define).toThrow(message);
    });

    test('to describe a role for a team when it trusts no team', () => {
      expect(() => defineStackSet(newStack()).teamAccountRole('readonly', { organizationId: 'o-a1b2c3d4e5' }))
        .toThrow('Org/Roles trusts no team: set trustedTeam to the teamName of the MfaTeam whose members may assume its roles');
    });

    test('to find a role it does not define, and names the roles it has', () => {
      const stackSet = defineStackSet(newStack(), { roles: [{ roleName: 'reader' }, { roleName: 'admin' }] });
      expect(() => stackSet.role('operator')).toThrow('Org/Roles has no role \'operator\'; its roles are reader, admin');
    });

    test('to synthesize a role that refers to a resource of the StackSet\'s own stack, which the target accounts do not have', () => {
      // GIVEN
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Bucket');
      // WHEN
      defineStackSet(stack, {
        roles: [{
          roleName: 'reader',
          inlinePolicies: { Read: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.bucketArn] })] }) },
        }],
      });
      // THEN
      expect(() => (stack.node.root as App).synth()).toThrow('[Org/Roles] The template of Org/Roles refers to values of other stacks (Fn::ImportValue), '
        + 'which do not exist in the target accounts: define what the roles need in templateStack, or use literal values');
    });

    test('to synthesize a template over the 51,200 bytes of a TemplateBody, and says what to do', () => {
      // GIVEN
      const stack = newStack();
      const statements = (n: number) => Array.from({ length: 40 }, (_, i) => new iam.PolicyStatement({
        actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bucket-number-${n}-${i}-with-a-long-name/*`],
      }));
      // WHEN
      defineStackSet(stack, {
        roles: Array.from({ length: 20 }, (_, n) => ({ roleName: `role-${n}`, inlinePolicies: { Read: new iam.PolicyDocument({ statements: statements(n) }) } })),
      });
      // THEN
      expect(() => (stack.node.root as App).synth()).toThrow(/\[Org\/Roles\] The template of Org\/Roles is \d\d,\d{3} bytes, over CloudFormation's limit of 51,200 bytes for a StackSet's TemplateBody: move inline policies into customer managed policies of templateStack, or split the roles over two MfaRoleStackSets/);
    });

    test('to add an asset to the template, which the target accounts could not read', () => {
      // GIVEN
      const stackSet = defineStackSet(newStack());
      const code = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-set-asset-'));
      fs.writeFileSync(path.join(code, 'index.js'), 'exports.handler = async () => {};');
      // WHEN / THEN
      expect(() => new lambda.Function(stackSet.templateStack, 'Fn', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromAsset(code),
      })).toThrow(/^The template of an MfaRoleStackSet cannot hold assets \(asset\.[0-9a-f]{64}\): its accounts cannot read this app's asset buckets$/);
    });

    test('to synthesize a role whose trust is widened to a principal without MFA', () => {
      // GIVEN
      const stack = newStack();
      const stackSet = defineStackSet(stack);
      // WHEN
      stackSet.role('readonly').assumeRolePolicy!.addStatements(new iam.PolicyStatement({
        actions: ['sts:AssumeRole'], principals: [new iam.AccountPrincipal('444444444444')],
      }));
      // THEN
      expect(() => (stack.node.root as App).synth()).toThrow(/Trust policy statement 2 of Org\/Roles\/Template\/readonly allows .* without MFA/);
    });
  });
});
