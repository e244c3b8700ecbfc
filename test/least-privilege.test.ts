import * as fs from 'fs';
import * as path from 'path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MfaDelegation, MfaTeam, MfaTeamMember, MfaTeamProps } from '../lib';
import { ACCOUNT, ConcreteTemplate } from './support/concrete-template';
import { EXAMPLE_APP, synthTemplate } from './support/configurations';
import { collectIdentityPolicies, simulate, SimulationRequest } from './support/iam-simulation';
import { IAM_POLICY_LIMITS } from '../lib/private/policy-size';

// Who may assume which role, proven by the independent evaluator (@cloud-copilot/iam-simulate) on synthesized
// templates: team roles trust only their own members (a principal tag per role, the team path, MFA, a session named
// after the user), one MFA code counts for an hour by default, and sessions can be cut (aws:TokenIssueTime) or end
// with the membership (aws:userid of a session named after its member).

jest.setTimeout(120_000);

/** The real AWS managed policy PowerUserAccess (v12), as AWS publishes it: everything but IAM, Organizations and Account. */
const POWER_USER_ACCESS = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'aws-managed-policies', 'PowerUserAccess.json'), 'utf8'));
/** A policy from elsewhere in the account (an organisation-wide group, say) that allows assuming any role. */
const ASSUME_ANY_ROLE = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };

const MINUTES_59 = 59 * 60;
const MINUTES_61 = 61 * 60;
/** A cut, and session issue times just before and after it. */
const CUT = '2026-12-01T12:00:00Z';
const BEFORE_CUT = '2026-12-01T11:59:59Z';
const AFTER_CUT = '2026-12-01T12:00:01Z';

/** The stack of a team (roles readonly and admin unless given), whose roles' sessions may s3:ListAllMyBuckets by a managed policy. */
function teamTemplate(props: Omit<MfaTeamProps, 'roles'> & { roles?: MfaTeamProps['roles'] }, configure?: (team: MfaTeam) => void): ConcreteTemplate {
  const app = new App();
  const stack = new Stack(app, 'Team');
  const work = new iam.ManagedPolicy(stack, 'Work', {
    managedPolicyName: 'work',
    statements: [new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] })],
  });
  const roles = props.roles ?? [{ name: 'readonly', roleName: 'readonly' }, { name: 'admin', roleName: 'admin' }];
  const team = new MfaTeam(stack, 'Dev', { ...props, roles: roles.map((role) => ({ ...role, managedPolicies: [work] })) });
  configure?.(team);
  nestedTemplates = team.nestedStacks.map((nested) => Template.fromStack(nested).toJSON());
  return new ConcreteTemplate(app.synth().getStackByName('Team').template, 'Team');
}

/** The templates of the nested stacks of the team that `teamTemplate` synthesized last. */
let nestedTemplates: any[] = [];

/** A team member whose device is a hardware token: the user is the member's only resource. */
function member(userName: string, roles: string[]): MfaTeamMember {
  return { userName, roles, mfaSerial: 'GAHT12345678', accessKey: false };
}

/** What a member may do: the inline policies of its groups, and what else the account gives it. */
function memberPolicies(t: ConcreteTemplate, userName: string, others: any[] = []): SimulationRequest['identityPolicies'] {
  const user = t.resources[t.idOf('AWS::IAM::User', (p) => p.UserName === userName)].Properties;
  const groups = t.idsOf('AWS::IAM::Group').filter((id) => user.Groups.includes(t.ref(id)));
  return [
    ...groups.flatMap((id) => t.resources[id].Properties.Policies.map((p: any) => ({ name: `${id}/${p.PolicyName}`, policy: p.PolicyDocument }))),
    ...others.map((policy, i) => ({ name: `other${i}`, policy })),
  ];
}

