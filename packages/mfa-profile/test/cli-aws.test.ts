import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fromIni } from '@aws-sdk/credential-providers';
import { CLI, fixture, ROOT, runCli, stubEnv, tempDir } from './support/cli';
import { AwsStub, jsonError, jsonResult, queryError, queryResult, StubRequest, StubResponse, useStubEnvironment, xmlEscape } from '../../../test/support/aws-stub';

// Each test runs mfa-profile once or more (some as a process of its own): seconds on a busy machine.
jest.setTimeout(60_000);

const ACCOUNT = '111111111111';
const ACCESS_KEY_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:ToolkitUserAccessKeySecret-AbCdEf`;
const SEED_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:ToolkitMfaDeviceSeedSecret-GhIjKl`;
const SERIAL = `arn:aws:iam::${ACCOUNT}:mfa/toolkit-user`;
const USER_KEY_ID = 'AKIATOOLKITUSER00001';
const USER_SECRET = 'toolkit-user-secret-access-key-0000000001';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const URI = `otpauth://totp/Amazon%20Web%20Services:toolkit-user@${ACCOUNT}?issuer=Amazon%20Web%20Services&secret=${SEED}`;
const OUTPUTS = JSON.parse(fs.readFileSync(fixture('outputs-one.json'), 'utf8')).MfaDelegationExample as Record<string, string>;
const EXPIRATION = '2030-01-01T00:00:00Z';
const LEGACY = `This stack keeps the access key in a secret (${ACCESS_KEY_ARN}), as versions before 0.2 did: update the stack with this version, `
  + 'which keeps no access key in AWS, then run mfa-profile setup.\n';

/** A fake AWS: CloudFormation, Secrets Manager (with state), IAM and STS, as their real protocols. */
class FakeAws {
  public readonly secrets = new Map<string, string>();
  public iamAnswer: StubResponse = queryResult('iam', 'EnableMFADevice', '');

