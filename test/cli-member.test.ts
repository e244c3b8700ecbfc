import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { MfaTeam } from '../lib';
import { runCli, tempDir } from './support/cli';

jest.setTimeout(60_000);

const ACCOUNT = '111111111111';

/** A synthesized stack with one MfaDelegation and one MfaTeam, as `cdk synth` writes it. */
function synthTeamTemplate(dir: string): string {
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'Teams');
  new MfaTeam(stack, 'Dev', {
    roles: [{ name: 'admin', roleName: 'dev-admin' }, { name: 'readonly', roleName: 'dev-readonly' }],
    members: [
      { userName: 'alice', roles: ['readonly', 'admin'] },
      { userName: 'bob', roles: ['readonly'], mfaSerial: 'GAHT12345678', accessKey: false },
    ],
  });
  app.synth();
  return path.join(dir, 'cdk.out', 'Teams.template.json');
}

describe('mfa-profile --member', () => {
  let dir: string;
  let template: string;
  beforeAll(() => {
    dir = tempDir();
    template = synthTeamTemplate(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes one role profile per role of the member, with the member as source profile', async () => {
    // GIVEN
    const config = path.join(dir, 'config');
    // WHEN
    const run = await runCli(['write', '--template', template, '--account', ACCOUNT, '--member', 'alice', '--config-file', config]);
    // THEN
    expect(run.stderr).not.toMatch(/mfa-profile:/);
    expect(run.status).toBe(0);
    expect(fs.readFileSync(config, 'utf8')).toEqual([
      '[profile Dev-readonly]',
      `role_arn = arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/dev-readonly`,
      'source_profile = alice',
      `mfa_serial = arn:aws:iam::${ACCOUNT}:mfa/mfa-team/Dev/alice`,
      '',
      '[profile Dev-admin]',
      `role_arn = arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/dev-admin`,
      'source_profile = alice',
      `mfa_serial = arn:aws:iam::${ACCOUNT}:mfa/mfa-team/Dev/alice`,
      '',
    ].join('\n'));
  });

  test('uses the existing MFA device of a member that has one', async () => {
    const run = await runCli(['write', '--template', template, '--account', ACCOUNT, '--member', 'bob', '--print']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('mfa_serial = GAHT12345678');
    expect(run.stdout).toContain('source_profile = bob');
  });

  test('fails for a member the team does not have, in one sentence', async () => {
    const run = await runCli(['write', '--template', template, '--account', ACCOUNT, '--member', 'mallory', '--print']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toEqual('mfa-profile: Team Dev of stack Teams has no member "mallory" (it has 2 members).');
  });

  test('fails with --member and --delegation together', async () => {
    const run = await runCli(['write', '--template', template, '--account', ACCOUNT, '--member', 'alice', '--delegation', 'Toolkit', '--print']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toEqual(
      "mfa-profile: --delegation and --member exclude each other: a member's profiles come from its team, not from an MfaDelegation.");
  });

  test('fails with --team but no --member', async () => {
    const run = await runCli(['write', '--template', template, '--account', ACCOUNT, '--team', 'Dev', '--print']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toEqual('mfa-profile: --team picks the team of --member: name the member too.');
  });
});
