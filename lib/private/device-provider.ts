import * as path from 'path';
import { Aws, CustomResource, Duration, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { handlerStatements } from './handler-grants';
import { nagArn } from './nag-arn';
import { HANDLER_STACK_ID_VARIABLE, HANDLER_TAGS } from '../contract';

/** The bundled custom resource handler (`npx projen bundle`, from lib/handler/index.ts). */
const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'lib', 'handler', 'index');

/**
 * The id of the stack's device handler, a child of the stack: the id `lambda.SingletonFunction` (uuid
 * e8a3c7f0-5d1b-4b8e-9a6f-2c4d1e7b9f30, purpose VirtualMfaDeviceHandler) gave it, so that its logical id, and with it the
 * ServiceToken of deployed devices (which CloudFormation does not let change), stays as it was.
 */
const HANDLER_ID = 'VirtualMfaDeviceHandlere8a3c7f05d1b4b8e9a6f2c4d1e7b9f30';

/**
 * The handler function's timeout: long enough for a team's devices to be created at once under IAM's throttling
 * (BENCHMARK.md: 1000 devices at 10 IAM requests per second).
 */
export const HANDLER_TIMEOUT = Duration.minutes(10);

/**
 * The custom resources' ServiceTimeout: CloudFormation gives up on a request this long after it sent it. The handler
 * always answers before its own timeout; this bounds a handler that died without answering to minutes, instead of
 * CloudFormation's default of an hour.
 */
export const HANDLER_SERVICE_TIMEOUT = HANDLER_TIMEOUT.plus(Duration.minutes(1));

/** The permissions policy of each stack's handler, by function. */
const PERMISSIONS = new WeakMap<lambda.Function, iam.ManagedPolicy>();

/**
 * The stack's custom resource handler, shared by its devices and user cleanups: defined once, with its permissions
 * (lib/private/handler-grants.ts) in a policy of its own and its cdk-nag findings acknowledged.
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
    timeout: HANDLER_TIMEOUT,
    // The handler serves only its own stack's requests (lib/handler/authorize.ts).
    environment: { [HANDLER_STACK_ID_VARIABLE]: Aws.STACK_ID },
  });
  // A customer managed policy of its own (not the role's default policy, on which the function depends): it names the
  // function's ARN.
  const statements = handlerStatements(stack, handler.functionArn);
  const permissions = new iam.ManagedPolicy(handler, 'Permissions', { statements, roles: [handler.role!] });
  PERMISSIONS.set(handler, permissions);
  Validations.of(handler.role!).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'The handler needs exactly the CloudWatch Logs permissions of AWSLambdaBasicExecutionRole; its IAM, Secrets Manager and '
      + 'CloudFormation permissions are in its Permissions policy.',
  });
  const wildcards = new Set(statements.filter((s) => s.effect === iam.Effect.ALLOW).flatMap((s) => s.resources)
    .filter((arn) => arn.includes('*')).map((arn) => nagArn(stack, arn)));
  Validations.of(permissions).acknowledge(...[...wildcards].map((arn) => ({
    id: `AwsSolutions-IAM5[Resource::${arn}]`,
    reason: 'Every statement of the handler is conditioned on the calling function (lambda:SourceFunctionArn) and on this stack\'s tag '
      + `${HANDLER_TAGS.stackId} on the users, devices and secrets it acts on (set by the stack on its users, by the handler on what it creates), `
      + 'so that any number of devices needs no statement of its own; the only unconditioned statement denies reading or minting a factor.',
  })));
  return handler;
}

/**
 * Define a custom resource of the stack's handler: ServiceTimeout set, created after the handler's permissions and
 * deleted before them.
 */
export function handlerResource(scope: Construct, id: string, resourceType: string, properties: Record<string, unknown>): CustomResource {
  const handler = stackHandler(Stack.of(scope));
  const resource = new CustomResource(scope, id, {
    serviceToken: handler.functionArn,
    serviceTimeout: HANDLER_SERVICE_TIMEOUT,
    resourceType,
    properties,
  });
  resource.node.addDependency(handler, PERMISSIONS.get(handler)!);
  return resource;
}

/**
 * Tag a user of the stack for its handler (`cdk-mfa-delegation:stack-id` = the stack's id): the handler's role acts
 * only on users with this tag, which only IAM administrators can set. CloudFormation does not give IAM users its own
 * `aws:cloudformation:stack-id` tag. Returns false for a user the stack does not define (an imported user must be tagged
 * by an IAM administrator).
 */
export function tagUserForHandler(scope: Construct, user: iam.IUser): boolean {
  if (!(user instanceof iam.User) || Stack.of(user) !== Stack.of(scope)) {
    return false;
  }
  Tags.of(user).add(HANDLER_TAGS.stackId, Aws.STACK_ID);
  return true;
}