  public handle(request: StubRequest): StubResponse {
    switch (request.action) {
      case 'DescribeStacks':
        return request.params.StackName === 'MfaDelegationExample'
          ? queryResult('cloudformation', 'DescribeStacks', stackXml('MfaDelegationExample', OUTPUTS))
          : queryError('ValidationError', `Stack with id ${request.params.StackName} does not exist`);
      case 'GetSecretValue': {
        const value = this.secrets.get(request.params.SecretId);
        return value === undefined
          ? jsonError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.')
          : jsonResult({ ARN: request.params.SecretId, Name: 'name', SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'] });
      }
      case 'PutSecretValue':
        this.secrets.set(request.params.SecretId, request.params.SecretString);
        return jsonResult({ ARN: request.params.SecretId, Name: 'name', VersionId: 'v2' });
      case 'EnableMFADevice':
        return this.iamAnswer;
      case 'ListMFADevices':
        return queryResult('iam', 'ListMFADevices', '<MFADevices></MFADevices><IsTruncated>false</IsTruncated>');
      case 'DeleteSecret':
        this.secrets.delete(request.params.SecretId);
        return jsonResult({ ARN: request.params.SecretId, Name: 'name', DeletionDate: 1 });
      case 'GetSessionToken':
        return queryResult('sts', 'GetSessionToken', credentialsXml('ASIASESSION000000001'));
      case 'AssumeRole':
        return queryResult('sts', 'AssumeRole', credentialsXml('ASIAROLE000000000001')
          + `<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId><Arn>arn:aws:sts::${ACCOUNT}:assumed-role/toolkit-role/s</Arn></AssumedRoleUser>`);
      default:
        return queryError('InvalidAction', `The stub does not know ${request.action}`);
    }
  }
}

function stackXml(name: string, outputs: Record<string, string>): string {
  const members = Object.entries(outputs).map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${xmlEscape(v)}</OutputValue></member>`);
  return `<Stacks><member><StackName>${name}</StackName><StackId>arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/${name}/1</StackId>`
    + `<CreationTime>2024-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members.join('')}</Outputs></member></Stacks>`;
}

function credentialsXml(accessKeyId: string): string {
  return `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>temporary-secret</SecretAccessKey>`
    + `<SessionToken>temporary-session-token</SessionToken><Expiration>${EXPIRATION}</Expiration></Credentials>`;
}

/** The access key id and the region that signed a request. */
function signer(request: StubRequest): { accessKeyId: string; region: string } {
  const [, accessKeyId = '', region = ''] = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(String(request.headers.authorization)) ?? [];
  return { accessKeyId, region };
}

describe('mfa-profile against loopback AWS stubs', () => {
  let stub: AwsStub;
  let fake: FakeAws;
  let home: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    fake = new FakeAws();
    fake.secrets.set(ACCESS_KEY_ARN, JSON.stringify({ userName: 'toolkit-user', accessKeyId: USER_KEY_ID, secretAccessKey: USER_SECRET }));
    fake.secrets.set(SEED_ARN, JSON.stringify({ serialNumber: SERIAL, userName: 'toolkit-user', seed: SEED, otpauthUri: URI, enabled: true }));
    stub = await AwsStub.start((request) => fake.handle(request));
    home = tempDir();
    env = stubEnv(stub.url, { HOME: home });
  });
  afterEach(async () => {
    await stub.stop();
  });

  const run = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env, ...extra });
  const file = (...parts: string[]) => path.join(home, ...parts);

  describe('write --stack', () => {
    test('reads the outputs with DescribeStacks in the region given and writes the profile', async () => {
      const result = await run(['write', '--stack', 'MfaDelegationExample', '--region', 'eu-west-1']);
      expect(result).toMatchObject({ status: 0, stderr: '' });
      expect(fs.readFileSync(file('.aws', 'config'), 'utf8')).toEqual('[profile mfa]\n'
        + `role_arn = arn:aws:iam::${ACCOUNT}:role/toolkit-role\n`
        + 'source_profile = toolkit-user\n'
        + `mfa_serial = ${SERIAL}\n`
        + 'role_session_name = toolkit-user\n');
      const [request] = stub.calls('DescribeStacks');
      expect(request.params).toMatchObject({ StackName: 'MfaDelegationExample' });
      expect(signer(request).region).toEqual('eu-west-1');
    });

    test('fails for a stack that does not exist', async () => {
      const result = await run(['write', '--stack', 'Nope']);
      expect(result).toEqual({ status: 1, stdout: '', stderr: 'mfa-profile: Stack Nope does not exist in us-east-1 (or these credentials cannot see it).\n' });
    });

    test('fails without AWS credentials, in one sentence', async () => {
      const result = await run(['write', '--stack', 'MfaDelegationExample'], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
      expect(result.status).toEqual(1);
      expect(result.stderr).toMatch(/^mfa-profile: Could not read the outputs of stack MfaDelegationExample: no usable AWS credentials \(.+\)\.\n$/);
    });
  });

  describe('credentials', () => {
    test('reads the access key secret of a stack of an earlier version into AWS_SHARED_CREDENTIALS_FILE, never printing the secret, and says to update', async () => {
      const credentials = file('creds');
      const result = await run(['credentials', '--outputs-file', fixture('outputs-one.json')], { AWS_SHARED_CREDENTIALS_FILE: credentials });
      expect(result).toEqual({ status: 0, stdout: `Wrote profile toolkit-user (access key ${USER_KEY_ID}) to ${credentials}.\n`, stderr: LEGACY });
      expect(fs.readFileSync(credentials, 'utf8')).toEqual(`[toolkit-user]\naws_access_key_id = ${USER_KEY_ID}\naws_secret_access_key = ${USER_SECRET}\n`);
      expect(fs.statSync(credentials).mode % 0o1000).toEqual(0o600);
      expect(stub.calls('GetSecretValue')[0].params).toEqual({ SecretId: ACCESS_KEY_ARN });
    });

    test('--print hides the secret access key; --show-secret prints it', async () => {
      const hidden = await run(['credentials', '--outputs-file', fixture('outputs-one.json'), '--print']);
      expect(hidden).toEqual({
        status: 0,
        stdout: `[toolkit-user]\naws_access_key_id = ${USER_KEY_ID}\naws_secret_access_key = ****\n`,
        stderr: `${LEGACY}The secret access key is hidden: add --show-secret to print it.\n`,
      });
      const shown = await run(['credentials', '--outputs-file', fixture('outputs-one.json'), '--show-secret', '--source-profile', 'me']);
      expect(shown).toEqual({ status: 0, stdout: `[me]\naws_access_key_id = ${USER_KEY_ID}\naws_secret_access_key = ${USER_SECRET}\n`, stderr: LEGACY });
      expect(fs.readdirSync(home)).toEqual([]);
    });

    test('fails for a secret that does not exist', async () => {
      fake.secrets.clear();
      const result = await run(['credentials', '--outputs-file', fixture('outputs-one.json')]);
      expect(result).toEqual({ status: 1, stdout: '', stderr: `${LEGACY}mfa-profile: The secret ${ACCESS_KEY_ARN} does not exist (or has no value yet).\n` });
    });

    test('fails for a malformed secret without quoting it', async () => {
      fake.secrets.set(ACCESS_KEY_ARN, `{"accessKeyId":"${USER_KEY_ID}","secretAccessKey":"${USER_SECRET}"`);
      const result = await run(['credentials', '--outputs-file', fixture('outputs-one.json')]);
      expect(result.status).toEqual(1);
      expect(result.stderr).toMatch(new RegExp(`^${LEGACY.replace(/[.()]/g, '\\$&')}mfa-profile: The secret ${ACCESS_KEY_ARN} is not valid JSON( \\(error at character \\d+\\))?\\.\\n$`));
      expect(result.stderr).not.toContain(USER_SECRET);
    });

    test('fails for a template preview, whose secret ARN is known only after deploy', async () => {
      const result = await run(['credentials', '--template', fixture('preview.template.json'), '--account', ACCOUNT, '--delegation', 'Toolkit']);
      expect(result).toEqual({
        status: 1,
        stdout: '',
        stderr: 'mfa-profile: ToolkitMfaAccessKeySecretArn of stack preview is unknown before deploy: '
          + 'ToolkitUserAccessKeySecretA070208C (AWS::SecretsManager::Secret) gets its name or ARN at deploy.\n',
      });
    });
  });

  describe('setup of a stack deployed with an earlier version', () => {
    test('reads the access key from its secret, says to update the stack, and keeps the seed without a verified code', async () => {
      const result = await run(['setup', '--outputs-file', fixture('outputs-one.json'), '--no-qr', '--no-verify']);
      expect(result.status).toEqual(0);
      expect(result.stdout).toEqual('Try it: aws sts get-caller-identity --profile mfa\n');
      expect(result.stderr).toContain(LEGACY);
      expect(result.stderr).toContain(`Wrote profile toolkit-user (access key ${USER_KEY_ID}) to ${file('.aws', 'credentials')}.`);
      expect(result.stderr).toContain(`Kept the seed secret ${SEED_ARN} because the chain is not verified yet`);
      expect(stub.calls('DeleteSecret')).toEqual([]);
    });
  });

  describe('mfa-setup', () => {
    const setup = (...args: string[]) => run(['mfa-setup', '--outputs-file', fixture('outputs-one.json'), ...args]);
    const seedSecret = () => JSON.parse(fake.secrets.get(SEED_ARN) as string);

    test('shows the seed as a QR code in the terminal, never as text', async () => {
      const result = await setup();
      expect(result.status).toEqual(0);
      expect(result.stdout).toMatch(/[▀▄█]/);
      expect(result.stdout).not.toContain(SEED);
      expect(result.stderr).toEqual(`Scan this QR code with the authenticator app (MFA device ${SERIAL} of toolkit-user):\n`);
      expect(stub.calls('EnableMFADevice')).toEqual([]);
      expect(stub.calls('PutSecretValue')).toEqual([]);
    });

    test('--show-uri prints the otpauth URI', async () => {
      const result = await setup('--no-qr', '--show-uri');
      expect(result).toEqual({ status: 0, stdout: `${URI}\n`, stderr: '' });
    });

    test('--show-uri builds the URI with the TOTP module when the secret has none', async () => {
      fake.secrets.set(SEED_ARN, JSON.stringify({ serialNumber: SERIAL, userName: 'toolkit-user', seed: SEED, enabled: true }));
      const result = await setup('--no-qr', '--show-uri');
      expect(result.status).toEqual(0);
      expect(result.stdout).toMatch(new RegExp(`^otpauth://totp/Amazon%20Web%20Services:toolkit-user%40${ACCOUNT}\\?.*secret=${SEED}`));
    });

