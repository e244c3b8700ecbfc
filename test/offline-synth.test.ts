import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const STRACE = '/usr/bin/strace';
const haveStrace = fs.existsSync(STRACE);
if (!haveStrace && process.env.CI) {
  throw new Error(`${STRACE} is missing: .ci/run installs it (apt-get install strace) to prove that cdk synth makes no network attempt`);
}
if (!haveStrace) {
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED: ${STRACE} is not installed (apt-get install strace), so the no-network proof of cdk synth did not run`);
}

/** The example apps: the one of cdk.json, and the organization example (its own --app, as the README gives it). */
const APPS: Array<[string, string[], string[]]> = [
  ['the example app', [], ['MfaDelegationExample']],
  ['the organization example app', ['--app', 'npx --no-update-notifier --no-install ts-node --transpile-only --prefer-ts-exts bin/org-app.ts'],
    ['MfaOrgIdentity', 'MfaOrgRoles']],
];

(haveStrace ? describe : describe.skip).each(APPS)('cdk synth of %s', (_name, appArgs, stacks) => {
  test('needs no AWS credentials and makes no network attempt', () => {
    // GIVEN: a fresh home (no ~/.aws, no npm cache of update checks) and no AWS variables
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-home-'));
    const outdir = path.join(home, 'cdk.out');
    const trace = path.join(home, 'connect.trace');
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home, CDK_DISABLE_VERSION_CHECK: '1' };
    try {
      // WHEN
      const result = spawnSync(STRACE, ['-f', '-qq', '-e', 'trace=connect', '-o', trace, path.join(ROOT, 'node_modules', '.bin', 'cdk'),
        'synth', '--quiet', ...appArgs, '-o', outdir], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
      // THEN
      expect(result.status).toBe(0);
      for (const stack of stacks) {
        expect(fs.existsSync(path.join(outdir, `${stack}.template.json`))).toBe(true);
      }
      const connects = fs.readFileSync(trace, 'utf8').split('\n').filter((l) => /connect\(.*sa_family=AF_INET6?\b/.test(l));
      expect(connects).toEqual([]);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 150_000);
});
