import * as fs from 'fs';
import * as path from 'path';
import { canRunAsNobody, fixture, NOBODY, runCli, runCliAsNobody, tempDir } from './support/cli';
import { updateFile } from '../src/profile-file';

jest.setTimeout(60_000);

const write = (config: string, env: Record<string, string> = {}) =>
  runCli(['write', '--outputs-file', fixture('outputs-one.json'), '--config-file', config], { HOME: path.dirname(config), ...env });
const mode = (file: string) => fs.statSync(file).mode % 0o1000;

describe('mfa-profile write and the files it writes', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  test('writes through a dangling symbolic link by creating its target; the link stays a link', async () => {
    const link = path.join(dir, 'config');
    const target = path.join(dir, 'dotfiles', 'aws-config');
    fs.symlinkSync(target, link);
    const run = await write(link);
    expect(run.status).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toContain('[profile mfa]');
    expect(mode(target)).toBe(0o600);
  });

  test('fails for a read-only config, without changing it or its mode', async () => {
    const config = path.join(dir, 'config');
    fs.writeFileSync(config, '# mine\n');
    fs.chmodSync(config, 0o400);
    const run = await write(config);
    expect(run).toEqual({
      status: 1,
      stdout: '',
      stderr: `mfa-profile: ${config} is read-only (mode 0400): this command does not change its permissions; make it writable (chmod u+w ${config}) `
        + 'and run this again, or print the profile with --print.\n',
    });
    expect(fs.readFileSync(config, 'utf8')).toBe('# mine\n');
    expect(mode(config)).toBe(0o400);
  });

  test('fails for a file with hard links, which an atomic write would break', async () => {
    const config = path.join(dir, 'config');
    fs.writeFileSync(config, '# mine\n');
    fs.linkSync(config, path.join(dir, 'other-name'));
    const run = await write(config);
    expect(run.stderr).toBe(`mfa-profile: ${config} has 2 hard links: an atomic write would break them (the other names would keep the old content); `
      + 'replace the hard links by symbolic links, or name a file without links.\n');
    expect(fs.readFileSync(path.join(dir, 'other-name'), 'utf8')).toBe('# mine\n');
  });

  test('fails for /dev/null without trying to lock it', async () => {
    const run = await write('/dev/null');
    expect(run).toEqual({
      status: 1,
      stdout: '',
      stderr: 'mfa-profile: /dev/null is not a regular file (a character device): nothing can be written to it; name a regular file.\n',
    });
    expect(fs.existsSync('/dev/null.lock')).toBe(false);
  });

  test('fails for an empty AWS_CONFIG_FILE, on which the AWS CLI v2 and the SDK v3 disagree', async () => {
    const run = await runCli(['write', '--outputs-file', fixture('outputs-one.json')], { HOME: dir, AWS_CONFIG_FILE: '' });
    expect(run).toEqual({
      status: 1,
      stdout: '',
      stderr: 'mfa-profile: AWS_CONFIG_FILE is set but empty: the AWS CLI v2 then reads no config file and the SDK v3 reads ~/.aws/config; '
        + 'unset it (unset AWS_CONFIG_FILE) or set it to a file.\n',
    });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('removes the temporary files of killed runs, and keeps those of running ones', async () => {
    const config = path.join(dir, 'config');
    fs.writeFileSync(config, '# mine\n');
    const dead = path.join(dir, '.config.999999.0badc0de.tmp');
    const alive = path.join(dir, `.config.${process.pid}.0badc0de.tmp`);
    fs.writeFileSync(dead, 'half-written');
    fs.writeFileSync(alive, 'being written');
    expect((await write(config)).status).toBe(0);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(alive)).toBe(true);
  });

  test('writes a secret-bearing file 0600 whatever mode it had, and keeps the mode of one that is not', async () => {
    const secret = path.join(dir, 'credentials');
    fs.writeFileSync(secret, '# keys\n', { mode: 0o644 });
    fs.chmodSync(secret, 0o644);
    expect(await updateFile(secret, (t) => `${t}[a]\n`, { secret: true })).toMatchObject({ changed: true, tightenedFrom: 0o644 });
    expect(mode(secret)).toBe(0o600);
    expect(mode(`${secret}.bak`)).toBe(0o600);
    const plain = path.join(dir, 'config');
    fs.writeFileSync(plain, '# config\n', { mode: 0o644 });
    fs.chmodSync(plain, 0o644);
    await updateFile(plain, (t) => `${t}[default]\n`);
    expect(mode(plain)).toBe(0o644);
  });

  test('makes an unchanged secret-bearing file 0600 too', async () => {
    const secret = path.join(dir, 'credentials');
    fs.writeFileSync(secret, '[a]\n', { mode: 0o640 });
    fs.chmodSync(secret, 0o640);
    expect(await updateFile(secret, (t) => t as string, { secret: true })).toMatchObject({ changed: false, tightenedFrom: 0o640 });
    expect(mode(secret)).toBe(0o600);
  });
});

/**
 * Permission cases as an unprivileged user: CI runs as root, which may write anything, so these run `mfa-profile` as
 * `nobody` (setpriv). Where this process is not root they are skipped, saying why.
 */
