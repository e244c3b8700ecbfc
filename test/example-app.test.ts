import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createExampleApp } from '../bin/app';
import { CDK_SYNTH_CONTEXT } from './support/synth-context';

/** Synthesize the example app into a fresh directory and return the bytes of its template. */
function synthExampleTemplate(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-app-'));
  try {
    // The context `cdk synth` passes: the template is the one users get.
    const app: App = createExampleApp({ outdir, context: CDK_SYNTH_CONTEXT });
    const assembly = app.synth();
    return fs.readFileSync(path.join(assembly.directory, 'MfaDelegationExample.template.json'), 'utf8');
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Asset hashes change with every build of the handler bundle: scrub them so the snapshot shows drift in the template itself. */
function scrubAssetHashes(template: string): string {
  return template.replace(/[0-9a-f]{64}/g, '<asset hash>');
}

describe('the example app', () => {
  let template: string;
  beforeAll(() => {
    template = synthExampleTemplate();
  });

  test('synthesizes the same template as the committed snapshot', () => {
    expect(JSON.parse(scrubAssetHashes(template))).toMatchSnapshot();
  });

  test('synthesizes a byte-identical template twice', () => {
    expect(synthExampleTemplate()).toEqual(template);
  });

  test('defines the AWS Toolkit guide setup: toolkit-role, toolkit-user, an enabled virtual MFA device', () => {
    const t = Template.fromJSON(JSON.parse(template));
    t.hasResourceProperties('AWS::IAM::Role', { RoleName: 'toolkit-role' });
    t.hasResourceProperties('AWS::IAM::User', { UserName: 'toolkit-user' });
    t.hasResourceProperties('Custom::VirtualMfaDevice', { Enable: 'true' });
    expect(Object.keys(t.toJSON().Outputs)).toEqual(expect.arrayContaining(['ToolkitMfaRoleArn', 'ToolkitMfaSerial', 'ToolkitMfaUserName']));
  });
});
