import * as fs from 'fs';
import { awscdk, javascript, JsonFile } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-mfa-delegation',
  description: 'AWS CDK constructs for MFA-protected access: a role that can only be assumed with MFA, an assume-only IAM user, '
    + 'a virtual MFA device whose seed reaches its owner, and a command that turns stack outputs into an AWS profile.',
  author: 'cdk-mfa-delegation developers',
  authorAddress: 'maintainers@cdk-mfa-delegation.dev',
  repositoryUrl: 'https://github.com/cdk-mfa-delegation/cdk-mfa-delegation.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'aws-cdk', 'iam', 'mfa', 'sts', 'assume-role', 'virtual-mfa-device', 'aws-profile'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  projenVersion: '0.103.25',

  // Versions: see shared/TOOLING.md
  // The peer floor: the oldest aws-cdk-lib the constructs work with, found by trying (CONTRIBUTING.md) and proven by
  // .ci/run, which runs the example apps and the packed library on it. Below 2.269.0, Validations.acknowledge refuses
  // cdk-nag rule ids that hold '::' (AwsSolutions-IAM4[Policy::...]), which the constructs acknowledge.
  cdkVersion: '2.269.0',
  // Development and the test suite run on the newest aws-cdk-lib (devDeps below), not on the floor.
  peerDependencyOptions: { pinnedDevDependency: false },
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.0',
  minNodeVersion: '20.0.0',

  // The layout of `cdk init`: sources compiled in place in lib/, example app in bin/, tests in test/.
  srcdir: 'lib',
  libdir: 'lib',
  testdir: 'test',
  autoDetectBin: false,
  // The custom resource's runtime code is bundled by esbuild (below), not compiled by jsii.
  excludeTypescript: ['lib/handler/**'],

  // The other jsii languages (CONTRIBUTING.md says which build on these machines).
  publishToPypi: { distName: 'cdk-mfa-delegation', module: 'cdk_mfa_delegation' },
  publishToMaven: {
    javaPackage: 'dev.cdkmfadelegation',
    mavenGroupId: 'dev.cdk-mfa-delegation',
    mavenArtifactId: 'cdk-mfa-delegation',
  },
  publishToNuget: { dotNetNamespace: 'CdkMfaDelegation', packageId: 'CdkMfaDelegation' },
  publishToGo: { moduleName: 'github.com/cdk-mfa-delegation/cdk-mfa-delegation-go', packageName: 'cdkmfadelegation' },

  // No GitHub workflows: CI is .ci/run.
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  docgen: true,

  // The custom resource handler (lib/handler/index.ts) is bundled with esbuild into assets/.
  lambdaAutoDiscover: false,

  // No runtime dependencies: the constructs need only aws-cdk-lib and constructs. The handler's otpauth is bundled into
  // its asset by esbuild (the AWS SDK comes with the Lambda runtime); the CLI is its own package (packages/mfa-profile).
  devDeps: [
    'aws-cdk-lib@2.276.0',
    'otpauth@^9.5.2',
    '@aws-sdk/client-cloudformation@^3.1164.0',
    '@aws-sdk/client-iam@^3.1164.0',
    '@aws-sdk/client-secrets-manager@^3.1164.0',
    '@aws-sdk/client-sts@^3.1164.0',
    'aws-cdk@^2.1148.1',
    'esbuild',
    'ts-node@^10.9.2',
    '@types/qrcode',
    '@types/proper-lockfile',
    '@aws-sdk/credential-providers@^3.1164.0',
    '@cloud-copilot/iam-simulate',
    'cdk-nag@^3.0.2',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/aws-service-spec',
  ],

  eslintOptions: {
    dirs: ['lib', 'packages/mfa-profile/src'],
    // lib/handler: its dependencies are bundled into the asset at build time, so they are devDependencies.
    devdirs: ['test', 'bin', 'bench', 'projenrc', '.projenrc.ts', 'packages/mfa-profile/test', 'lib/handler'],
    ignorePatterns: ['*.js', '*.d.ts', 'node_modules/', 'cdk.out/', 'assets/'],
  },
  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      // ts before js: sources are compiled in place, and a stale lib/*.js must never shadow lib/*.ts.
      moduleFileExtensions: ['ts', 'js', 'json', 'node'],
      // The CLI's tests (packages/mfa-profile/test) run in the same jest run.
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/packages/mfa-profile/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/'],
      // One temporary folder per run, removed at its end: a green run leaves no cdk.out* or test folders in /tmp.
      globalSetup: '<rootDir>/test/support/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/jest-global-teardown.ts',
    },
  },
  gitignore: ['cdk.out/', '*.js', '!/.projenrc.js', '!/scripts/*.js', '!/packages/mfa-profile/bin/*.js', '!/.ci/consumer/js-app/app.js', '*.d.ts', '.cdk.staging/', 'assets/', '/test/**/cdk.out/'],
  npmignoreEnabled: true,
  // The package holds the compiled library (.js, .d.ts, .jsii) and the handler's bundle, never TypeScript sources.
  npmIgnoreOptions: {
    ignorePatterns: ['/bin/', '/bench/', '/cdk.json', '/cdk.out/', '/.ci/', 'BENCHMARK.md', 'CONTRIBUTING.md', '/packages/',
      '*.tsbuildinfo', '/scripts/'],
  },
});

