import * as fs from 'fs';
import * as path from 'path';
import { readFixture, fixture, spawnCli, tempDir } from './support/cli';
import { upsertSections } from '../src/ini';
import { updateFile } from '../src/profile-file';

// Each test runs mfa-profile once or more (some as a process of its own): seconds on a busy machine.
jest.setTimeout(60_000);

const section = (name: string) => ({ name, entries: [['region', 'us-east-1']] as Array<[string, string]> });
const addProfile = (name: string) => (current: string | undefined) => upsertSections(current ?? '', 'config', [section(name)]);
const mode = (file: string) => fs.statSync(file).mode % 0o1000;

describe('updateFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  test('creates the file 0600 and its folder 0700, without a backup', async () => {
    const file = path.join(dir, 'new', '.aws', 'config');
    const result = await updateFile(file, addProfile('a'));
    expect(result).toEqual({ path: file, created: true, changed: true, backup: undefined });
    expect(fs.readFileSync(file, 'utf8')).toEqual('[profile a]\nregion = us-east-1\n');
    expect(mode(file)).toEqual(0o600);
    expect(mode(path.dirname(file))).toEqual(0o700);
    expect(fs.existsSync(`${file}.bak`)).toBe(false);
  });

  test('keeps the mode of an existing file and its previous content as FILE.bak', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '# mine\n', { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    await updateFile(file, addProfile('a'));
    expect(fs.readFileSync(file, 'utf8')).toEqual('# mine\n\n[profile a]\nregion = us-east-1\n');
    expect(mode(file)).toEqual(0o640);
    expect(fs.readFileSync(`${file}.bak`, 'utf8')).toEqual('# mine\n');
  });

  test('keeps bytes that are not UTF-8', async () => {
    const file = path.join(dir, 'config');
    const latin1 = Buffer.from('# caf\xe9 \xff\n', 'latin1');
    fs.writeFileSync(file, latin1);
    await updateFile(file, addProfile('a'));
    expect(fs.readFileSync(file).subarray(0, latin1.length)).toEqual(latin1);
  });

  test('writes through a symbolic link, which stays a link', async () => {
    const real = path.join(dir, 'dotfiles-config');
    const link = path.join(dir, 'config');
    fs.writeFileSync(real, '# real\n');
    fs.symlinkSync(real, link);
    const result = await updateFile(link, addProfile('a'));
    expect(result.path).toEqual(real);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(link, 'utf8')).toContain('[profile a]');
  });

  test('an unchanged file is not written again', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '[profile a]\nregion = us-east-1\n');
    const before = fs.statSync(file).mtimeMs;
    expect(await updateFile(file, addProfile('a'))).toMatchObject({ changed: false });
    expect(fs.statSync(file).mtimeMs).toEqual(before);
    expect(fs.existsSync(`${file}.bak`)).toBe(false);
  });

  test('fails on a failing rename, leaving the file byte-identical and no temporary file behind', async () => {
    // GIVEN
    const file = path.join(dir, 'config');
    const original = readFixture('config-existing.ini').replace(/\n/g, '\r\n');
    fs.writeFileSync(file, original);
    const rename = () => Promise.reject(Object.assign(new Error('cross-device link not permitted'), { code: 'EXDEV' }));

    // WHEN
    await expect(updateFile(file, addProfile('a'), { rename })).rejects.toThrow(`Could not write ${file} (EXDEV); it is unchanged.`);

    // THEN
    expect(fs.readFileSync(file, 'utf8')).toEqual(original);
    expect(fs.readdirSync(dir).sort()).toEqual(['config', 'config.bak']);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  test('fails on a bad input, leaving the file byte-identical', async () => {
    const file = path.join(dir, 'config');
    const original = readFixture('config-existing.ini');
    fs.writeFileSync(file, original);
    await expect(updateFile(file, () => upsertSections(original, 'config', [{ name: 'bad name', entries: [] }])))
      .rejects.toThrow('The profile name "bad name" is not valid: use letters, digits and _+.@- only.');
    expect(fs.readFileSync(file, 'utf8')).toEqual(original);
    expect(fs.readdirSync(dir)).toEqual(['config']);
  });

  test('fails when another run holds the lock for longer than the wait', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '# mine\n');
    fs.mkdirSync(`${file}.lock`);
    await expect(updateFile(file, addProfile('a'), { lockWaitMs: 200 }))
      .rejects.toThrow(`${file} is locked by another run (${file}.lock); try again, or remove ${file}.lock if no other run is going.`);
    expect(fs.readFileSync(file, 'utf8')).toEqual('# mine\n');
  });

  test('concurrent updates in one process all land', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, '# shared\n');
    const names = Array.from({ length: 8 }, (_, i) => `p${i}`);
    await Promise.all(names.map((name) => updateFile(file, addProfile(name))));
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('# shared\n')).toBe(true);
    for (const name of names) {
      expect(text).toContain(`[profile ${name}]\nregion = us-east-1\n`);
    }
  });
});

describe('two mfa-profile runs at once', () => {
  test('write both profiles into a valid file', async () => {
    // GIVEN
    const home = tempDir();
    const config = path.join(home, 'config');
    fs.writeFileSync(config, readFixture('config-existing.ini'));
    const run = (profile: string) => spawnCli(['write', '--outputs-file', fixture('outputs-one.json'), '--profile', profile, '--config-file', config], { HOME: home });

    // WHEN
    const runs = await Promise.all([run('first'), run('second'), run('third')]);

    // THEN
    expect(runs.map((r) => r.status)).toEqual([0, 0, 0]);
    const text = fs.readFileSync(config, 'utf8');
    expect(text.startsWith(readFixture('config-existing.ini'))).toBe(true);
    for (const profile of ['first', 'second', 'third']) {
      expect(text.split(`[profile ${profile}]\n`)).toHaveLength(2);
    }
    expect(fs.readdirSync(home).sort()).toEqual(['config', 'config.bak']);
  }, 60_000);
});