/** The request context AWS sets when an IAM user of the template calls AssumeRole with an MFA sign-in `mfaAge` seconds old. */
function memberContext(t: ConcreteTemplate, userName: string, mfaAge?: number, sessionName = userName): Record<string, string> {
  const id = t.idOf('AWS::IAM::User', (p) => p.UserName === userName);
  const tags = (t.resources[id].Properties.Tags ?? []).map((tag: any) => [`aws:PrincipalTag/${tag.Key}`, tag.Value]);
  return {
    'aws:PrincipalArn': t.getAtt(id, 'Arn'),
    'aws:username': userName,
    'sts:RoleSessionName': sessionName,
    ...Object.fromEntries(tags),
    ...(mfaAge === undefined ? {} : { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': String(mfaAge) }),
  };
}

function roleOf(t: ConcreteTemplate, roleName: string): { id: string; arn: string; trust: any } {
  const id = t.idOf('AWS::IAM::Role', (p) => p.RoleName === roleName);
  return { id, arn: t.getAtt(id, 'Arn'), trust: t.resources[id].Properties.AssumeRolePolicyDocument };
}

async function assume(t: ConcreteTemplate, userName: string, roleName: string, mfaAge?: number,
  options: { others?: any[]; sessionName?: string } = {}) {
  const id = t.idOf('AWS::IAM::User', (p) => p.UserName === userName);
  const role = roleOf(t, roleName);
  return simulate({
    principal: t.getAtt(id, 'Arn'),
    action: 'sts:AssumeRole',
    resource: role.arn,
    resourcePolicy: role.trust,
    identityPolicies: memberPolicies(t, userName, options.others),
    context: memberContext(t, userName, mfaAge, options.sessionName),
  });
}

/** A call (s3:ListAllMyBuckets) by a session of a role of the template, named `sessionName`, issued at `issuedAt`. */
async function sessionCall(t: ConcreteTemplate, roleName: string, sessionName: string, issuedAt: string) {
  return simulate({
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${sessionName}`,
    action: 's3:ListAllMyBuckets',
    resource: '*',
    identityPolicies: collectIdentityPolicies(t, 'Roles', roleName),
    context: { 'aws:userid': `AROAEXAMPLEROLEID0001:${sessionName}`, 'aws:TokenIssueTime': issuedAt },
  });
}

const AGES: Array<[string, number | undefined]> = [['no MFA', undefined], ['MFA 59 min', MINUTES_59], ['MFA 61 min', MINUTES_61]];

describe('a team: each role trusts only its own members, for an hour per code', () => {
  let t: ConcreteTemplate;
  beforeAll(() => {
    t = teamTemplate({ members: [member('alice', ['readonly', 'admin']), member('bob', ['readonly'])] });
  });

  test('the evaluator\'s matrix: member × role × MFA age → result, bob holding PowerUserAccess and sts:AssumeRole on *', async () => {
    const matrix: string[] = [];
    for (const userName of ['alice', 'bob']) {
      for (const roleName of ['readonly', 'admin']) {
        for (const [age, seconds] of AGES) {
          const others = userName === 'bob' ? [POWER_USER_ACCESS, ASSUME_ANY_ROLE] : [];
          matrix.push(`${userName} ${roleName} ${age}: ${await assume(t, userName, roleName, seconds, { others })}`);
        }
      }
    }
    expect(matrix).toEqual([
      'alice readonly no MFA: ImplicitlyDenied',
      'alice readonly MFA 59 min: Allowed',
      'alice readonly MFA 61 min: ImplicitlyDenied',
      'alice admin no MFA: ImplicitlyDenied',
      'alice admin MFA 59 min: Allowed',
      'alice admin MFA 61 min: ImplicitlyDenied',
      'bob readonly no MFA: ImplicitlyDenied',
      'bob readonly MFA 59 min: Allowed',
      'bob readonly MFA 61 min: ImplicitlyDenied',
      'bob admin no MFA: ImplicitlyDenied',
      'bob admin MFA 59 min: ImplicitlyDenied',
      'bob admin MFA 61 min: ImplicitlyDenied',
    ]);
  });

  test('fails to let a member of readonly only assume admin by the trust policy alone: an identity policy allowing it is not enough', async () => {
    // bob's own MFA, a fresh code, and an administrator's identity policy: the admin role's trust still refuses him.
    const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const role = roleOf(t, 'admin');
    expect(await simulate({
      principal: t.getAtt(t.idOf('AWS::IAM::User', (p) => p.UserName === 'bob'), 'Arn'),
      action: 'sts:AssumeRole',
      resource: role.arn,
      resourcePolicy: role.trust,
      identityPolicies: [{ name: 'admin', policy: admin }],
      context: memberContext(t, 'bob', 60),
    })).toBe('ImplicitlyDenied');
  });

  test('fails to let a member assume its own role with a session named after someone else', async () => {
    expect(await assume(t, 'alice', 'admin', 60, { sessionName: 'bob' })).toBe('ImplicitlyDenied');
    expect(await assume(t, 'bob', 'readonly', 60, { sessionName: 'alice' })).toBe('ImplicitlyDenied');
    expect(await assume(t, 'bob', 'readonly', 60)).toBe('Allowed');
  });

  test('fails to let a principal that is not an IAM user of the team path in, even with the role\'s tag as a session tag', async () => {
    const role = roleOf(t, 'admin');
    const admin = [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
    const withTag = { 'aws:PrincipalTag/cdk-mfa-delegation:role:admin': 'Dev', 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '60' };
    const callers: Array<[string, Record<string, string>]> = [
      // A role session whose session tags copy the member tag: its aws:PrincipalArn is a role's.
      [`arn:aws:sts::${ACCOUNT}:assumed-role/mfa-team/Dev/readonly/alice`, { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/readonly` }],
      // A federated user (GetFederationToken takes tags): its aws:PrincipalArn is under sts, not a user.
      [`arn:aws:sts::${ACCOUNT}:federated-user/alice`, { 'aws:PrincipalArn': `arn:aws:sts::${ACCOUNT}:federated-user/alice` }],
      // A user outside the team path that someone tagged like a member.
      [`arn:aws:iam::${ACCOUNT}:user/alice`, { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/alice`, 'aws:username': 'alice' }],
    ];
    for (const [principal, context] of callers) {
      expect(await simulate({
        principal,
        action: 'sts:AssumeRole',
        resource: role.arn,
        resourcePolicy: role.trust,
        identityPolicies: admin,
        context: { ...withTag, ...context, 'sts:RoleSessionName': 'alice' },
      })).toBe('ImplicitlyDenied');
    }
  });

  test('puts on each member exactly one tag per role it may assume, the team name as value', () => {
    const tagsOf = (userName: string) => t.resources[t.idOf('AWS::IAM::User', (p) => p.UserName === userName)].Properties.Tags;
    expect(tagsOf('alice')).toEqual([
      { Key: 'cdk-mfa-delegation:role:admin', Value: 'Dev' },
      { Key: 'cdk-mfa-delegation:role:readonly', Value: 'Dev' },
    ]);
    expect(tagsOf('bob')).toEqual([{ Key: 'cdk-mfa-delegation:role:readonly', Value: 'Dev' }]);
  });

  test('lets the sessions of current members act, and fails any session named after someone else', async () => {
    expect(await sessionCall(t, 'admin', 'alice', AFTER_CUT)).toBe('Allowed');
    expect(await sessionCall(t, 'readonly', 'bob', AFTER_CUT)).toBe('Allowed');
    expect(await sessionCall(t, 'admin', 'bob', AFTER_CUT)).toBe('ExplicitlyDenied');
    expect(await sessionCall(t, 'readonly', 'mallory', AFTER_CUT)).toBe('ExplicitlyDenied');
  });
});

describe('revocation', () => {
  test('a member removed from the team loses the sessions it holds with the deploy that removes it, without a cut to lift later', async () => {
    const before = teamTemplate({ members: [member('alice', ['readonly', 'admin']), member('carol', ['readonly', 'admin'])] });
    const after = teamTemplate({ members: [member('alice', ['readonly', 'admin'])] });
    for (const role of ['readonly', 'admin']) {
      expect(await sessionCall(before, role, 'carol', BEFORE_CUT)).toBe('Allowed');
      expect(await sessionCall(after, role, 'carol', BEFORE_CUT)).toBe('ExplicitlyDenied');
      expect(await sessionCall(after, role, 'alice', BEFORE_CUT)).toBe('Allowed');
    }
  });

  test('a member removed from one role loses its sessions of that role only', async () => {
    const after = teamTemplate({ members: [member('alice', ['readonly'])] });
    expect(await sessionCall(after, 'admin', 'alice', BEFORE_CUT)).toBe('ExplicitlyDenied');
    expect(await sessionCall(after, 'readonly', 'alice', BEFORE_CUT)).toBe('Allowed');
  });

  test('revokeSessionsIssuedBefore of the team denies every session issued before the cut, and none after', async () => {
    const t = teamTemplate({ members: [member('alice', ['readonly', 'admin']), member('bob', ['readonly'])], revokeSessionsIssuedBefore: CUT });
    expect(await sessionCall(t, 'admin', 'alice', BEFORE_CUT)).toBe('ExplicitlyDenied');
    expect(await sessionCall(t, 'readonly', 'bob', BEFORE_CUT)).toBe('ExplicitlyDenied');
    expect(await sessionCall(t, 'admin', 'alice', AFTER_CUT)).toBe('Allowed');
    expect(await sessionCall(t, 'readonly', 'bob', AFTER_CUT)).toBe('Allowed');
  });

  test('a member\'s revokeSessionsIssuedBefore denies that member\'s sessions issued before the cut on each of its roles, and no one else\'s', async () => {
    const t = teamTemplate({ members: [{ ...member('alice', ['readonly', 'admin']), revokeSessionsIssuedBefore: CUT }, member('bob', ['readonly'])] });
    for (const role of ['readonly', 'admin']) {
      expect(await sessionCall(t, role, 'alice', BEFORE_CUT)).toBe('ExplicitlyDenied');
      expect(await sessionCall(t, role, 'alice', AFTER_CUT)).toBe('Allowed');
    }
    expect(await sessionCall(t, 'readonly', 'bob', BEFORE_CUT)).toBe('Allowed');
  });

  test('team.revokeSessions cuts one member or everyone, like the props', async () => {
    const t = teamTemplate({ members: [member('alice', ['readonly', 'admin']), member('bob', ['readonly'])] }, (team) => {
      team.revokeSessions({ issuedBefore: CUT, userName: 'bob' });
    });
    expect(await sessionCall(t, 'readonly', 'bob', BEFORE_CUT)).toBe('ExplicitlyDenied');
    expect(await sessionCall(t, 'readonly', 'alice', BEFORE_CUT)).toBe('Allowed');
  });

  test('tags a member for its roles in this account and in others, and cuts its sessions on the roles of this account', async () => {
    const t = teamTemplate({
      accountRoles: [{ name: 'deploy', roleName: 'deploy', accounts: ['222222222222'] }],
      members: [member('alice', ['readonly', 'deploy'])],
    }, (team) => team.revokeSessions({ issuedBefore: CUT, userName: 'alice' }));
    expect(t.resources[t.idOf('AWS::IAM::User', (p) => p.UserName === 'alice')].Properties.Tags)
      .toEqual([{ Key: 'cdk-mfa-delegation:role:deploy', Value: 'Dev' }, { Key: 'cdk-mfa-delegation:role:readonly', Value: 'Dev' }]);
    expect(await sessionCall(t, 'readonly', 'alice', BEFORE_CUT)).toBe('ExplicitlyDenied');
    expect(await sessionCall(t, 'readonly', 'alice', AFTER_CUT)).toBe('Allowed');
  });

  test('fails to revoke the sessions of a user who is not a member', () => {
    expect(() => teamTemplate({ members: [member('alice', ['readonly'])] }, (team) => team.revokeSessions({ issuedBefore: CUT, userName: 'carol' })))
      .toThrow("Team/Dev has no member 'carol' to revoke the sessions of: the roles of the team deny every session that is not named after one "
        + 'of their members already');
  });

  test('fails with a member whose name STS cannot give a session', () => {
    expect(() => teamTemplate({ members: [member('a', ['readonly'])] })).toThrow(
      'The userName of team member a must be 2 to 64 characters of letters, digits and _+=,.@- (it names role sessions, and STS takes session '
      + "names of 2 to 64 characters), but got 'a' (1 character)");
  });
});

describe('the example app', () => {
  test('its role admits an MFA sign-in of 59 minutes and refuses one of 61 minutes, by default', async () => {
    const t = new ConcreteTemplate(synthTemplate(EXAMPLE_APP), EXAMPLE_APP.stackName);
    const roleIds = t.idsOf('AWS::IAM::Role', (p) => p.AssumeRolePolicyDocument.Statement.some((s: any) => s.Principal.AWS !== undefined));
    expect(roleIds.length).toBe(1);
    const userName = 'toolkit-user';
    const user = t.getAtt(t.idOf('AWS::IAM::User', (p) => p.UserName === userName), 'Arn');
    for (const id of roleIds) {
      const request = {
        principal: user,
        action: 'sts:AssumeRole',
        resource: t.getAtt(id, 'Arn'),
        resourcePolicy: t.resources[id].Properties.AssumeRolePolicyDocument,
        identityPolicies: collectIdentityPolicies(t, 'Users', userName),
      };
      const context = (age: number) => ({ 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': String(age), 'aws:username': userName, 'sts:RoleSessionName': userName });
      expect(await simulate({ ...request, context: context(MINUTES_59) })).toBe('Allowed');
      expect(await simulate({ ...request, context: context(MINUTES_61) })).toBe('ImplicitlyDenied');
      expect(await simulate({ ...request, context: { ...context(MINUTES_59), 'sts:RoleSessionName': 'someone-else' } })).toBe('ImplicitlyDenied');
    }
  });
});

describe('at scale: 500 members × 10 roles', () => {
  const ROLES = Array.from({ length: 10 }, (_, i) => `role${i}`);
  /** Realistic user names (about 20 characters): the list of a role's members is too long for one statement. */
  const name = (i: number) => `firstname.lastname${String(i).padStart(3, '0')}`;
  let t: ConcreteTemplate;
  let users: any[];
  beforeAll(() => {
    const members = Array.from({ length: 500 }, (_, i) => member(name(i), ROLES));
    t = teamTemplate({ roles: ROLES.map((r) => ({ name: r, roleName: r })), members, memberStacks: 2 });
    users = nestedTemplates.flatMap((n) => Object.values<any>(n.Resources).filter((r) => r.Type === 'AWS::IAM::User'));
  });

  test('every trust policy, inline and managed policy fits IAM\'s limits, and every member has 10 of its 50 tags', () => {
    for (const role of ROLES) {
      const props = t.resources[roleOf(t, role).id].Properties;
      expect(JSON.stringify(props.AssumeRolePolicyDocument).length).toBeLessThanOrEqual(IAM_POLICY_LIMITS.roleTrustPolicy);
      expect(JSON.stringify(props.Policies ?? []).length).toBeLessThanOrEqual(IAM_POLICY_LIMITS.roleInlinePolicies);
    }
    for (const id of t.idsOf('AWS::IAM::ManagedPolicy')) {
      expect(JSON.stringify(t.resources[id].Properties.PolicyDocument).length).toBeLessThanOrEqual(IAM_POLICY_LIMITS.managedPolicy);
    }
    expect(users.length).toBe(500);
    expect(users.map((user) => user.Properties.Tags.length)).toEqual(users.map(() => 10));
  });

  test('keeps the trust policy of a role the same size for 2 and for 500 members', () => {
    const small = teamTemplate({ roles: ROLES.map((r) => ({ name: r, roleName: r })), members: [member(name(1), ROLES), member(name(2), ROLES)] });
    expect(JSON.stringify(t.resources[roleOf(t, 'role0').id].Properties.AssumeRolePolicyDocument))
      .toBe(JSON.stringify(small.resources[roleOf(small, 'role0').id].Properties.AssumeRolePolicyDocument));
  });

  test('lets every member\'s session act on a role whose member list is split over managed policies, and no one else\'s', async () => {
    const policies = collectIdentityPolicies(t, 'Roles', 'role3');
    expect(policies.filter((p) => p.name.includes('SessionNames')).length).toBeGreaterThan(1);
    for (let i = 0; i < 500; i++) {
      expect([name(i), await sessionCall(t, 'role3', name(i), AFTER_CUT)]).toEqual([name(i), 'Allowed']);
    }
    // Prefixes and extensions of members' names, names that differ in case, and others.
    for (const other of ['firstname.lastname', 'firstname.lastname50', 'firstname.lastname5000', 'firstname.lastname500', 'Firstname.lastname001',
      'firstname.lastname00', 'firstname.lastname0010', 'f', 'fi', 'mallory', 'firstname.lastname-001']) {
      expect([other, await sessionCall(t, 'role3', other, AFTER_CUT)]).toEqual([other, 'ExplicitlyDenied']);
    }
  });
});

/** The parent and nested templates of a team, concrete, with each member's device created (its `CreatedAt`) at the given time. */
interface TeamTemplates {
  readonly parent: ConcreteTemplate;
  readonly nested: ConcreteTemplate[];
  readonly raw: any[];
}

function deviceTeamTemplates(props: MfaTeamProps, createdAt: (userName: string) => string): TeamTemplates {
  const app = new App();
  const stack = new Stack(app, 'Team');
  const work = new iam.ManagedPolicy(stack, 'Work', {
    managedPolicyName: 'work',
    statements: [new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] })],
  });
  const team = new MfaTeam(stack, 'Dev', { ...props, roles: props.roles.map((role) => ({ ...role, managedPolicies: [work] })) });
  const parentRaw = app.synth().getStackByName('Team').template;
  const attributes = (raw: any) => Object.fromEntries(Object.entries<any>(raw.Resources)
    .filter(([, r]) => r.Type === 'Custom::VirtualMfaDevice')
    .map(([id, r]) => [`${id}.CreatedAt`, createdAt(raw.Resources[r.Properties.UserName.Ref].Properties.UserName)]));
  const parent = new ConcreteTemplate(parentRaw, 'Team', { attributes: attributes(parentRaw) });
  const nestedRaw = team.nestedStacks.map((nested) => Template.fromStack(nested).toJSON());
  const nested = team.nestedStacks.map((n, i) => new ConcreteTemplate(nestedRaw[i], n.node.path, {
    attributes: attributes(nestedRaw[i]),
    parameters: parent.resources[stack.getLogicalId(n.nestedStackResource as CfnElement)].Properties.Parameters,
  }));
  return { parent, nested, raw: [parentRaw, ...nestedRaw] };
}

/** A call by a session of a team role named after `sessionName`, issued at `issuedAt`, with every policy of the role in every stack of the team. */
async function teamSessionCall(t: TeamTemplates, roleName: string, sessionName: string, issuedAt: string) {
  return simulate({
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${sessionName}`,
    action: 's3:ListAllMyBuckets',
    resource: '*',
    identityPolicies: [t.parent, ...t.nested].flatMap((template) => collectIdentityPolicies(template, 'Roles', roleName)),
    context: { 'aws:userid': `AROAEXAMPLEROLEID0001:${sessionName}`, 'aws:TokenIssueTime': issuedAt },
  });
}


describe('a new MFA device cuts the sessions issued before it (#17.4), with no second deploy', () => {
  const ALICE = { userName: 'alice', roles: ['readonly', 'admin'] };
  const BOB = { userName: 'bob', roles: ['readonly'] };
  const CAROL = { userName: 'carol', roles: ['ops'] };
  /** The first deploy: each device's CreatedAt. */
  const FIRST: Record<string, string> = { alice: '2026-12-01T10:00:01Z', bob: '2026-12-01T10:00:02Z', carol: '2026-12-01T10:00:03Z' };
  /** alice's device replaced at noon (a re-created member, an identity change of the device). */
  const REPLACED = { ...FIRST, alice: '2026-12-01T12:00:01Z' };
  const templates = (members: MfaTeamMember[], times: Record<string, string>) => deviceTeamTemplates({
    roles: ['readonly', 'admin', 'ops'].map((name) => ({ name, roleName: name })),
    members,
  }, (userName) => times[userName]);

  test('a first deploy cuts no session issued after its newest device', async () => {
    const t = templates([ALICE, BOB, CAROL], FIRST);
    for (const [user, role] of [['alice', 'readonly'], ['alice', 'admin'], ['bob', 'readonly'], ['carol', 'ops']]) {
      expect([user, role, await teamSessionCall(t, role, user, '2026-12-01T10:00:04Z')]).toEqual([user, role, 'Allowed']);
    }
  });

  test('a replaced device denies its member\'s sessions issued before it on each of its roles, and allows those issued after', async () => {
    const t = templates([ALICE, BOB, CAROL], REPLACED);
    for (const role of ['readonly', 'admin']) {
      expect(await teamSessionCall(t, role, 'alice', '2026-12-01T12:00:00Z')).toBe('ExplicitlyDenied');
      expect(await teamSessionCall(t, role, 'alice', '2026-12-01T12:00:01Z')).toBe('Allowed');
    }
  });

  test('the cut is per role: every session of the replaced device\'s roles issued before it ends, no session of another role', async () => {
    const t = templates([ALICE, BOB, CAROL], REPLACED);
    // bob shares readonly with alice: he re-assumes it with a fresh code. carol's ops is none of alice's roles.
    expect(await teamSessionCall(t, 'readonly', 'bob', '2026-12-01T12:00:00Z')).toBe('ExplicitlyDenied');
    expect(await teamSessionCall(t, 'readonly', 'bob', '2026-12-01T12:00:02Z')).toBe('Allowed');
    expect(await teamSessionCall(t, 'ops', 'carol', '2026-12-01T12:00:00Z')).toBe('Allowed');
  });

  test('a removed member stays denied; removing the member of the newest device lifts only the other members\' cut', async () => {
    const t = templates([BOB, CAROL], REPLACED);
    for (const role of ['readonly', 'admin']) {
      expect(await teamSessionCall(t, role, 'alice', '2026-12-01T12:00:02Z')).toBe('ExplicitlyDenied');
    }
    expect(await teamSessionCall(t, 'readonly', 'bob', '2026-12-01T12:00:00Z')).toBe('Allowed');
  });

  test('a member added back gets a new device, which denies the sessions it held before its removal', async () => {
    const t = templates([ALICE, BOB, CAROL], { ...REPLACED, alice: '2026-12-01T13:00:01Z' });
    expect(await teamSessionCall(t, 'admin', 'alice', '2026-12-01T12:00:02Z')).toBe('ExplicitlyDenied');
    expect(await teamSessionCall(t, 'admin', 'alice', '2026-12-01T13:00:02Z')).toBe('Allowed');
  });

  test('members with an existing device (mfaSerial) add no cut: the team cannot see their device change', () => {
    const t = templates([BOB, member('dave', ['ops'])], FIRST);
    const cuts = t.parent.idsOf('AWS::IAM::ManagedPolicy', (p) => JSON.stringify(p).includes('aws:TokenIssueTime'));
    expect(cuts.map((id) => t.parent.resources[id].Properties.Roles)).toEqual([['readonly']]);
  });
});

describe('MfaDelegation: a new device cuts the role\'s sessions issued before it', () => {
  test('denies the sessions of its role issued before the device\'s CreatedAt, allows those after, and adds nothing with trustedAccount', async () => {
    const app = new App();
    const stack = new Stack(app, 'Delegation');
    const work = new iam.ManagedPolicy(stack, 'Work', { statements: [new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] })] });
    new MfaDelegation(stack, 'Toolkit', { userName: 'toolkit-user', roleName: 'toolkit-role', managedPolicies: [work] });
    new MfaDelegation(stack, 'Other', { userName: 'other-user', roleName: 'other-role', trustedAccount: '222222222222', managedPolicies: [work] });
    const raw = app.synth().getStackByName('Delegation').template;
    const device = Object.keys(raw.Resources).find((id) => raw.Resources[id].Type === 'Custom::VirtualMfaDevice' && id.startsWith('Toolkit'))!;
    const t = new ConcreteTemplate(raw, 'Delegation', { attributes: { [`${device}.CreatedAt`]: CUT } });
    expect(await sessionCall(t, 'toolkit-role', 'toolkit-user', BEFORE_CUT)).toBe('ExplicitlyDenied');
    expect(await sessionCall(t, 'toolkit-role', 'toolkit-user', AFTER_CUT)).toBe('Allowed');
    expect(collectIdentityPolicies(t, 'Roles', 'other-role').map((p) => JSON.stringify(p.policy)).join()).not.toContain('aws:TokenIssueTime');
  });
});

