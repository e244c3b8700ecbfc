import { readFixture } from './support/cli';
import { renderSections } from '../src/ini';
import { findDelegations, outputsOfStack, parseOutputsFile, pickDelegations, pickStack } from '../src/outputs';
import { credentialsStyle, roleProfiles } from '../src/profiles';
import { accessKeyOf, seedOf } from '../src/secrets';

function delegationsOf(file: string, stackName?: string, id?: string) {
  const stacks = parseOutputsFile(readFixture(file), file);
  const stack = pickStack(stacks, file, stackName);
  return pickDelegations(stack, findDelegations(stack, stacks[stack]), id);
}

describe('outputs file → delegations', () => {
  test('finds the one delegation of the example stack with every field', () => {
    const [delegation, ...rest] = delegationsOf('outputs-one.json');
    expect(rest).toEqual([]);
    expect(delegation).toEqual({
      stackName: 'MfaDelegationExample',
      id: 'Toolkit',
      values: {
        MfaRoleArn: 'arn:aws:iam::111111111111:role/toolkit-role',
        MfaUserName: 'toolkit-user',
        MfaUserArn: 'arn:aws:iam::111111111111:user/toolkit-user',
        MfaSerial: 'arn:aws:iam::111111111111:mfa/toolkit-user',
        MfaAccessKeySecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:ToolkitUserAccessKeySecret-AbCdEf',
        MfaSeedSecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:ToolkitMfaDeviceSeedSecret-GhIjKl',
        MfaSourceProfile: 'toolkit-user',
        MfaRoleProfile: 'mfa',
        MfaRoleMaxSessionDuration: '3600',
      },
      unknown: {},
    });
  });

  test('finds several delegations in one stack, skipping stacks and outputs that are not delegations', () => {
    expect(delegationsOf('outputs-several.json').map((d) => d.id)).toEqual(['Deploy', 'Toolkit']);
  });

  test('--delegation picks one, by output prefix or by construct id', () => {
    expect(delegationsOf('outputs-several.json', undefined, 'Deploy').map((d) => d.id)).toEqual(['Deploy']);
    expect(delegationsOf('outputs-several.json', undefined, 'Tool-kit').map((d) => d.id)).toEqual(['Toolkit']);
  });

  test('--stack-name picks the stack when several hold delegations', () => {
    expect(delegationsOf('outputs-two-stacks.json', 'ProdStack')[0].values.MfaRoleProfile).toEqual('mfa-prod');
  });

  test('reads the outputs of a DescribeStacks answer', () => {
    expect(outputsOfStack([{ OutputKey: 'ToolkitMfaRoleArn', OutputValue: 'arn' }, { OutputValue: 'no key' }])).toEqual({ ToolkitMfaRoleArn: 'arn' });
  });

  test('fails for malformed JSON, naming the file and the position', () => {
    expect(() => delegationsOf('outputs-malformed.json')).toThrow(/^outputs-malformed\.json is not valid JSON \(error at character \d+\)\.$/);
  });

  test('fails for JSON that is not an outputs file', () => {
    expect(() => parseOutputsFile('["a"]', 'x.json')).toThrow('x.json is not a cdk outputs file: expected { "StackName": { "OutputKey": "value" } }.');
  });

  test('fails for an unknown stack, saying which stacks exist', () => {
    expect(() => delegationsOf('outputs-two-stacks.json', 'Nope')).toThrow('outputs-two-stacks.json has no stack Nope; it has stacks DevStack and ProdStack.');
  });

  test('fails when several stacks hold delegations and none is named', () => {
    expect(() => delegationsOf('outputs-two-stacks.json'))
      .toThrow('outputs-two-stacks.json has MfaDelegation outputs in several stacks (DevStack, ProdStack): pick one with --stack-name.');
  });

  test('fails for a file without delegations', () => {
    expect(() => pickStack(parseOutputsFile('{ "Other": { "BucketName": "b" } }', 'x.json'), 'x.json'))
      .toThrow('x.json has no MfaDelegation outputs; it has stack Other.');
    expect(() => pickStack(parseOutputsFile('{}', 'x.json'), 'x.json')).toThrow('x.json has no MfaDelegation outputs; it holds no stacks.');
  });

  test('fails for a stack named with --stack-name that holds no delegation', () => {
    expect(() => delegationsOf('outputs-several.json', 'Unrelated')).toThrow('Stack Unrelated has no MfaDelegation outputs (no output key ends with MfaRoleArn).');
  });

  test('fails for an unknown --delegation, saying which exist', () => {
    expect(() => delegationsOf('outputs-several.json', undefined, 'Admin')).toThrow('Stack MfaDelegationExample has no delegation "Admin"; it has Deploy and Toolkit.');
  });
});

