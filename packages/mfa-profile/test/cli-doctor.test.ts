import * as fs from 'fs';
import { runCli, runCliInPty } from './support/cli';
import { HANDLER, STACK, USER, world, World } from './support/world';

jest.setTimeout(120_000);

/**
 * A HOME with the profiles of a completed `setup` (verified with the code of the previous period, seed forgotten).
 * STS accepts the codes of one period either side of its clock, each once: the tests use the current and the next
 * one, and leave the model's clock alone (its `Date` is what the clock check compares with).
 */
async function setUp(w: World): Promise<void> {
  const run = await runCli(['setup', '--outputs-file', w.outputsFile, '--no-qr', '--code', w.model.code(w.seed, -1)], w.env);
  expect(run.stderr).not.toMatch(/mfa-profile:/);
}

describe('mfa-profile doctor against the AWS model', () => {
  let w: World;
  afterEach(async () => {
    await w.stop();
  });

  test('says ok in one line per check for a working chain, AssumeRole with a code included', async () => {
    w = await world();
    await setUp(w);
    const run = await runCli(['doctor', '--profile', 'mfa', '--code', w.model.code(w.seed)], w.env);
    expect(run.stderr).toEqual('');
    expect(run.status).toBe(0);
    const key = /holds the access key (AKIA\w+)/.exec(run.stdout)?.[1];
    expect(run.stdout.split('\n').filter((l) => l !== '').map((l) => l.replace(/within \d+ s/, 'within N s'))).toEqual([
      `ok   ${w.config} reads alike in the AWS CLI v2 and the SDK v3.`,
      `ok   ${w.credentials} reads alike in the AWS CLI v2 and the SDK v3.`,
      'ok   Profile mfa reads the same in the AWS CLI v2 and the SDK v3.',
      `ok   role_arn is ${w.roleArn}.`,
      `ok   mfa_serial is ${w.serialNumber}.`,
      `ok   The source profile ${USER} holds the access key ${key}.`,
      `ok   The access key of ${USER} works: arn:aws:iam::111111111111:user/${USER}.`,
      `ok   role_session_name is the user name ${USER}.`,
      'ok   The clock of this computer is within N s of STS\'s.',
      `ok   AssumeRole with MFA through profile mfa works: arn:aws:sts::111111111111:assumed-role/toolkit-role/${USER}.`,
    ]);
  });

  test('fails when the local clock is off by more than the TOTP window, saying by how much and what to do', async () => {
    w = await world();
    await setUp(w);
    w.model.now = () => Date.now() - 120_000;
    const run = await runCli(['doctor'], w.env);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^FAIL The clock of this computer is 1[12]\d s ahead of STS's: codes are checked against a 30 s window; set the clock \(NTP\) on this computer, and check the phone's\.$/m);
  });

  test('explains a code STS does not accept, and a code used already', async () => {
    w = await world();
    await setUp(w);
    const wrong = await runCli(['doctor', '--code', '000000'], w.env);
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toContain('FAIL STS did not accept the MFA code for profile mfa: it is wrong, was used already (each code works once; wait for the next), '
      + 'or the clock of this computer or of the phone is off (run mfa-profile doctor).');
    const code = w.model.code(w.seed);
    expect((await runCli(['doctor', '--code', code], w.env)).status).toBe(0);
    const reused = await runCli(['doctor', '--code', code], w.env);
    expect(reused.stdout).toContain('FAIL STS did not accept the MFA code for profile mfa');
  });

  test('explains a role that does not trust the user, and an MFA device that is not enabled', async () => {
    w = await world();
    await setUp(w);
    w.model.roles.get(w.roleArn)?.trustedUsers.splice(0);
    const untrusted = await runCli(['doctor', '--code', w.model.code(w.seed)], w.env);
    expect(untrusted.stdout).toContain('FAIL The role of profile mfa does not let the source profile\'s user assume it: the user is not trusted, role_session_name is not '
      + 'the user name, or the MFA session is too old; run mfa-profile setup again for this stack.');
    w.model.roles.get(w.roleArn)?.trustedUsers.push(USER);
    w.model.devices.get(w.serialNumber.toLowerCase())!.user = undefined;
    const disabled = await runCli(['doctor', '--code', w.model.code(w.seed, 1)], w.env);
    expect(disabled.stdout).toContain('FAIL STS could not check the MFA code for profile mfa: the mfa_serial is not an enabled MFA device of the source profile\'s user '
      + '(enable it with mfa-profile setup, or fix mfa_serial).');
  });

  test('fails for a missing profile, a missing source profile and a role_session_name that is not the user name', async () => {
    w = await world();
    const missing = await runCli(['doctor', '--profile', 'nope'], w.env);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain(`FAIL There is no profile nope in ${w.config}: run mfa-profile setup (or name the profile with --profile).`);
    await setUp(w);
    fs.writeFileSync(w.config, fs.readFileSync(w.config, 'utf8').replace(`role_session_name = ${USER}`, 'role_session_name = bob'));
    const renamed = await runCli(['doctor'], w.env);
    expect(renamed.stdout).toContain(`FAIL role_session_name is "bob", but the role trusts only sessions named after the user (${USER}): run mfa-profile setup again.`);
    fs.writeFileSync(w.credentials, '');
    const noSource = await runCli(['doctor'], w.env);
    expect(noSource.stdout).toContain(`FAIL The source profile ${USER} is in neither ${w.credentials} nor ${w.config}: run mfa-profile setup (it creates the access key).`);
  });

  test('reports long-lived session credentials on disk (12 hours), and a session of at most an hour as ok', async () => {
    w = await world();
    await setUp(w);
    const long = await runCli(['session', '--profile', USER, '--token-code', w.model.code(w.seed), '--duration-seconds', '43200'], w.env);
    expect(long.status).toBe(0);
    const doctor = await runCli(['doctor'], w.env);
    expect(doctor.stdout).toMatch(new RegExp(`^warn Profile ${USER}-mfa in ${w.credentials} holds long-lived session credentials \\(until \\S+\\): whoever copies the `
      + 'file uses them without MFA until then; remove the profile, and use mfa-profile session with at most an hour\\.$', 'm'));
    const short = await runCli(['session', '--profile', USER, '--token-code', w.model.code(w.seed, 1)], w.env);
    expect(short.stdout).toMatch(new RegExp(`^Wrote temporary credentials to profile ${USER}-mfa in ${w.credentials} \\(mode 0600\\); they last (59|60) minutes, `));
    expect((await runCli(['doctor'], w.env)).stdout).toMatch(new RegExp(`^ok   Profile ${USER}-mfa in ${w.credentials} holds session credentials until `, 'm'));
  });

  test('warns when the stack\'s device handler was changed outside CloudFormation (drift), and says ok when it was not', async () => {
    w = await world();
    await setUp(w);
    const handler = [...w.model.stacks.values()].find((s) => s.stackName === STACK)!.resources.get(HANDLER)!;
    expect((await runCli(['doctor', '--stack', STACK], w.env)).stdout)
      .toContain(`ok   The device handler ${handler.logicalId} of stack ${STACK} is as CloudFormation deployed it (drift detection).`);
    handler.drifted = 'Role';
    const drifted = await runCli(['doctor', '--stack', STACK], w.env);
    expect(drifted.stdout).toContain(`warn The device handler ${handler.logicalId} of stack ${STACK} was changed outside CloudFormation (MODIFIED: Role): `
      + 'whoever changed it may act with its role; find who in CloudTrail (UpdateFunctionConfiguration, UpdateFunctionCode) and deploy the stack again.');
  });

  test('runs in a real pseudo-terminal like anywhere else: one line per check, nothing asked', async () => {
    w = await world();
    await setUp(w);
    const run = await runCliInPty(['doctor', '--code', w.model.code(w.seed)], w.env, []);
    expect(run.status).toBe(0);
    expect(run.output).toContain('ok   AssumeRole with MFA through profile mfa works');
  });
});