describe('at scale with virtual devices: 500 members × 10 roles', () => {
  const ROLES = Array.from({ length: 10 }, (_, i) => `role${i}`);
  const name = (i: number) => `firstname.lastname${String(i).padStart(3, '0')}`;
  /** Member i's device was created i seconds after 10:00: member 499's is the newest. */
  const time = (i: number) => new Date(Date.parse('2026-12-01T10:00:00Z') + i * 1000).toISOString().replace('.000Z', 'Z');
  let t: TeamTemplates;
  beforeAll(() => {
    const members = Array.from({ length: 500 }, (_, i) => ({ userName: name(i), roles: ROLES }));
    t = deviceTeamTemplates({ roles: ROLES.map((r) => ({ name: r, roleName: r })), members }, (userName) => time(Number(userName.slice(-3))));
  });

  test('every cut fits IAM\'s 6,144 characters with real times, every role has at most 10 managed policies, every stack CloudFormation\'s limits', () => {
    const templates = [t.parent, ...t.nested];
    for (const template of templates) {
      for (const id of template.idsOf('AWS::IAM::ManagedPolicy')) {
        expect(JSON.stringify(template.resources[id].Properties.PolicyDocument).length).toBeLessThanOrEqual(IAM_POLICY_LIMITS.managedPolicy);
      }
    }
    for (const role of ROLES) {
      const attached = templates.flatMap((template) => template.idsOf('AWS::IAM::ManagedPolicy', (p) => (p.Roles ?? []).includes(role)));
      const given = t.parent.resources[roleOf(t.parent, role).id].Properties.ManagedPolicyArns ?? [];
      // One cut per nested stack of members, 3 policies of member names, and the role's own (work): as DESIGN.md says.
      expect([attached.filter((id) => id.includes('CutNewDevices')).length, attached.filter((id) => id.includes('SessionNames')).length,
        given.length]).toEqual([5, 3, 1]);
      expect(attached.length + given.length).toBeLessThanOrEqual(10);
    }
    for (const raw of t.raw) {
      expect(Object.keys(raw.Resources).length).toBeLessThanOrEqual(500);
      expect(Object.keys(raw.Outputs ?? {}).length).toBeLessThanOrEqual(200);
      expect(Object.keys(raw.Parameters ?? {}).length).toBeLessThanOrEqual(200);
      expect(JSON.stringify(raw, undefined, 1).length).toBeLessThanOrEqual(1_000_000);
    }
    expect(t.nested.length).toBe(5);
  });

  test('denies every session of a role issued before the newest device of its members, in whichever stack, and allows those after it', async () => {
    const newest = t.nested.findIndex((n) => n.idsOf('AWS::IAM::User', (p) => p.UserName === name(499)).length === 1);
    expect(newest).toBeGreaterThanOrEqual(0);
    for (const i of [0, 250, 499]) {
      expect(await teamSessionCall(t, 'role3', name(i), time(498))).toBe('ExplicitlyDenied');
      expect(await teamSessionCall(t, 'role3', name(i), time(499))).toBe('Allowed');
    }
  });
});

