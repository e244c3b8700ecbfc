import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { runCli, stubEnv, tempDir } from './support/cli';
import { MfaTeam } from '../../../lib';
import { AwsStub, jsonError, jsonResult, queryError, StubRequest, StubResponse } from '../../../test/support/aws-stub';
import { previewOutputs } from '../src/template';

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
      { userName: 'carol', roles: ['readonly'], mfaSerial: 'GAHT87654321' },
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
      'role_session_name = alice',
      '',
      '[profile Dev-admin]',
      `role_arn = arn:aws:iam::${ACCOUNT}:role/mfa-team/Dev/dev-admin`,
      'source_profile = alice',
      `mfa_serial = arn:aws:iam::${ACCOUNT}:mfa/mfa-team/Dev/alice`,
      'role_session_name = alice',
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
    expect(run.stderr.trim()).toEqual('mfa-profile: Team Dev of stack Teams has no member "mallory" (it has 3 members).');
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

const SERIAL = `arn:aws:iam::${ACCOUNT}:mfa/mfa-team/Dev/alice`;
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const URI = `otpauth://totp/Amazon%20Web%20Services:alice%40${ACCOUNT}?issuer=Amazon%20Web%20Services&secret=${SEED}`;
const ALICE_KEY_ID = 'AKIAALICE00000000001';
const ALICE_SECRET = 'alice-secret-access-key-000000000000000001';
const CAROL_KEY_ID = 'AKIACAROL00000000001';
const CAROL_SECRET = 'carol-secret-access-key-000000000000000001';
/** Alice's one secret, as the device handler writes it: the seed and the access key. */
const ALICE_SECRET_STRING = JSON.stringify({
  serialNumber: SERIAL, userName: 'alice', seed: SEED, otpauthUri: URI, enabled: true, accessKeyId: ALICE_KEY_ID, secretAccessKey: ALICE_SECRET,
});

/** Secrets Manager with state, by the secret names the team outputs derive. */
class FakeSecrets {
  public readonly secrets = new Map<string, string>([
    ['mfa-team/Dev/alice/mfa-seed', ALICE_SECRET_STRING],
    ['mfa-team/Dev/carol/access-key', JSON.stringify({ userName: 'carol', accessKeyId: CAROL_KEY_ID, secretAccessKey: CAROL_SECRET })],
  ]);

