import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, Stack, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { createCheckedExampleApp } from '../bin/app';
import { CONFIGURATIONS } from './support/configurations';

/** The findings of the validation plugins of an app, as `<rule> <construct path>` lines; synthesis errors are not thrown. */
function nagFindings(createApp: (props: AppProps) => App, ...packs: Array<new (app: App) => NagPack>): string[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-nag-'));
  try {
    const app = createApp({ outdir });
    if (packs.length > 0) {
      Validations.of(app).addPlugins(...packs.map((Pack) => new Pack(app)));
    }
    try {
      app.synth();
    } catch (e) {
      // A failing plugin makes synth throw after writing the report, which is read below.
      expect((e as Error).message).toMatch(/A copy of this report can be found in/);
    }
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    return report.pluginReports.flatMap((plugin: any) => plugin.violations.flatMap((v: any) =>
      v.violatingConstructs.map((c: any) => `${v.ruleName} ${c.constructPath}`)));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every acknowledgement in the tree: `[construct path, rule id, reason]`. */
function acknowledgements(root: IConstruct): Array<[string, string, string]> {
  return root.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]): [string, string, string] => [c.node.path, id, reason])));
}

describe('cdk-nag AwsSolutionsChecks', () => {
  test('the example app, as `npm run example` synthesizes it, has no unacknowledged finding', () => {
    expect(nagFindings(createCheckedExampleApp)).toEqual([]);
  });

  // MfaTeam included: it acknowledges SMG4 on its secrets and IAM5 on the handler's grants by IAM path and secret prefix.
  test.each(CONFIGURATIONS.slice(1))('$name has no unacknowledged finding', (config) => {
    expect(nagFindings(config.createApp, AwsSolutionsChecks)).toEqual([]);
  });

  test('every acknowledgement of the example app names its finding and gives a reason', () => {
    const app = createCheckedExampleApp();
    const acks = acknowledgements(app);
    expect(acks.map(([where, id]) => [where, id])).toEqual([
      ['MfaDelegationExample/Toolkit/Role', 'Annotation::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]'],
      ['MfaDelegationExample/Toolkit/MfaDevice/Resource', 'MfaGuard::AssumeOnlyUserWidened'],
      ['MfaDelegationExample/VirtualMfaDeviceHandlere8a3c7f05d1b4b8e9a6f2c4d1e7b9f30/ServiceRole',
        'Annotation::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]'],
      ...['iam::<AWS::AccountId>:user/*', 'iam::<AWS::AccountId>:mfa/*', 'secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:*'].map((arn) => [
        'MfaDelegationExample/VirtualMfaDeviceHandlere8a3c7f05d1b4b8e9a6f2c4d1e7b9f30/Permissions',
        `Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${arn}]`,
      ]),
    ]);
    for (const [, , reason] of acks) {
      expect(reason).toMatch(/^[A-Z].{60,}\.$/);
    }
  });

  test('fails on a finding that is not acknowledged (the check is not vacuous)', () => {
    expect(nagFindings((props) => {
      const app = new App(props);
      new secretsmanager.Secret(new Stack(app, 'Plain'), 'Secret');
      return app;
    }, AwsSolutionsChecks)).toEqual(['AwsSolutions-SMG4 Plain/Secret/Resource']);
  });
});

describe('cdk-nag NIST 800-53 rev 5 and HIPAA Security', () => {
  // Not applied by the example app: these findings are design choices, explained in the README. This test keeps the
  // README truthful: a change of the findings shows up here.
  test('report the inline assume-only policy of the user, its secrets and the handler\'s Lambda settings, and nothing else', () => {
    const findings = nagFindings(createCheckedExampleApp, NIST80053R5Checks, HIPAASecurityChecks);
    const handler = 'MfaDelegationExample/VirtualMfaDeviceHandlere8a3c7f05d1b4b8e9a6f2c4d1e7b9f30/Resource';
    const expected = ['NIST.800.53.R5', 'HIPAA.Security'].flatMap((pack) => [
      `${pack}-IAMUserGroupMembership MfaDelegationExample/Toolkit/User/Resource/Resource`,
      `${pack}-IAMNoInlinePolicy MfaDelegationExample/Toolkit/User/AssumeRolePolicy/Resource`,
      `${pack}-IAMUserNoPolicies MfaDelegationExample/Toolkit/User/AssumeRolePolicy/Resource`,
      `${pack}-LambdaConcurrency ${handler}`,
      `${pack}-LambdaDLQ ${handler}`,
      `${pack}-LambdaInsideVPC ${handler}`,
    ]);
    expect(findings.sort()).toEqual(expected.sort());
  });
});