    test('--png writes the QR code to a PNG file of mode 0600', async () => {
      const png = file('seed.png');
      const result = await setup('--png', png);
      expect(result.status).toEqual(0);
      expect(result.stdout).toEqual('');
      expect(fs.readFileSync(png).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(fs.statSync(png).mode % 0o1000).toEqual(0o600);
    });

    test('enables a device created with enable: false with two codes, asking IAM (not the secret, which it never writes) whether it is enabled', async () => {
      fake.secrets.set(SEED_ARN, JSON.stringify({ serialNumber: SERIAL, userName: 'toolkit-user', seed: SEED, otpauthUri: URI, enabled: false }));
      const result = await setup('--no-qr', '--code1', '123456', '--code2', '654321');
      expect(result).toEqual({ status: 0, stdout: '', stderr: `Enabled the MFA device ${SERIAL} for toolkit-user.\n` });
      expect(stub.calls('ListMFADevices')[0].params).toMatchObject({ UserName: 'toolkit-user' });
      expect(stub.calls('EnableMFADevice')[0].params).toMatchObject({
        UserName: 'toolkit-user', SerialNumber: SERIAL, AuthenticationCode1: '123456', AuthenticationCode2: '654321',
      });
      expect(stub.calls('PutSecretValue')).toEqual([]);
    });

    test('--forget deletes the seed secret for good (ForceDeleteWithoutRecovery)', async () => {
      const result = await setup('--no-qr', '--forget', '--json');
      expect(result.status).toEqual(0);
      expect(JSON.parse(result.stdout)).toEqual({ serialNumber: SERIAL, userName: 'toolkit-user', enabled: true, forgotten: true });
      expect(result.stderr).toEqual(`Deleted the seed secret ${SEED_ARN} with no recovery window: no version of it is left; only the authenticator app holds the seed now.\n`);
      expect(stub.calls('DeleteSecret').map((c) => c.params)).toEqual([{ SecretId: SEED_ARN, ForceDeleteWithoutRecovery: true }]);
      expect(fake.secrets.has(SEED_ARN)).toBe(false);
    });

    const testWithScript = fs.existsSync('/usr/bin/script') ? test : test.skip;
    testWithScript('asks for the two codes on a terminal', async () => {
      fake.secrets.set(SEED_ARN, JSON.stringify({ serialNumber: SERIAL, userName: 'toolkit-user', seed: SEED, enabled: false }));
      // script(1) gives the child a terminal; the codes are typed on its input.
      const command = ['node', '-r', 'ts-node/register/transpile-only', CLI, 'mfa-setup', '--outputs-file', fixture('outputs-one.json'), '--no-qr'];
      const output = await new Promise<string>((resolve) => {
        const child = execFile('/usr/bin/script', ['-qec', command.join(' '), '/dev/null'], {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TS_NODE_PREFER_TS_EXTS: 'true', ...env },
          timeout: 30_000,
        }, (_error, stdout) => resolve(String(stdout)));
        child.stdin?.end('123456\n654321\n');
      });
      expect(output).toContain('First code from the authenticator app: ');
      expect(output).toContain(`Enabled the MFA device ${SERIAL} for toolkit-user.`);
      expect(stub.calls('EnableMFADevice')[0].params).toMatchObject({ AuthenticationCode1: '123456', AuthenticationCode2: '654321' });
    });

