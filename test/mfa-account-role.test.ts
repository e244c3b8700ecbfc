import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MfaAccountRole, MfaDelegation, MfaRoleStackSet, MfaRoleStackSetTarget, MfaTeam } from '../lib';

const ORG = 'o-abcdef1234';
const ROLE_IN_ANY_ACCOUNT = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role${rest}`]] });
const MFA_HOUR = { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } };

function newStack(): Stack {
  return new Stack(new App(), 'Identity', { env: { account: '111111111111', region: 'us-east-1' } });
}

function accounts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(200000000000 + i));
}

/** The outputs of a stack, with pseudo parameters filled in (`Fn::Join`) and JSON values parsed. */
function outputs(stack: Stack): Record<string, any> {
  const concrete = (value: any): string => typeof value === 'string' ? value
    : value['Fn::Join'] ? value['Fn::Join'][1].map(concrete).join(value['Fn::Join'][0])
      : value.Ref === 'AWS::Partition' ? 'aws' : `<${Object.keys(value)[0]}>`;
  const found = Template.fromStack(stack).findOutputs('*');
  return Object.fromEntries(Object.entries(found).map(([key, o]: [string, any]) => {
    const value = concrete(o.Value);
    return [key, /^[[{]/.test(value) ? JSON.parse(value) : value];
  }));
}

describe('MfaTeam accountRoles', () => {
  test('define a group per account role whose policy allows assuming the role with MFA in the listed accounts only', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new MfaTeam(stack, 'Dev', {
      roles: [],
      accountRoles: [{ name: 'readonly', roleName: 'readonly', accounts: ['222222222222', '333333333333'] }],
      members: [{ userName: 'alice', roles: ['readonly'], mfaSerial: 'GAHT12345678', accessKey: false }],
    });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 0);
    template.hasResourceProperties('AWS::IAM::Group', {
      Path: '/mfa-team/Dev/',
      Policies: [{
        PolicyName: 'AssumeAccountRoleWithMfa',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: ROLE_IN_ANY_ACCOUNT('/readonly'),
            Condition: { ...MFA_HOUR, StringEquals: { 'aws:ResourceAccount': ['222222222222', '333333333333'] } },
          }],
        },
      }],
    });
    template.hasResourceProperties('AWS::IAM::User', {
      UserName: 'alice',
      Groups: [{ Ref: Match.stringLikeRegexp('^DevGroupsreadonly') }],
      // The tag that an MfaRoleStackSet with trustedTeam 'Dev' requires for the role 'readonly'.
      Tags: [{ Key: 'cdk-mfa-delegation:role:readonly', Value: 'Dev' }],
    });
  });

  test('restrict to the organization, to both, and take the path and the maximum MFA age of the role', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new MfaTeam(stack, 'Dev', {
      roles: [{ name: 'local' }],
      accountRoles: [
        { name: 'org', roleName: 'reader', path: '/ops/', organizationId: ORG, maxMfaAge: Duration.minutes(15) },
        { name: 'both', roleName: 'admin', accounts: ['222222222222'], organizationId: ORG },
      ],
      members: [{ userName: 'alice', roles: ['local', 'org', 'both'], mfaSerial: 'GAHT12345678', accessKey: false }],
    });
    // THEN
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Group'))
      .map((g: any) => g.Properties.Policies[0].PolicyDocument.Statement[0]);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: ROLE_IN_ANY_ACCOUNT('/ops/reader'),
      Condition: {
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        NumericLessThan: { 'aws:MultiFactorAuthAge': '900' },
        StringEquals: { 'aws:ResourceOrgID': ORG },
      },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: ROLE_IN_ANY_ACCOUNT('/admin'),
      Condition: { ...MFA_HOUR, StringEquals: { 'aws:ResourceAccount': ['222222222222'], 'aws:ResourceOrgID': ORG } },
    });
  });

  test('are listed in the team outputs (version 4) with their accounts, organization and longest session', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new MfaTeam(stack, 'Dev', {
      roles: [{ name: 'local' }],
      accountRoles: [
        { name: 'readonly', roleName: 'readonly', accounts: ['222222222222'], maxSessionDuration: Duration.hours(2) },
        { name: 'admin', roleName: 'admin', path: '/ops/', organizationId: ORG },
      ],
      members: [{ userName: 'alice', roles: ['local', 'readonly', 'admin'], mfaSerial: 'GAHT12345678', accessKey: false }],
    });
    // THEN
    const out = outputs(stack);
    expect(out.DevMfaTeam).toEqual(expect.objectContaining({ version: 4, roleOutputs: 1, memberOutputs: 1, accountRoleOutputs: 1 }));
    expect(out.DevMfaTeamAccountRoles1).toEqual({
      admin: { roleName: 'admin', path: '/ops/', organizationId: ORG, maxSessionDuration: 3600 },
      readonly: { roleName: 'readonly', path: '/', accounts: ['222222222222'], maxSessionDuration: 7200 },
    });
    expect(out.DevMfaTeamMembers1.alice.roles).toEqual(['local', 'readonly', 'admin']);
  });

  test('add no account-role outputs when there are none (the team outputs are at version 4 either way)', () => {
    const stack = newStack();
    new MfaTeam(stack, 'Dev', { roles: [{ name: 'local' }], members: [{ userName: 'alice', roles: ['local'], mfaSerial: 'GAHT12345678', accessKey: false }] });
    const out = outputs(stack);
    expect(out.DevMfaTeam.version).toEqual(4);
    expect(out.DevMfaTeam.accountRoleOutputs).toBeUndefined();
    expect(out.DevMfaTeamAccountRoles1).toBeUndefined();
  });

  test('fit 10 roles of 200 accounts each into IAM\'s group policy limit', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new MfaTeam(stack, 'Dev', {
      roles: [],
      accountRoles: Array.from({ length: 10 }, (_, i) => ({ name: `role-${i}`, roleName: `role-${i}`, accounts: accounts(200) })),
      members: [{ userName: 'alice', roles: Array.from({ length: 10 }, (_, i) => `role-${i}`), mfaSerial: 'GAHT12345678', accessKey: false }],
    });
    // THEN
    const groups = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Group')) as any[];
    expect(groups).toHaveLength(10);
    // README: 200 listed accounts take about 3,300 of a group policy's 5,120 characters.
    for (const group of groups) {
      expect(JSON.stringify(group.Properties.Policies[0].PolicyDocument).length).toBeGreaterThan(3200);
      expect(JSON.stringify(group.Properties.Policies[0].PolicyDocument).length).toBeLessThan(3400);
    }
    expect(Object.keys(outputs(stack)).filter((k) => k.startsWith('DevMfaTeamAccountRoles'))).toHaveLength(10);
  });

  test('fails on a role of 300 listed accounts, which one stack output cannot list, and says to use organizationId', () => {
    expect(() => new MfaTeam(newStack(), 'Dev', {
      roles: [],
      accountRoles: [{ name: 'readonly', roleName: 'readonly', accounts: accounts(300) }],
      members: [{ userName: 'alice', roles: ['readonly'], mfaSerial: 'GAHT12345678', accessKey: false }],
    })).toThrow('The account role readonly of Identity/Dev needs 4586 characters in the stack output that tells mfa-profile about them, '
      + 'over CloudFormation\'s 4096 characters per output: list fewer accounts and use organizationId');
  });

  describe('fails', () => {
    test.each([
      ['no accounts and no organization', { roleName: 'readonly' },
        'The role readonly in other accounts needs accounts, organizationId or both: without either, users could assume a role of that name in any AWS account that trusts them'],
      ['an empty list of accounts', { roleName: 'readonly', accounts: [] },
        'The role readonly in other accounts lists no accounts: list at least one, or leave accounts out to allow every account of organizationId'],
      ['an account of 13 digits', { roleName: 'readonly', accounts: ['2222222222222'] },
        'Every account of the role readonly must be a 12-digit AWS account id, but got \'2222222222222\''],
      ['an account listed twice', { roleName: 'readonly', accounts: ['222222222222', '222222222222'] },
        'The role readonly in other accounts lists the account 222222222222 twice: list each account once'],
      ['an organization id that is an OU id', { roleName: 'readonly', organizationId: 'ou-ab12-cdef3456' },
        'The organizationId of the role readonly must be an AWS Organizations id (o- and 10 to 32 lower-case letters and digits), but got \'ou-ab12-cdef3456\''],
      ['a role name with a slash', { roleName: 'ops/readonly', organizationId: ORG },
        'The roleName of a role in other accounts must be 1 to 64 characters of letters, digits and _+=,.@- but got \'ops/readonly\''],
      ['a path without a trailing slash', { roleName: 'readonly', path: '/ops', organizationId: ORG },
        'The path of the role readonly in other accounts must be 1 to 512 characters that start and end with \'/\' (printable ASCII in between), but got \'/ops\''],
      ['a session of 13 hours', { roleName: 'readonly', organizationId: ORG, maxSessionDuration: Duration.hours(13) },
        'The maxSessionDuration of the role readonly must be a whole number of seconds from 3600 to 43200, but got 46800'],
      ['an MFA age of 0', { roleName: 'readonly', organizationId: ORG, maxMfaAge: Duration.seconds(0) },
        'The maxMfaAge of the role readonly must be a whole number of seconds from 1 to 129600, but got 0'],
    ] as Array<[string, MfaAccountRole, string]>)('on %s', (_name, accountRole, message) => {
      expect(() => new MfaTeam(newStack(), 'Dev', {
        roles: [],
        accountRoles: [{ name: 'role', ...accountRole }],
        members: [{ userName: 'alice', roles: ['role'], mfaSerial: 'GAHT12345678' }],
      })).toThrow(message);
      expect(() => new MfaDelegation(newStack(), 'Toolkit', { accountRoles: [accountRole] })).toThrow(message);
    });

    test('on an account role whose name is a team role\'s regardless of case', () => {
      expect(() => new MfaTeam(newStack(), 'Dev', {
        roles: [{ name: 'admin' }],
        accountRoles: [{ name: 'Admin', roleName: 'admin', organizationId: ORG }],
        members: [{ userName: 'alice', roles: ['admin'], mfaSerial: 'GAHT12345678' }],
      })).toThrow('The team roles \'admin\' and \'Admin\' have the same name regardless of case: give each role its own name');
    });

    test('on a member who lists an account role the team does not have', () => {
      expect(() => new MfaTeam(newStack(), 'Dev', {
        roles: [],
        accountRoles: [{ name: 'readonly', roleName: 'readonly', organizationId: ORG }],
        members: [{ userName: 'alice', roles: ['admin'], mfaSerial: 'GAHT12345678' }],
      })).toThrow('Team member alice lists the role \'admin\', which the team does not have; its roles are readonly');
    });
  });
});

describe('MfaDelegation accountRoles', () => {
  test('add a statement per role to the user\'s policy and list the roles in the output MfaAccountRoles', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new MfaDelegation(stack, 'Toolkit', {
      roleName: 'toolkit-role',
      userName: 'toolkit-user',
      accountRoles: [{ roleName: 'readonly', accounts: ['222222222222'] }, { roleName: 'admin', organizationId: ORG, maxMfaAge: Duration.minutes(30) }],
    });
    // THEN
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .find((p: any) => JSON.stringify(p.Properties.Users).includes('ToolkitUser')) as any;
    expect(policy.Properties.PolicyDocument.Statement.slice(1)).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE_IN_ANY_ACCOUNT('/readonly'), Condition: { ...MFA_HOUR, StringEquals: { 'aws:ResourceAccount': ['222222222222'] } } },
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: ROLE_IN_ANY_ACCOUNT('/admin'),
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '1800' }, StringEquals: { 'aws:ResourceOrgID': ORG } },
      },
    ]);
    expect(outputs(stack).ToolkitMfaAccountRoles).toEqual([
      { roleName: 'readonly', path: '/', accounts: ['222222222222'], maxSessionDuration: 3600 },
      { roleName: 'admin', path: '/', organizationId: ORG, maxSessionDuration: 3600 },
    ]);
  });

  test('has no MfaAccountRoles output without account roles', () => {
    const stack = newStack();
    new MfaDelegation(stack, 'Toolkit', { roleName: 'toolkit-role', userName: 'toolkit-user' });
    expect(outputs(stack).ToolkitMfaAccountRoles).toBeUndefined();
  });

  test('fails when the roles\' output would be longer than CloudFormation takes, and says to use organizationId', () => {
    expect(() => new MfaDelegation(newStack(), 'Toolkit', { accountRoles: [{ roleName: 'readonly', accounts: accounts(300) }] }))
      .toThrow('The roles in other accounts of Identity/Toolkit need 4575 characters in the stack output that tells mfa-profile about them, '
        + 'over CloudFormation\'s 4096 characters per output: list fewer accounts and use organizationId');
  });
});

describe('cdk-nag', () => {
  test('finds the account wildcard of account roles acknowledged, with the reason, on the team\'s groups and the delegation\'s policy', () => {
    // GIVEN
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'account-roles-nag-'));
    const app = new App({ outdir });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'Identity');
    // WHEN
    new MfaTeam(stack, 'Dev', {
      roles: [],
      accountRoles: [{ name: 'readonly', roleName: 'readonly', organizationId: ORG }],
      members: [{ userName: 'alice', roles: ['readonly'], mfaSerial: 'GAHT12345678', accessKey: false }],
    });
    new MfaDelegation(stack, 'Toolkit', { accountRoles: [{ roleName: 'admin', path: '/ops/', accounts: ['222222222222', '333333333333'] }] });
    // THEN
    try {
      app.synth();
      const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
      expect(JSON.stringify(report)).not.toContain('iam::*:role');
      const acknowledged = app.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>).filter(([id]) => id.includes(':iam::*:role')).map(([id, reason]) => [c.node.path, id, reason])));
      expect(acknowledged).toEqual([
        ['Identity/Dev/Groups/readonly', 'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/readonly]',
          'The account in the ARN of readonly is a wildcard so that one statement covers many accounts; aws:ResourceAccount and/or aws:ResourceOrgID '
          + `restrict it to the accounts of the organization ${ORG}, and only with MFA.`],
        ['Identity/Toolkit/User/AssumeRolePolicy', 'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/ops/admin]',
          'The account in the ARN of admin is a wildcard so that one statement covers many accounts; aws:ResourceAccount and/or aws:ResourceOrgID '
          + 'restrict it to the 2 listed accounts, and only with MFA.'],
      ]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('MfaRoleStackSet.accountRole', () => {
  test('describes a role of a self-managed StackSet with its accounts, path and durations', () => {
    // GIVEN
    const stackSet = new MfaRoleStackSet(newStack(), 'Roles', {
      identityAccount: '111111111111',
      roles: [{ roleName: 'admin', path: '/ops/', maxMfaAge: Duration.minutes(20), maxSessionDuration: Duration.hours(2) }],
      target: MfaRoleStackSetTarget.fromAccounts({ accounts: ['222222222222'] }),
    });
    // WHEN
    const role = stackSet.accountRole('admin');
    // THEN
    expect({ ...role, maxMfaAge: role.maxMfaAge?.toSeconds(), maxSessionDuration: role.maxSessionDuration?.toSeconds() }).toEqual({
      roleName: 'admin', path: '/ops/', accounts: ['222222222222'], organizationId: undefined, maxMfaAge: 1200, maxSessionDuration: 7200,
    });
  });

  test('describes a role of organizational units by its organization', () => {
    const stackSet = new MfaRoleStackSet(newStack(), 'Roles', {
      identityAccount: '111111111111',
      roles: [{ roleName: 'readonly' }],
      target: MfaRoleStackSetTarget.fromOrganizationalUnits({ organizationalUnitIds: ['ou-ab12-cdef3456'] }),
    });
    expect(stackSet.accountRole('readonly', { organizationId: ORG })).toEqual(expect.objectContaining({
      roleName: 'readonly', accounts: undefined, organizationId: ORG,
    }));
  });

  test('fails for organizational units without the organization, whose accounts it cannot list', () => {
    const stackSet = new MfaRoleStackSet(newStack(), 'Roles', {
      identityAccount: '111111111111',
      roles: [{ roleName: 'readonly' }],
      target: MfaRoleStackSetTarget.fromOrganizationalUnits({ organizationalUnitIds: ['ou-ab12-cdef3456'] }),
    });
    expect(() => stackSet.accountRole('readonly')).toThrow('Identity/Roles deploys to organizational units, whose accounts it cannot list: pass the '
      + 'organizationId of their organization to accountRole(\'readonly\')');
  });
});