describe('delegations → role profiles', () => {
  test('the example delegation gives [profile mfa] with role_arn, source_profile and mfa_serial', () => {
    expect(renderSections('config', roleProfiles(delegationsOf('outputs-one.json')))).toEqual('[profile mfa]\n'
      + 'role_arn = arn:aws:iam::111111111111:role/toolkit-role\n'
      + 'source_profile = toolkit-user\n'
      + 'mfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\n'
      + 'role_session_name = toolkit-user\n');
  });

  test('names, duration, session name and region can be set', () => {
    const profiles = roleProfiles(delegationsOf('outputs-one.json'), {
      profile: 'admin', sourceProfile: 'me', durationSeconds: 3600, roleSessionName: 'me-at-work', region: 'eu-west-1',
    });
    expect(renderSections('config', profiles)).toEqual('[profile admin]\n'
      + 'role_arn = arn:aws:iam::111111111111:role/toolkit-role\n'
      + 'source_profile = me\n'
      + 'mfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\n'
      + 'role_session_name = me-at-work\n'
      + 'duration_seconds = 3600\n'
      + 'region = eu-west-1\n');
  });

  test('several delegations give one profile each, under their own names', () => {
    expect(roleProfiles(delegationsOf('outputs-several.json')).map((p) => [p.name, p.sourceProfile])).toEqual([['deploy', 'deploy-user'], ['mfa', 'toolkit-user']]);
  });

  test('the credentials style follows the AWS Toolkit for Visual Studio guide: source_profile, role_arn, mfa_serial', () => {
    expect(renderSections('credentials', roleProfiles(delegationsOf('outputs-one.json')).map(credentialsStyle))).toEqual('[mfa]\n'
      + 'source_profile = toolkit-user\n'
      + 'role_arn = arn:aws:iam::111111111111:role/toolkit-role\n'
      + 'mfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\n'
      + 'role_session_name = toolkit-user\n');
  });

  test('fails for a missing output, naming it', () => {
    expect(() => roleProfiles(delegationsOf('outputs-missing.json')))
      .toThrow('Stack MfaDelegationExample has no output ToolkitMfaSerial, which this command needs.');
  });

  test('fails for a duration above the role\'s maximum session duration', () => {
    expect(() => roleProfiles(delegationsOf('outputs-one.json'), { durationSeconds: 7200 }))
      .toThrow('--duration-seconds is 7200, but must be a whole number from 900 to 3600 (the role\'s maximum session duration).');
  });

  test('fails for profile names set while several delegations are picked', () => {
    expect(() => roleProfiles(delegationsOf('outputs-several.json'), { profile: 'x' }))
      .toThrow('Stack MfaDelegationExample has several delegations (Deploy, Toolkit): pick one with --delegation before naming its profiles.');
  });

  test('fails when two delegations want the same profile name', () => {
    const [toolkit] = delegationsOf('outputs-one.json');
    const twin = { ...toolkit, id: 'Twin' };
    expect(() => roleProfiles([toolkit, twin])).toThrow('Delegations Toolkit and Twin both want the profile mfa: pick one with --delegation and name it with --profile.');
  });

  test('fails when the role profile would have the source profile\'s name', () => {
    expect(() => roleProfiles(delegationsOf('outputs-one.json'), { profile: 'toolkit-user' }))
      .toThrow('The role profile and the source profile are both named toolkit-user: give them different names.');
  });
});

describe('secrets', () => {
  const ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:s-AbCdEf';

  test('reads the access key', () => {
    expect(accessKeyOf('{"userName":"u","accessKeyId":"AKIA1","secretAccessKey":"s3cr3t"}', ARN))
      .toEqual({ userName: 'u', accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t' });
  });

  test('fails for a secret that is not JSON without quoting it', () => {
    expect(() => accessKeyOf('s3cr3t-not-json', ARN)).toThrow(`The secret ${ARN} is not valid JSON.`);
    expect(() => accessKeyOf('{"secretAccessKey":"s3cr3t",', ARN)).toThrow(/^The secret \S+ is not valid JSON( \(error at character \d+\))?\.$/);
  });

  test('fails for a secret without an access key', () => {
    expect(() => accessKeyOf('{"password":"s3cr3t"}', ARN)).toThrow(`The secret ${ARN} does not hold an access key (accessKeyId and secretAccessKey).`);
  });

  test('reads the seed', () => {
    const secret = seedOf(JSON.stringify({ serialNumber: 'arn:aws:iam::1:mfa/u', userName: 'u', seed: 'SEED', otpauthUri: 'otpauth://x', enabled: false, extra: 1 }), ARN);
    expect(secret).toMatchObject({ serialNumber: 'arn:aws:iam::1:mfa/u', userName: 'u', seed: 'SEED', otpauthUri: 'otpauth://x', enabled: false });
  });

  test('fails for the placeholder the stack writes before the device exists', () => {
    expect(() => seedOf('{"pending":"x"}', ARN)).toThrow(`The secret ${ARN} holds no seed yet: the MFA device has not been created.`);
  });

  test('fails for a forgotten seed', () => {
    expect(() => seedOf('{"serialNumber":"s","userName":"u","forgotten":true}', ARN))
      .toThrow(`The seed was removed from the secret ${ARN} (mfa-setup --forget): only the authenticator app holds it.`);
  });
});
