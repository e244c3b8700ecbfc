import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import { PACKAGE } from './support/cli';

const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE, 'package.json'), 'utf8'));
const BIN = path.join(PACKAGE, manifest.bin['mfa-profile']);

/** Run the package's bin (the bundle that `npm test` builds first) with a clean environment. */
function runBin(args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 30_000 });
}

describe('the mfa-profile package', () => {
  test('prints its version with --version', () => {
    expect(runBin(['--version'])).toEqual(`${manifest.version}\n`);
  });

  test('shows its commands with --help', () => {
    const help = runBin(['--help']);
    expect(help).toMatch(/^Usage: mfa-profile \[options\] \[command\]/);
    expect(help).toContain('--version');
    expect(help).toContain('write');
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
