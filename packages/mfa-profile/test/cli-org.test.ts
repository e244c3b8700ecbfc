import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fromIni } from '@aws-sdk/credential-providers';
import { App, Stack } from 'aws-cdk-lib';
import { CliRun, runCli, stubEnv, tempDir } from './support/cli';
import { OrganizationsModel } from './support/organizations-model';
import { createOrgExampleApp, ORG_EXAMPLE } from '../../../bin/org-app';
import { MfaDelegation } from '../../../lib';
import { AwsStub, queryError, queryResult, StubRequest, useStubEnvironment } from '../../../test/support/aws-stub';

// mfa-profile with the organization example (bin/org-app.ts): one profile per account × role for a team member, read
// back by the real AWS CLI v2 and used by the real AWS SDK v3 against a loopback STS, once per account; the accounts of
// a role of a whole organization from --accounts or from AWS Organizations (a stateful model of ListAccounts).

jest.setTimeout(120_000);

const AWS_CLI = '/usr/bin/aws';
const IDENTITY = ORG_EXAMPLE.identityAccount;
const SERIAL = `arn:aws:iam::${IDENTITY}:mfa/mfa-team/Platform/alice`;
const ALICE_KEY = 'AKIAALICE00000000001';
const MANAGEMENT_KEY = 'AKIAMANAGEMENT000001';

let dir: string;
let identityTemplate: string;

