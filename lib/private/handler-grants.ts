import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HANDLER_TAGS } from '../contract';

/**
 * The identity policy of the stack's device handler (what lib/handler/ calls), for any number of devices and users:
 * every statement is conditioned on the calling function (`lambda:SourceFunctionArn`: a function someone else runs
 * with this role can do nothing, #16.3) and on this stack's tag on what it acts on (`cdk-mfa-delegation:stack-id`:
 * users the stack tagged, devices and secrets the handler tagged when it created them, #16.4). The handler never reads
 * a secret and never mints a factor: `secretsmanager:GetSecretValue`, `iam:CreateAccessKey`, `iam:CreateLoginProfile`
 * and `iam:UpdateLoginProfile` are denied outright, whatever else is ever attached to the role (#16.2).
 *
 * @param stack the handler's stack
 * @param functionArn the handler function's ARN (the policy is a resource of its own, so that the function does not
 *   depend on it: no role–function cycle)
 */
export function handlerStatements(stack: Stack, functionArn: string): iam.PolicyStatement[] {
  const fromHandler = { ArnEquals: { 'lambda:SourceFunctionArn': functionArn } };
  const tagged = (key: string) => ({ StringEquals: { [`${key}/${HANDLER_TAGS.stackId}`]: Aws.STACK_ID }, ...fromHandler });
  const iamArn = (resource: string) => stack.formatArn({ service: 'iam', region: '', resource, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const users = iamArn('user');
  const devices = iamArn('mfa');
  const secrets = stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  return [
    // Users this stack tagged: enable and deactivate their devices, and, when the stack deletes them, their keys.
    new iam.PolicyStatement({
      sid: 'UsersOfThisStack',
      actions: ['iam:EnableMFADevice', 'iam:DeactivateMFADevice', 'iam:ListMFADevices', 'iam:ListAccessKeys', 'iam:DeleteAccessKey'],
      resources: [users],
      conditions: tagged('aws:ResourceTag'),
    }),
    // Reading a user's tags tells the handler whether the stack may use it (an imported user).
    new iam.PolicyStatement({ sid: 'ReadUsers', actions: ['iam:GetUser'], resources: [users], conditions: fromHandler }),
    // New devices carry this stack's tag from their creation on (CreateVirtualMFADevice with Tags needs TagMFADevice).
    new iam.PolicyStatement({
      sid: 'CreateDevicesTagged',
      actions: ['iam:CreateVirtualMFADevice', 'iam:TagMFADevice'],
      resources: [devices],
      conditions: tagged('aws:RequestTag'),
    }),
    new iam.PolicyStatement({ sid: 'DeleteDevicesOfThisStack', actions: ['iam:DeleteVirtualMFADevice'], resources: [devices], conditions: tagged('aws:ResourceTag') }),
    // Tags say whose a device is: the handler reads them to refuse anyone else's.
    new iam.PolicyStatement({ sid: 'ReadDeviceTags', actions: ['iam:ListMFADeviceTags'], resources: [devices], conditions: fromHandler }),
    new iam.PolicyStatement({
      sid: 'CreateSecretsTagged',
      actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
      resources: [secrets],
      conditions: tagged('aws:RequestTag'),
    }),
    new iam.PolicyStatement({
      sid: 'WriteSecretsOfThisStack',
      actions: ['secretsmanager:PutResourcePolicy', 'secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'],
      resources: [secrets],
      conditions: tagged('aws:ResourceTag'),
    }),
    // Every request is checked against the handler's own stack before anything happens.
    new iam.PolicyStatement({
      sid: 'ReadOwnStack',
      actions: ['cloudformation:DescribeStacks', 'cloudformation:ListStackResources', 'cloudformation:GetTemplate'],
      resources: [Aws.STACK_ID],
      conditions: fromHandler,
    }),
    new iam.PolicyStatement({
      sid: 'NeverReadOrMintAFactor',
      effect: iam.Effect.DENY,
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue', 'iam:CreateAccessKey', 'iam:UpdateAccessKey',
        'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'],
      resources: ['*'],
    }),
  ];
}
