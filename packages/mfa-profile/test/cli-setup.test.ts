import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { awsCliAvailable, AWS_CLI } from './support/aws-file-readers';
import { runCli, runCliInPty } from './support/cli';
import { STACK, USER, world, World } from './support/world';
import { readProfiles } from '../src/ini';

// Each test runs mfa-profile (ts-node) in a child process, some in a pseudo-terminal: seconds each on a busy machine.
jest.setTimeout(120_000);

const mode = (file: string) => fs.statSync(file).mode % 0o1000;
const oneLine = (text: string) => text.replace(/\r\n/g, '\n');

describe('mfa-profile setup in a real pseudo-terminal, against the AWS model', () => {
  let w: World;
  afterEach(async () => {
    await w.stop();
  });

  test('writes the role profile and the access key, shows the QR code, verifies with one code through the SDK, forgets the seed, and says what to try', async () => {
    // GIVEN a deployed example stack whose handler enabled the device and stored the seed
    w = await world();

    // WHEN setup runs in a terminal and the user types Enter after scanning, then a code from the app
    const run = await runCliInPty(['setup', '--outputs-file', w.outputsFile], w.env, [
      { when: /Press Enter once the authenticator app shows the account: /, send: () => '\r' },
      { when: /A new code for mfa \(each code works once, so wait for the next one\): /, send: () => `${w.model.code(w.seed)}\r` },
    ]);

    // THEN every step said what it did, in order
    const output = oneLine(run.output);
    expect(run.status).toBe(0);
    const steps = [
      `Wrote profile mfa in ${w.config}: role ${w.roleArn}, source profile ${USER}, MFA device ${w.serialNumber}, session name ${USER}.`,
      'Created access key AKIA',
      `for ${USER} and wrote it to profile ${USER} in ${w.credentials} (mode 0600); it is stored nowhere else.`,
      `Scan this QR code with the authenticator app (MFA device ${w.serialNumber} of ${USER}):`,
      `The MFA device ${w.serialNumber} is enabled for ${USER}.`,
      `Verified: profile mfa assumed the role with MFA as arn:aws:sts::111111111111:assumed-role/toolkit-role/${USER}.`,
      `Deleted the seed secret ${w.seedSecretArn} with no recovery window: no version of it is left; only the authenticator app holds the seed now.`,
      'Try it: aws sts get-caller-identity --profile mfa',
    ];
    let at = 0;
    for (const step of steps) {
      const found = output.indexOf(step, at);
      expect({ step, found: found >= 0 }).toEqual({ step, found: true });
      at = found;
    }
    // the QR code was drawn on the terminal (half blocks)
    expect(output).toMatch(/[▀▄█]{10,}/);
    // the files: the role profile with role_session_name = the user, the key 0600
    expect(readProfiles(fs.readFileSync(w.config, 'utf8'), 'config').get('mfa')).toEqual({
      role_arn: w.roleArn, source_profile: USER, mfa_serial: w.serialNumber, role_session_name: USER,
    });
    const key = readProfiles(fs.readFileSync(w.credentials, 'utf8'), 'credentials').get(USER);
    expect(w.model.users.get(USER)?.accessKeys.map((k) => k.accessKeyId)).toEqual([key?.aws_access_key_id]);
    expect(mode(w.credentials)).toBe(0o600);
    // the seed is gone for good: no secret, so no version or label returns it
    expect(w.model.secrets.has(w.seedSecretArn)).toBe(false);
    // the STS model checked the code against the stored seed and the session name
    expect(w.model.calls('AssumeRole')).toHaveLength(1);
  });

  test('enables a device created with enable: false with two codes typed in the terminal', async () => {
    w = await world({ enable: false });
    const run = await runCliInPty(['setup', '--outputs-file', w.outputsFile, '--yes'], w.env, [
      { when: /First code from the authenticator app: /, send: () => `${w.model.code(w.seed, 0)}\r` },
      { when: /The next code \(wait for it to change\): /, send: () => `${w.model.code(w.seed, 1)}\r` },
      {
        when: /A new code for mfa/,
        send: () => {
          w.model.advance(60_000);
          return `${w.model.code(w.seed)}\r`;
        },
      },
    ]);
    expect(run.status).toBe(0);
    expect(oneLine(run.output)).toContain(`Enabled the MFA device ${w.serialNumber} for ${USER}.`);
    expect(w.model.devices.get(w.serialNumber.toLowerCase())?.user).toBe(USER);
    expect(oneLine(run.output)).toContain('Verified: profile mfa assumed the role with MFA');
  });

  test('fails for a code STS does not accept, says why in one sentence, and keeps the seed', async () => {
    w = await world();
    const run = await runCliInPty(['setup', '--outputs-file', w.outputsFile, '--yes'], w.env, [
      { when: /A new code for mfa/, send: () => '000000\r' },
    ]);
    expect(run.status).toBe(1);
    expect(oneLine(run.output)).toContain('mfa-profile: STS did not accept the MFA code for profile mfa: it is wrong, was used already '
      + '(each code works once; wait for the next), or the clock of this computer or of the phone is off (run mfa-profile doctor).');
    expect(w.model.secrets.has(w.seedSecretArn)).toBe(true);
  });
});