const asNobody = canRunAsNobody() ? describe : describe.skip;
if (!canRunAsNobody()) {
  // eslint-disable-next-line no-console
  console.warn('SKIPPED the permission cases: they run mfa-profile as nobody, which needs root and setpriv.');
}
asNobody('as an unprivileged user (nobody)', () => {
  let home: string;
  beforeEach(() => {
    home = tempDir();
    fs.chmodSync(home, 0o755);
    fs.chownSync(home, NOBODY.uid, NOBODY.gid);
  });
  const writeAsNobody = (config: string) =>
    runCliAsNobody(['write', '--outputs-file', fixture('outputs-one.json'), '--config-file', config], { HOME: home });

  test('fails for a read-only ~/.aws in one sentence, leaving no lock behind', async () => {
    const aws = path.join(home, '.aws');
    fs.mkdirSync(aws, { mode: 0o500 });
    fs.chownSync(aws, NOBODY.uid, NOBODY.gid);
    fs.chmodSync(aws, 0o500);
    const run = await writeAsNobody(path.join(aws, 'config'));
    expect(run).toEqual({ status: 1, stdout: '', stderr: `mfa-profile: Cannot write in ${aws}: you do not have write permission on it; nothing was changed.\n` });
    expect(fs.readdirSync(aws)).toEqual([]);
  });

  test('fails for a config that belongs to root, without changing its owner or content', async () => {
    const config = path.join(home, 'config');
    fs.writeFileSync(config, '# root\'s\n', { mode: 0o666 });
    fs.chmodSync(config, 0o666);
    const run = await writeAsNobody(config);
    expect(run.stderr).toBe(`mfa-profile: ${config} belongs to user 0, not to you (${NOBODY.uid}): writing it would make it yours; ask its owner, or name a file of yours.\n`);
    expect(fs.statSync(config).uid).toBe(0);
    expect(fs.readFileSync(config, 'utf8')).toBe('# root\'s\n');
  });

  test('fails for a read-only config of its own', async () => {
    const config = path.join(home, 'config');
    fs.writeFileSync(config, '# mine\n');
    fs.chownSync(config, NOBODY.uid, NOBODY.gid);
    fs.chmodSync(config, 0o444);
    const run = await writeAsNobody(config);
    expect(run.stderr).toMatch(/^mfa-profile: \S+ is read-only \(mode 0444\)/);
  });

  test('writes a config of its own and keeps owner and mode', async () => {
    const config = path.join(home, 'config');
    fs.writeFileSync(config, '# mine\n');
    fs.chownSync(config, NOBODY.uid, NOBODY.gid);
    fs.chmodSync(config, 0o640);
    const run = await writeAsNobody(config);
    expect(run.stderr).toBe(`The previous content is in ${config}.bak.\n`);
    expect(fs.statSync(config)).toMatchObject({ uid: NOBODY.uid, gid: NOBODY.gid });
    expect(mode(config)).toBe(0o640);
  });

  test('as root, writing a file of nobody keeps nobody as its owner', async () => {
    const config = path.join(home, 'config');
    fs.writeFileSync(config, '# nobody\'s\n');
    fs.chownSync(config, NOBODY.uid, NOBODY.gid);
    const run = await write(config);
    expect(run.status).toBe(0);
    expect(fs.statSync(config)).toMatchObject({ uid: NOBODY.uid, gid: NOBODY.gid });
  });
});

describe('mfa-profile write never takes over a profile that is not its own', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  test('merges into the existing role profile: the user\'s region, output and cli_pager stay', async () => {
    const config = path.join(dir, 'config');
    fs.writeFileSync(config, '[profile mfa]\nregion = eu-west-1\noutput = table\ncli_pager =\nrole_arn = arn:aws:iam::111111111111:role/old\n');
    expect((await write(config)).status).toBe(0);
    expect(fs.readFileSync(config, 'utf8')).toBe('[profile mfa]\nregion = eu-west-1\noutput = table\ncli_pager =\n'
      + 'role_arn = arn:aws:iam::111111111111:role/toolkit-role\nsource_profile = toolkit-user\n'
      + 'mfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\nrole_session_name = toolkit-user\n');
  });

  test('fails for [default] unless --force', async () => {
    const config = path.join(dir, 'config');
    const run = await runCli(['write', '--outputs-file', fixture('outputs-one.json'), '--config-file', config, '--profile', 'default'], { HOME: dir });
    expect(run.stderr).toBe(`mfa-profile: The role profile would be [default] in ${config}, which this command does not take over: `
      + 'name another with --profile, or pass --force.\n');
    expect(fs.existsSync(config)).toBe(false);
  });

  test('fails for a profile that gets credentials another way unless --force, which removes those keys', async () => {
    const config = path.join(dir, 'config');
    fs.writeFileSync(config, '[profile mfa]\ncredential_process = aws-vault exec work --json\nregion = eu-west-1\n');
    const run = await write(config);
    expect(run.stderr).toBe(`mfa-profile: Profile mfa in ${config} holds credential_process: it gets its credentials another way and is not this command's `
      + 'to change; name another with --profile, or pass --force to replace those keys.\n');
    const forced = await runCli(['write', '--outputs-file', fixture('outputs-one.json'), '--config-file', config, '--force'], { HOME: dir });
    expect(forced.status).toBe(0);
    expect(fs.readFileSync(config, 'utf8')).toBe('[profile mfa]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/toolkit-role\n'
      + 'source_profile = toolkit-user\nmfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\nrole_session_name = toolkit-user\n');
  });

  test('--replace drops the profile\'s other keys (the old behaviour)', async () => {
    const config = path.join(dir, 'config');
    fs.writeFileSync(config, '[profile mfa]\nregion = eu-west-1\n');
    await runCli(['write', '--outputs-file', fixture('outputs-one.json'), '--config-file', config, '--replace'], { HOME: dir });
    expect(fs.readFileSync(config, 'utf8')).not.toContain('region');
  });
});
