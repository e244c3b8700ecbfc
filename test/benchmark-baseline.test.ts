import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CDK_SYNTH_CONTEXT } from '../bench/context';
import { HandWrittenExampleStack } from '../bench/hand-written';
import { assemblyDifferences, canonicalTemplate } from '../bench/same-assembly';
import { createExampleApp } from '../bin/app';

// The synth benchmark (npm run bench, BENCHMARK.md) compares the example app with bench/hand-written.ts, which must
// synthesize the same thing with plain aws-cdk-lib. These tests keep that premise true between benchmark runs, and
// show that the comparison would see a difference.

const DESCRIPTION = 'cdk-mfa-delegation example: an MFA-only role, an assume-only user and its virtual MFA device';

function handWrittenApp(props: AppProps): App {
  const app = new App(props);
  new HandWrittenExampleStack(app, 'MfaDelegationExample', { description: DESCRIPTION });
  return app;
}

function synthesized(make: (props: AppProps) => App): { stack: Stack; template: any } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'baseline-'));
  try {
    const app = make({ outdir, context: CDK_SYNTH_CONTEXT });
    const template = app.synth().getStackByName('MfaDelegationExample').template;
    return { stack: app.node.findChild('MfaDelegationExample') as Stack, template };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** A template with every occurrence of the given logical ids replaced, as another construct tree would name them. */
function renamed(template: any, names: Record<string, string>): any {
  let text = JSON.stringify(template);
  for (const [from, to] of Object.entries(names)) {
    text = text.split(`"${from}"`).join(`"${to}"`);
  }
  return JSON.parse(text);
}

describe('the benchmark baseline', () => {
  const library = synthesized(createExampleApp);

  test('the hand-written stack synthesizes the resources, outputs and acknowledgements of the example app', () => {
    expect(assemblyDifferences(library, synthesized(handWrittenApp))).toEqual([]);
  });

  test('the comparison ignores logical ids and construct paths', () => {
    const ids = Object.keys(library.template.Resources);
    const other = renamed(library.template, Object.fromEntries(ids.map((id, i) => [id, `Renamed${i}`])));
    for (const resource of Object.values<any>(other.Resources)) {
      resource.Metadata = { ...resource.Metadata, 'aws:cdk:path': 'Elsewhere/Resource' };
    }
    expect(canonicalTemplate(other)).toEqual(canonicalTemplate(library.template));
  });

  test('fails to match a template whose resource has another property value', () => {
    const other = JSON.parse(JSON.stringify(library.template));
    const logGroup = Object.values<any>(other.Resources).find((r) => r.Type === 'AWS::Logs::LogGroup');
    logGroup.Properties.RetentionInDays = 7;
    const differences = assemblyDifferences(library, { stack: library.stack, template: other });
    expect(differences).toHaveLength(4);
    expect(differences).toEqual(expect.arrayContaining([
      expect.stringMatching(/^only the first \(MfaDelegationExample\) defines AWS::Logs::LogGroup .*"RetentionInDays":731/),
      expect.stringMatching(/^only the second \(MfaDelegationExample\) defines AWS::Logs::LogGroup .*"RetentionInDays":7\b/),
      // The custom resource depends on the log group, so its definition changes with it.
      expect.stringMatching(/^only the first .* defines Custom::VirtualMfaDevice/),
      expect.stringMatching(/^only the second .* defines Custom::VirtualMfaDevice/),
    ]));
  });

  test('fails to match a template whose resource refers to another resource', () => {
    const other = JSON.parse(JSON.stringify(library.template));
    // The seed secret's output names the access key secret instead.
    other.Outputs.ToolkitMfaSeedSecretArn.Value = other.Outputs.ToolkitMfaAccessKeySecretArn.Value;
    expect(assemblyDifferences(library, { stack: library.stack, template: other })).toEqual([
      expect.stringMatching(/^their Outputs differ/),
    ]);
  });

  test('fails to match a stack that acknowledges a finding the other does not', () => {
    const make = (acknowledge: boolean) => {
      const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'baseline-')) });
      const stack = new Stack(app, 'Stack');
      const user = new iam.User(stack, 'User');
      if (acknowledge) {
        Validations.of(user).acknowledge({ id: 'AwsSolutions-IAM5', reason: 'a reason' });
      }
      const template = app.synth().getStackByName('Stack').template;
      fs.rmSync(app.outdir, { recursive: true, force: true });
      return { stack, template };
    };
    expect(assemblyDifferences(make(true), make(false))).toEqual([
      expect.stringMatching(/^the acknowledgements on AWS::IAM::User#[0-9a-f]{12} differ: \[".*AwsSolutions-IAM5"\] against \[\]$/),
    ]);
  });
});
