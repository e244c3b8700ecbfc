import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fixture, readFixture, runCli, tempDir } from './support/cli';

// Each test runs mfa-profile once or more (some as a process of its own): seconds on a busy machine.
jest.setTimeout(60_000);

const AWS_CLI = '/usr/bin/aws';
const TOOLKIT_PROFILE = '[profile mfa]\n'
  + 'role_arn = arn:aws:iam::111111111111:role/toolkit-role\n'
  + 'source_profile = toolkit-user\n'
  + 'mfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\n'
  + 'role_session_name = toolkit-user\n';

describe('mfa-profile --help', () => {
  test.each([[[]], [['write']], [['credentials']], [['mfa-setup']], [['session']]])('%j --help prints usage and exits 0', async (args) => {
    const run = await runCli([...args, '--help']);
    expect(run.status).toEqual(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: mfa-profile ${args.join(' ')}`.trim()));
    expect(run.stderr).toEqual('');
  });
});

describe('mfa-profile write', () => {
  let home: string;
  beforeEach(() => {
    home = tempDir();
  });

  test('writes [profile mfa] into ~/.aws/config by default, and says so on stdout', async () => {
    const run = await runCli(['write', '--outputs-file', fixture('outputs-one.json')], { HOME: home });
    const config = path.join(home, '.aws', 'config');
    expect(run).toEqual({ status: 0, stdout: `Wrote profile mfa (source profile toolkit-user) to ${config}.\n`, stderr: '' });
    expect(fs.readFileSync(config, 'utf8')).toEqual(TOOLKIT_PROFILE);
    expect(fs.statSync(config).mode % 0o1000).toEqual(0o600);
  });

  test('a second run with the same outputs changes nothing and says so', async () => {
    const config = path.join(home, 'config');
    const args = ['write', '--outputs-file', fixture('outputs-one.json'), '--config-file', config];
    expect((await runCli(args, { HOME: home })).status).toEqual(0);
    const run = await runCli(args, { HOME: home });
    expect(run).toEqual({ status: 0, stdout: `${config} already holds profile mfa (source profile toolkit-user); it is unchanged.\n`, stderr: '' });
    expect(fs.readdirSync(home)).toEqual(['config']);
  });

  test('honours AWS_CONFIG_FILE, replaces the same-named profile in a CRLF file and keeps the rest byte for byte', async () => {
    const config = path.join(home, 'my-config');
    const crlf = (text: string) => text.replace(/\n/g, '\r\n');
    fs.writeFileSync(config, crlf(readFixture('config-existing.ini')));
    const run = await runCli(['write', '--outputs-file', fixture('outputs-several.json')], { HOME: home, AWS_CONFIG_FILE: config });
    expect(run.status).toEqual(0);
    expect(run.stderr).toEqual(`The previous content is in ${config}.bak.\n`);
    expect(fs.readFileSync(config, 'utf8')).toEqual(crlf(readFixture('config-existing.expected.ini')));
    expect(fs.readFileSync(`${config}.bak`, 'utf8')).toEqual(crlf(readFixture('config-existing.ini')));
  });

  test('--print shows the sections and writes nothing', async () => {
    const run = await runCli(['write', '--outputs-file', fixture('outputs-one.json'), '--print', '--duration-seconds', '3600'], { HOME: home });
    expect(run).toEqual({ status: 0, stdout: `${TOOLKIT_PROFILE}duration_seconds = 3600\n`, stderr: '' });
    expect(fs.readdirSync(home)).toEqual([]);
  });

  test('--credentials-style prints the profile as the AWS Toolkit for Visual Studio guide does', async () => {
    const run = await runCli(['write', '--outputs-file', fixture('outputs-one.json'), '--credentials-style'], { HOME: home });
    expect(run.status).toEqual(0);
    expect(run.stdout).toEqual('[mfa]\n'
      + 'source_profile = toolkit-user\n'
      + 'role_arn = arn:aws:iam::111111111111:role/toolkit-role\n'
      + 'mfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\n'
      + 'role_session_name = toolkit-user\n');
    expect(run.stderr).toEqual('The source profile [toolkit-user] with the access key goes in the same file: `mfa-profile credentials` writes it.\n');
  });

  test('--json prints machine output', async () => {
    const config = path.join(home, 'config');
    const run = await runCli(['write', '--outputs-file', fixture('outputs-one.json'), '--config-file', config, '--json'], { HOME: home });
    expect(run.status).toEqual(0);
    expect(JSON.parse(run.stdout)).toEqual({
      stackName: 'MfaDelegationExample',
      file: config,
      profiles: [{
        name: 'mfa',
        delegation: 'Toolkit',
        sourceProfile: 'toolkit-user',
        settings: {
          role_arn: 'arn:aws:iam::111111111111:role/toolkit-role',
          source_profile: 'toolkit-user',
          mfa_serial: 'arn:aws:iam::111111111111:mfa/toolkit-user',
          role_session_name: 'toolkit-user',
        },
      }],
      unknownBeforeDeploy: {},
      created: true,
      changed: true,
    });
  });

  test('previews a hand-written template, saying what is known only after deploy', async () => {
    const run = await runCli(['write', '--template', fixture('preview.template.json'), '--account', '111111111111', '--delegation', 'Toolkit', '--print']);
    expect(run.status).toEqual(0);
    expect(run.stdout).toEqual(TOOLKIT_PROFILE.replace('role/toolkit-role', 'role/admins/toolkit-role'));
    expect(run.stderr).toEqual(`Known only after deploy (${fixture('preview.template.json')}):\n`
      + '  ToolkitMfaAccessKeySecretArn: ToolkitUserAccessKeySecretA070208C (AWS::SecretsManager::Secret) gets its name or ARN at deploy\n');
  });

  describe('fails with one sentence and exit 1', () => {
    const config = () => path.join(home, 'config');
    const original = readFixture('config-existing.ini');
    beforeEach(() => {
      fs.writeFileSync(config(), original);
    });
    afterEach(() => {
      expect(fs.readFileSync(config(), 'utf8')).toEqual(original);
      expect(fs.readdirSync(home)).toEqual(['config']);
    });

    test.each([
      ['fails without a source of outputs', [], 'Say where the outputs come from with one of --outputs-file FILE, --stack NAME or --template FILE.'],
      ['fails for two sources of outputs', ['--outputs-file', 'a.json', '--template', 'b.json'],
        'Say where the outputs come from with one of --outputs-file FILE, --stack NAME or --template FILE.'],
      ['fails for a missing outputs file', ['--outputs-file', '/nonexistent/cdk-outputs.json'], '/nonexistent/cdk-outputs.json does not exist.'],
      ['fails for malformed JSON', ['--outputs-file', fixture('outputs-malformed.json')], /^.*outputs-malformed\.json is not valid JSON( \(error at character \d+\))?\.$/],
      ['fails for a missing output', ['--outputs-file', fixture('outputs-missing.json')], 'Stack MfaDelegationExample has no output ToolkitMfaSerial, which this command needs.'],
      ['fails for an unknown stack', ['--outputs-file', fixture('outputs-two-stacks.json'), '--stack-name', 'Nope'],
        `${fixture('outputs-two-stacks.json')} has no stack Nope; it has stacks DevStack and ProdStack.`],
      ['fails for an ambiguous stack', ['--outputs-file', fixture('outputs-two-stacks.json')],
        `${fixture('outputs-two-stacks.json')} has MfaDelegation outputs in several stacks (DevStack, ProdStack): pick one with --stack-name.`],
      ['fails for an unknown delegation', ['--outputs-file', fixture('outputs-one.json'), '--delegation', 'Admin'],
        'Stack MfaDelegationExample has no delegation "Admin"; it has Toolkit.'],
      ['fails for a duration that is not a number', ['--outputs-file', fixture('outputs-one.json'), '--duration-seconds', 'soon'],
        'option \'--duration-seconds <seconds>\' argument \'soon\' is invalid. expected a whole number of seconds.'],
      ['fails for a preview without an account', ['--template', fixture('preview.template.json')],
        'A preview needs the 12-digit account it will be deployed to: --account ID.'],
      ['fails for a preview of a generated role name', ['--template', fixture('preview.template.json'), '--account', '111111111111', '--delegation', 'Generated'],
        'Cannot preview the profile generated of delegation Generated: GeneratedMfaRoleArn is known only after deploy: '
        + 'GeneratedRole1234ABCD (AWS::IAM::Role) has no explicit RoleName, so its name is generated at deploy.'],
      ['fails for an unknown option', ['--bogus'], 'unknown option \'--bogus\''],
    ])('%s', async (_name, args, sentence) => {
      const run = await runCli(['write', ...args, '--config-file', config()], { HOME: home });
      expect(run.status).toEqual(1);
      expect(run.stdout).toEqual('');
      const lines = run.stderr.trimEnd().split('\n');
      const last = lines[lines.length - 1];
      expect(last.startsWith('mfa-profile: ')).toBe(true);
      if (typeof sentence === 'string') {
        expect(last).toEqual(`mfa-profile: ${sentence}`);
      } else {
        expect(last.slice('mfa-profile: '.length)).toMatch(sentence);
      }
    });
  });
});

describe('the real AWS CLI v2 reads what mfa-profile wrote', () => {
  const installed = fs.existsSync(AWS_CLI);
  if (!installed && process.env.CI !== 'true') {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED: ${AWS_CLI} (AWS CLI v2) is not installed; run "apt-get install -y awscli" to test with the real AWS CLI.`);
  }
  const testAws = installed || process.env.CI === 'true' ? test : test.skip;

  const aws = (args: string[], env: Record<string, string>) => new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(AWS_CLI, args, { env: { PATH: '/usr/bin:/bin', ...env }, timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });

  testAws('aws configure get role_arn, mfa_serial, source_profile and duration_seconds give the outputs\' values', async () => {
    // GIVEN a config with comments, [default], odd spacing, CRLF and an old same-named profile
    const home = tempDir();
    const config = path.join(home, 'config');
    fs.writeFileSync(config, readFixture('config-existing.ini').replace(/\n/g, '\r\n'));

    // WHEN
    const run = await runCli(['write', '--outputs-file', fixture('outputs-one.json'), '--duration-seconds', '3600'], { HOME: home, AWS_CONFIG_FILE: config });
    expect(run.status).toEqual(0);

    // THEN
    const version = await aws(['--version'], { HOME: home });
    expect(version.stdout).toMatch(/^aws-cli\/2\./);
    const env = { HOME: home, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials') };
    const get = async (key: string, profile = 'mfa') => (await aws(['configure', 'get', key, '--profile', profile], env)).stdout.trim();
    expect(await get('role_arn')).toEqual('arn:aws:iam::111111111111:role/toolkit-role');
    expect(await get('mfa_serial')).toEqual('arn:aws:iam::111111111111:mfa/toolkit-user');
    expect(await get('source_profile')).toEqual('toolkit-user');
    expect(await get('duration_seconds')).toEqual('3600');
    expect(await get('region', 'default')).toEqual('eu-west-1');
    expect(await get('region', 'other')).toEqual('us-west-2');
  }, 60_000);
});
