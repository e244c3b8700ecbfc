import * as path from 'path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { checkPolicySize, IAM_POLICY_LIMITS, policySize } from './policy-size';

/** The bundled custom resource handler (`npx projen bundle`, from lib/handler/index.ts). */
const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'lib', 'handler', 'index');

/**
 * The id of the stack's device handler, a child of the stack: the id `lambda.SingletonFunction` (uuid
 * e8a3c7f0-5d1b-4b8e-9a6f-2c4d1e7b9f30, purpose VirtualMfaDeviceHandler) gave it, so that its logical id, and with it the
 * ServiceToken of deployed devices (which CloudFormation does not let change), stays as it was.
 */
const HANDLER_ID = 'VirtualMfaDeviceHandlere8a3c7f05d1b4b8e9a6f2c4d1e7b9f30';

/**
 * The inline policies that devices give the role of each stack's handler (one per device that grants its own), as
 * the JSON IAM counts.
 */
export const DEVICE_POLICIES = new WeakMap<lambda.Function, Array<() => string>>();

/**
 * The stack's custom resource handler, shared by its devices: defined once, with its one cdk-nag finding acknowledged
 * and a check that the devices' policies fit its role.
 */
export function stackHandler(stack: Stack): lambda.Function {
  const existing = stack.node.tryFindChild(HANDLER_ID);
  if (existing) {
    return existing as lambda.Function;
  }
  const handler = new lambda.Function(stack, HANDLER_ID, {
    description: 'cdk-mfa-delegation: creates, enables and deletes virtual MFA devices and stores their seeds in Secrets Manager',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(HANDLER_ASSET),
    timeout: Duration.minutes(1),
  });
  Validations.of(handler.role!).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'The handler needs exactly the CloudWatch Logs permissions of AWSLambdaBasicExecutionRole; its IAM and Secrets Manager '
      + 'permissions are inline and scoped to each device, user and seed secret.',
  });
  const devicePolicies: Array<() => string> = [];
  DEVICE_POLICIES.set(handler, devicePolicies);
  handler.node.addValidation({ validate: () => checkHandlerPolicies(handler, devicePolicies) });
  return handler;
}

/** The inline policies of the handler's role (the devices' own, and its default policy) fit IAM's limit for a role. */
function checkHandlerPolicies(handler: lambda.Function, devicePolicies: Array<() => string>): string[] {
  if (devicePolicies.length === 0) {
    return [];
  }
  const defaultPolicy = handler.role?.node.tryFindChild('DefaultPolicy');
  const size = devicePolicies.reduce((sum, json) => sum + json().length, 0)
    + (defaultPolicy instanceof iam.Policy ? policySize(handler, defaultPolicy.document) : 0);
  return checkPolicySize(`The combined size of the inline policies of the role of ${handler.node.path} (the device handler shared by `
    + `${devicePolicies.length} VirtualMfaDevices of its stack)`, size, IAM_POLICY_LIMITS.roleInlinePolicies).map((error) => `${error}: each `
    + 'device adds a policy of its own, so define fewer devices in this stack, or grant the handler by IAM path and secret name and '
    + 'set grantHandlerPermissions: false (as MfaTeam does for any number of members)');
}