  public handle(request: StubRequest): StubResponse {
    switch (request.action) {
      case 'GetSecretValue': {
        const value = this.secrets.get(request.params.SecretId);
        return value === undefined
          ? jsonError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.')
          : jsonResult({ ARN: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${request.params.SecretId}-AbCdEf`, SecretString: value });
      }
      case 'PutSecretValue':
        this.secrets.set(request.params.SecretId, request.params.SecretString);
        return jsonResult({ ARN: request.params.SecretId, VersionId: 'v2' });
      case 'DeleteSecret':
        this.secrets.delete(request.params.SecretId);
        return jsonResult({ ARN: request.params.SecretId, DeletionDate: 1 });
      default:
        return queryError('InvalidAction', `The stub does not know ${request.action}`);
    }
  }
}

describe('mfa-profile --member against a loopback Secrets Manager', () => {
  let dir: string;
  let outputsFile: string;
  let stub: AwsStub;
  let fake: FakeSecrets;
  let home: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = tempDir();
    // The outputs file of the deployed team, as `cdk deploy --outputs-file` writes it, of a team deployed at version 2
    // (access keys in secrets), which this mfa-profile still reads: version 3 keeps no key in Secrets Manager.
    const template = JSON.parse(fs.readFileSync(synthTeamTemplate(dir), 'utf8'));
    outputsFile = path.join(dir, 'cdk-outputs.json');
    const preview = previewOutputs(template, { stackName: 'Teams', account: ACCOUNT, partition: 'aws' });
    const outputs = { ...preview, DevMfaTeam: JSON.stringify({ ...JSON.parse(preview.DevMfaTeam as string), version: 2 }) };
    fs.writeFileSync(outputsFile, JSON.stringify({ Teams: outputs }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    fake = new FakeSecrets();
    stub = await AwsStub.start((request) => fake.handle(request));
    home = tempDir();
    env = stubEnv(stub.url, { HOME: home });
  });
  afterEach(async () => {
    await stub.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const run = (...args: string[]) => runCli([...args, '--outputs-file', outputsFile], env);
  const legacy = (secret: string) => `This stack keeps the access key in a secret (${secret}), as versions before 0.2 did: update the stack with this version, `
    + 'which keeps no access key in AWS, then run mfa-profile setup.\n';

  test('credentials --member writes the source profile from the access key in the member\'s seed secret', async () => {
    // WHEN
    const result = await run('credentials', '--member', 'alice');

    // THEN
    const credentials = path.join(home, '.aws', 'credentials');
    expect(result).toEqual({ status: 0, stdout: `Wrote profile alice (access key ${ALICE_KEY_ID}) to ${credentials}.\n`, stderr: legacy('mfa-team/Dev/alice/mfa-seed') });
    expect(fs.readFileSync(credentials, 'utf8')).toEqual(`[alice]\naws_access_key_id = ${ALICE_KEY_ID}\naws_secret_access_key = ${ALICE_SECRET}\n`);
    expect(stub.calls('GetSecretValue').map((r) => r.params)).toEqual([{ SecretId: 'mfa-team/Dev/alice/mfa-seed' }]);
  });

  test('credentials --member --print hides the secret access key of the combined secret', async () => {
    const result = await run('credentials', '--member', 'alice', '--print');
    expect(result).toEqual({
      status: 0,
      stdout: `[alice]\naws_access_key_id = ${ALICE_KEY_ID}\naws_secret_access_key = ****\n`,
      stderr: `${legacy('mfa-team/Dev/alice/mfa-seed')}The secret access key is hidden: add --show-secret to print it.\n`,
    });
  });

  test('credentials --member reads the access key secret of a member with an existing device', async () => {
    const result = await run('credentials', '--member', 'carol', '--show-secret');
    expect(result).toEqual({ status: 0, stdout: `[carol]\naws_access_key_id = ${CAROL_KEY_ID}\naws_secret_access_key = ${CAROL_SECRET}\n`, stderr: legacy('mfa-team/Dev/carol/access-key') });
    expect(stub.calls('GetSecretValue').map((r) => r.params)).toEqual([{ SecretId: 'mfa-team/Dev/carol/access-key' }]);
  });

  test('mfa-setup --member shows the seed of the combined secret, and never the access key', async () => {
    const result = await run('mfa-setup', '--member', 'alice', '--no-qr', '--show-uri');
    expect(result).toEqual({ status: 0, stdout: `${URI}\n`, stderr: '' });
    expect(stub.calls('GetSecretValue').map((r) => r.params)).toEqual([{ SecretId: 'mfa-team/Dev/alice/mfa-seed' }]);
  });

  test('fails for mfa-setup --member --forget of a combined secret whose access key no credentials file holds yet, in one sentence', async () => {
    const forget = await run('mfa-setup', '--member', 'alice', '--no-qr', '--forget');
    expect(forget).toEqual({
      status: 1,
      stdout: '',
      stderr: `mfa-profile: The seed secret mfa-team/Dev/alice/mfa-seed also holds the access key ${ALICE_KEY_ID} of alice (a stack of a version before 0.2), `
        + `which ${path.join(home, '.aws', 'credentials')} does not hold: write it first with mfa-profile credentials; then --forget deletes the secret with both.\n`,
    });
    expect(fake.secrets.has('mfa-team/Dev/alice/mfa-seed')).toBe(true);
  });

  test('mfa-setup --member --forget deletes the combined secret for good once the credentials file holds its access key', async () => {
    expect((await run('credentials', '--member', 'alice')).status).toBe(0);
    const forget = await run('mfa-setup', '--member', 'alice', '--no-qr', '--forget');
    expect(forget).toEqual({
      status: 0,
      stdout: '',
      stderr: 'Deleted the seed secret mfa-team/Dev/alice/mfa-seed with no recovery window: no version of it is left; only the authenticator app holds the seed now.\n',
    });
    expect(fake.secrets.has('mfa-team/Dev/alice/mfa-seed')).toBe(false);
    expect(forget.stdout + forget.stderr).not.toContain(ALICE_SECRET);
  });

  test('fails for credentials --member while the seed secret still holds its placeholder, in one sentence', async () => {
    fake.secrets.set('mfa-team/Dev/alice/mfa-seed', JSON.stringify({ pending: 'Xy7randomPlaceholder' }));
    const result = await run('credentials', '--member', 'alice');
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: `${legacy('mfa-team/Dev/alice/mfa-seed')}mfa-profile: The secret mfa-team/Dev/alice/mfa-seed holds no access key yet: `
        + 'the MFA device that keeps it there has not been created.\n',
    });
  });

  test('fails for credentials --member of a member without an access key, in one sentence', async () => {
    const result = await run('credentials', '--member', 'bob', '--print');
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toEqual(
      'mfa-profile: Stack Teams gives Dev:bob:readonly no access key (accessKey: false): the source profile bob needs credentials of that user from elsewhere.');
  });
});
