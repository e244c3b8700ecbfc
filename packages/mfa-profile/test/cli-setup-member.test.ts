import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { runCli, runCliInPty, tempDir } from './support/cli';
import { TeamWorld, teamWorld, USER, world, World } from './support/world';
import { MfaTeam } from '../../../lib';
import { TEAM_OUTPUT_VERSIONS } from '../../../lib/contract';
import { readProfiles } from '../src/ini';
import { previewOutputs } from '../src/template';

// `mfa-profile setup` for an MfaTeam member (team output version 4: the CLI creates the member's key) and for roles in
// other accounts (#14: one profile per account × role), end to end against the stateful AWS model: the outputs are
// those of a synthesized MfaTeam, the model holds what its deploy made (users, the devices and seeds the handler
// made, roles trusting the members), and the STS model checks the code against the member's own seed.

jest.setTimeout(120_000);

const ACCOUNT = '111111111111';
const PROD = '222222222222';
const STAGE = '333333333333';
const STACK = 'Teams';
const roleArn = (name: string, account = ACCOUNT, rolePath = '/mfa-team/Dev/') => `arn:aws:iam::${account}:role${rolePath}${name}`;
const SERIAL = (user: string) => `arn:aws:iam::${ACCOUNT}:mfa/mfa-team/Dev/${user}`;
const SEED_SECRET = (user: string) => `mfa-team/Dev/${user}/mfa-seed`;

