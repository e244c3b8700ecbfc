import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createExampleApp } from './example-stack';
import { MfaGuard } from '../lib';

export { createExampleApp, MfaDelegationExampleStack } from './example-stack';

/**
 * The example app with its guardrails: MfaGuard (no role or policy lets anyone assume a role without MFA) and the AWS
 * Solutions checks of cdk-nag. Synthesis fails on any MfaGuard error and on any cdk-nag finding that is not acknowledged.
 */
export function createCheckedExampleApp(props?: AppProps): App {
  const app = createExampleApp(props);
  Validations.of(app).addPlugins(new MfaGuard(), new AwsSolutionsChecks(app));
  return app;
}

if (require.main === module) {
  createCheckedExampleApp().synth();
}
