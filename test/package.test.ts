import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The files `npm pack` would put into the construct package now (without its prepack, which needs a jsii compile). */
function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' }, timeout: 60_000,
  });
  return (JSON.parse(out)[0].files as Array<{ path: string }>).map((f) => f.path);
}

describe('the construct package', () => {
  test('declares the aws-cdk-lib floor that the README states', () => {
    const floor = /^\^(\d+\.\d+\.\d+)$/.exec(manifest.peerDependencies['aws-cdk-lib'])?.[1];
    expect(floor).toBeDefined();
    expect(README).toContain(`\`aws-cdk-lib\` ≥ ${floor}`);
  });

  test('has no dependencies of its own, bundled or not', () => {
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.bundledDependencies ?? manifest.bundleDependencies ?? []).toEqual([]);
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
  });

  test('packs declarations and the handler bundle but no TypeScript source, no CLI and no tests', () => {
    const files = packedFiles();
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files).toContain('assets/lib/handler/index/index.js');
    expect(files.filter((f) => /^(packages|test|bin|bench|scripts|\.ci)\//.test(f))).toEqual([]);
  });

  test('wires the handler bundle into cdk.json\'s build hook (every cdk synth), npm\'s prepare (npm ci) and prepack', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
    expect(cdkJson.build).toEqual('node scripts/bundle.js');
    expect(manifest.scripts.prepare).toEqual('node scripts/bundle.js');
    expect(manifest.scripts.prepack).toEqual('node scripts/bundle.js && node scripts/check-package.js');
  });
});

describe('the README and CONTRIBUTING.md', () => {
  test('both give the two commands of a fresh machine', () => {
    const contributing = fs.readFileSync(path.join(ROOT, 'CONTRIBUTING.md'), 'utf8');
    const commands = [
      'npm ci && npm run example   # main job: synthesize the example app offline and preview its AWS profile',
      'npm test                    # the test suite (jest, offline), then eslint and a type-check',
    ].join('\n');
    expect(README).toContain(commands);
    expect(contributing).toContain(commands);
  });

  test('CONTRIBUTING.md states the floor that package.json declares', () => {
    const contributing = fs.readFileSync(path.join(ROOT, 'CONTRIBUTING.md'), 'utf8');
    expect(contributing).toContain(`\`aws-cdk-lib\` \`${manifest.peerDependencies['aws-cdk-lib']}\``);
  });
});
