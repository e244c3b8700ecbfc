import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, Validations } from 'aws-cdk-lib';
import { MfaGuard, MfaGuardProps } from '../../lib';

/** One finding of MfaGuard in the validation report: rule, construct path, `description. fix`. */
export type GuardFinding = [rule: string, constructPath: string, message: string];

/** One acknowledged finding: rule, construct path, the acknowledgement's reason. */
export type GuardAcknowledgement = [rule: string, constructPath: string, reason: string];

/** What MfaGuard reported for an app: its findings and the acknowledged ones. */
export interface GuardReport {
  readonly findings: GuardFinding[];
  readonly acknowledged: GuardAcknowledgement[];
  /** Whether `app.synth()` threw (it must, exactly when there are findings). */
  readonly synthFailed: boolean;
}

/** A new App for guard tests: its own output directory, without aws-cdk-lib's schema validation (not what is tested). */
export function guardApp(props: AppProps = {}): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-guard-')), builtinCloudFormationValidation: false, ...props });
}

/** Synthesize the app and read MfaGuard's part of the validation report. The guard must already be registered. */
export function readGuardReport(app: App): GuardReport {
  let synthFailed = false;
  try {
    app.synth({ force: true });
  } catch (e) {
    if (!/Validation failed|MfaGuard/.test(String((e as Error).message))) {
      throw e;
    }
    synthFailed = true;
  }
  const file = path.join(app.outdir, 'validation-report.json');
  const reports: any[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf-8')).pluginReports : [];
  const guard = reports.filter((r) => r.pluginName === 'MfaGuard');
  // In construct path order (then rule, message), so that tests do not depend on the order of resources in templates.
  const findings = guard.flatMap((r) => r.violations.flatMap((v: any) => v.violatingConstructs.map(
    (c: any) => [v.ruleName, c.constructPath, `${v.description}. ${v.suggestedFix}`] as GuardFinding)))
    .sort((a: GuardFinding, b: GuardFinding) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]) || a[2].localeCompare(b[2]));
  const acknowledged = guard.flatMap((r) => (r.suppressedViolations ?? []).flatMap((v: any) => v.violatingConstructs.map(
    (c: any) => [v.ruleName, c.constructPath, v.reason] as GuardAcknowledgement)));
  return { findings, acknowledged, synthFailed };
}

/** Register MfaGuard on the app, synthesize, and return its findings (checking that synthesis failed exactly when there are some). */
export function guardFindings(app: App, props?: MfaGuardProps): GuardFinding[] {
  Validations.of(app).addPlugins(new MfaGuard(props));
  const report = readGuardReport(app);
  if (report.synthFailed !== report.findings.length > 0) {
    throw new Error(`app.synth() ${report.synthFailed ? 'failed' : 'succeeded'} with ${report.findings.length} findings of MfaGuard`);
  }
  return report.findings;
}
