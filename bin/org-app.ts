import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createOrgExampleApp } from './org-example-stacks';
import { MfaGuard } from '../lib';

export { createOrgExampleApp, MfaOrgIdentityStack, MfaOrgRolesStack, ORG_EXAMPLE } from './org-example-stacks';

/**
 * The organization example with its guardrails, as the single-account example app has them: MfaGuard and the AWS
 * Solutions checks of cdk-nag.
 */
export function createCheckedOrgExampleApp(props?: AppProps): App {
  const app = createOrgExampleApp(props);
  Validations.of(app).addPlugins(new MfaGuard(), new AwsSolutionsChecks(app));
  return app;
}

if (require.main === module) {
  createCheckedOrgExampleApp().synth();
}
