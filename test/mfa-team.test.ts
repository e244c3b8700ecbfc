import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MfaTeam, MfaTeamMember, MfaTeamProps, MfaTeamRole, VirtualMfaDevice } from '../lib';
import { MFA } from './support/stacks';

// Synthesis takes seconds on a 2-core machine; the 1000-member case about 10.
jest.setTimeout(60_000);

const ACCOUNT = '111111111111';
const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:${rest}`]] });

function newStack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env: { account: ACCOUNT, region: 'us-east-1' } });
}

const ROLES: MfaTeamRole[] = [
  { name: 'admin', roleName: 'dev-admin', maxMfaAge: Duration.hours(1), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] },
  { name: 'readonly', roleName: 'dev-readonly', maxSessionDuration: Duration.hours(4) },
];
const MEMBERS: MfaTeamMember[] = [
  { userName: 'alice', roles: ['admin', 'readonly'] },
  { userName: 'bob', roles: ['readonly'] },
];

function team(stack: Stack, props: Partial<MfaTeamProps> = {}, id = 'Dev'): MfaTeam {
  return new MfaTeam(stack, id, { roles: ROLES, members: MEMBERS, ...props });
}

/** Members with neither a virtual device nor an access key: one resource each. */
function cheapMembers(count: number, roles = ['readonly']): MfaTeamMember[] {
  return Array.from({ length: count }, (_, i) => ({ userName: `member${String(i).padStart(4, '0')}`, roles, mfaSerial: `GAHT${String(i).padStart(8, '0')}`, accessKey: false }));
}

function resourcesOf(template: Template, type: string): Array<[string, any]> {
  return Object.entries<any>(template.findResources(type));
}

/** The value of a stack output as CloudFormation would resolve it in account 111111111111 of the aws partition. */
function resolve(value: any, template: Record<string, any>): any {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => resolve(v, template));
  }
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'];
    return parts.map((p: any) => resolve(p, template)).join(separator);
  }
  if ('Ref' in value) {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': 'us-east-1' };
    return pseudo[value.Ref] ?? `ref:${value.Ref}`;
  }
  if ('Fn::GetAtt' in value) {
    const [id, attribute] = value['Fn::GetAtt'];
    const props = template.Resources[id].Properties;
    if (attribute === 'Arn' && template.Resources[id].Type === 'AWS::IAM::Role') {
      return `arn:aws:iam::${ACCOUNT}:role${props.Path ?? '/'}${props.RoleName}`;
    }
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, template)]));
}

function outputValues(stack: Stack): Record<string, any> {
  const template = Template.fromStack(stack).toJSON();
  return Object.fromEntries(Object.entries<any>(template.Outputs ?? {}).map(([key, output]) => [key, resolve(output.Value, template)]));
}

describe('MfaTeam', () => {
  describe('roles and groups', () => {
    test('defines one MFA-only role per team role that trusts only users under the team path with its tag and a session named after them', () => {
      // GIVEN
      const stack = newStack();
      // WHEN
      team(stack);
      // THEN
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::IAM::Role', 3); // two team roles, the device handler's role
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: 'dev-admin',
        Path: '/mfa-team/Dev/',
        Description: 'cdk-mfa-delegation team Dev: role admin',
        AssumeRolePolicyDocument: {
          Statement: [{
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: arn('root') },
            Condition: {
              ...MFA,
              NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
              ArnLike: { 'aws:PrincipalArn': arn('user/mfa-team/Dev/*') },
              StringEquals: { 'aws:PrincipalTag/cdk-mfa-delegation:role:admin': 'Dev', 'sts:RoleSessionName': '${aws:username}' },
            },
          }],
        },
        ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] }],
      });
      template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'dev-readonly', MaxSessionDuration: 14400 });
    });

    test('defines one group per role whose only policy allows assuming that role with MFA, bounded by maxMfaAge', () => {
      const stack = newStack();
      const dev = team(stack);
      const template = Template.fromStack(stack);
      const roleId = (name: string) => stack.getLogicalId(dev.role(name).node.defaultChild as iam.CfnRole);
      template.resourceCountIs('AWS::IAM::Group', 2);
      template.hasResourceProperties('AWS::IAM::Group', {
        Path: '/mfa-team/Dev/',
        ManagedPolicyArns: Match.absent(),
        Policies: [{
          PolicyName: 'AssumeRoleWithMfa',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Resource: { 'Fn::GetAtt': [roleId('admin'), 'Arn'] },
              Condition: { ...MFA, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
            }],
          },
        }],
      });
      template.hasResourceProperties('AWS::IAM::Group', {
        Policies: [{
          PolicyName: 'AssumeRoleWithMfa',
          PolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [roleId('readonly'), 'Arn'] }, Condition: MFA }] },
        }],
      });
      // No AWS::IAM::Policy is attached to a group: the group policies are inline.
      for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
        expect(policy.Properties.Groups).toBeUndefined();
      }
    });

    test('returns the role of a role name, and fails for a name the team does not have', () => {
      const dev = team(newStack());
      expect(dev.role('admin').maxMfaAge?.toSeconds()).toBe(3600);
      expect(() => dev.role('owner')).toThrow("Stack/Dev has no role 'owner'; its roles are admin and readonly");
    });
  });

  describe('members', () => {
    test('puts each member in the groups of its roles, under the team path, with no policy of its own', () => {
      const stack = newStack();
      team(stack);
      const template = Template.fromStack(stack);
      const groups = Object.keys(template.findResources('AWS::IAM::Group'));
      const groupOf = (name: string) => groups.find((id) => id.startsWith(`DevGroups${name}`));
      template.hasResourceProperties('AWS::IAM::User', {
        UserName: 'alice',
        Path: '/mfa-team/Dev/',
        Groups: [{ Ref: groupOf('admin') }, { Ref: groupOf('readonly') }],
        Policies: Match.absent(),
        ManagedPolicyArns: Match.absent(),
        LoginProfile: Match.absent(),
      });
      template.hasResourceProperties('AWS::IAM::User', { UserName: 'bob', Groups: [{ Ref: groupOf('readonly') }] });
      template.resourceCountIs('AWS::IAM::UserToGroupAddition', 0);
      for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
        expect(policy.Properties.Users).toBeUndefined();
      }
    });

    test('defines a virtual MFA device per member, under the team path, with its seed secret named under the team prefix', () => {
      const stack = newStack();
      team(stack);
      const template = Template.fromStack(stack);
      template.resourceCountIs('Custom::VirtualMfaDevice', 2);
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      template.hasResourceProperties('Custom::VirtualMfaDevice', {
        UserName: { Ref: Match.stringLikeRegexp('^DevMembersaliceUser') },
        DeviceName: { Ref: Match.stringLikeRegexp('^DevMembersaliceUser') },
        Path: '/mfa-team/Dev/',
        SeedSecretName: 'mfa-team/Dev/alice/mfa-seed',
        Enable: 'true',
      });
    });

    test('passes enableMfaDevices to the devices', () => {
      const stack = newStack();
      team(stack, { enableMfaDevices: false });
      expect(resourcesOf(Template.fromStack(stack), 'Custom::VirtualMfaDevice').map(([, d]) => d.Properties.Enable)).toEqual(['false', 'false']);
    });

    test('defines no access key and keeps none in a secret: a member with accessKey gets a cleanup of the keys mfa-profile creates', () => {
      const stack = newStack();
      const security = iam.Role.fromRoleName(stack, 'Security', 'security');
      team(stack, { members: [{ userName: 'alice', roles: ['admin'] }, { userName: 'bob', roles: ['readonly'], accessKey: false }], secretReaders: [security] });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::IAM::AccessKey', 0);
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      for (const [, device] of resourcesOf(template, 'Custom::VirtualMfaDevice')) {
        expect(Object.keys(device.Properties).sort()).toEqual(['DeviceName', 'Enable', 'Path', 'SeedSecretName', 'SeedSecretPolicy', 'ServiceTimeout', 'ServiceToken', 'UserName']);
      }
      expect(resourcesOf(template, 'Custom::MfaUserCleanup').map(([, c]) => c.Properties.UserName))
        .toEqual([{ Ref: expect.stringMatching(/^DevMembersaliceUser/) }]);
    });

    test('fails for a member whose seed nobody could read: no access key and no secretReaders', () => {
      expect(() => team(newStack(), { members: [{ userName: 'bob', roles: ['readonly'], accessKey: false }] })).toThrow(
        'Nobody could read the MFA seed of team member bob: the member gets no access key (accessKey: false) to read it with; name who reads the '
        + 'seeds with secretReaders, or give the member an mfaSerial');
    });

    test('defines no device for a member with an existing MFA serial, and only the cleanup of its keys', () => {
      const stack = newStack();
      team(stack, { members: [{ userName: 'carol', roles: ['admin'], mfaSerial: 'GAHT12345678' }] });
      const template = Template.fromStack(stack);
      template.resourceCountIs('Custom::VirtualMfaDevice', 0);
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      template.resourceCountIs('Custom::MfaUserCleanup', 1);
    });

    test('defines no handler for members with existing devices and no access keys', () => {
      const stack = newStack();
      team(stack, { members: [{ userName: 'carol', roles: ['admin'], mfaSerial: 'GAHT12345678', accessKey: false }] });
      Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 0);
    });

    test('defines per member 3 resources with a virtual device and an access key, 2 without the key, 2 with an existing device and a key, 1 with neither, '
      + 'and per role whose members have virtual devices one managed policy in their stack', () => {
      const resourceTypes = (members: MfaTeamMember[]) => {
        const stack = newStack();
        team(stack, { members, secretReaders: [iam.Role.fromRoleName(stack, 'Security', 'security')] });
        const types = Object.values<any>(Template.fromStack(stack).toJSON().Resources).map((r) => r.Type);
        // Leave out the team's fixed resources: two roles, two groups, the handler's function, role and policy, and the roles' cuts.
        return types.filter((t) => !['AWS::IAM::Group', 'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::Lambda::Function', 'AWS::IAM::ManagedPolicy']
          .includes(t)).sort();
      };
      const count = (members: MfaTeamMember[]) => {
        const stack = newStack();
        team(stack, { members, secretReaders: [iam.Role.fromRoleName(stack, 'Security', 'security')] });
        return Object.keys(Template.fromStack(stack).toJSON().Resources).length;
      };
      expect(resourceTypes([{ userName: 'ann', roles: ['admin'] }]))
        .toEqual(['AWS::IAM::User', 'Custom::MfaUserCleanup', 'Custom::VirtualMfaDevice']);
      expect(resourceTypes([{ userName: 'ann', roles: ['admin'], accessKey: false }])).toEqual(['AWS::IAM::User', 'Custom::VirtualMfaDevice']);
      expect(resourceTypes([{ userName: 'ann', roles: ['admin'], mfaSerial: 'GAHT12345678' }])).toEqual(['AWS::IAM::User', 'Custom::MfaUserCleanup']);
      expect(resourceTypes([{ userName: 'ann', roles: ['admin'], mfaSerial: 'GAHT12345678', accessKey: false }])).toEqual(['AWS::IAM::User']);
      const base = count([{ userName: 'zed', roles: ['readonly'], mfaSerial: 'GAHT12345678', accessKey: false }]) - 1;
      const handler = 3;
      // The managed policy that cuts the sessions of admin at its members' new devices.
      const cut = 1;
      expect(base).toBe(4); // two roles and two groups
      expect(count([{ userName: 'ann', roles: ['admin'] }, { userName: 'ben', roles: ['admin'] }])).toBe(base + handler + cut + 2 * 3);
      expect(count([{ userName: 'ann', roles: ['admin'], accessKey: false }, { userName: 'ben', roles: ['admin'], accessKey: false }]))
        .toBe(base + handler + cut + 2 * 2);
      expect(count([{ userName: 'ann', roles: ['admin', 'readonly'], accessKey: false }])).toBe(base + handler + 2 * cut + 2);
      expect(count([{ userName: 'ann', roles: ['admin'], mfaSerial: 'GAHT12345678' }, { userName: 'ben', roles: ['admin'], mfaSerial: 'GAHT87654321' }]))
        .toBe(base + handler + 2 * 2);
    });
  });

  describe('the device handler', () => {
    const handlerPolicies = (template: Template) => resourcesOf(template, 'AWS::IAM::ManagedPolicy')
      .filter(([, p]) => (p.Properties.Roles ?? []).some((r: any) => /^VirtualMfaDeviceHandler/.test(r.Ref)));

    test('acts only on the members its stack tagged, and only from the handler function: no grant by the team path, never a read of a secret', () => {
      const without = { userName: 'alice', roles: ['admin'], accessKey: false };
      const withKey = { userName: 'bob', roles: ['admin'] };
      const existing = { userName: 'carol', roles: ['admin'], mfaSerial: 'GAHT12345678' };
      for (const members of [MEMBERS, [without, withKey], [withKey, without], [existing], [without]]) {
        const stack = newStack();
        team(stack, { members, secretReaders: [iam.Role.fromRoleName(stack, 'Security', 'security')] });
        const template = Template.fromStack(stack);
        const policies = handlerPolicies(template);
        expect(policies).toHaveLength(1);
        const statements = policies[0][1].Properties.PolicyDocument.Statement;
        expect(JSON.stringify(statements)).not.toContain('mfa-team/Dev');
        for (const statement of statements.filter((st: any) => st.Effect === 'Allow')) {
          expect(Object.keys(statement.Condition.ArnEquals)).toEqual(['lambda:SourceFunctionArn']);
          expect(JSON.stringify(statement.Action)).not.toContain('GetSecretValue');
        }
        for (const [, user] of resourcesOf(template, 'AWS::IAM::User')) {
          expect(user.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'cdk-mfa-delegation:stack-id', Value: { Ref: 'AWS::StackId' } }]));
        }
      }
    });

    test('has the same policy for 2 members as for 60', () => {
      const policyOf = (members: MfaTeamMember[]) => {
        const stack = newStack();
        team(stack, { members, memberStacks: 0 });
        return handlerPolicies(Template.fromStack(stack)).map(([, p]) => p.Properties.PolicyDocument);
      };
      const many = Array.from({ length: 60 }, (_, i) => ({ userName: `user${i}`, roles: ['readonly'] }));
      expect(policyOf(many)).toEqual(policyOf(MEMBERS));
    });

    test('is shared with a lone VirtualMfaDevice of the stack, with one policy for both', () => {
      const stack = newStack();
      team(stack);
      new VirtualMfaDevice(stack, 'LoneDevice', { user: new iam.User(stack, 'Lone', { userName: 'lone' }) });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Lambda::Function', 1);
      template.resourceCountIs('AWS::IAM::RolePolicy', 0);
      expect(handlerPolicies(template)).toHaveLength(1);
    });
  });

  describe('cdk-nag', () => {
    test('AwsSolutionsChecks find nothing unacknowledged, and each acknowledgement gives its reason', () => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-team-nag-'));
      const app = new App({ outdir });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      const stack = new Stack(app, 'Team');
      // Roles without AWS managed policies: attaching one (IAM4) is the app's choice, to acknowledge in the app.
      team(stack, {
        roles: [{ name: 'admin', maxMfaAge: Duration.hours(1) }, { name: 'readonly' }],
        members: [...MEMBERS, { userName: 'carol', roles: ['admin'], mfaSerial: 'GAHT12345678' }],
      });
      app.synth();
      const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
      fs.rmSync(outdir, { recursive: true, force: true });
      expect(report.pluginReports.flatMap((p: any) => p.violations)).toEqual([]);
      const acks = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries<string>(m.data).map(([id, reason]) => [c.node.path, id, reason])));
      const permissions = 'Team/VirtualMfaDeviceHandlere8a3c7f05d1b4b8e9a6f2c4d1e7b9f30/Permissions';
      const iam5 = (resource: string) => [permissions, `Annotation::AwsSolutions-IAM5[Resource::${resource}]`,
        expect.stringContaining('Every statement of the handler is conditioned on the calling function (lambda:SourceFunctionArn)')];
      expect(acks).toEqual(expect.arrayContaining([
        iam5('arn:<AWS::Partition>:iam::<AWS::AccountId>:mfa/*'),
        iam5('arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*'),
        iam5('arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:*'),
      ]));
      // No secret in the template: the handler creates the seed secrets.
      expect(acks.filter(([where]) => where.endsWith('Secret'))).toEqual([]);
    });
  });

  describe('IAM evaluation', () => {
    const simulate = async (template: Record<string, any>, principal: string, roleName: string, identity: any[], context: Record<string, string>) => {
      const [roleId] = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === roleName)!;
      const result = await runSimulation({
        request: {
          principal,
          action: 'sts:AssumeRole',
          resource: { resource: `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/${roleName}`, accountId: ACCOUNT },
          // AWS always sets aws:PrincipalArn; the simulator needs it given.
          contextVariables: {
            'aws:PrincipalArn': principal,
            'aws:username': principal.split('/').pop()!,
            'sts:RoleSessionName': principal.split('/').pop()!,
            ...tagsOf(template, principal.split('/').pop()!),
            ...context,
          },
        },
        identityPolicies: identity.map((policy, i) => ({ name: `policy${i}`, policy })),
        resourcePolicy: resolve(template.Resources[roleId].Properties.AssumeRolePolicyDocument, template),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      }, { simulationMode: 'Strict' });
      if (result.resultType !== 'single') {
        throw new Error(JSON.stringify(result));
      }
      return result.overallResult;
    };
    /** The tags of a member's user as `aws:PrincipalTag/<key>` context keys (none for a user the template does not define). */
    const tagsOf = (template: Record<string, any>, userName: string): Record<string, string> => {
      const user = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::IAM::User' && r.Properties.UserName === userName);
      return Object.fromEntries((user?.Properties.Tags ?? []).map((t: any) => [`aws:PrincipalTag/${t.Key}`, t.Value]));
    };
    const groupPoliciesOf = (template: Record<string, any>, userName: string) => {
      const [, user] = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::IAM::User' && r.Properties.UserName === userName)!;
      return user.Properties.Groups.map((g: any) => resolve(template.Resources[g.Ref].Properties.Policies[0].PolicyDocument, template));
    };

    test('lets a member assume exactly the roles of its groups, with a recent MFA sign-in only', async () => {
      const stack = newStack();
      team(stack);
      const template = Template.fromStack(stack).toJSON();
      const alice = `arn:aws:iam::${ACCOUNT}:user/mfa-team/Dev/alice`;
      const bob = `arn:aws:iam::${ACCOUNT}:user/mfa-team/Dev/bob`;
      const recent = { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '60' };
      expect(await simulate(template, alice, 'dev-admin', groupPoliciesOf(template, 'alice'), recent)).toBe('Allowed');
      expect(await simulate(template, alice, 'dev-readonly', groupPoliciesOf(template, 'alice'), recent)).toBe('Allowed');
      expect(await simulate(template, bob, 'dev-readonly', groupPoliciesOf(template, 'bob'), recent)).toBe('Allowed');
      expect(await simulate(template, bob, 'dev-admin', groupPoliciesOf(template, 'bob'), recent)).toBe('ImplicitlyDenied');
      expect(await simulate(template, alice, 'dev-admin', groupPoliciesOf(template, 'alice'), {})).toBe('ImplicitlyDenied');
      expect(await simulate(template, alice, 'dev-admin', groupPoliciesOf(template, 'alice'),
        { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '7200' })).toBe('ImplicitlyDenied');
    });

    test('keeps principals outside the team path out, even administrators with MFA', async () => {
      const stack = newStack();
      team(stack);
      const template = Template.fromStack(stack).toJSON();
      const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
      const recent = { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '60' };
      expect(await simulate(template, `arn:aws:iam::${ACCOUNT}:user/ops/root-admin`, 'dev-readonly', [admin], recent)).toBe('ImplicitlyDenied');
      expect(await simulate(template, `arn:aws:iam::${ACCOUNT}:user/mfa-team/Other/eve`, 'dev-readonly', [admin], recent)).toBe('ImplicitlyDenied');
    });
  });

  describe('outputs', () => {
    test('describe the team, its roles and its members as JSON maps', () => {
      const stack = newStack();
      team(stack, {
        members: [...MEMBERS, { userName: 'Carol', roles: ['readonly'], mfaSerial: 'GAHT12345678', accessKey: false }],
      });
      const template = Template.fromStack(stack).toJSON();
      expect(Object.keys(template.Outputs)).toEqual(['DevMfaTeam', 'DevMfaTeamRoles1', 'DevMfaTeamMembers1']);
      expect(template.Outputs.DevMfaTeam.Description).toBe('cdk-mfa-delegation Dev team');
      expect(template.Outputs.DevMfaTeamRoles1.Description).toBe('cdk-mfa-delegation Dev roles 1 of 1');
      expect(template.Outputs.DevMfaTeamMembers1.Description).toBe('cdk-mfa-delegation Dev members 1 of 1');
      const values = outputValues(stack);
      expect(JSON.parse(values.DevMfaTeam)).toEqual({
        version: 4,
        teamName: 'Dev',
        path: '/mfa-team/Dev/',
        mfaSerialPrefix: `arn:aws:iam::${ACCOUNT}:mfa/mfa-team/Dev/`,
        secretNamePrefix: 'mfa-team/Dev/',
        roleOutputs: 1,
        memberOutputs: 1,
      });
      expect(JSON.parse(values.DevMfaTeamRoles1)).toEqual({
        admin: { roleArn: `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/dev-admin`, maxSessionDuration: 3600 },
        readonly: { roleArn: `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/dev-readonly`, maxSessionDuration: 14400 },
      });
      expect(values.DevMfaTeamMembers1).toBe('{"alice":{"roles":["admin","readonly"],"accessKey":true},'
        + '"bob":{"roles":["readonly"],"accessKey":true},'
        + '"Carol":{"roles":["readonly"],"accessKey":false,"mfaSerial":"GAHT12345678"}}');
    });

    test('spread a long member map over outputs of at most 4,096 bytes, in name order', () => {
      const stack = newStack();
      const members = cheapMembers(300);
      team(stack, { members: [...members].reverse() });
      const values = outputValues(stack);
      const team_ = JSON.parse(values.DevMfaTeam);
      expect(team_.memberOutputs).toBe(6);
      const chunks = Array.from({ length: team_.memberOutputs }, (_, i) => values[`DevMfaTeamMembers${i + 1}`] as string);
      for (const chunk of chunks) {
        expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(4096);
      }
      const merged = chunks.map((c) => Object.keys(JSON.parse(c))).flat();
      expect(merged).toEqual(members.map((m) => m.userName));
    });

    test('use the outputPrefix', () => {
      const stack = newStack();
      team(stack, { outputPrefix: 'Platform' });
      expect(Object.keys(Template.fromStack(stack).toJSON().Outputs)).toEqual(['PlatformMfaTeam', 'PlatformMfaTeamRoles1', 'PlatformMfaTeamMembers1']);
    });

    test('are the same for the same props', () => {
      const synth = () => {
        const app = new App();
        team(newStack(app), { members: cheapMembers(120) });
        return JSON.stringify(app.synth().getStackByName('Stack').template);
      };
      expect(synth()).toEqual(synth());
    });
  });

  describe('nested stacks', () => {
    test('hold the members when they do not fit into the team stack, with a warning to pin memberStacks', () => {
      const stack = newStack();
      const members = Array.from({ length: 134 }, (_, i) => ({ userName: `user${i}`, roles: ['readonly'] }));
      const dev = team(stack, { members });
      expect(dev.memberStacks).toBe(2);
      expect(dev.nestedStacks.map((s) => s.node.path)).toEqual(['Stack/Dev/Members1', 'Stack/Dev/Members2']);
      const parent = Template.fromStack(stack);
      parent.resourceCountIs('AWS::CloudFormation::Stack', 2);
      parent.resourceCountIs('AWS::IAM::User', 0);
      parent.resourceCountIs('AWS::IAM::Group', 2);
      const users = dev.nestedStacks.map((s) => Template.fromStack(s).toJSON())
        .flatMap((t) => Object.values<any>(t.Resources).filter((r) => r.Type === 'AWS::IAM::User').map((r) => r.Properties.UserName));
      expect(users.sort()).toEqual(members.map((m) => m.userName).sort());
      Annotations.fromStack(stack).hasWarning('/Stack/Dev', 'Stack/Dev spreads its 134 members over 2 nested stacks by default. Set memberStacks: 2 '
        + 'so that the layout stays the same as the team grows: a member who moves to another nested stack has to be removed in one deploy and '
        + 'added back in the next. [ack: cdk-mfa-delegation:MfaTeam.memberStacks]');
    });

    test('each have a device handler for the members it tagged, and the group and role names as parameters', () => {
      const stack = newStack();
      const dev = team(stack, { members: Array.from({ length: 40 }, (_, i) => ({ userName: `user${i}`, roles: ['admin', 'readonly'] })), memberStacks: 2 });
      for (const nested of dev.nestedStacks) {
        const template = Template.fromStack(nested);
        template.resourceCountIs('AWS::Lambda::Function', 1);
        template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
          PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'UsersOfThisStack', Action: Match.arrayWith(['iam:EnableMFADevice']) })]) },
        });
        // The groups for the users, the roles for the managed policies that cut their sessions at the members' new devices.
        expect(Object.keys(template.toJSON().Parameters)).toEqual([expect.stringMatching(/Groupsadmin/), expect.stringMatching(/Groupsreadonly/),
          expect.stringMatching(/Rolesadmin/), expect.stringMatching(/Rolesreadonly/)]);
        template.hasResourceProperties('AWS::IAM::User', { Groups: [{ Ref: Match.stringLikeRegexp('Groupsadmin') }, { Ref: Match.stringLikeRegexp('Groupsreadonly') }] });
      }
      Annotations.fromStack(stack).hasNoWarning('/Stack/Dev', Match.stringLikeRegexp('memberStacks'));
    });

    test('keep the members in the team stack with memberStacks 0, and are exactly memberStacks otherwise', () => {
      const flat = team(newStack(), { members: cheapMembers(150), memberStacks: 0 });
      expect(flat.nestedStacks).toEqual([]);
      const nested = team(newStack(), { members: cheapMembers(150), memberStacks: 3 });
      expect(nested.nestedStacks.map((s) => s.node.id)).toEqual(['Members1', 'Members2', 'Members3']);
    });

    test('keep each member where it is when others come and go', () => {
      const where = (members: MfaTeamMember[]) => {
        const dev = team(newStack(), { members, memberStacks: 8 });
        return new Map(dev.nestedStacks.flatMap((s) => s.node.children
          .filter((c) => members.some((m) => m.userName === c.node.id)).map((c) => [c.node.id, s.node.id] as [string, string])));
      };
      const before = cheapMembers(200);
      const after = [...before.filter((_, i) => i % 7 !== 0), ...cheapMembers(260).slice(200)];
      const placedBefore = where(before);
      const placedAfter = where(after);
      for (const m of after.filter((x) => placedBefore.has(x.userName))) {
        expect(placedAfter.get(m.userName)).toBe(placedBefore.get(m.userName));
      }
    });

    test('move only the members that land in the new stack when memberStacks grows by one', () => {
      const where = (stacks: number) => {
        const dev = team(newStack(), { members: cheapMembers(400), memberStacks: stacks });
        return new Map(dev.nestedStacks.flatMap((s) => s.node.children.filter((c) => c.node.id.startsWith('member')).map((c) => [c.node.id, s.node.id])));
      };
      const eight = where(8);
      const nine = where(9);
      const moved = [...eight.keys()].filter((m) => eight.get(m) !== nine.get(m));
      expect(moved.every((m) => nine.get(m) === 'Members9')).toBe(true);
      expect(moved.length).toBeGreaterThan(20);
      expect(moved.length).toBeLessThan(70);
    });
  });

  describe('limits at synth', () => {
    test('fail naming CloudFormation\'s resource limit when the members are kept in the team stack', () => {
      const app = new App();
      team(newStack(app), { members: Array.from({ length: 200 }, (_, i) => ({ userName: `user${i}`, roles: ['readonly'] })), memberStacks: 0 });
      expect(() => app.synth()).toThrow('[Stack/Dev] Stack Stack holds 608 resources, over CloudFormation\'s limit of 500 resources per stack: '
        + 'spread the members over nested stacks with memberStacks');
    });

    test('fail naming the nested stack over the resource limit, and say to raise memberStacks', () => {
      const app = new App();
      team(newStack(app), { members: Array.from({ length: 174 }, (_, i) => ({ userName: `user${i}`, roles: ['readonly'] })), memberStacks: 1 });
      expect(() => app.synth()).toThrow('[Stack/Dev] Stack Stack/Dev/Members1 holds 526 resources, over CloudFormation\'s limit of 500 resources '
        + 'per stack: raise memberStacks (now 1) to spread the members more thinly');
    });

    test('fail naming CloudFormation\'s output limit when the team stack declares too many outputs', () => {
      const app = new App();
      const stack = newStack(app);
      for (let i = 0; i < 198; i++) {
        new CfnOutput(stack, `Other${i}`, { value: 'x' });
      }
      team(stack);
      expect(() => app.synth()).toThrow('[Stack/Dev] Stack Stack declares 201 outputs, over CloudFormation\'s limit of 200 outputs per stack');
    });

    test('warn that a team of more than 2,500 resources cannot be created in one deploy', () => {
      const dev = team(newStack(), { members: Array.from({ length: 860 }, (_, i) => ({ userName: `user${i}`, roles: ['readonly'] })), memberStacks: 8 });
      const warnings = dev.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => m.data);
      expect(warnings).toEqual([expect.stringMatching(new RegExp('^Stack/Dev defines 2\\d{3} resources, and CloudFormation creates, updates or deletes '
        + 'at most 2,500 resources of a stack and its nested stacks in one operation: create the team in steps \\(a few hundred members per deploy\\), '
        + 'and change at most that many resources per deploy. \\[ack: cdk-mfa-delegation:MfaTeam.resourcesPerOperation\\]$'))]);
    });

    test('warn about a role with more managed policies than IAM allows by default', () => {
      const stack = newStack();
      const managedPolicies = Array.from({ length: 11 }, (_, i) => iam.ManagedPolicy.fromManagedPolicyName(stack, `P${i}`, `policy${i}`));
      team(stack, { roles: [{ name: 'admin', roleName: 'dev-admin', managedPolicies }], members: [{ userName: 'alice', roles: ['admin'] }] });
      Annotations.fromStack(stack).hasWarning('/Stack/Dev', Match.stringLikeRegexp('^Stack Stack: AWS::IAM::Role DevRolesadmin\\w+ has 11 managed '
        + 'policies, over IAM\'s default quota of 10 per role \\(it can be raised to 20 in Service Quotas\\)'));
    });

    test('warn about a role whose managed policies in all the team\'s stacks are over IAM\'s default quota, and fail over its maximum', () => {
      const app = new App();
      const stack = newStack(app);
      // 9 given, and one cut at the members' new devices in each of the two nested stacks.
      const managedPolicies = Array.from({ length: 9 }, (_, i) => iam.ManagedPolicy.fromManagedPolicyName(stack, `P${i}`, `policy${i}`));
      const members = ['alice', 'bob', 'carol', 'dan', 'eve', 'frank'].map((userName) => ({ userName, roles: ['admin'] }));
      const dev = team(stack, { roles: [{ name: 'admin', roleName: 'dev-admin', managedPolicies }], members, memberStacks: 2 });
      expect(dev.nestedStacks).toHaveLength(2);
      Annotations.fromStack(stack).hasWarning('/Stack/Dev', 'Stack/Dev/Roles/admin has 11 managed policies (9 given, 0 that deny the sessions of '
        + 'non-members or before a time, 2 that deny the sessions issued before its members\' newest MFA device, one per stack of members), over '
        + 'IAM\'s default quota of 10 per role: raise "Managed policies per role" in Service Quotas (up to 20) before deploying '
        + '[ack: cdk-mfa-delegation:MfaTeam.managedPoliciesPerRole]');

      const otherApp = new App();
      const other = newStack(otherApp);
      const tooMany = Array.from({ length: 19 }, (_, i) => iam.ManagedPolicy.fromManagedPolicyName(other, `Q${i}`, `policy${i}`));
      team(other, { roles: [{ name: 'admin', roleName: 'ops-admin', managedPolicies: tooMany }], members, memberStacks: 2 });
      expect(() => otherApp.synth()).toThrow('Stack/Dev/Roles/admin has 21 managed policies (19 given, 0 that deny the sessions of non-members or before '
        + 'a time, 2 that deny the sessions issued before its members\' newest MFA device, one per stack of members), over IAM\'s limit of 20 per '
        + 'role: give the role fewer managed policies, or fewer members with virtual devices (members with an mfaSerial need none)');
    });

    test('synthesize 1000 members × 10 roles in nested stacks within every limit', () => {
      const app = new App();
      const stack = newStack(app);
      const roles = Array.from({ length: 10 }, (_, i) => ({ name: `role${i}` }));
      const members = Array.from({ length: 1000 }, (_, i) => ({ userName: `member${i}`, roles: roles.slice(0, 1 + (i % 10)).map((r) => r.name) }));
      const dev = new MfaTeam(stack, 'Dev', { roles, members });
      const assembly = app.synth();
      const templates = [assembly.getStackByName('Stack').template, ...dev.nestedStacks.map((s) => Template.fromStack(s).toJSON())];
      for (const template of templates) {
        expect(Object.keys(template.Resources).length).toBeLessThanOrEqual(500);
        expect(Object.keys(template.Outputs ?? {}).length).toBeLessThanOrEqual(200);
        expect(JSON.stringify(template, undefined, 1).length).toBeLessThanOrEqual(1_000_000);
      }
      const users = templates.flatMap((t) => Object.values<any>(t.Resources).filter((r) => r.Type === 'AWS::IAM::User'));
      expect(users).toHaveLength(1000);
      expect(Math.max(...users.map((u) => u.Properties.Groups.length))).toBe(10);
      expect(dev.memberStacks).toBe(9);
    });
  });

  describe('props', () => {
    test.each([
      ['no roles', { roles: [] }, 'roles must list at least one role, or accountRoles at least one role in other accounts'],
      ['no members', { members: [] }, 'members must list at least one member'],
      ['a role name with a slash', { roles: [{ name: 'ops/admin' }] }, "The name of a team role must be 1 to 64 characters of letters, digits and _+=.@- but got 'ops/admin'"],
      ['two roles whose names differ in case only', { roles: [{ name: 'admin' }, { name: 'Admin' }] },
        "The team roles 'admin' and 'Admin' have the same name regardless of case: give each role its own name"],
      ['a member name with a comma', { members: [{ userName: 'smith,john', roles: ['admin'] }] },
        "The userName of a team member must be 1 to 64 characters of letters, digits and _+=.@- but got 'smith,john'"],
      ['a member named default, which would name its source profile default too', { members: [{ userName: 'default', roles: ['admin'] }] },
        "The userName of a team member is 'default' (it names the member's source profile too), the profile every AWS tool uses when none is named, "
        + 'which mfa-profile never takes over: choose any other name'],
      ['two members whose names differ in case only', { members: [{ userName: 'alice', roles: ['admin'] }, { userName: 'ALICE', roles: ['admin'] }] },
        "The team members 'alice' and 'ALICE' have the same userName regardless of case, and IAM user names are unique regardless of case: list each member once"],
      ['a member without roles', { members: [{ userName: 'alice', roles: [] }] },
        "Team member alice may assume no role: list at least one of the team's roles (admin and readonly)"],
      ['a member with a role the team does not have', { members: [{ userName: 'alice', roles: ['admin', 'owner', 'root'] }] },
        "Team member alice lists the roles 'owner' and 'root', which the team does not have; its roles are admin and readonly"],
      ['a member with a role twice', { members: [{ userName: 'alice', roles: ['admin', 'admin'] }] },
        "Team member alice lists the role 'admin' twice: list each role once"],
      ['a member with more than 10 roles', {
        roles: Array.from({ length: 11 }, (_, i) => ({ name: `r${i}` })),
        members: [{ userName: 'alice', roles: Array.from({ length: 11 }, (_, i) => `r${i}`) }],
      }, 'Team member alice lists 11 roles, but a member is in one IAM group per role and IAM puts a user in at most 10 groups'],
      ['a malformed MFA serial', { members: [{ userName: 'alice', roles: ['admin'], mfaSerial: 'arn:aws:iam::1:mfa/x' }] },
        'serialNumber must be an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) or a hardware serial'],
      ['more members than IAM allows users', { members: cheapMembers(5001) }, 'members lists 5001 members, but IAM allows at most 5,000 users in an account'],
      ['a fractional memberStacks', { memberStacks: 1.5 }, 'memberStacks must be a whole number from 0, but got 1.5'],
      ['a team name with a slash', { teamName: 'dev/ops' }, "teamName must be 1 to 64 characters of letters, digits and _+=.@- but got 'dev/ops'"],
      ['an output prefix with a dash', { outputPrefix: 'dev-ops' }, "outputPrefix must be 1 to 200 letters and digits starting with a letter, but got 'dev-ops'"],
    ])('fails with %s', (_, props, message) => {
      expect(() => team(newStack(), props as Partial<MfaTeamProps>)).toThrow(message);
    });

    test('fails when the team name cannot be derived from the construct id', () => {
      expect(() => team(newStack(), {}, '---')).toThrow("teamName cannot be derived from the construct id '---': pass a teamName of letters, digits and _+=.@-");
    });

    test('fails for two teams of one name in an app, regardless of case', () => {
      const app = new App();
      team(newStack(app));
      const other = new Stack(app, 'Other');
      expect(() => team(other, { teamName: 'dev' }, 'Platform')).toThrow("MfaTeams Stack/Dev and Other/Platform both have the teamName 'dev': their users, "
        + 'groups, roles, devices and secrets would share one IAM path and secret prefix; give each team its own teamName');
    });

    test('fails for two teams of one output prefix in a stack', () => {
      const stack = newStack();
      team(stack);
      expect(() => team(stack, { teamName: 'Other' }, 'Dev-')).toThrow("MfaTeams Stack/Dev and Stack/Dev- both use the output prefix 'Dev': give one of them another outputPrefix");
    });
  });
});
