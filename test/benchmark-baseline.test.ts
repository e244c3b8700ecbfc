import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { createHandWrittenApp } from '../bench/hand-written';
import { assemblyDifferences, SynthesizedStack, synthesizeExampleStack } from '../bench/same-assembly';
import { createExampleApp } from '../bin/app';

// The synth benchmark (npm run bench, BENCHMARK.md) compares the example app with bench/hand-written.ts, which must
// synthesize the same thing with plain aws-cdk-lib. These tests keep that premise true between benchmark runs, and
// show that the comparison would see a difference.

describe('the benchmark baseline', () => {
  let library: SynthesizedStack;
  beforeAll(() => {
    library = synthesizeExampleStack(createExampleApp);
  });

  test('the hand-written stack synthesizes the template of the example app, and acknowledges the same findings on the same constructs', () => {
    const hand = synthesizeExampleStack(createHandWrittenApp);
    expect(JSON.stringify(hand.template)).toEqual(JSON.stringify(library.template));
    expect(assemblyDifferences(library, hand)).toEqual([]);
  });

  test('fails to match a template whose resource has another property value', () => {
    const other = JSON.parse(JSON.stringify(library.template));
    const logGroup = Object.values<any>(other.Resources).find((r) => r.Type === 'AWS::Logs::LogGroup');
    logGroup.Properties.RetentionInDays = 7;
    expect(assemblyDifferences(library, { stack: library.stack, template: other })).toEqual([
      expect.stringMatching(/^resource VirtualMfaDeviceHandler\w+LogGroup\w+ differs: .*"RetentionInDays":731.* against .*"RetentionInDays":7\b/),
    ]);
  });

  test('fails to match a template whose output refers to another resource', () => {
    const other = JSON.parse(JSON.stringify(library.template));
    // The seed secret's output names the user instead.
    other.Outputs.ToolkitMfaSeedSecretArn.Value = other.Outputs.ToolkitMfaUserArn.Value;
    expect(assemblyDifferences(library, { stack: library.stack, template: other })).toEqual([
      expect.stringMatching(/^the templates' Outputs differ/),
    ]);
  });

  test('fails to match a template that lists its resources in another order', () => {
    const other = { ...library.template, Resources: Object.fromEntries(Object.entries(library.template.Resources).reverse()) };
    expect(assemblyDifferences(library, { stack: library.stack, template: other })).toEqual(['the templates list their resources in another order']);
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
      'only the first acknowledges Stack/User: Annotation::AwsSolutions-IAM5',
    ]);
  });
});
