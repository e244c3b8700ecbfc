// A new TypeScript CDK app that installed the packed cdk-mfa-delegation: run with ts-node --prefer-ts-exts (as the
// older `cdk init` template and projen apps do) under the strict tsconfig beside it, on the peer floor of aws-cdk-lib.
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MfaDelegation } from 'cdk-mfa-delegation';

const app = new App();
const stack = new Stack(app, 'ConsumerTs');
new MfaDelegation(stack, 'Toolkit', {
  userName: 'toolkit-user',
  roleName: 'toolkit-admin',
  managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
});
app.synth();