    test('fails to enable without codes and without a terminal', async () => {
      fake.secrets.set(SEED_ARN, JSON.stringify({ serialNumber: SERIAL, userName: 'toolkit-user', seed: SEED, enabled: false }));
      const result = await setup('--no-qr');
      expect(result).toEqual({ status: 1, stdout: '', stderr: 'mfa-profile: No terminal to ask for codes on: pass --code1 and --code2.\n' });
    });

    test('fails when IAM rejects the codes, and keeps the seed even with --forget', async () => {
      fake.secrets.set(SEED_ARN, JSON.stringify({ serialNumber: SERIAL, userName: 'toolkit-user', seed: SEED, enabled: false }));
      fake.iamAnswer = queryError('InvalidAuthenticationCode', 'Authentication code for device is not valid.', 403);
      const result = await setup('--no-qr', '--code1', '123456', '--code2', '654321', '--forget');
      expect(result).toEqual({
        status: 1,
        stdout: '',
        stderr: `mfa-profile: IAM did not accept the codes for ${SERIAL}: enter two consecutive codes from the authenticator app.\n`,
      });
      expect(seedSecret().seed).toEqual(SEED);
    });

    test('fails for a code that is not 6 digits', async () => {
      fake.secrets.set(SEED_ARN, JSON.stringify({ serialNumber: SERIAL, userName: 'toolkit-user', seed: SEED, enabled: false }));
      const result = await setup('--no-qr', '--code1', '12345', '--code2', '654321');
      expect(result).toEqual({ status: 1, stdout: '', stderr: 'mfa-profile: --code1 must be the 6 digits the authenticator app shows.\n' });
      expect(stub.calls('EnableMFADevice')).toEqual([]);
    });