describe('DESIGN.md', () => {
  const START = '<!-- least-privilege-matrix -->';
  const END = '<!-- /least-privilege-matrix -->';
  const designPath = path.join(__dirname, '..', 'DESIGN.md');

  /** Who may assume which role of a team (alice: readonly and admin; bob: readonly, with PowerUserAccess and sts:AssumeRole on *). */
  async function assumeTable(): Promise<string[]> {
    const t = teamTemplate({ members: [member('alice', ['readonly', 'admin']), member('bob', ['readonly'])] });
    const word = (result: string) => (result === 'Allowed' ? 'allowed' : 'denied');
    const rows = ['| member | its roles | role | no MFA | MFA 59 min | MFA 61 min | MFA 59 min, session named after another |', '| --- | --- | --- | --- | --- | --- | --- |'];
    for (const [userName, roles, others] of [['alice', 'readonly, admin', []], ['bob', 'readonly (+ PowerUserAccess, sts:AssumeRole on *)',
      [POWER_USER_ACCESS, ASSUME_ANY_ROLE]]] as Array<[string, string, any[]]>) {
      for (const roleName of ['readonly', 'admin']) {
        const cells = [];
        for (const [, seconds] of AGES) {
          cells.push(word(await assume(t, userName, roleName, seconds, { others })));
        }
        cells.push(word(await assume(t, userName, roleName, MINUTES_59, { others, sessionName: userName === 'alice' ? 'bob' : 'alice' })));
        rows.push(`| ${userName} | ${roles} | ${roleName} | ${cells.join(' | ')} |`);
      }
    }
    return rows;
  }

  /** Which sessions act after each deploy of a team whose members have the team's virtual devices. */
  async function revocationTable(): Promise<string[]> {
    const roles = ['readonly', 'admin', 'ops'].map((name) => ({ name, roleName: name }));
    const alice = { userName: 'alice', roles: ['readonly', 'admin'] };
    const others = [{ userName: 'bob', roles: ['readonly'] }, { userName: 'carol', roles: ['ops'] }];
    const first = { alice: '2026-12-01T10:00:01Z', bob: '2026-12-01T10:00:02Z', carol: '2026-12-01T10:00:03Z' } as Record<string, string>;
    const deploys: Array<[string, MfaTeamMember[], Record<string, string>]> = [
      ['1: first deploy, devices 10:00:01-03', [alice, ...others], first],
      ['2: alice\'s new device 12:00:01', [alice, ...others], { ...first, alice: '2026-12-01T12:00:01Z' }],
      ['3: alice removed', others, first],
      ['4: alice added back, device 13:00:01', [alice, ...others], { ...first, alice: '2026-12-01T13:00:01Z' }],
    ];
    const sessions: Array<[string, string, string]> = [['alice', 'admin', '11:00'], ['alice', 'readonly', '12:30'], ['bob', 'readonly', '11:00'],
      ['bob', 'readonly', '12:30'], ['carol', 'ops', '11:00'], ['mallory', 'ops', '12:30']];
    const rows = [`| session (role, issued) | ${deploys.map(([name]) => name).join(' | ')} |`, `| --- |${deploys.map(() => ' --- |').join('')}`];
    const templates = deploys.map(([, members, times]) => deviceTeamTemplates({ roles, members }, (userName) => times[userName]));
    for (const [userName, role, issued] of sessions) {
      const cells = [];
      for (const t of templates) {
        const result = await teamSessionCall(t, role, userName, `2026-12-01T${issued}:00Z`);
        cells.push(result === 'Allowed' ? 'acts' : 'denied');
      }
      rows.push(`| ${userName} (${role}, ${issued}) | ${cells.join(' | ')} |`);
    }
    return rows;
  }

  test('gives the matrices the evaluator finds (UPDATE_DESIGN_MATRIX=1 writes them)', async () => {
    const block = [START, ...await assumeTable(), '', ...await revocationTable(), END].join('\n');
    const written = () => {
      const design = fs.readFileSync(designPath, 'utf8');
      return { design, start: design.indexOf(START), end: design.indexOf(END) + END.length };
    };
    const { design, start, end } = written();
    expect(start).toBeGreaterThan(0);
    if (process.env.UPDATE_DESIGN_MATRIX === '1') {
      fs.writeFileSync(designPath, design.slice(0, start) + block + design.slice(end));
    }
    const now = written();
    expect(now.design.slice(now.start, now.end)).toEqual(block);
  });
});
