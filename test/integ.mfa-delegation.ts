import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, AppProps, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { MfaDelegation } from '../lib';
import { ASSUME_ROLE_PROBE, EXPECTED_PROBE_RESULT } from './support/assume-role-probe';

/**
 * Integration test: deploy an MfaDelegation, then, as its IAM user, call sts:AssumeRole without MFA (denied), with a
 * wrong code (denied) and with the code of its virtual MFA device (allowed); another principal of the account and the
 * user's own other calls are denied. Run it with integ-runner in an account; CI checks its snapshot offline.
 */
export function createIntegApp(props?: AppProps): App {
  const app = new App(props);
  const stack = new Stack(app, 'MfaDelegationInteg');
  const delegation = new MfaDelegation(stack, 'Integ', {});

  const probe = new lambda.Function(stack, 'AssumeRoleProbe', {
    description: 'cdk-mfa-delegation integration test: calls sts:AssumeRole as the delegation\'s user, with and without MFA',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(ASSUME_ROLE_PROBE),
    timeout: Duration.minutes(3),
    environment: {
      ROLE_ARN: delegation.role.roleArn,
      MFA_SERIAL: delegation.mfaDevice.serialNumber,
      USER_NAME: delegation.mfaUser.userName,
      SEED_SECRET_ARN: delegation.virtualMfaDevice!.seedSecretName,
    },
  });
  // The probe makes the user's access key as mfa-profile does (the stack defines none), and deletes it at the end.
  probe.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:CreateAccessKey', 'iam:DeleteAccessKey'], resources: [delegation.mfaUser.userArn] }));
  delegation.virtualMfaDevice!.grantReadSeed(probe);

  const integ = new IntegTest(app, 'MfaDelegationIntegTest', { testCases: [stack] });

  // The custom resource created and enabled the device for the user.
  integ.assertions.awsApiCall('IAM', 'listMFADevices', { UserName: delegation.mfaUser.userName })
    .expect(ExpectedResult.objectLike({ MFADevices: [{ UserName: delegation.mfaUser.userName, SerialNumber: delegation.mfaDevice.serialNumber }] }));

  // sts:AssumeRole as the user: only with MFA.
  integ.assertions.invokeFunction({ functionName: probe.functionName })
    .expect(ExpectedResult.objectLike({
      Payload: EXPECTED_PROBE_RESULT,
    }));
  return app;
}

if (require.main === module) {
  createIntegApp().synth();
}
