import * as fs from 'fs';
import * as path from 'path';
import { readFixture, runCli, tempDir } from './support/cli';
import { createExampleApp } from '../../../bin/app';
import { renderSections } from '../src/ini';
import { findDelegations, pickDelegations } from '../src/outputs';
import { roleProfiles } from '../src/profiles';
import { previewOutputs, stackNameOfTemplateFile } from '../src/template';

// Each test spawns mfa-profile (ts-node) once or more: seconds each on a busy machine.
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
    expect(outputs.GeneratedMfaRoleArn).toEqual({
      unknown: 'GeneratedRole1234ABCD (AWS::IAM::Role) has no explicit RoleName, so its name is generated at deploy',
    });
    expect(outputs.GeneratedMfaSerial).toEqual({
      unknown: 'GeneratedUser1234ABCD (AWS::IAM::User) has no explicit UserName, so its name is generated at deploy',
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

  test('the pure preview gives the same profile', () => {
    const outputs = previewOutputs(JSON.parse(fs.readFileSync(file, 'utf8')), ENV);
    expect(renderSections('config', roleProfiles(findDelegations('MfaDelegationExample', outputs)))).toContain('[profile mfa]\n');
  });
});