describe('mfa-profile setup without a terminal', () => {
  let w: World;
  afterEach(async () => {
    await w.stop();
  });

  test('never waits for input: codes by flag, and re-running is safe (the key is kept, the seed stays forgotten)', async () => {
    w = await world({ enable: false });
    const first = await runCli(['setup', '--outputs-file', w.outputsFile, '--no-qr',
      '--code1', w.model.code(w.seed, 0), '--code2', w.model.code(w.seed, 1), '--code', w.model.code(w.seed, -1)], w.env);
    expect(first.stderr).not.toMatch(/mfa-profile:/);
    expect(first.status).toBe(0);
    expect(first.stdout).toEqual('Try it: aws sts get-caller-identity --profile mfa\n');
    const keyBefore = readProfiles(fs.readFileSync(w.credentials, 'utf8'), 'credentials').get(USER)?.aws_access_key_id;

    w.model.advance(90_000);
    const again = await runCli(['setup', '--outputs-file', w.outputsFile, '--code', w.model.code(w.seed)], w.env);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain(`Kept profile mfa in ${w.config}`);
    expect(again.stderr).toContain(`Kept access key ${keyBefore} of ${USER} in profile ${USER} of ${w.credentials}: IAM still lists it.`);
    expect(again.stderr).toContain(`The seed secret is gone already (forgotten by an earlier run): the authenticator app holds the seed of ${w.serialNumber}.`);
    expect(again.stderr).toContain('Verified: profile mfa assumed the role with MFA');
    expect(w.model.users.get(USER)?.accessKeys).toHaveLength(1);
  });

  test('fails without the enabling codes, in one sentence, without waiting', async () => {
    w = await world({ enable: false });
    const run = await runCli(['setup', '--outputs-file', w.outputsFile, '--no-qr'], w.env, 30_000);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('mfa-profile: No terminal to ask for codes on: pass --code1 and --code2.');
  });

  test('without a code, writes everything, says the chain is not verified, and keeps the seed', async () => {
    w = await world();
    const run = await runCli(['setup', '--outputs-file', w.outputsFile, '--no-qr'], w.env);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('No terminal: the chain is not verified unless --code is given (or run mfa-profile doctor --code later).');
    expect(run.stderr).toContain(`Kept the seed secret ${w.seedSecretArn} because the chain is not verified yet`);
    expect(w.model.secrets.has(w.seedSecretArn)).toBe(true);
  });

  test('with --keep-seed, a verified run keeps the seed secret and says how to forget it later', async () => {
    w = await world();
    const run = await runCli(['setup', '--outputs-file', w.outputsFile, '--no-qr', '--keep-seed', '--code', w.model.code(w.seed)], w.env);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('Verified: profile mfa assumed the role with MFA');
    expect(run.stderr).toContain(`Kept the seed secret ${w.seedSecretArn} (--keep-seed): whoever may read it can make codes; `
      + 'forget it with mfa-profile mfa-setup --forget.');
    expect(w.model.currentValue(w.seedSecretArn)).toContain(w.seed);
  });

  test('reads the outputs of the deployed stack with --stack', async () => {
    w = await world();
    const run = await runCli(['setup', '--stack', STACK, '--no-qr', '--code', w.model.code(w.seed)], w.env);
    expect(run.stderr).not.toMatch(/mfa-profile:/);
    expect(run.status).toBe(0);
  });

  const describeWithAwsCli = awsCliAvailable() ? test : test.skip;
  describeWithAwsCli('the profile it writes reads back in the real AWS CLI v2, role_session_name included', async () => {
    w = await world();
    await runCli(['setup', '--outputs-file', w.outputsFile, '--no-qr', '--no-verify'], w.env);
    const get = (key: string) => execFileSync(AWS_CLI, ['configure', 'get', key, '--profile', 'mfa'], {
      env: { PATH: '/usr/bin:/bin', HOME: w.home, LANG: 'C.UTF-8' }, encoding: 'utf8', timeout: 60_000,
    }).trim();
    expect(get('role_session_name')).toBe(USER);
    expect(get('role_arn')).toBe(w.roleArn);
    expect(get('source_profile')).toBe(USER);
  });
});
