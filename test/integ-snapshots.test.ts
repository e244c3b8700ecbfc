import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps } from 'aws-cdk-lib';
import { createIntegApp } from './integ.mfa-delegation';

// The integration test apps (test/integ.*.ts) are deployed by whoever has an account (integ-runner). Offline, CI
// re-synthesizes each one and compares it with its committed snapshot, test/integ.<name>.ts.snapshot/, in the layout
// integ-runner writes (templates, asset manifests, manifest.json, integ.json, tree.json; asset directories are not
// committed). Asset hashes are scrubbed (the handler bundle changes with every build), and so is the assertions' salt.
//
// To accept a change: UPDATE_INTEG_SNAPSHOTS=1 npx jest test/integ-snapshots.test.ts

const INTEG_APPS: Record<string, (props: AppProps) => App> = {
  'integ.mfa-delegation.ts': createIntegApp,
};

/** The context integ-runner synthesizes with: no path or asset metadata, no version reporting, no stack traces. */
const INTEG_CONTEXT = {
  'aws:cdk:enable-path-metadata': false,
  'aws:cdk:enable-asset-metadata': false,
  'aws:cdk:version-reporting': false,
  'aws:cdk:disable-stack-trace': true,
  'aws:cdk:disable-creation-stack-traces': true,
};

/** Synthesize an integ app and return its snapshot files (asset directories left out), by name. */
function synthSnapshot(createApp: (props: AppProps) => App): Map<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-'));
  try {
    createApp({ outdir, context: INTEG_CONTEXT }).synth();
    const files = fs.readdirSync(outdir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
    return new Map(files.map((name) => [name, fs.readFileSync(path.join(outdir, name), 'utf8')]));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function scrub(text: string): string {
  return text.replace(/[0-9a-f]{64}/g, '<asset hash>')
    .replace(/(current_account-current_region)-[0-9a-f]{8}/g, '$1-<hash>')
    // Assertions carry the synthesis time, so that they run again on every deployment.
    .replace(/"salt": "\d+"/g, '"salt": "<time>"');
}

describe.each(Object.entries(INTEG_APPS))('the integration test %s', (file, createApp) => {
  const snapshotDir = path.join(__dirname, `${file}.snapshot`);
  let fresh: Map<string, string>;

  beforeAll(() => {
    fresh = synthSnapshot(createApp);
    if (process.env.UPDATE_INTEG_SNAPSHOTS === '1') {
      fs.rmSync(snapshotDir, { recursive: true, force: true });
      fs.mkdirSync(snapshotDir, { recursive: true });
      for (const [name, text] of fresh) {
        fs.writeFileSync(path.join(snapshotDir, name), text);
      }
    }
  });

  test('synthesizes the files of its committed snapshot', () => {
    expect([...fresh.keys()]).toEqual(fs.readdirSync(snapshotDir).sort());
  });

  test('synthesizes the same templates, manifests and tree as its committed snapshot', () => {
    for (const [name, text] of fresh) {
      expect([name, scrub(text)]).toEqual([name, scrub(fs.readFileSync(path.join(snapshotDir, name), 'utf8'))]);
    }
  });

  test('has a test stack and an assertion stack that calls sts:AssumeRole through the probe', () => {
    const integ = JSON.parse(fresh.get('integ.json')!);
    const [testCase] = Object.values(integ.testCases) as any[];
    expect(testCase.stacks).toEqual(['MfaDelegationInteg']);
    const assertions = JSON.parse(fresh.get(`${testCase.assertionStackName}.template.json`)!);
    const calls = Object.values(assertions.Resources as Record<string, any>).filter((r) => r.Type.startsWith('Custom::DeployAssert@SdkCall'));
    expect(calls.map((r) => `${r.Properties.service}.${r.Properties.api}`).sort()).toEqual(['IAM.listMFADevices', 'Lambda.invoke']);
    expect(JSON.stringify(calls)).toContain('\\"withoutMfa\\":\\"AccessDenied\\"');
    expect(JSON.stringify(calls)).toContain('\\"withMfa\\":\\"Allowed\\"');
  });
});
