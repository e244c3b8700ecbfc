import { App, Stack } from 'aws-cdk-lib';

/**
 * The example app: one stack with one MfaDelegation, named like the AWS Toolkit guide (toolkit-role, toolkit-user).
 */
export function createExampleApp(): App {
  const app = new App();
  new Stack(app, 'MfaDelegationExample');
  return app;
}

if (require.main === module) {
  createExampleApp().synth();
}
