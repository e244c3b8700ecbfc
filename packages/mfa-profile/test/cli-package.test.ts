import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import { CliRun, fixture, PACKAGE, tempDir } from './support/cli';

const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE, 'package.json'), 'utf8'));
const BIN = path.join(PACKAGE, manifest.bin['mfa-profile']);

/**
 * Run the package's bin (the bundle that `npm test` builds first) as a process of its own, with a clean environment:
 * what the process itself does (its exit status, its streams) is seen here, where the other tests run the CLI in-process.
 */
function runBin(args: string[], env: Record<string, string> = {}): CliRun {
  const run = spawnSync(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

describe('the mfa-profile package', () => {
  test('prints its version with --version', () => {
    expect(runBin(['--version'])).toEqual({ status: 0, stdout: `${manifest.version}\n`, stderr: '' });
  });

  test('shows its commands with --help', () => {
    const { status, stdout: help } = runBin(['--help']);
    expect(status).toBe(0);
    expect(help).toMatch(/^Usage: mfa-profile \[options\] \[command\]/);
    expect(help).toContain('--version');
    expect(help).toContain('write');
  });

  test('writes a profile and exits 0', () => {
    const home = tempDir();
    const run = runBin(['write', '--outputs-file', fixture('outputs-one.json')], { HOME: home });
    expect(run).toEqual({ status: 0, stdout: `Wrote profile mfa (source profile toolkit-user) to ${path.join(home, '.aws', 'config')}.\n`, stderr: '' });
  });

  test('fails with exit status 1 and one sentence on stderr', () => {
    const missing = path.join(tempDir(), 'o.json');
    expect(runBin(['write', '--outputs-file', missing], { HOME: tempDir() })).toEqual({ status: 1, stdout: '', stderr: `mfa-profile: ${missing} does not exist.\n` });
  });

  test('fails with exit status 1 for a usage error, naming the option', () => {
    expect(runBin(['write', '--bogus'])).toEqual({ status: 1, stdout: '', stderr: 'mfa-profile: unknown option \'--bogus\'\n' });
  });

  test('fails with exit status 1 when a check of doctor fails', () => {
    const home = tempDir();
    const run = runBin(['doctor', '--profile', 'mfa'], { HOME: home });
    expect(run.status).toBe(1);
    expect(run.stdout.split('\n')).toContain(`FAIL There is no profile mfa in ${path.join(home, '.aws', 'config')}: run mfa-profile setup `
      + '(or name the profile with --profile).');
  });

  test('depends on nothing of the construct library', () => {
    expect(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })).not.toContain('cdk-mfa-delegation');
    expect(Object.keys(manifest.dependencies).filter((d) => d.startsWith('aws-cdk') || d === 'constructs')).toEqual([]);
  });

  test('declares every package its sources load, and no package they do not', () => {
    // GIVEN every module the sources name: static imports, `import('…')` types and the AWS SDK clients loaded on call
    const named = fs.readdirSync(path.join(PACKAGE, 'src')).filter((f) => f.endsWith('.ts')).flatMap((f) => {
      const text = fs.readFileSync(path.join(PACKAGE, 'src', f), 'utf8');
      return [...text.matchAll(/(?:from |import\(|load<[^>]*>\()'([^'.][^']*)'/g)].map((m) => m[1]);
    });
    // WHEN reduced to packages (a scoped package has two parts), without Node.js's own modules
    const packages = new Set(named.map((id) => id.split('/').slice(0, id.startsWith('@') ? 2 : 1).join('/'))
      .filter((id) => !builtinModules.includes(id) && !id.startsWith('node:')));
    // THEN they are exactly the dependencies: a package found only through another one's dependencies may be missing
    // from a user's install (npm does not promise to hoist it)
    expect([...packages].sort()).toEqual(Object.keys(manifest.dependencies).sort());
  });

  test('bundles the contract module instead of requiring it from the library', () => {
    const bundle = fs.readFileSync(path.join(PACKAGE, 'lib', 'mfa-profile.js'), 'utf8');
    expect(bundle).toContain('lib/contract.ts');
    expect(bundle).not.toMatch(/require\("[^"]*lib\/contract"\)/);
  });
});