// The CLI's tests use the repository's devDependencies (aws-cdk-lib for round trips, the AWS SDK's credential providers).
project.eslint!.addOverride({
  files: ['packages/mfa-profile/test/**/*.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, packageDir: ['.', 'packages/mfa-profile'] }] },
});

// Last in .npmignore, after projen's own `!/lib/` rules: no TypeScript source, the declarations only.
project.npmignore!.addPatterns('/lib/**/*.ts', '!/lib/**/*.d.ts', '/lib/handler/');


// constructs as a devDependency too (peerDependencyOptions.pinnedDevDependency is off for aws-cdk-lib's sake).
project.addDevDeps('constructs@10.5.1');

// The command mfa-profile is its own package (packages/mfa-profile, an npm workspace): its own dependencies and bin.
project.package.addField('workspaces', ['packages/mfa-profile']);

// npm ci: some platform bindings of unrs-resolver lag their parent in this registry (shared/TOOLING.md).
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// The custom resource handler of VirtualMfaDevice: one Lambda per stack, bundled with esbuild into assets/.
// The AWS SDK v3 is not bundled: the Node.js runtime ships it.
project.bundler.addBundle('lib/handler/index.ts', {
  platform: 'node',
  target: 'node24',
  externals: ['@aws-sdk/*'],
  outfile: 'index.js',
});

// The CLI package's single file (packages/mfa-profile/lib/mfa-profile.js): its sources and lib/contract.ts, bundled;
// its npm dependencies stay dependencies. Part of `bundle`, so `npx mfa-profile` works in a clone right after `npm ci`.
// The command is the package's own `build` script (also its prepack), run without npm (no update check, no network).
const cliPackage = JSON.parse(fs.readFileSync('packages/mfa-profile/package.json', 'utf8'));
const bundleCli = project.addTask('bundle:mfa-profile', {
  description: 'Build the mfa-profile package (packages/mfa-profile/lib/mfa-profile.js)',
  cwd: 'packages/mfa-profile',
  exec: cliPackage.scripts.build,
});

// The bundled custom resource handler must exist before tests synthesize anything, and before jsii compiles: a
// compiled library without its handler cannot be produced (and `prepack` bundles again, below).
const bundle = project.tasks.tryFind('bundle')!;
bundle.spawn(bundleCli);
project.testTask.prependSpawn(bundle);
project.compileTask.prependSpawn(bundle);
// `npm ci` in a clone: the handler and the CLI are built, so `npx cdk synth` and `npx mfa-profile` work at once.
project.package.setScript('prepare', 'node scripts/bundle.js');
// `npm pack` (and projen's package task, through jsii-pacmak): never a tarball without the handler.
project.package.setScript('prepack', 'node scripts/bundle.js && node scripts/check-package.js');

// The README's main job: synthesize the example app offline, then preview its AWS profile.
const example = project.addTask('example', {
  description: 'Synthesize the example app offline (cdk.out/MfaDelegationExample.template.json) and preview its AWS profile',
  env: { AWS_EC2_METADATA_DISABLED: 'true' },
});
if (bundle) {
  example.spawn(bundle);
}
example.exec('cdk synth --quiet');

// The synth benchmark (BENCHMARK.md): not part of the test run. `npm run bench -- --quick` for a smoke run.
const bench = project.addTask('bench', {
  description: 'Synth benchmark: the example app against a hand-written stack, and MfaTeam of 10 to 1000 members (see BENCHMARK.md)',
  // TS_NODE_PREFER_TS_EXTS: the sources, not a lib/*.js left by an earlier compile.
  env: { CDK_DISABLE_VERSION_CHECK: '1', TS_NODE_PREFER_TS_EXTS: 'true' },
});
if (bundle) {
  bench.spawn(bundle);
}
bench.exec('node --expose-gc -r ts-node/register/transpile-only bench/synth.ts', { receiveArgs: true });
// The device handler at scale (BENCHMARK.md): devices created and deleted at once against the AWS model, IAM throttled
// at 10 requests per second. Not part of npm run bench (it takes about 15 minutes at 1000 devices):
// `npm run bench:handler` (`-- --quick` for 100 devices, `-- --devices N`).
const benchHandler = project.addTask('bench:handler', {
  description: 'Scale benchmark of the device handler: 1000 devices at once, IAM throttled at 10 requests/s (see BENCHMARK.md)',
  env: { TS_NODE_PREFER_TS_EXTS: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
});
if (bundle) {
  benchHandler.spawn(bundle);
}
benchHandler.exec('node -r ts-node/register/transpile-only bench/handler-scale.ts', { receiveArgs: true });
example.exec('ts-node --transpile-only --prefer-ts-exts packages/mfa-profile/src/mfa-profile.ts write --template cdk.out/MfaDelegationExample.template.json '
  + '--account 111111111111 --print');

// Type-checking (and linting) of the example app and the benchmark, which jsii does not compile.
for (const dir of ['bin', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '..', isolatedModules: true },
      include: ['**/*.ts'],
      exclude: ['node_modules'],
    },
  });
}