    test('fails for a forgotten seed', async () => {
      fake.secrets.set(SEED_ARN, JSON.stringify({ serialNumber: SERIAL, userName: 'toolkit-user', enabled: true, forgotten: true }));
      const result = await setup();
      expect(result).toEqual({
        status: 1,
        stdout: '',
        stderr: `mfa-profile: The seed was removed from the secret ${SEED_ARN} (mfa-setup --forget): only the authenticator app holds it.\n`,
      });
    });
  });

  describe('session', () => {
    test('calls GetSessionToken for one hour by default with the source profile\'s keys and MFA serial, writes SOURCE-mfa 0600 and says where and until when', async () => {
      // GIVEN the profiles of `write` and `credentials`
      expect((await run(['write', '--outputs-file', fixture('outputs-one.json')])).status).toEqual(0);
      expect((await run(['credentials', '--outputs-file', fixture('outputs-one.json')])).status).toEqual(0);

      // WHEN
      // (no --duration-seconds: one hour by default)
      const result = await run(['session', '--profile', 'toolkit-user', '--token-code', '123456']);

      // THEN
      const credentials = file('.aws', 'credentials');
      expect(result.status).toEqual(0);
      expect(result.stdout).toMatch(new RegExp(`^Wrote temporary credentials to profile toolkit-user-mfa in ${credentials} \\(mode 0600\\); they last [\\d.]+ hours, `
        + 'until 2030-01-01T00:00:00.000Z: whoever copies the file can use them until then\\.\\n$'));
      expect(result.stdout + result.stderr).not.toContain('temporary-secret');
      const [request] = stub.calls('GetSessionToken');
      expect(request.params).toMatchObject({ SerialNumber: SERIAL, TokenCode: '123456', DurationSeconds: '3600' });
      expect(signer(request).accessKeyId).toEqual(USER_KEY_ID);
      expect(fs.readFileSync(credentials, 'utf8')).toEqual(`[toolkit-user]\naws_access_key_id = ${USER_KEY_ID}\naws_secret_access_key = ${USER_SECRET}\n\n`
        + '[toolkit-user-mfa]\naws_access_key_id = ASIASESSION000000001\naws_secret_access_key = temporary-secret\naws_session_token = temporary-session-token\n'
        + 'x_mfa_profile_expires = 2030-01-01T00:00:00.000Z\n');
      expect(fs.statSync(credentials).mode % 0o1000).toEqual(0o600);
    });

    test('fails for a source profile that is in neither file', async () => {
      const result = await run(['session', '--profile', 'toolkit-user', '--token-code', '123456']);
      expect(result).toEqual({
        status: 1,
        stdout: '',
        stderr: `mfa-profile: There is no profile toolkit-user in ${file('.aws', 'credentials')} or ${file('.aws', 'config')}: `
          + 'write it with mfa-profile setup first.\n',
      });
    });

    test('fails when no profile names the MFA serial', async () => {
      expect((await run(['credentials', '--outputs-file', fixture('outputs-one.json')])).status).toEqual(0);
      const result = await run(['session', '--profile', 'toolkit-user', '--token-code', '123456']);
      expect(result).toEqual({
        status: 1,
        stdout: '',
        stderr: 'mfa-profile: No profile in the config file names the MFA serial of toolkit-user: run mfa-profile write first, or pass --serial-number.\n',
      });
    });

    test('fails without --profile', async () => {
      const result = await run(['session', '--token-code', '123456']);
      expect(result).toEqual({ status: 1, stdout: '', stderr: 'mfa-profile: required option \'--profile <name>\' not specified\n' });
    });

    test('fails when STS refuses, in one sentence', async () => {
      stub.setHandler(() => queryError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.', 403));
      const result = await run(['session', '--profile', 'toolkit-user', '--token-code', '123456', '--serial-number', SERIAL],
        { AWS_SHARED_CREDENTIALS_FILE: fixture('corpus/vs-toolkit-guide.credentials') });
      expect(result).toEqual({
        status: 1,
        stdout: '',
        stderr: 'mfa-profile: Could not get a session token for profile toolkit-user: AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code.\n',
      });
    });
  });

  describe('the real AWS SDK v3 uses the written profiles', () => {
    let restore: () => void;
    afterEach(() => restore());

    test('fromIni({ profile: \'mfa\', mfaCodeProvider }) sends AssumeRole with RoleArn, SerialNumber, TokenCode and DurationSeconds', async () => {
      // GIVEN the config and credentials that mfa-profile wrote
      expect((await run(['write', '--outputs-file', fixture('outputs-one.json'), '--duration-seconds', '3600'])).status).toEqual(0);
      expect((await run(['credentials', '--outputs-file', fixture('outputs-one.json')])).status).toEqual(0);
      restore = useStubEnvironment(stub.url, {
        AWS_CONFIG_FILE: file('.aws', 'config'),
        AWS_SHARED_CREDENTIALS_FILE: file('.aws', 'credentials'),
        AWS_ENDPOINT_URL_STS: stub.url,
      });
      const serials: string[] = [];

      // WHEN
      const credentials = await fromIni({
        profile: 'mfa',
        mfaCodeProvider: async (serial) => {
          serials.push(serial);
          return '123456';
        },
      })();

      // THEN
      expect(credentials).toMatchObject({ accessKeyId: 'ASIAROLE000000000001', secretAccessKey: 'temporary-secret', sessionToken: 'temporary-session-token' });
      expect(serials).toEqual([SERIAL]);
      const [request] = stub.calls('AssumeRole');
      expect(request.params).toMatchObject({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/toolkit-role`, SerialNumber: SERIAL, TokenCode: '123456', DurationSeconds: '3600',
      });
      expect(signer(request).accessKeyId).toEqual(USER_KEY_ID);
    }, 60_000);

    test('the temporary credentials of session are read by the real AWS CLI and the SDK', async () => {
      expect((await run(['write', '--outputs-file', fixture('outputs-one.json')])).status).toEqual(0);
      expect((await run(['credentials', '--outputs-file', fixture('outputs-one.json')])).status).toEqual(0);
      expect((await run(['session', '--profile', 'toolkit-user', '--token-code', '123456'])).status).toEqual(0);
      restore = useStubEnvironment(stub.url, { AWS_CONFIG_FILE: file('.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: file('.aws', 'credentials') });

      expect(await fromIni({ profile: 'toolkit-user-mfa' })()).toMatchObject({ accessKeyId: 'ASIASESSION000000001', sessionToken: 'temporary-session-token' });
      if (fs.existsSync('/usr/bin/aws') || process.env.CI === 'true') {
        const token = await new Promise<string>((resolve) => execFile('/usr/bin/aws', ['configure', 'get', 'aws_session_token', '--profile', 'toolkit-user-mfa'], {
          env: { PATH: '/usr/bin:/bin', HOME: home, AWS_CONFIG_FILE: file('.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: file('.aws', 'credentials') },
          timeout: 30_000,
        }, (_error, stdout) => resolve(String(stdout).trim())));
        expect(token).toEqual('temporary-session-token');
      }
    }, 60_000);
  });
});
