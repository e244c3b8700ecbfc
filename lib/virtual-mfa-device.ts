import { createHash } from 'crypto';
import { Annotations, ArnFormat, IResource, Lazy, Resource, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CREATED_AT_ATTRIBUTE, VIRTUAL_MFA_DEVICE_RESOURCE_TYPE, VirtualMfaDeviceHandlerProperties } from './contract';
import { handlerResource, stackHandler, tagUserForHandler } from './private/device-provider';
import { checkNoSecretBearingAttributes } from './private/secret-bearing';
import { readerArn, secretKeyStatements, secretPolicyDocument } from './private/secret-policy';
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
   * A key of the same stack gets two statements in its key policy: `secretReaders` and the stack's handler may
   * `kms:Decrypt` the seed through Secrets Manager (`kms:ViaService`, the secret's ARN as `SecretARN` encryption context),
   * and every other principal is denied exactly that. The policy of an imported key, or of a key of another stack,
   * cannot be changed here: synthesis warns (`cdk-mfa-delegation:seedKeyPolicy`) and says what the key policy needs.
   *
   * @default - the account's `aws/secretsmanager` key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The name of the secret that the handler creates for the seed (1 to 512 characters of letters, digits and
   * /_+=.@-). Give each device its own name, and a new one whenever the device's name or path changes, so that a
   * replaced device gets a secret of its own.
   *
   * The handler attaches the secret's resource policy once, when it creates the secret, and never changes it. A
   * deployment that gives an existing seed secret other readers under the same name fails, naming the secret: give
   * the device a new `deviceName` with the change (its owner enrols the successor with `mfa-profile setup`).
   *
   * @default - `mfa-seed<path><deviceName>-<hash>`, e.g. `mfa-seed/toolkit-user-1a2b3c4d`: the hash is of the secret's
   * resource policy as synthesized, so other readers in code are another secret, which needs a new `deviceName` too
   */
  readonly seedSecretName?: string;

  /**
   * The principals (IAM users or roles) that may read the seed secret (`GetSecretValue`, `DescribeSecret`) and delete
   * it (`DeleteSecret`: `mfa-profile setup` forgets the seed that way). The secret's resource policy denies every
   * Secrets Manager action to every other principal, whatever its identity policy says (`PowerUserAccess`,
   * `SecretsManagerReadWrite`, `secretsmanager:*`), and lets the stack's handler only write the seed, describe and
   * delete the secret. `grantReadSeed` adds more. The readers are fixed when the handler creates the secret: other
   * readers are another secret (see `seedSecretName`), so the device needs a new `deviceName` with them and its owner
   * enrols the successor.
   *
   * @default - the device's user itself: `mfa-profile setup` creates the user's access key with your IAM rights and
   * reads (then deletes) the seed with it, so nobody else, and nothing before the key exists, can read it
   */
  readonly secretReaders?: iam.IPrincipal[];

  /**
   * No longer used: the stack's handler is granted once, for any number of devices, on the users, devices and secrets
   * that carry the stack's tag (`cdk-mfa-delegation:stack-id`), and only from the handler function itself.
   *
   * @default true
   * @deprecated the handler's permissions no longer depend on the device; this property has no effect
   */
  readonly grantHandlerPermissions?: boolean;
}

/** The characters of a secret name (Secrets Manager): letters, digits and /_+=.@-, 1 to 512. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** The Secrets Manager actions that a reader of the seed is granted (the resource policy's Allow). */
const READ_SEED_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'];

