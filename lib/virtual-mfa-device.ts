import { createHash } from 'crypto';
import * as path from 'path';
import { ArnFormat, CustomResource, Duration, IResource, Lazy, Resource, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PENDING_SECRET_KEY, VIRTUAL_MFA_DEVICE_RESOURCE_TYPE, VirtualMfaDeviceResourceProperties } from './contract';
import { handlerStatements } from './private/handler-grants';
import { checkPolicySize, IAM_POLICY_LIMITS, policySize } from './private/policy-size';
import { validateIamName, validateIamPath, validateMfaSerial } from './private/validation';

/** The bundled custom resource handler (`npx projen bundle`, from lib/handler/index.ts). */
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'lib', 'handler', 'index');

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
const DEVICE_POLICIES = new WeakMap<lambda.Function, Array<() => string>>();

/**
 * The stack's custom resource handler, shared by its devices: defined once, with its one cdk-nag finding acknowledged
 * and a check that the devices' policies fit its role.
 */
function stackHandler(stack: Stack): lambda.Function {
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

/**
 * An MFA device of an IAM user: a virtual device defined by this library, or an existing virtual or hardware device.
 */
export interface IMfaDevice extends IResource {
  /**
   * The serial number of the device: the ARN of a virtual device, or the serial of a hardware device.
   *
   * It is the `mfa_serial` of an AWS profile and the `SerialNumber` of `sts:AssumeRole`.
   *
   * @attribute
   */
  readonly serialNumber: string;
}

/**
 * Properties of a VirtualMfaDevice.
 */
export interface VirtualMfaDeviceProps {
  /**
   * The IAM user the device belongs to.
   */
  readonly user: iam.IUser;

  /**
   * The name of the device (`VirtualMFADeviceName`): 1 to 226 characters of letters, digits and _+=,.@-.
   *
   * @default - the user's name, as the IAM console names it
   */
  readonly deviceName?: string;

  /**
   * The path of the device.
   *
   * @default /
   */
  readonly path?: string;

  /**
   * Whether to enable the device for the user at deploy time, with two consecutive codes computed from the seed.
   *
   * With `false`, the device is created and its seed stored; its owner enables it later with two codes from an
   * authenticator app (`mfa-profile mfa-setup`).
   *
   * @default true
   */
  readonly enable?: boolean;

  /**
   * The KMS key that encrypts the seed secret.
   *
   * @default - the account's `aws/secretsmanager` key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * A name for the secret that receives the seed.
   *
   * @default - CloudFormation generates a name
   */
  readonly seedSecretName?: string;

  /**
   * An access key of `user` to keep in the seed secret too, next to the seed: the handler writes
   * `{ serialNumber, userName, seed, otpauthUri, enabled, accessKeyId, secretAccessKey }`, so that one secret holds
   * all that the user needs (one resource fewer than a secret of its own).
   *
   * The custom resource receives the key as the properties `AccessKeyId` and `SecretAccessKey`, which must be
   * CloudFormation intrinsics (as `iam.AccessKey` gives them: `Ref` and `Fn::GetAtt`), never a literal. A new key
   * (rotation), or adding or removing the key, rewrites only the key fields of the secret and keeps the device; for
   * that the handler may also read this one secret (`secretsmanager:GetSecretValue`), and decrypt with
   * `encryptionKey` when there is one.
   *
   * @default - the seed secret holds no access key
   */
  readonly accessKey?: iam.IAccessKey;

  /**
   * Whether to grant the stack's custom resource handler exactly what this device needs: create and delete this
   * device, enable and deactivate it for this user, and write this seed secret, and read it when `accessKey` is given
   * (three statements per device).
   *
   * Set it to `false` only when `handler` is granted the same by wider statements, as `MfaTeam` does by IAM path and
   * secret name prefix. The handler is shared by the devices of a stack, and per-device statements outgrow its role:
   * from about 25 devices the CDK moves them into extra managed policies (one more resource each), and from about 140
   * devices the role needs more than the 10 managed policies IAM allows by default.
   *
   * @default true
   */
  readonly grantHandlerPermissions?: boolean;
}

/**
 * Defines a virtual MFA device for an IAM user whose seed reaches its owner.
 *
 * CloudFormation's `AWS::IAM::VirtualMFADevice` enables a device and discards its seed, so no authenticator can ever
 * produce a code for it. This construct uses a custom resource instead: it calls `CreateVirtualMFADevice`, puts
 * `{ serialNumber, userName, seed, otpauthUri, enabled }` into a Secrets Manager secret of the stack (with
 * `accessKeyId` and `secretAccessKey` too when `accessKey` is given), and (by default) enables the device with two
 * consecutive TOTP codes. Deleting the stack deactivates and deletes the device. The seed and the secret access key
 * are never in the template (the key only as `Fn::GetAtt`), an output, the custom resource's response or a log line.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateVirtualMFADevice.html
 *
 * @example
 * declare const stack: Stack;
 * declare const user: iam.IUser;
 * const device = new VirtualMfaDevice(stack, 'Device', { user });
 * declare const admin: iam.IRole;
 * device.grantReadSeed(admin);
 */
export class VirtualMfaDevice extends Resource implements IMfaDevice {
  /**
   * Import an existing MFA device, virtual or hardware, by its serial number.
   *
   * @param serialNumber the device ARN (`arn:aws:iam::123456789012:mfa/NAME`) or a hardware device's serial
   */
  public static fromSerialNumber(scope: Construct, id: string, serialNumber: string): IMfaDevice {
    validateMfaSerial(serialNumber);
    class Import extends Resource implements IMfaDevice {
      public readonly serialNumber = serialNumber;
    }
    return new Import(scope, id);
  }

  public readonly serialNumber: string;

  /** The secret that receives the device's seed, and the access key when `accessKey` is given. */
  public readonly seedSecret: secretsmanager.ISecret;

  /** The IAM user the device belongs to. */
  public readonly user: iam.IUser;

  /** The custom resource handler that creates the device: one Lambda function per stack, shared by its devices. */
  public readonly handler: lambda.IFunction;

  constructor(scope: Construct, id: string, props: VirtualMfaDeviceProps) {
    super(scope, id);
    validateIamName('deviceName', props.deviceName, 226);
    validateIamPath('path', props.path);
    // The secret access key goes into the custom resource's properties: only as an intrinsic, never as a literal.
    const secretAccessKey = props.accessKey?.secretAccessKey.unsafeUnwrap();
    if (secretAccessKey !== undefined && typeof Stack.of(this).resolve(secretAccessKey) === 'string') {
      throw new Error('accessKey must give its secretAccessKey as a CloudFormation intrinsic (the Fn::GetAtt of an AWS::IAM::AccessKey), '
        + 'not as a string: the custom resource\'s properties would show it in the template');
    }

    const deviceName = props.deviceName ?? props.user.userName;
    const devicePath = props.path ?? '/';
    this.user = props.user;
    this.serialNumber = Stack.of(this).formatArn({
      service: 'iam',
      region: '',
      resource: 'mfa',
      resourceName: `${Token.isUnresolved(devicePath) ? devicePath : devicePath.substring(1)}${deviceName}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    this.seedSecret = new secretsmanager.Secret(this, 'SeedSecret', {
      description: `MFA seed of the virtual MFA device defined by ${this.node.path}`,
      encryptionKey: props.encryptionKey,
      secretName: props.seedSecretName,
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: PENDING_SECRET_KEY, excludePunctuation: true },
    });
    Validations.of(this.seedSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The secret holds the seed of a virtual MFA device, fixed for the device\'s lifetime: a new seed is a new device '
        + '(replace the VirtualMfaDevice), which no Secrets Manager rotation can do.'
        + (props.accessKey ? ' The access key it holds too is created by CloudFormation and rotated by replacing the key, whose new '
          + 'value the device\'s handler writes into the secret.' : ''),
    });

    // One handler per stack; each device adds statements for exactly its own device, user and secret.
    const handler = stackHandler(Stack.of(this));
    this.handler = handler;
    if (props.encryptionKey) {
      // With an access key the handler reads the secret back to rewrite the key fields: it decrypts too.
      if (props.accessKey) {
        props.encryptionKey.grantEncryptDecrypt(handler);
      } else {
        props.encryptionKey.grantEncrypt(handler);
      }
      Validations.of(handler.role!).acknowledge(...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${props.accessKey ? 'grantEncryptDecrypt' : 'grantEncrypt'} of the seed secret's own key: Secrets Manager needs a data key `
          + 'from it to store the seed; the wildcard only covers the variants of that one action on that one key.',
      })));
    }

    const properties: VirtualMfaDeviceResourceProperties = {
      UserName: this.user.userName,
      DeviceName: deviceName,
      Path: devicePath,
      SeedSecretArn: this.seedSecret.secretArn,
      Enable: (props.enable ?? true) ? 'true' : 'false',
      ...(props.accessKey ? { AccessKeyId: props.accessKey.accessKeyId, SecretAccessKey: secretAccessKey } : {}),
    };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: handler.functionArn,
      resourceType: VIRTUAL_MFA_DEVICE_RESOURCE_TYPE,
      properties: { ...properties },
    });
    // The handler's permissions must be in place before the device is created, and stay until it is deleted.
    resource.node.addDependency(handler);

    if (props.grantHandlerPermissions ?? true) {
      const document = new iam.PolicyDocument({
        statements: handlerStatements(
          { devices: this.serialNumber, users: this.user.userArn, seedSecrets: this.seedSecret.secretArn }, props.accessKey !== undefined),
      });
      // One inline policy of the handler's role per device, named after what it grants. A change of device name, path,
      // user or secret changes the name, and CloudFormation replaces a role policy by creating the new one first and
      // deleting the old one last: the handler keeps the grants on the old device until that device is gone.
      // Resolved once, after construction (the policy name is the first to ask, when the app is prepared for synthesis).
      let json: string | undefined;
      const resolved = () => json ??= JSON.stringify(Stack.of(this).resolve(document));
      DEVICE_POLICIES.get(handler)?.push(resolved);
      const policy = new iam.CfnRolePolicy(this, 'HandlerPolicy', {
        roleName: handler.role!.roleName,
        policyDocument: document,
        policyName: Lazy.string({
          produce: () => `VirtualMfaDevice-${createHash('sha256').update(resolved()).digest('hex').slice(0, 32)}`,
        }),
      });
      resource.node.addDependency(policy);
    }
  }

  /**
   * Grant a principal permission to read the device's seed (`secretsmanager:GetSecretValue` on the seed secret).
   */
  public grantReadSeed(grantee: iam.IGrantable): iam.Grant {
    return this.seedSecret.grantRead(grantee);
  }
}