let outputs: Record<string, string>;
beforeAll(() => {
  // GIVEN the outputs of a deployed MfaTeam: alice may assume two team roles and a role in two other accounts, bob only
  // the role in the other accounts
  const dir = tempDir();
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  new MfaTeam(new Stack(app, STACK), 'Dev', {
    roles: [{ name: 'readonly', roleName: 'dev-readonly' }, { name: 'admin', roleName: 'dev-admin' }],
    accountRoles: [{ name: 'deploy', roleName: 'platform-deploy', accounts: [PROD, STAGE], maxSessionDuration: Duration.hours(2) }],
    members: [{ userName: 'alice', roles: ['readonly', 'admin', 'deploy'] }, { userName: 'bob', roles: ['deploy'] }],
  });
  const template = JSON.parse(fs.readFileSync(path.join(app.synth().directory, `${STACK}.template.json`), 'utf8'));
  // With explicit role names every output is known before deploy: these are the values `cdk deploy --outputs-file` writes.
  const preview = previewOutputs(template, { stackName: STACK, account: ACCOUNT, partition: 'aws' });
  outputs = Object.fromEntries(Object.entries(preview).map(([k, v]) => [k, v as string]));
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

const MEMBERS = [
  { userName: 'alice', roleArns: [roleArn('dev-readonly'), roleArn('dev-admin'), roleArn('platform-deploy', PROD, '/'), roleArn('platform-deploy', STAGE, '/')] },
  { userName: 'bob', roleArns: [roleArn('platform-deploy', PROD, '/'), roleArn('platform-deploy', STAGE, '/')] },
];

const mode = (file: string) => fs.statSync(file).mode % 0o1000;
const profile = (role: string, user: string) => ({ role_arn: role, source_profile: user, mfa_serial: SERIAL(user), role_session_name: user });

test('the team outputs set up here are of version 4: no access key in any secret, the CLI creates it', () => {
  expect(JSON.parse(outputs.DevMfaTeam).version).toBe(TEAM_OUTPUT_VERSIONS.noAccessKeySecret);
  expect(JSON.parse(outputs.DevMfaTeamMembers1).alice).toEqual({ roles: ['readonly', 'admin', 'deploy'], accessKey: true });
});

describe('mfa-profile setup --member against the AWS model', () => {
  let w: TeamWorld;
  afterEach(async () => {
    await w.stop();
  });

  test('writes a profile per team role and per account of the role in other accounts, creates the member\'s key 0600, verifies, forgets the seed', async () => {
    w = await teamWorld(STACK, 'Dev', outputs, MEMBERS);
    const alice = w.devices.get('alice')!;

    // WHEN setup runs without a terminal, the code by flag
    const run = await runCli(['setup', '--outputs-file', w.outputsFile, '--member', 'alice', '--no-qr', '--code', w.model.code(alice.seed)], w.env);

    // THEN every profile is written with the member as source profile, MFA device and session name
    expect(run.stderr).not.toMatch(/mfa-profile:/);
    expect(run.status).toBe(0);
    const config = readProfiles(fs.readFileSync(w.config, 'utf8'), 'config');
    expect(Object.fromEntries(config)).toEqual({
      'Dev-readonly': profile(roleArn('dev-readonly'), 'alice'),
      'Dev-admin': profile(roleArn('dev-admin'), 'alice'),
      [`${PROD}-platform-deploy`]: profile(roleArn('platform-deploy', PROD, '/'), 'alice'),
      [`${STAGE}-platform-deploy`]: profile(roleArn('platform-deploy', STAGE, '/'), 'alice'),
    });
    // one key of the member's, created by the deployer's rights, 0600, held by the file only
    const key = readProfiles(fs.readFileSync(w.credentials, 'utf8'), 'credentials').get('alice');
    expect(w.model.users.get('alice')?.accessKeys.map((k) => k.accessKeyId)).toEqual([key?.aws_access_key_id]);
    expect(w.model.secretOfKey(key?.aws_access_key_id as string)).toEqual(key?.aws_secret_access_key);
    expect(mode(w.credentials)).toBe(0o600);
    expect(run.stderr).toContain(`Created access key ${key?.aws_access_key_id} for alice and wrote it to profile alice in ${w.credentials} (mode 0600)`);
    // verified through the first profile with alice's own device and code, then her seed is gone for good; bob's stays
    expect(run.stderr).toContain(`Verified: profile Dev-readonly assumed the role with MFA as arn:aws:sts::${ACCOUNT}:assumed-role/dev-readonly/alice.`);
    expect([...w.model.secrets.values()].map((s) => s.name)).toEqual([SEED_SECRET('bob')]);
    expect(run.stdout).toEqual('Try it: aws sts get-caller-identity --profile Dev-readonly\n');
    expect(w.model.users.get('bob')?.accessKeys).toEqual([]);
  });

  test('re-running for the member is safe: profiles and key kept, the forgotten seed not asked for', async () => {
    w = await teamWorld(STACK, 'Dev', outputs, MEMBERS);
    const alice = w.devices.get('alice')!;
    const first = await runCli(['setup', '--outputs-file', w.outputsFile, '--member', 'alice', '--no-qr', '--code', w.model.code(alice.seed)], w.env);
    expect(first.status).toBe(0);
    const keyBefore = readProfiles(fs.readFileSync(w.credentials, 'utf8'), 'credentials').get('alice')?.aws_access_key_id;
    w.model.advance(60_000);
    const again = await runCli(['setup', '--outputs-file', w.outputsFile, '--member', 'alice', '--code', w.model.code(alice.seed)], w.env);
    expect(again.stderr).not.toMatch(/mfa-profile:/);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain(`Kept profile Dev-admin in ${w.config}`);
    expect(again.stderr).toContain(`Kept access key ${keyBefore} of alice in profile alice of ${w.credentials}: IAM still lists it.`);
    expect(again.stderr).toContain(`The seed secret is gone already (forgotten by an earlier run): the authenticator app holds the seed of ${SERIAL('alice')}.`);
    expect(w.model.users.get('alice')?.accessKeys).toHaveLength(1);
  });

  test('in a terminal, enables a member\'s device created with enable: false with two codes typed, then verifies', async () => {
    w = await teamWorld(STACK, 'Dev', outputs, MEMBERS, { enable: false });
    const bob = w.devices.get('bob')!;
    const run = await runCliInPty(['setup', '--outputs-file', w.outputsFile, '--member', 'bob', '--yes'], w.env, [
      { when: /First code from the authenticator app: /, send: () => `${w.model.code(bob.seed, 0)}\r` },
      { when: /The next code \(wait for it to change\): /, send: () => `${w.model.code(bob.seed, 1)}\r` },
      {
        when: /A new code for 222222222222-platform-deploy/,
        send: () => {
          w.model.advance(60_000);
          return `${w.model.code(bob.seed)}\r`;
        },
      },
    ]);
    const output = run.output.replace(/\r\n/g, '\n');
    expect(run.status).toBe(0);
    expect(output).toContain(`Enabled the MFA device ${SERIAL('bob')} for bob.`);
    expect(w.model.devices.get(SERIAL('bob').toLowerCase())?.user).toBe('bob');
    // bob's only roles are in other accounts: the session is in the first of them
    expect(output).toContain(`Verified: profile ${PROD}-platform-deploy assumed the role with MFA as arn:aws:sts::${PROD}:assumed-role/platform-deploy/bob.`);
    expect([...readProfiles(fs.readFileSync(w.config, 'utf8'), 'config').keys()]).toEqual([`${PROD}-platform-deploy`, `${STAGE}-platform-deploy`]);
  });

  test('--accounts picks and names the accounts of the roles in other accounts', async () => {
    w = await teamWorld(STACK, 'Dev', outputs, MEMBERS);
    const run = await runCli(['setup', '--outputs-file', w.outputsFile, '--member', 'bob', '--accounts', `prod=${PROD}`, '--no-qr', '--no-verify'], w.env);
    expect(run.status).toBe(0);
    expect(Object.fromEntries(readProfiles(fs.readFileSync(w.config, 'utf8'), 'config'))).toEqual({
      'prod-platform-deploy': profile(roleArn('platform-deploy', PROD, '/'), 'bob'),
    });
  });

  test('fails for a member the team does not have, in one sentence, writing nothing', async () => {
    w = await teamWorld(STACK, 'Dev', outputs, MEMBERS);
    const run = await runCli(['setup', '--outputs-file', w.outputsFile, '--member', 'mallory', '--no-qr'], w.env);
    expect(run).toEqual({ status: 1, stdout: '', stderr: 'mfa-profile: Team Dev of stack Teams has no member "mallory" (it has 2 members).\n' });
    expect(fs.existsSync(w.config)).toBe(false);
    expect(w.model.requests).toEqual([]);
  });
});

describe('mfa-profile setup of a delegation with roles in other accounts, against the AWS model', () => {
  let w: World;
  afterEach(async () => {
    await w.stop();
  });

  test('writes the delegation\'s own profile and one per account × role, all with one source profile and MFA device', async () => {
    w = await world({ accountRoles: [{ roleName: 'audit', path: '/', accounts: [PROD, STAGE], maxSessionDuration: 3600 }] });
    const run = await runCli(['setup', '--outputs-file', w.outputsFile, '--no-qr', '--code', w.model.code(w.seed)], w.env);
    expect(run.stderr).not.toMatch(/mfa-profile:/);
    expect(run.status).toBe(0);
    const own = { source_profile: USER, mfa_serial: w.serialNumber, role_session_name: USER };
    expect(Object.fromEntries(readProfiles(fs.readFileSync(w.config, 'utf8'), 'config'))).toEqual({
      mfa: { role_arn: w.roleArn, ...own },
      [`${PROD}-audit`]: { role_arn: `arn:aws:iam::${PROD}:role/audit`, ...own },
      [`${STAGE}-audit`]: { role_arn: `arn:aws:iam::${STAGE}:role/audit`, ...own },
    });
    expect(run.stderr).toContain(`Wrote profile ${STAGE}-audit in ${w.config}: role arn:aws:iam::${STAGE}:role/audit, source profile ${USER}`);
    expect(run.stderr).toContain('Verified: profile mfa assumed the role with MFA');
    expect(w.model.users.get(USER)?.accessKeys).toHaveLength(1);
  });
});
