import { App, AppProps, AspectPriority, Aspects, Validations } from 'aws-cdk-lib';
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
  Aspects.of(app).add(new MfaGuard(), { priority: AspectPriority.READONLY });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

if (require.main === module) {
  createCheckedOrgExampleApp().synth();
}
