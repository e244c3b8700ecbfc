import * as path from 'path';
import { fixture } from './support/cli';
import { regionOfArn } from '../src/aws';
import { Io, mfaSerialOf, write } from '../src/commands';
import { configFile, credentialsFile } from '../src/files';
import { readProfiles } from '../src/ini';

function captureIo(env: Io['env'] = {}): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { env, stdout, stderr, out: (text) => stdout.push(text), say: (text) => stderr.push(text) };
}

describe('file locations', () => {
  test('the option wins over the environment, which wins over ~/.aws', () => {
    const env = { HOME: '/home/me', AWS_CONFIG_FILE: '/etc/aws/config', AWS_SHARED_CREDENTIALS_FILE: '~/secrets/aws' };
    expect(configFile('./here', env)).toEqual(path.resolve('here'));
    expect(configFile(undefined, env)).toEqual('/etc/aws/config');
    expect(credentialsFile(undefined, env)).toEqual('/home/me/secrets/aws');
    expect(configFile(undefined, { HOME: '/home/me' })).toEqual('/home/me/.aws/config');
    expect(credentialsFile(undefined, { HOME: '/home/me' })).toEqual('/home/me/.aws/credentials');
  });
});

describe('the region of an AWS call', () => {
  test('is the region of the ARN, the main region of its partition for IAM, and the SDK\'s for a name', () => {
    expect(regionOfArn('arn:aws:secretsmanager:eu-west-1:111111111111:secret:s-AbCdEf')).toEqual('eu-west-1');
    expect(regionOfArn('arn:aws:iam::111111111111:mfa/u')).toEqual('us-east-1');
    expect(regionOfArn('arn:aws-cn:iam::111111111111:mfa/u')).toEqual('cn-north-1');
    expect(regionOfArn('mfa-team/dev/alice/access-key')).toBeUndefined();
  });
});

describe('the MFA serial of a source profile', () => {
  const config = (text: string) => readProfiles(text, 'config');

  test('is its own mfa_serial, else that of the role profile whose source it is', () => {
    expect(mfaSerialOf(config('[profile u]\nmfa_serial = own\n[profile mfa]\nsource_profile = u\nmfa_serial = role\n'), 'u')).toEqual('own');
    expect(mfaSerialOf(config('[profile mfa]\nsource_profile = u\nmfa_serial = role\n[profile other]\nsource_profile = u\nmfa_serial = role\n'), 'u'))
      .toEqual('role');
  });

  test('fails when profiles name different serials', () => {
    expect(() => mfaSerialOf(config('[profile a]\nsource_profile = u\nmfa_serial = s1\n[profile b]\nsource_profile = u\nmfa_serial = s2\n'), 'u'))
      .toThrow('Profiles in the config file name several MFA serials for u (s1, s2): pass --serial-number.');
  });
});

describe('write (in process)', () => {
  test('prints several delegations\' profiles, results on stdout only', async () => {
    const io = captureIo();
    await write({ outputsFile: fixture('outputs-several.json'), print: true }, io);
    expect(io.stdout).toEqual(['[profile deploy]\n'
      + 'role_arn = arn:aws:iam::111111111111:role/deploy/deploy-role\n'
      + 'source_profile = deploy-user\n'
      + 'mfa_serial = arn:aws:iam::111111111111:mfa/deploy-user\n'
      + 'role_session_name = deploy-user\n'
      + '\n'
      + '[profile mfa]\n'
      + 'role_arn = arn:aws:iam::111111111111:role/toolkit-role\n'
      + 'source_profile = toolkit-user\n'
      + 'mfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\n'
      + 'role_session_name = toolkit-user\n']);
    expect(io.stderr).toEqual([]);
  });

  test('a preview with --json lists what is unknown before deploy instead of talking', async () => {
    const io = captureIo();
    await write({ template: fixture('preview.template.json'), account: '111111111111', delegation: 'Toolkit', print: true, json: true }, io);
    expect(JSON.parse(io.stdout.join(''))).toMatchObject({
      stackName: 'preview',
      profiles: [{ name: 'mfa', sourceProfile: 'toolkit-user' }],
      unknownBeforeDeploy: {
        ToolkitMfaAccessKeySecretArn: 'ToolkitUserAccessKeySecretA070208C (AWS::SecretsManager::Secret) gets its name or ARN at deploy',
      },
    });
    expect(io.stderr).toEqual([]);
  });

  test('fails for a bad partition or account of a preview', async () => {
    await expect(write({ template: fixture('preview.template.json'), account: '1234' }, captureIo()))
      .rejects.toThrow('A preview needs the 12-digit account it will be deployed to: --account ID (not "1234").');
    await expect(write({ template: fixture('preview.template.json'), account: '111111111111', partition: 'mars' }, captureIo()))
      .rejects.toThrow('--partition "mars" is not an AWS partition (like aws, aws-cn or aws-us-gov).');
  });
});
