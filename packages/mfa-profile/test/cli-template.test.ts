import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { readFixture, ROOT, runCli, tempDir } from './support/cli';
import { createExampleApp } from '../../../bin/app';
import { MfaDelegation, MfaTeam } from '../../../lib';
import { renderSections } from '../src/ini';
import { findDelegations, pickDelegations } from '../src/outputs';
import { roleProfiles } from '../src/profiles';
import { previewOutputs, stackNameOfTemplateFile } from '../src/template';

// Each test runs mfa-profile once or more (some as a process of its own): seconds on a busy machine.
jest.setTimeout(60_000);

const ENV = { stackName: 'MfaDelegationExample', account: '111111111111', partition: 'aws' };

describe('template preview', () => {
  const template = JSON.parse(readFixture('preview.template.json'));

  test('resolves explicit names: GetAtt Arn of a role with a path, Ref and GetAtt of a user, the device serial, Fn::Sub', () => {
    expect(previewOutputs(template, ENV)).toMatchObject({
      ToolkitMfaRoleArn: 'arn:aws:iam::111111111111:role/admins/toolkit-role',
      ToolkitMfaUserName: 'toolkit-user',
      ToolkitMfaUserArn: 'arn:aws:iam::111111111111:user/toolkit-user',
      ToolkitMfaSerial: 'arn:aws:iam::111111111111:mfa/toolkit-user',
      ToolkitMfaSourceProfile: 'toolkit-user',
      ToolkitMfaRoleProfile: 'mfa',
    });
  });

  test('says plainly what is unknown before deploy: a secret ARN, generated names', () => {
    const outputs = previewOutputs(template, ENV);
    expect(outputs.ToolkitMfaAccessKeySecretArn).toEqual({
      unknown: 'ToolkitUserAccessKeySecretA070208C (AWS::SecretsManager::Secret) gets its name or ARN at deploy',
    });
    const role = 'GeneratedRole1234ABCD (AWS::IAM::Role) has no explicit RoleName, so its name is generated at deploy';
    expect(outputs.GeneratedMfaRoleArn).toEqual({ unknown: role, pieces: ['arn:aws:iam::111111111111:role/', { unknown: role }] });
    const user = 'GeneratedUser1234ABCD (AWS::IAM::User) has no explicit UserName, so its name is generated at deploy';
    expect(outputs.GeneratedMfaSerial).toEqual({ unknown: user, pieces: ['arn:aws:iam::111111111111:mfa/', { unknown: user }] });
  });

  test('keeps the known text around each unknown part of a joined output, in order', () => {
    const outputs = previewOutputs({
      Resources: { R: { Type: 'AWS::IAM::Role' } },
      Outputs: { A: { Value: { 'Fn::Join': ['', ['{"r":"', { 'Fn::GetAtt': ['R', 'Arn'] }, '","p":"', { Ref: 'AWS::Partition' }, '","x":"', { Ref: 'P' }, '"}']] } } },
    }, ENV);
    const role = 'R (AWS::IAM::Role) has no explicit RoleName, so its name is generated at deploy';
    expect(outputs.A).toEqual({
      unknown: role,
      pieces: ['{"r":"arn:aws:iam::111111111111:role/', { unknown: role }, '","p":"aws","x":"', { unknown: 'P is a parameter or not in the template' }, '"}'],
    });
  });

  test('uses the partition and the region given', () => {
    const outputs = previewOutputs({
      Outputs: {
        A: { Value: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::x-${AWS::Region}.${AWS::URLSuffix}/${!Literal}' } },
        B: { Value: { 'Fn::Join': ['-', [{ Ref: 'AWS::Region' }, 'x']] } },
      },
    }, { ...ENV, partition: 'aws-cn', region: 'cn-north-1' });
    expect(outputs).toEqual({ A: 'arn:aws-cn:s3:::x-cn-north-1.amazonaws.com.cn/${Literal}', B: 'cn-north-1-x' });
  });

  test('a region that is not given is unknown', () => {
    expect(previewOutputs({ Outputs: { A: { Value: { Ref: 'AWS::Region' } } } }, ENV)).toEqual({ A: { unknown: 'AWS::Region is not given (pass --region)' } });
  });

  test('the stack name comes from the template file name', () => {
    expect(stackNameOfTemplateFile('cdk.out/MfaDelegationExample.template.json')).toEqual('MfaDelegationExample');
  });

  test('fails to preview a delegation whose role name is generated, saying why', () => {
    const delegations = pickDelegations('MfaDelegationExample', findDelegations('MfaDelegationExample', previewOutputs(template, ENV)), 'Generated');
    expect(() => roleProfiles(delegations))
      .toThrow('GeneratedMfaRoleArn of stack MfaDelegationExample is unknown before deploy: '
        + 'GeneratedRole1234ABCD (AWS::IAM::Role) has no explicit RoleName, so its name is generated at deploy.');
  });

  test('fails for a template that is not a JSON object', () => {
    expect(() => previewOutputs([], ENV)).toThrow('The template of MfaDelegationExample is not a CloudFormation template (a JSON object).');
  });
});

describe('template preview of the real example app', () => {
  let file: string;
  beforeAll(() => {
    const template = createExampleApp().synth().getStackByName('MfaDelegationExample').template;
    file = path.join(tempDir(), 'MfaDelegationExample.template.json');
    fs.writeFileSync(file, JSON.stringify(template));
  }, 60_000);

  test('previews the profile of the synthesized example stack', async () => {
    const run = await runCli(['write', '--template', file, '--account', '111111111111', '--print']);
    expect(run).toMatchObject({ status: 0 });
    expect(run.stdout).toEqual('[profile mfa]\n'
      + 'role_arn = arn:aws:iam::111111111111:role/toolkit-role\n'
      + 'source_profile = toolkit-user\n'
      + 'mfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\n'
      + 'role_session_name = toolkit-user\n');
    // The seed secret's name is set at synth (the handler creates the secret under it), so the preview knows every output.
    expect(run.stderr).toEqual('');
  });

  test('is the preview that CONTRIBUTING.md shows for npm run example', async () => {
    const run = await runCli(['write', '--template', file, '--account', '111111111111', '--print']);
    expect(fs.readFileSync(path.join(ROOT, 'CONTRIBUTING.md'), 'utf8')).toContain(`\n\`\`\`\n${run.stdout}\`\`\`\n`);
  });

  test('the pure preview gives the same profile', () => {
    const outputs = previewOutputs(JSON.parse(fs.readFileSync(file, 'utf8')), ENV);
    expect(renderSections('config', roleProfiles(findDelegations('MfaDelegationExample', outputs)))).toContain('[profile mfa]\n');
  });
});

describe('template preview of stacks where some names are generated', () => {
  let dir: string;
  let two: string;
  let teamOnly: string;
  beforeAll(() => {
    // GIVEN a stack with a delegation of explicit names beside one of generated names, and a stack of only a team
    // whose admin role has a generated name and whose readonly role has an explicit one
    dir = tempDir();
    const app = new App({ outdir: path.join(dir, 'cdk.out') });
    const stack = new Stack(app, 'Two');
    new MfaDelegation(stack, 'Named', { roleName: 'named-role', userName: 'named-user', profileName: 'named' });
    new MfaDelegation(stack, 'Gen', { profileName: 'gen' });
    new MfaTeam(new Stack(app, 'TeamOnly'), 'Dev', {
      roles: [{ name: 'admin' }, { name: 'readonly', roleName: 'dev-readonly' }],
      members: [{ userName: 'alice', roles: ['readonly', 'admin'] }, { userName: 'bob', roles: ['readonly'] }],
    });
    app.synth();
    two = path.join(dir, 'cdk.out', 'Two.template.json');
    teamOnly = path.join(dir, 'cdk.out', 'TeamOnly.template.json');
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const profile = (name: string, roleArn: string, user: string, serial: string) =>
    `[profile ${name}]\nrole_arn = ${roleArn}\nsource_profile = ${user}\nmfa_serial = ${serial}\nrole_session_name = ${user}\n`;
  const ACCOUNT_ARN = 'arn:aws:iam::111111111111';

  test('previews the delegation it can, and says which one it cannot and why, when the other has generated names', async () => {
    const run = await runCli(['write', '--template', two, '--account', '111111111111', '--print']);
    expect(run.status).toBe(0);
    expect(run.stdout).toEqual(profile('named', `${ACCOUNT_ARN}:role/named-role`, 'named-user', `${ACCOUNT_ARN}:mfa/named-user`));
    expect(run.stderr).toMatch(new RegExp('^Cannot preview the profile gen of delegation Gen: GenMfaRoleArn is known only after deploy: '
      + 'GenRole[0-9A-F]{8} \\(AWS::IAM::Role\\) has no explicit RoleName, so its name is generated at deploy\\.\n$'));
  });

  test('names the team role whose name is generated, not another, and previews the member\'s other roles', async () => {
    const run = await runCli(['write', '--template', teamOnly, '--account', '111111111111', '--member', 'alice', '--print']);
    expect(run.status).toBe(0);
    expect(run.stdout).toEqual(profile('Dev-readonly', `${ACCOUNT_ARN}:role/mfa-team/Dev/dev-readonly`, 'alice', `${ACCOUNT_ARN}:mfa/mfa-team/Dev/alice`));
    expect(run.stderr).toMatch(new RegExp('^Cannot preview the profile Dev-admin of member alice of team Dev: its role ARN is known only after deploy: '
      + 'DevMfaTeamRoles1: DevRolesadmin[0-9A-F]{8} \\(AWS::IAM::Role\\) has no explicit RoleName, so its name is generated at deploy\\.\n$'));
  });

  test('setup previews the member\'s profiles it can and names the one it cannot', async () => {
    const run = await runCli(['setup', '--template', teamOnly, '--account', '111111111111', '--member', 'alice']);
    expect(run.status).toBe(0);
    expect(run.stdout).toEqual(profile('Dev-readonly', `${ACCOUNT_ARN}:role/mfa-team/Dev/dev-readonly`, 'alice', `${ACCOUNT_ARN}:mfa/mfa-team/Dev/alice`));
    const [said, cannot, ...rest] = run.stderr.split('\n');
    expect(said).toEqual(`Preview from ${teamOnly}: setup writes these profiles once the stack is deployed (run it with --outputs-file or --stack).`);
    expect(cannot).toMatch(/^Cannot preview the profile Dev-admin of member alice of team Dev: its role ARN is known only after deploy: DevMfaTeamRoles1: DevRolesadmin/);
    expect(rest).toEqual(['']);
  });

  test('fails for a stack of only a team without --member, saying to name a member', async () => {
    const run = await runCli(['setup', '--template', teamOnly, '--account', '111111111111']);
    expect(run).toEqual({
      status: 1,
      stdout: '',
      stderr: 'mfa-profile: Stack TeamOnly has no MfaDelegation, only the MfaTeam Dev, whose profiles are its members\': name one with --member USER.\n',
    });
  });

  test('fails for an outputs file of only teams without --member, saying to name a member and its team', async () => {
    const outputsFile = path.join(dir, 'teams.json');
    fs.writeFileSync(outputsFile, JSON.stringify({ Teams: { DevMfaTeam: '{}', OpsMfaTeam: '{}' } }));
    const run = await runCli(['write', '--outputs-file', outputsFile, '--print']);
    expect(run).toEqual({
      status: 1,
      stdout: '',
      stderr: 'mfa-profile: Stack Teams has no MfaDelegation, only the MfaTeam Dev and Ops, whose profiles are its members\': '
        + 'name one with --member USER and its team with --team ID.\n',
    });
  });

  test('fails when no profile can be previewed, naming the delegation and why', async () => {
    const run = await runCli(['write', '--template', two, '--account', '111111111111', '--delegation', 'Gen', '--print']);
    expect(run.status).toBe(1);
    expect(run.stdout).toEqual('');
    expect(run.stderr).toMatch(/^mfa-profile: Cannot preview the profile gen of delegation Gen: GenMfaRoleArn is known only after deploy: GenRole[0-9A-F]{8} /);
  });
});
