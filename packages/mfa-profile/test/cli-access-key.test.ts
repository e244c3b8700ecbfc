import * as fs from 'fs';
import * as path from 'path';
import { runCli } from './support/cli';
import { USER, world, World } from './support/world';
import { useStubEnvironment } from '../../../test/support/aws-stub';
import { ensureAccessKey, KEY_TAG_PREFIX } from '../src/access-key';
import { Io } from '../src/files';
import { readProfiles } from '../src/ini';

jest.setTimeout(60_000);

/** An access key of the user's own that IAM lists (made by someone else, earlier). */
const iamKey = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: 'not-this-commands', status: 'Active' as const, createDate: new Date(2026, 0, 1) });

/**
 * #16.1: the CLI creates the access key with the caller's IAM rights (the IAM model), writes it 0600 into the
 * credentials file, stores it nowhere in AWS, reuses the key the file holds while IAM lists it, and never piles up keys.
 */
describe('ensureAccessKey against the IAM model', () => {
  let w: World;
  let restore: () => void;
  let said: string[];
  const io: Io = { env: {}, out: () => undefined, say: (text) => said.push(text) };
  beforeEach(async () => {
    w = await world();
    restore = useStubEnvironment(w.model.url, { AWS_ACCESS_KEY_ID: w.model.adminKey.id, AWS_SECRET_ACCESS_KEY: w.model.adminKey.secret });
    said = [];
  });
  afterEach(async () => {
    restore();
    await w.stop();
  });
  const ensure = (extra: { force?: boolean; profile?: string } = {}) =>
    ensureAccessKey({ userName: USER, profile: extra.profile ?? USER, credentialsFile: w.credentials, force: extra.force }, io);
  const fileKey = () => readProfiles(fs.readFileSync(w.credentials, 'utf8'), 'credentials').get(USER);
  const iamKeys = () => w.model.users.get(USER)?.accessKeys.map((k) => k.accessKeyId);

  test('creates a key with CreateAccessKey, writes it 0600 over a 0644 file, keeps the file\'s other profiles, and marks it as this command\'s', async () => {
    fs.mkdirSync(path.dirname(w.credentials), { recursive: true });
    fs.writeFileSync(w.credentials, '[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other\n', { mode: 0o644 });
    fs.chmodSync(w.credentials, 0o644);
    const key = await ensure();
    expect(key).toMatchObject({ reused: false, deleted: [], file: w.credentials });
    expect(iamKeys()).toEqual([key.accessKeyId]);
    expect(fileKey()).toEqual({ aws_access_key_id: key.accessKeyId, aws_secret_access_key: w.model.secretOfKey(key.accessKeyId) });
    expect(readProfiles(fs.readFileSync(w.credentials, 'utf8'), 'credentials').get('other')).toEqual({ aws_access_key_id: 'AKIAOTHER', aws_secret_access_key: 'other' });
    expect(fs.statSync(w.credentials).mode % 0o1000).toBe(0o600);
    expect(fs.statSync(`${w.credentials}.bak`).mode % 0o1000).toBe(0o600);
    expect(w.model.users.get(USER)?.tags.get(key.accessKeyId)).toBe(`${KEY_TAG_PREFIX} profile ${USER}`);
  });

  test('stores the key nowhere in AWS: no secret, no stack, only the IAM key itself', async () => {
    const secretsBefore = [...w.model.secrets.keys()];
    const key = await ensure();
    expect([...w.model.secrets.keys()]).toEqual(secretsBefore);
    const secret = w.model.secretOfKey(key.accessKeyId) as string;
    for (const s of w.model.secrets.values()) {
      for (const v of s.versions.values()) {
        expect(v.secretString).not.toContain(secret);
      }
    }
    expect(w.model.requests.filter((r) => r.service === 'secretsmanager')).toEqual([]);
  });

  test('re-running keeps the key the file holds while IAM lists it: no second key', async () => {
    const first = await ensure();
    const again = await ensure();
    expect(again).toEqual({ accessKeyId: first.accessKeyId, reused: true, deleted: [], file: w.credentials });
    expect(iamKeys()).toEqual([first.accessKeyId]);
    expect(w.model.calls('CreateAccessKey')).toHaveLength(1);
  });

  test('when the file lost its key, makes a new one and deletes the one it made before: never more than one key of its own', async () => {
    const first = await ensure();
    fs.rmSync(w.credentials);
    const second = await ensure();
    expect(second).toMatchObject({ reused: false, deleted: [first.accessKeyId] });
    expect(iamKeys()).toEqual([second.accessKeyId]);
    expect(w.model.users.get(USER)?.tags.has(first.accessKeyId)).toBe(false);
  });

  test('with two keys already, one of them its own, deletes its own first so that IAM\'s limit of two is kept', async () => {
    const mine = await ensure();
    fs.rmSync(w.credentials);
    w.model.users.get(USER)?.accessKeys.push(iamKey('AKIAUSERSOWNKEY00001'));
    const next = await ensure();
    expect(next.deleted).toEqual([mine.accessKeyId]);
    expect(iamKeys()).toEqual(['AKIAUSERSOWNKEY00001', next.accessKeyId]);
  });

  test('fails with two keys that are not its own, naming them and what to do, creating nothing', async () => {
    w.model.users.get(USER)?.accessKeys.push(iamKey('AKIAFIRST00000000001'), iamKey('AKIASECOND0000000002'));
    await expect(ensure()).rejects.toThrow(`${USER} already has 2 access keys (AKIAFIRST00000000001, AKIASECOND0000000002), the most IAM allows, and `
      + `${w.credentials} holds neither: delete one that is no longer used (aws iam delete-access-key --user-name ${USER} --access-key-id ID), then run this again.`);
    expect(w.model.calls('CreateAccessKey')).toEqual([]);
  });

  test('fails for a profile holding a key IAM does not list for the user, unless --force', async () => {
    fs.mkdirSync(path.dirname(w.credentials), { recursive: true });
    fs.writeFileSync(w.credentials, `[${USER}]\naws_access_key_id = AKIASOMEONEELSE00001\naws_secret_access_key = x\n`);
    await expect(ensure()).rejects.toThrow(`Profile ${USER} in ${w.credentials} holds the access key AKIASOMEONEELSE00001, which IAM does not list for ${USER} `
      + '(deleted, or another user\'s key): pass --force to replace it with a new key of this user.');
    const forced = await ensure({ force: true });
    expect(fileKey()?.aws_access_key_id).toBe(forced.accessKeyId);
  });

  test('fails for [default] and for a profile that holds a session, unless --force', async () => {
    await expect(ensure({ profile: 'default' })).rejects.toThrow(`The source profile would be [default] in ${w.credentials}, which this command does not take over: `
      + 'name another with --source-profile, or pass --force.');
    fs.mkdirSync(path.dirname(w.credentials), { recursive: true });
    fs.writeFileSync(w.credentials, `[${USER}]\naws_access_key_id = ASIA1\naws_secret_access_key = x\naws_session_token = t\n`);
    await expect(ensure()).rejects.toThrow(`Profile ${USER} in ${w.credentials} holds aws_session_token, not just an access key: it is not this command's to `
      + 'change; name another with --source-profile, or pass --force to replace those keys.');
    await ensure({ force: true });
    expect(Object.keys(fileKey() ?? {})).toEqual(['aws_access_key_id', 'aws_secret_access_key']);
  });

  test('deletes the new key again when the file cannot be written, so that no key is left that nobody holds', async () => {
    fs.mkdirSync(path.dirname(w.credentials), { recursive: true });
    fs.writeFileSync(w.credentials, '# mine\n', { mode: 0o400 });
    fs.chmodSync(w.credentials, 0o400);
    await expect(ensure()).rejects.toThrow(new RegExp(`^${w.credentials} is read-only \\(mode 0400\\): this command does not change its permissions; `
      + '.* The new access key AKIA\\w+ was deleted again\\.$'));
    expect(iamKeys()).toEqual([]);
    expect(fs.readFileSync(w.credentials, 'utf8')).toEqual('# mine\n');
  });

  test('fails for a credentials file the AWS CLI v2 cannot read before creating anything', async () => {
    fs.mkdirSync(path.dirname(w.credentials), { recursive: true });
    fs.writeFileSync(w.credentials, '[broken]\nkey = a\nkey = b\n');
    await expect(ensure()).rejects.toThrow(`${w.credentials}, line 3, repeats the key key of [broken], which makes the whole file unreadable to the AWS CLI v2; `
      + 'keep one. The file is unchanged.');
    expect(w.model.calls('CreateAccessKey')).toEqual([]);
  });
});

describe('mfa-profile credentials and cdk destroy', () => {
  let w: World;
  afterEach(async () => {
    await w.stop();
  });

  test('credentials creates the key into AWS_SHARED_CREDENTIALS_FILE and says where; the secret never reaches the terminal', async () => {
    w = await world();
    const run = await runCli(['credentials', '--outputs-file', w.outputsFile], w.env);
    const key = readProfiles(fs.readFileSync(w.credentials, 'utf8'), 'credentials').get(USER);
    expect(run).toEqual({
      status: 0,
      stdout: `Created access key ${key?.aws_access_key_id} for ${USER} and wrote it to profile ${USER} in ${w.credentials} (mode 0600); it is stored nowhere else.\n`,
      stderr: '',
    });
    expect(run.stdout + run.stderr).not.toContain(key?.aws_secret_access_key);
  });

  test('fails for --print: there is no key in AWS to print', async () => {
    w = await world();
    const run = await runCli(['credentials', '--outputs-file', w.outputsFile, '--print'], w.env);
    expect(run).toEqual({
      status: 1,
      stdout: '',
      stderr: 'mfa-profile: This stack keeps no access key anywhere to print: run mfa-profile credentials without --print to create one into the credentials file.\n',
    });
  });
});