// The CLI package (packages/mfa-profile): its sources and tests, type-checked here (phase 1 of the package split).
new JsonFile(project, 'packages/mfa-profile/tsconfig.json', {
  obj: {
    extends: '../../tsconfig.json',
    compilerOptions: { noEmit: true, rootDir: '../..', isolatedModules: true },
    include: ['src/**/*.ts', 'test/**/*.ts'],
    exclude: ['node_modules'],
  },
});

// The custom resource handler: bundled by esbuild and left out of jsii, so type-checked (and linted) with its own config.
new JsonFile(project, 'lib/handler/tsconfig.json', {
  obj: {
    extends: '../../tsconfig.json',
    compilerOptions: { noEmit: true, rootDir: '..', isolatedModules: true },
    include: ['**/*.ts'],
    exclude: [],
  },
});

// ts-jest transpiles tests without type-checking them (isolatedModules): type-check tests, example app and benchmark.
const typecheck = project.addTask('typecheck', { description: 'Type-check the tests, the handler, the CLI, the example app and the benchmark' });
for (const dir of ['test', 'lib/handler', 'packages/mfa-profile', 'bin', 'bench']) {
  typecheck.exec(`tsc --noEmit -p ${dir}/tsconfig.json`);
}
project.testTask.spawn(typecheck);

// The profile-file corpus keeps its bytes: CRLF and lone CR line ends, a BOM, latin-1 (the differential tests read them).
project.gitattributes.addAttributes('/packages/mfa-profile/test/fixtures/corpus/**', '-text');

// Quiet, offline tools.
for (const task of [project.testTask, project.compileTask, example]) {
  task.env('JSII_SILENCE_SUPPORT_WARNING', '1');
  task.env('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
  task.env('CDK_DISABLE_VERSION_CHECK', '1');
}

// The compiled library keeps inline source maps (stack traces point into lib/*.ts) but not the TypeScript sources
// inside them: the package ships .js and .d.ts only (#12), and the sources would double its size.
project.tsconfig?.file.addOverride('compilerOptions.inlineSources', false);

project.synth();
