import { App, Duration, Stack } from 'aws-cdk-lib';
import { MfaTeam, MfaTeamProps } from '../lib';
import { TEAM_OUTPUT_VERSION } from '../lib/contract';
import { StackOutputs } from '../packages/mfa-profile/src/outputs';
import { roleProfiles } from '../packages/mfa-profile/src/profiles';
import { findMember, findTeams, memberDelegations, pickTeam, readTeam } from '../packages/mfa-profile/src/team-outputs';
import { previewOutputs } from '../packages/mfa-profile/src/template';

jest.setTimeout(60_000);

const ACCOUNT = '111111111111';

/** The outputs of a synthesized team as `mfa-profile --template` previews them. */
function previewOf(props: Partial<MfaTeamProps> = {}, id = 'Dev'): StackOutputs {
  const app = new App();
  const stack = new Stack(app, 'Teams');
  new MfaTeam(stack, id, {
    roles: [
      { name: 'admin', roleName: 'dev-admin', maxMfaAge: Duration.hours(1) },
      { name: 'readonly', roleName: 'dev-readonly', maxSessionDuration: Duration.hours(4) },
    ],
    members: [
      { userName: 'alice', roles: ['readonly', 'admin'] },
      { userName: 'bob', roles: ['readonly'], mfaSerial: 'GAHT12345678', accessKey: false },
    ],
    ...props,
  });
  return previewOutputs(app.synth().getStackByName('Teams').template, { stackName: 'Teams', account: ACCOUNT, partition: 'aws', region: 'eu-west-1' });
}

/**
 * Outputs as `cdk deploy --outputs-file` gives them, for a team whose maps span several outputs: version 1, as teams
 * deployed before the access keys moved into the seed secrets have them.
 */
const DEPLOYED: StackOutputs = {
  DevMfaTeam: JSON.stringify({
    version: 1,
    teamName: 'Dev',
    path: '/mfa-team/Dev/',
    mfaSerialPrefix: `arn:aws:iam::${ACCOUNT}:mfa/mfa-team/Dev/`,
    secretNamePrefix: 'mfa-team/Dev/',
    roleOutputs: 2,
    memberOutputs: 2,
  }),
  DevMfaTeamRoles1: JSON.stringify({ admin: { roleArn: `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/Teams-DevRolesadmin-1ABC`, maxSessionDuration: 3600 } }),
  DevMfaTeamRoles2: JSON.stringify({ readonly: { roleArn: `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/Teams-DevRolesreadonly-2DEF`, maxSessionDuration: 14400 } }),
  DevMfaTeamMembers1: JSON.stringify({ alice: { roles: ['readonly', 'admin'], accessKey: true } }),
  DevMfaTeamMembers2: JSON.stringify({ Bob: { roles: ['readonly'], accessKey: false, mfaSerial: 'GAHT12345678' } }),
  ToolkitMfaRoleArn: `arn:aws:iam::${ACCOUNT}:role/toolkit-role`,
};