beforeAll(() => {
  dir = tempDir();
  const assembly = createOrgExampleApp({ outdir: path.join(dir, 'cdk.out') }).synth();
  identityTemplate = path.join(assembly.directory, 'MfaOrgIdentity.template.json');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `mfa-profile write --template <identity stack> --account <identity account> ARGS` into a config file of its own. */
async function write(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun & { config: string }> {
  const config = path.join(tempDir(), 'config');
  const run = await runCli(['write', '--template', identityTemplate, '--account', IDENTITY, '--config-file', config, ...args], env);
  return { ...run, config };
}

function profile(name: string, account: string, roleName: string): string {
  return `[profile ${name}]\n`
    + `role_arn = arn:aws:iam::${account}:role/${roleName}\n`
    + 'source_profile = alice\n'
    + `mfa_serial = ${SERIAL}\n`
    + 'role_session_name = alice\n';
}

/** One setting of a profile as the real AWS CLI v2 reads it. */
function awsCliGet(config: string, name: string, key: string): Promise<string> {
  return new Promise((resolve) => execFile(AWS_CLI, ['configure', 'get', key, '--profile', name], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none') },
    timeout: 30_000,
  }, (_error, stdout) => resolve(stdout.trim())));
}

describe('mfa-profile write --member of a team with roles in other accounts', () => {
  test('writes one profile per account × role with the account\'s name, one source profile and one MFA serial', async () => {
    // WHEN
    const run = await write(['--member', 'alice', '--accounts', 'prod=222222222222,333333333333']);
    // THEN
    expect(run.stderr).toEqual('');
    expect(run.stdout.split('\n').filter((l) => l !== '')).toEqual([
      'prod-platform-readonly', '333333333333-platform-readonly', 'prod-platform-admin', '333333333333-platform-admin',
    ].map((name) => `Wrote profile ${name} (source profile alice) to ${run.config}.`));
    expect(fs.readFileSync(run.config, 'utf8')).toEqual([
      profile('prod-platform-readonly', '222222222222', 'platform-readonly'),
      profile('333333333333-platform-readonly', '333333333333', 'platform-readonly'),
      profile('prod-platform-admin', '222222222222', 'platform-admin'),
      profile('333333333333-platform-admin', '333333333333', 'platform-admin'),
    ].join('\n'));
  });

  test('gives a member only the roles the team grants it', async () => {
    const run = await write(['--member', 'bob', '--accounts', '222222222222', '--print']);
    expect(run).toEqual(expect.objectContaining({
      status: 0,
      stdout: profile('222222222222-platform-readonly', '222222222222', 'platform-readonly').replace(/alice/g, 'bob'),
    }));
  });

  test('the real AWS CLI v2 reads every profile back', async () => {
    // GIVEN
    const run = await write(['--member', 'alice', '--accounts', 'prod=222222222222,333333333333']);
    expect(run.status).toEqual(0);
    if (!fs.existsSync(AWS_CLI) && process.env.CI !== 'true') {
      return; // the AWS CLI v2 is installed by .ci/run; elsewhere this read-back is skipped.
    }
    // WHEN / THEN
    for (const [name, account, roleName] of [
      ['prod-platform-readonly', '222222222222', 'platform-readonly'], ['333333333333-platform-admin', '333333333333', 'platform-admin'],
    ]) {
      expect(await awsCliGet(run.config, name, 'role_arn')).toEqual(`arn:aws:iam::${account}:role/${roleName}`);
      expect(await awsCliGet(run.config, name, 'source_profile')).toEqual('alice');
      expect(await awsCliGet(run.config, name, 'mfa_serial')).toEqual(SERIAL);
      expect(await awsCliGet(run.config, name, 'role_session_name')).toEqual('alice');
    }
  });

  describe('with the real AWS SDK v3 against a loopback STS', () => {
    let stub: AwsStub;
    let restore: (() => void) | undefined;
    beforeEach(async () => {
      stub = await AwsStub.start((request: StubRequest) => request.action === 'AssumeRole'
        ? queryResult('sts', 'AssumeRole', '<Credentials><AccessKeyId>ASIAROLE000000000001</AccessKeyId><SecretAccessKey>temporary-secret</SecretAccessKey>'
          + '<SessionToken>temporary-session-token</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>'
          + `<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:alice</AssumedRoleId><Arn>arn:aws:sts::${request.params.RoleArn.split(':')[4]}:assumed-role/r/alice</Arn>`
          + '</AssumedRoleUser>')
        : queryError('InvalidAction', `The stub does not know ${request.action}`));
    });
    afterEach(async () => {
      restore?.();
      await stub.stop();
    });

    /** Alice's access key in a credentials file beside the config mfa-profile wrote; its path. */
    function writeAliceKey(run: CliRun & { config: string }): string {
      const credentials = path.join(path.dirname(run.config), 'credentials');
      fs.writeFileSync(credentials, `[alice]\naws_access_key_id = ${ALICE_KEY}\naws_secret_access_key = alice-secret-not-real\n`, { mode: 0o600 });
      return credentials;
    }
    /** The stub's AssumeRole calls: role, MFA serial, code, session name. */
    const assumeRoleCalls = () => stub.calls('AssumeRole').map((r) => [r.params.RoleArn, r.params.SerialNumber, r.params.TokenCode, r.params.RoleSessionName]);
    /** The access key id that signed each AssumeRole call. */
    const assumeRoleSigners = () => stub.calls('AssumeRole').map((r) => /Credential=([^/]+)\//.exec(String(r.headers.authorization))?.[1]);

    test('fromIni with mfaCodeProvider assumes each account\'s role with the member\'s key, MFA serial, code and user name', async () => {
      // GIVEN the profiles mfa-profile wrote, and alice's access key
      const run = await write(['--member', 'alice', '--accounts', 'prod=222222222222,333333333333']);
      expect(run.status).toEqual(0);
      const credentials = writeAliceKey(run);
      restore = useStubEnvironment(stub.url, {
        AWS_CONFIG_FILE: run.config, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_ENDPOINT_URL_STS: stub.url,
      });
      const profiles = ['prod-platform-readonly', '333333333333-platform-readonly', 'prod-platform-admin', '333333333333-platform-admin'];
      // WHEN
      for (const name of profiles) {
        const serials: string[] = [];
        const assumed = await fromIni({ profile: name, mfaCodeProvider: async (serial) => (serials.push(serial), '123456') })();
        // THEN
        expect(assumed).toMatchObject({ accessKeyId: 'ASIAROLE000000000001', sessionToken: 'temporary-session-token' });
        expect(serials).toEqual([SERIAL]);
      }
      expect(assumeRoleCalls()).toEqual([
        ['arn:aws:iam::222222222222:role/platform-readonly', SERIAL, '123456', 'alice'],
        ['arn:aws:iam::333333333333:role/platform-readonly', SERIAL, '123456', 'alice'],
        ['arn:aws:iam::222222222222:role/platform-admin', SERIAL, '123456', 'alice'],
        ['arn:aws:iam::333333333333:role/platform-admin', SERIAL, '123456', 'alice'],
      ]);
      expect(assumeRoleSigners()).toEqual(profiles.map(() => ALICE_KEY));
    });

    test('the AWS CLI v2\'s own credential chain assumes each account\'s role with the member\'s key, MFA serial, code and user name', async () => {
      if (!fs.existsSync(AWS_CLI) && process.env.CI !== 'true') {
        return; // the AWS CLI v2 is installed by .ci/run; elsewhere this run is skipped.
      }
      // GIVEN the profiles mfa-profile wrote, and alice's access key
      const run = await write(['--member', 'alice', '--accounts', 'prod=222222222222']);
      expect(run.status).toEqual(0);
      const credentials = writeAliceKey(run);
      // WHEN the AWS CLI's AssumeRoleProvider resolves each profile (its STS client pointed at the stub)
      const profiles = ['prod-platform-readonly', 'prod-platform-admin'];
      const results = [];
      for (const name of profiles) {
        results.push(await awsCliAssume(run.config, credentials, name, stub.url, '654321'));
      }
      // THEN it asked once per profile for the code of alice's device and called STS as the profile says
      expect(results).toEqual(profiles.map(() => ({
        accessKeyId: 'ASIAROLE000000000001', sessionToken: 'temporary-session-token', prompts: [`Enter MFA code for ${SERIAL}: `],
      })));
      expect(assumeRoleCalls()).toEqual([
        ['arn:aws:iam::222222222222:role/platform-readonly', SERIAL, '654321', 'alice'],
        ['arn:aws:iam::222222222222:role/platform-admin', SERIAL, '654321', 'alice'],
      ]);
      expect(assumeRoleSigners()).toEqual(profiles.map(() => ALICE_KEY));
    });
  });

  describe('without --accounts, with the accounts of AWS Organizations', () => {
    let stub: AwsStub;
    let model: OrganizationsModel;
    beforeEach(async () => {
      // 25 accounts (two pages of ListAccounts), one of them suspended, one closed.
      const accounts = Array.from({ length: 25 }, (_, i) => ({
        id: String(200000000000 + i),
        name: i === 0 ? 'Production (EU)' : `workload ${i}`,
        state: i === 3 ? 'SUSPENDED' as const : i === 4 ? 'CLOSED' as const : 'ACTIVE' as const,
      }));
      model = new OrganizationsModel(ORG_EXAMPLE.organizationId, '200000000001', accounts, {
        [MANAGEMENT_KEY]: '200000000001', [ALICE_KEY]: '200000000002', AKIAOUTSIDER00000001: '999999999999',
      });
      stub = await AwsStub.start((request) => model.answer(request) ?? queryError('InvalidAction', `The stub does not know ${request.action}`));
    });
    afterEach(() => stub.stop());

    test('writes one profile per active account of the organization, named after the account', async () => {
      // WHEN
      const run = await write(['--member', 'bob', '--print'], stubEnv(stub.url, { AWS_ACCESS_KEY_ID: MANAGEMENT_KEY }));
      // THEN
      expect(run.stderr).toEqual('');
      const names = [...run.stdout.matchAll(/^\[profile (.+)\]$/gm)].map((m) => m[1]);
      expect(names).toHaveLength(23);
      expect(names.slice(0, 4)).toEqual(['Production-EU-platform-readonly', 'workload-1-platform-readonly', 'workload-2-platform-readonly',
        'workload-5-platform-readonly']);
      expect(run.stdout).toContain('[profile workload-24-platform-readonly]\nrole_arn = arn:aws:iam::200000000024:role/platform-readonly\n');
      expect(model.listCalls.map((c) => [c.caller, c.nextToken === undefined])).toEqual([['200000000001', true], ['200000000001', false]]);
    });

    test('fails in one sentence, saying to pass --accounts, when the caller may not list the accounts', async () => {
      const run = await write(['--member', 'bob', '--print'], stubEnv(stub.url, { AWS_ACCESS_KEY_ID: ALICE_KEY }));
      expect(run).toEqual(expect.objectContaining({
        status: 1,
        stdout: '',
        stderr: 'mfa-profile: These credentials may not list the accounts of the organization (only its management account and delegated '
          + 'administrators may): pass the accounts with --accounts.\n',
      }));
    });

    test('fails in one sentence when the caller\'s account is in no organization', async () => {
      const run = await write(['--member', 'bob', '--print'], stubEnv(stub.url, { AWS_ACCESS_KEY_ID: 'AKIAOUTSIDER00000001' }));
      expect(run.stderr).toEqual('mfa-profile: The account of these credentials is in no organization: pass the accounts with --accounts.\n');
      expect(run.status).toEqual(1);
    });

    test('asks nothing of AWS Organizations when --accounts is given', async () => {
      const run = await write(['--member', 'bob', '--print', '--accounts', '222222222222'], stubEnv(stub.url, { AWS_ACCESS_KEY_ID: MANAGEMENT_KEY }));
      expect(run.status).toEqual(0);
      expect(model.listCalls).toEqual([]);
    });
  });

  test('fails on a bad --accounts, naming the value', async () => {
    const run = await write(['--member', 'alice', '--accounts', 'prod=ou-ab12-cdef3456']);
    expect(run).toEqual(expect.objectContaining({
      status: 1,
      stderr: 'mfa-profile: --accounts takes 12-digit account ids separated by commas, each optionally named (prod=222222222222), '
        + 'but got "prod=ou-ab12-cdef3456".\n',
    }));
  });
});

describe('mfa-profile write with an MfaDelegation granted roles in other accounts', () => {
  test('writes the delegation\'s own profile and one per account of its account roles', async () => {
    // GIVEN
    const app = new App({ outdir: path.join(dir, 'delegation.out') });
    new MfaDelegation(new Stack(app, 'Toolkit'), 'Toolkit', {
      roleName: 'toolkit-role',
      userName: 'toolkit-user',
      accountRoles: [{ roleName: 'readonly', path: '/ops/', accounts: ['222222222222', '333333333333'] }],
    });
    const template = path.join(app.synth().directory, 'Toolkit.template.json');
    // WHEN
    const run = await runCli(['write', '--template', template, '--account', IDENTITY, '--print', '--accounts', 'prod=222222222222']);
    // THEN: with explicit names every output is known before deploy (the seed secret's name is set at synth)
    expect(run.stderr).toEqual('');
    expect([...run.stdout.matchAll(/^\[profile (.+)\]\nrole_arn = (.+)$/gm)].map((m) => [m[1], m[2]])).toEqual([
      ['mfa', `arn:aws:iam::${IDENTITY}:role/toolkit-role`],
      ['prod-readonly', 'arn:aws:iam::222222222222:role/ops/readonly'],
    ]);
  });
});

/** Resolve a profile with the AWS CLI v2's own credential chain (test/support/awscli-assume.py); its JSON answer. */
function awsCliAssume(config: string, credentials: string, profileName: string, endpoint: string, code: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', [path.join(__dirname, 'support', 'awscli-assume.py')], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: path.dirname(config),
        AWS_CONFIG_FILE: config,
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_REGION: 'us-east-1',
      },
      timeout: 30_000,
    }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))));
    child.stdin?.end(JSON.stringify({ profile: profileName, endpoint, code }));
  });
}