/**
 * Defines a virtual MFA device for an IAM user whose seed reaches its owner, and no one else.
 *
 * CloudFormation's `AWS::IAM::VirtualMFADevice` enables a device and discards its seed, so no authenticator can ever
 * produce a code for it. This construct uses a custom resource instead: the stack's handler calls
 * `CreateVirtualMFADevice`, (by default) enables the device with two consecutive TOTP codes, and creates a Secrets
 * Manager secret `seedSecretName` for `{ serialNumber, userName, seed, otpauthUri, enabled }`, attaching the resource
 * policy this construct builds before it writes the seed: only `secretReaders` (by default the device's user) may
 * read or delete the secret; every other principal, however broad its identity policy, is denied every Secrets Manager
 * action on it, and the handler may only write, describe and delete it. Deleting the device deletes the secret without
 * recovery. The seed is never in the template, an output, the custom resource's response or a log line.
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
export class VirtualMfaDevice extends Resource implements IMfaDevice, iam.IResourceWithPolicyV2 {
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

  /** The name of the secret that the handler creates for the seed. */
  public readonly seedSecretName: string;

  /**
   * The ARN of the seed secret, known once the handler has created it.
   *
   * @attribute
   */
  public readonly seedSecretArn: string;

  /**
   * When the device came to be (UTC, ISO 8601, e.g. `2026-12-01T12:00:01Z`), known once the handler has created it:
   * the same for as long as the device stays, a later time when a new device replaces it. Sessions issued before it
   * cannot have come from this device: `role.revokeSessions({ issuedBefore: device.createdAt })` ends those of the
   * device it replaced (MfaTeam and MfaDelegation do so by themselves).
   *
   * @attribute
   */
  public readonly createdAt: string;

  /** The IAM user the device belongs to. */
  public readonly user: iam.IUser;

  /** The custom resource handler that creates the device: one Lambda function per stack, shared by its devices. */
  public readonly handler: lambda.IFunction;

  /** The seed secret's name as messages show it (the default name's hash is known only once synthesized). */
  private readonly seedSecretNameText: string;

  /** The ARNs of the principals that may read the seed, as the secret's policy names them. */
  private readonly readers: string[] = [];

  /** The key policy statement of `encryptionKey` that lets the readers decrypt the seed, when this construct could add it. */
  private keyReaders?: iam.PolicyStatement;

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
    if (props.secretReaders !== undefined && props.secretReaders.length === 0) {
      throw new Error('secretReaders must name at least one principal, or nobody could read the seed: leave it out to let the device\'s '
        + 'user read it');
    }
    // One handler per stack, granted once for all its devices (lib/private/device-provider.ts).
    const handler = stackHandler(Stack.of(this));
    this.handler = handler;
    // Built at synth, after every grantReadSeed: the handler attaches it before it writes the seed, and never changes it.
    const seedSecretPolicy = Lazy.any({
      produce: () => secretPolicyDocument({ readers: this.readers, readersMayDelete: true, writer: handler.role!.roleArn }),
    });
    // The default name carries a hash of the policy as synthesized: other readers in code are another secret.
    const defaultName = `mfa-seed${devicePath}${deviceName}`;
    this.seedSecretName = props.seedSecretName ?? Lazy.string({
      produce: () => `${defaultName}-${createHash('sha256').update(JSON.stringify(Stack.of(this).resolve(seedSecretPolicy))).digest('hex').slice(0, 8)}`,
    });
    this.seedSecretNameText = props.seedSecretName ?? `${defaultName}-<hash of its readers>`;
    const nameLength = props.seedSecretName?.length ?? defaultName.length + 9;
    const checkedName = props.seedSecretName ?? `${defaultName}-${'0'.repeat(8)}`;
    if (!Token.isUnresolved(checkedName) && !SECRET_NAME.test(checkedName)) {
      throw new Error(`The seed secret name '${this.seedSecretNameText}' (${nameLength} characters) must be 1 to 512 letters, digits and /_+=.@-`
        + (props.seedSecretName === undefined ? ': it is derived from the device\'s path and name and an 8-character hash of its readers; give a '
          + 'seedSecretName' : ''));
    }
    const seedSecretArns = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      // Secrets Manager appends '-' and 6 random characters to a secret's name in its ARN.
      resourceName: `${this.seedSecretName}-??????`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    if (props.encryptionKey) {
      props.encryptionKey.grantEncrypt(handler);
      Validations.of(handler.role!).acknowledge(...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: 'grantEncrypt of the seed secret\'s own key: Secrets Manager needs a data key '
          + 'from it to store the seed; the wildcard only covers the variants of that one action on that one key.',
      })));
      this.lockKey(props.encryptionKey, handler.role!.roleArn, seedSecretArns);
    }
    for (const reader of props.secretReaders ?? [props.user]) {
      this.addReader(reader, 'secretReaders');
    }

    const properties: VirtualMfaDeviceHandlerProperties = {
      UserName: this.user.userName,
      DeviceName: deviceName,
      Path: devicePath,
      Enable: (props.enable ?? true) ? 'true' : 'false',
      SeedSecretName: this.seedSecretName,
      SeedSecretPolicy: seedSecretPolicy as unknown as Record<string, unknown>,
      ...(props.encryptionKey ? { KmsKeyId: props.encryptionKey.keyArn } : {}),
    };
    // The handler acts only on users that carry the stack's tag (lib/private/handler-grants.ts).
    if (!tagUserForHandler(this, this.user)) {
      Annotations.of(this).addWarningV2('cdk-mfa-delegation:VirtualMfaDevice.importedUser', `The user ${this.user.node.path} is not defined `
        + 'in this stack, so the stack cannot tag it for the device handler: an IAM administrator must tag the user with '
        + 'cdk-mfa-delegation:stack-id = this stack\'s id, or the handler refuses it.');
    }
    const resource = handlerResource(this, 'Resource', VIRTUAL_MFA_DEVICE_RESOURCE_TYPE, { ...properties });
    this.seedSecretArn = resource.getAttString('SeedSecretArn');
    this.createdAt = resource.getAttString(CREATED_AT_ATTRIBUTE);
    // The default reader is the device's own user: the seed secret's policy, not the user's, lets it read its own seed.
    Validations.of(resource).acknowledge({
      id: 'MfaGuard::AssumeOnlyUserWidened',
      reason: 'The seed secret\'s resource policy lets the device\'s own user read (and delete) its own seed, with the access key '
        + 'mfa-profile setup creates for it: the one secret, until the seed is forgotten; the user\'s identity policy stays assume-only.',
    });
    checkNoSecretBearingAttributes(this);
  }

  /**
   * Let a principal (an IAM user or role) read the device's seed: the seed secret's resource policy names it as a
   * reader (`GetSecretValue`, `DescribeSecret`, `DeleteSecret`), as `secretReaders` does. Its identity policy is left
   * as it is: in its own account, the secret's policy is enough.
   */
  public grantReadSeed(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addStatementToResourcePolicy({
      grantee,
      actions: READ_SEED_ACTIONS,
      resourceArns: ['*'],
      resource: this,
      statement: new iam.PolicyStatement({ actions: READ_SEED_ACTIONS, principals: [grantee.grantPrincipal], resources: ['*'] }),
    });
  }

  /**
   * Add a statement to the seed secret's resource policy: only an Allow of reading the seed (`GetSecretValue`, and
   * optionally `DescribeSecret` and `DeleteSecret`) to IAM users or roles, which become readers. Any other statement
   * is refused: the policy denies everything to every principal it does not name, and a statement could only weaken it.
   */
  public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    const json = statement.toStatementJson();
    const actions: string[] = [json.Action ?? []].flat();
    if (statement.effect !== iam.Effect.ALLOW || json.Condition !== undefined || statement.notActions.length > 0 || statement.notPrincipals.length > 0
      || !actions.includes('secretsmanager:GetSecretValue') || actions.some((action) => !READ_SEED_ACTIONS.includes(action))) {
      throw new Error(`The seed secret of ${this.node.path} takes only statements that let IAM users or roles read the seed `
        + `(Allow ${READ_SEED_ACTIONS.join(', ')}, no condition), but got ${JSON.stringify(Stack.of(this).resolve(json))}`);
    }
    statement.principals.forEach((principal) => this.addReader(principal, `A reader of the seed of ${this.node.path}`));
    return { statementAdded: true, policyDependable: this };
  }

  private addReader(principal: iam.IGrantable, what: string): void {
    const arn = readerArn(what, principal);
    if (!this.readers.includes(arn)) {
      this.readers.push(arn);
      this.keyReaders?.addArnPrincipal(arn);
    }
  }

  /**
   * Let the readers and the handler (which writes the seed) decrypt the seed with its customer managed key through Secrets
   * Manager, and nobody else; or warn when the key's policy cannot be changed here (an imported key, a key of another
   * stack, whose policy would need this stack's ARNs: a dependency cycle).
   */
  private lockKey(key: kms.IKey, writer: string, seedSecretArns: string): void {
    const { allow, deny } = secretKeyStatements({ principals: () => [...this.readers, writer], secretArn: seedSecretArns });
    allow.addArnPrincipal(writer);
    const sameStack = Stack.of(key) === Stack.of(this);
    if (sameStack && key.addToResourcePolicy(allow).statementAdded && key.addToResourcePolicy(deny).statementAdded) {
      this.keyReaders = allow;
      return;
    }
    Annotations.of(this).addWarningV2('cdk-mfa-delegation:seedKeyPolicy', `The seed secret of ${this.node.path} is encrypted with the KMS key `
      + `${key.node.path}, whose key policy this stack cannot change (${sameStack ? 'an imported key' : `a key of stack ${Stack.of(key).node.path}`}). `
      + 'The secret\'s readers (secretReaders; by default the device\'s user) can read the seed, and the stack\'s handler write it, only if the '
      + 'key policy lets them kms:Decrypt with kms:ViaService secretsmanager.<region>.amazonaws.com and kms:EncryptionContext:SecretARN '
      + `${this.seedSecretNameText}-??????; deny that to every other aws:PrincipalArn, or anyone the key policy allows may decrypt the seed `
      + 'once they can read the secret. Use a kms.Key of this stack to have the construct do it');
  }
}