describe('team outputs', () => {
  test('give the role profiles of one member from a synthesized team, as mfa-profile writes them', () => {
    // GIVEN
    const outputs = previewOf();
    // WHEN
    const team = readTeam('Teams', outputs, pickTeam('Teams', findTeams(outputs)));
    const profiles = roleProfiles(memberDelegations(team, 'alice'), { durationSeconds: 3600 });
    // THEN
    expect(profiles.map((p) => [p.name, p.entries])).toEqual([
      ['Dev-readonly', [
        ['role_arn', `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/dev-readonly`],
        ['source_profile', 'alice'],
        ['mfa_serial', `arn:aws:iam::${ACCOUNT}:mfa/mfa-team/Dev/alice`],
        // The team roles' trust requires sts:RoleSessionName = the user name.
        ['role_session_name', 'alice'],
        ['duration_seconds', '3600'],
      ]],
      ['Dev-admin', [
        ['role_arn', `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/dev-admin`],
        ['source_profile', 'alice'],
        ['mfa_serial', `arn:aws:iam::${ACCOUNT}:mfa/mfa-team/Dev/alice`],
        // The team roles' trust requires sts:RoleSessionName = the user name.
        ['role_session_name', 'alice'],
        ['duration_seconds', '3600'],
      ]],
    ]);
  });

  test('give each delegation of a member its user, secrets and session bound', () => {
    const team = readTeam('Teams', previewOf(), 'Dev');
    const [readonly, admin] = memberDelegations(team, 'alice');
    expect(readonly).toEqual({
      stackName: 'Teams',
      id: 'Dev:alice:readonly',
      values: {
        MfaRoleArn: `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/dev-readonly`,
        MfaUserName: 'alice',
        MfaUserArn: `arn:aws:iam::${ACCOUNT}:user/mfa-team/Dev/alice`,
        MfaSerial: `arn:aws:iam::${ACCOUNT}:mfa/mfa-team/Dev/alice`,
        MfaAccessKey: 'true',
        MfaSeedSecretArn: 'mfa-team/Dev/alice/mfa-seed',
        MfaSourceProfile: 'alice',
        MfaRoleProfile: 'Dev-readonly',
        MfaRoleMaxSessionDuration: '14400',
      },
      unknown: {},
      member: { team: 'Dev', userName: 'alice' },
    });
    expect(admin.values.MfaRoleMaxSessionDuration).toBe('3600');
  });

  test('give a member with an existing device its serial, and no seed or access key secret', () => {
    const [readonly] = memberDelegations(readTeam('Teams', previewOf(), 'Dev'), 'bob');
    expect(readonly.values.MfaSerial).toBe('GAHT12345678');
    expect(readonly.values.MfaSeedSecretArn).toBeUndefined();
    expect(readonly.values.MfaAccessKeySecretArn).toBeUndefined();
  });

  test('give a member with an existing device and an access key no secret: the key comes from mfa-profile (version 3)', () => {
    const [readonly] = memberDelegations(readTeam('Teams', previewOf({
      members: [{ userName: 'bob', roles: ['readonly'], mfaSerial: 'GAHT12345678' }],
    }), 'Dev'), 'bob');
    expect(readonly.values.MfaAccessKey).toBe('true');
    expect(readonly.values.MfaAccessKeySecretArn).toBeUndefined();
    expect(readonly.values.MfaSeedSecretArn).toBeUndefined();
  });

  test('give a member of a version 1 team, whose access key has a secret of its own, that secret', () => {
    const team = readTeam('Stack', DEPLOYED, 'Dev');
    expect(team.version).toBe(1);
    const [readonly] = memberDelegations(team, 'alice');
    expect(readonly.values.MfaAccessKeySecretArn).toBe('mfa-team/Dev/alice/access-key');
    expect(readonly.values.MfaSeedSecretArn).toBe('mfa-team/Dev/alice/mfa-seed');
  });

  test('merge roles and members spread over several outputs', () => {
    const team = readTeam('Stack', DEPLOYED, 'Dev');
    expect(Object.keys(team.roles)).toEqual(['admin', 'readonly']);
    expect(team.members.map((m) => m.userName)).toEqual(['alice', 'Bob']);
    expect(memberDelegations(team, 'alice').map((d) => d.values.MfaRoleArn)).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/Teams-DevRolesreadonly-2DEF`,
      `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/Teams-DevRolesadmin-1ABC`,
    ]);
  });

  test('find a member regardless of case, as IAM does', () => {
    expect(findMember(readTeam('Stack', DEPLOYED, 'Dev'), 'bob').userName).toBe('Bob');
  });

  test('read a team of 300 members from a synthesized template', () => {
    const members = Array.from({ length: 300 }, (_, i) => ({ userName: `member${i}`, roles: ['readonly'], mfaSerial: `GAHT${String(i).padStart(8, '0')}`, accessKey: false }));
    const team = readTeam('Teams', previewOf({ members }), 'Dev');
    expect(team.members).toHaveLength(300);
    expect(memberDelegations(team, 'member299')[0].values.MfaSerial).toBe('GAHT00000299');
  });

  test('say which role values a preview cannot know when role names are generated, naming each role\'s own resource', () => {
    const outputs = previewOf({ roles: [{ name: 'admin' }, { name: 'readonly' }] });
    const [readonly, admin] = memberDelegations(readTeam('Teams', outputs, 'Dev'), 'alice');
    expect(readonly.values.MfaRoleArn).toBeUndefined();
    expect(readonly.unknown.MfaRoleArn).toMatch(/^DevMfaTeamRoles1: DevRolesreadonly\w+ \(AWS::IAM::Role\) has no explicit RoleName, so its name is generated at deploy$/);
    expect(admin.unknown.MfaRoleArn).toMatch(/^DevMfaTeamRoles1: DevRolesadmin\w+ \(AWS::IAM::Role\) has no explicit RoleName, so its name is generated at deploy$/);
    expect(() => roleProfiles([readonly])).toThrow(/is unknown before deploy: DevMfaTeamRoles1: DevRolesreadonly\w+ \(AWS::IAM::Role\) has no explicit RoleName/);
  });

  test('a preview knows the roles with explicit names in a roles output that also holds a generated one', () => {
    const outputs = previewOf({ roles: [{ name: 'admin' }, { name: 'readonly', roleName: 'dev-readonly' }] });
    const [readonly, admin] = memberDelegations(readTeam('Teams', outputs, 'Dev'), 'alice');
    expect(readonly.values).toMatchObject({ MfaRoleArn: `arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/dev-readonly`, MfaRoleMaxSessionDuration: '3600' });
    expect(readonly.unknown).toEqual({});
    expect(admin.values.MfaRoleArn).toBeUndefined();
    expect(admin.unknown.MfaRoleArn).toMatch(/^DevMfaTeamRoles1: DevRolesadmin\w+ \(AWS::IAM::Role\) has no explicit RoleName, so its name is generated at deploy$/);
  });

  test('fail for a stack without a team', () => {
    expect(() => pickTeam('Stack', findTeams({ ToolkitMfaRoleArn: 'arn' }))).toThrow('Stack Stack has no MfaTeam outputs (no output key ends with MfaTeam).');
  });

  test('fail for several teams unless one is picked', () => {
    const prefixes = findTeams({ ...DEPLOYED, OpsMfaTeam: '{}' });
    expect(prefixes).toEqual(['Dev', 'Ops']);
    expect(() => pickTeam('Stack', prefixes)).toThrow('Stack Stack has several teams (Dev and Ops): pick one with --team.');
    expect(pickTeam('Stack', prefixes, 'Ops')).toBe('Ops');
    expect(() => pickTeam('Stack', prefixes, 'Qa')).toThrow('Stack Stack has no team "Qa"; it has Dev and Ops.');
  });

  test('fail for a member the team does not have', () => {
    expect(() => memberDelegations(readTeam('Stack', DEPLOYED, 'Dev'), 'carol')).toThrow('Team Dev of stack Stack has no member "carol" (it has 2 members).');
  });

  test('fail for an output that the team output announces but the stack lacks', () => {
    const { DevMfaTeamMembers2: _, ...outputs } = DEPLOYED;
    expect(() => readTeam('Stack', outputs, 'Dev')).toThrow('Stack Stack has no output DevMfaTeamMembers2, which DevMfaTeam announces.');
  });

  test('fails for a team output newer than any the constructs write, with the advice to upgrade mfa-profile', () => {
    const version = TEAM_OUTPUT_VERSION + 1;
    const outputs = { ...DEPLOYED, DevMfaTeam: JSON.stringify({ ...JSON.parse(DEPLOYED.DevMfaTeam as string), version }) };
    expect(() => readTeam('Stack', outputs, 'Dev')).toThrow(`DevMfaTeam of stack Stack is of version ${version}, newer than the versions `
      + 'this mfa-profile reads (1, 2, 3 and 4): upgrade mfa-profile to the release of the cdk-mfa-delegation version that defined the stack.');
  });

  test('fails for a team output whose version is not a version', () => {
    const outputs = { ...DEPLOYED, DevMfaTeam: JSON.stringify({ ...JSON.parse(DEPLOYED.DevMfaTeam as string), version: '2' }) };
    expect(() => readTeam('Stack', outputs, 'Dev')).toThrow('DevMfaTeam of stack Stack is of version "2", but this mfa-profile reads versions 1, 2, 3 and 4.');
  });

  test('fail for an output that is not JSON, without showing it', () => {
    expect(() => readTeam('Stack', { ...DEPLOYED, DevMfaTeamMembers1: '{"alice": ' }, 'Dev')).toThrow(/^The output DevMfaTeamMembers1 is not valid JSON/);
  });

  test('fail for a member entry of the wrong shape', () => {
    expect(() => readTeam('Stack', { ...DEPLOYED, DevMfaTeamMembers1: '{"alice":{"roles":"admin","accessKey":true}}' }, 'Dev'))
      .toThrow('DevMfaTeamMembers1 of stack Stack has a malformed entry for the member alice.');
  });
});
