// A new JavaScript CDK app that installed the packed cdk-mfa-delegation, on the peer floor of aws-cdk-lib.
const { App, Stack } = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const { MfaDelegation } = require('cdk-mfa-delegation');

const app = new App();
const stack = new Stack(app, 'ConsumerJs');
new MfaDelegation(stack, 'Toolkit', {
  userName: 'toolkit-user',
  roleName: 'toolkit-admin',
  managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
});
app.synth();
