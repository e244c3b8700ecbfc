import { createHash } from 'crypto';
import { ArnFormat, CustomResource, IResource, Lazy, Resource, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PENDING_SECRET_KEY, VIRTUAL_MFA_DEVICE_RESOURCE_TYPE, VirtualMfaDeviceResourceProperties } from './contract';
import { DEVICE_POLICIES, stackHandler } from './private/device-provider';
import { handlerStatements } from './private/handler-grants';
import { checkNoSecretBearingAttributes } from './private/secret-bearing';
import { validateIamName, validateIamPath, validateMfaSerial } from './private/validation';

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
   * Whether to grant the stack's custom resource handler exactly what this device needs: create and delete this
   * device, enable and deactivate it for this user, and write this seed secret (three statements per device).
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
 * `{ serialNumber, userName, seed, otpauthUri, enabled }` into a Secrets Manager secret of the stack, and (by default)
 * enables the device with two consecutive TOTP codes. Deleting the stack deactivates and deletes the device. The seed
 * is never in the template, an output, the custom resource's response or a log line.
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

  /** The secret that receives the device's seed. */
  public readonly seedSecret: secretsmanager.ISecret;

  /** The IAM user the device belongs to. */
  public readonly user: iam.IUser;

  /** The custom resource handler that creates the device: one Lambda function per stack, shared by its devices. */
  public readonly handler: lambda.IFunction;

  constructor(scope: Construct, id: string, props: VirtualMfaDeviceProps) {
    super(scope, id);
    validateIamName('deviceName', props.deviceName, 226);
    validateIamPath('path', props.path);
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
        + '(replace the VirtualMfaDevice), which no Secrets Manager rotation can do.',
    });

    // One handler per stack; each device adds statements for exactly its own device, user and secret.
    const handler = stackHandler(Stack.of(this));
    this.handler = handler;
    if (props.encryptionKey) {
      props.encryptionKey.grantEncrypt(handler);
      Validations.of(handler.role!).acknowledge(...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: 'grantEncrypt of the seed secret\'s own key: Secrets Manager needs a data key '
          + 'from it to store the seed; the wildcard only covers the variants of that one action on that one key.',
      })));
    }

    const properties: VirtualMfaDeviceResourceProperties = {
      UserName: this.user.userName,
      DeviceName: deviceName,
      Path: devicePath,
      SeedSecretArn: this.seedSecret.secretArn,
      Enable: (props.enable ?? true) ? 'true' : 'false',
    };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: handler.functionArn,
      resourceType: VIRTUAL_MFA_DEVICE_RESOURCE_TYPE,
      properties: { ...properties },
    });
    // The handler's permissions must be in place before the device is created, and stay until it is deleted.
    resource.node.addDependency(handler);
    checkNoSecretBearingAttributes(this);

    if (props.grantHandlerPermissions ?? true) {
      const document = new iam.PolicyDocument({
        statements: handlerStatements(
          { devices: this.serialNumber, users: this.user.userArn, seedSecrets: this.seedSecret.secretArn }),
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
