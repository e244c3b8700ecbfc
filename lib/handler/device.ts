// The lifecycle of Custom::VirtualMfaDevice (DESIGN.md, "Custom resource Custom::VirtualMfaDevice"):
// - Create: CreateVirtualMFADevice (tagged) → CreateSecret without a value → PutResourcePolicy → EnableMFADevice (if
//   Enable) → PutSecretValue (version id = the device's seed-version tag). A repeated or retried Create adopts the
//   device it made before; a device someone else made is refused.
// - Update: an identity change (UserName, DeviceName, Path, SeedSecretName, KmsKeyId) creates the successor first and
//   lets CloudFormation delete the old device in its cleanup; anything else keeps the device, and never changes the seed
//   secret's policy (another policy for the same secret fails, decision 8). A rollback returns to the device of before,
//   which still exists, and never creates one.
// - Delete: deactivates and deletes the device and force-deletes its secret, only when their tags say that this
//   resource of this stack made them.
import { createHash, randomUUID } from 'crypto';
import {
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetUserCommand,
  ListMFADevicesCommand,
  ListMFADeviceTagsCommand,
} from '@aws-sdk/client-iam';
import { DEVICE_TIME_UNKNOWN, deviceTime, isIsoUtcTime, OTPAUTH_ISSUER, otpauthAccountLabel, VirtualMfaDeviceHandlerData } from '../contract';
import { Trust } from './authorize';
import { Aws } from './aws';
import { CREATED_AT_TAG, IDENTITY_TAG, LOGICAL_ID_TAG, REQUEST_ID_TAG, SEED_VERSION_TAG, STACK_ID_TAG } from './names';
import { awsMessage, CustomResourceEvent, HandlerError, hasCode, log, Outcome, step } from './protocol';
import { checkPolicy, deleteSecret, describeSecret, holdsVersion, prepareSecret, SecretOwner, storeSeed } from './seed-store';
import { consecutiveCodes, otpauthUri } from './totp';

/** The resource properties of Custom::VirtualMfaDevice. */
export interface DeviceProperties {
  readonly userName: string;
  readonly deviceName: string;
  readonly path: string;
  readonly enable: boolean;
  readonly seedSecretName: string;
  /** The seed secret's resource policy, as JSON text. */
  readonly seedSecretPolicy: string;
  readonly kmsKeyId?: string;
}

/** What one invocation knows and has done, so that a failure can undo exactly that. */
export interface DeviceContext {
  readonly event: CustomResourceEvent;
  readonly aws: Aws;
  readonly stackId: string;
  readonly trust: Trust;
  /** The names of the IAM users that are resources of the stack (lower case): the template named them, so no tag check. */
  readonly stackUsers: ReadonlySet<string>;
  /** The clock for TOTP codes. */
  readonly now: () => number;
  /** Secrets seen during the work (seed, URI, codes): redacted from every message. */
  readonly secrets: string[];
  /** What this invocation created or may have created (a call in flight counts). */
  readonly journal: {
    device?: { serialNumber: string; versionId: string; userName: string };
    secretName?: string;
    /**
     * The serial of every device this invocation asked IAM to create: a FAILED Create answers it as its physical id, so
     * that the rollback's Delete removes a device of this resource that appeared late (it checks the tags first).
     */
    attempted?: string;
  };
  /** How long a delivery waits for another delivery of the same request. @default 60 s */
  readonly duplicateWaitMs?: number;
}

const MFA_ARN = /^arn:[a-z0-9-]+:iam::\d{12}:mfa\/.+$/;

/** Create, Update or Delete a device. */
export async function handleDevice(ctx: DeviceContext): Promise<Outcome> {
  switch (ctx.event.RequestType) {
    case 'Create':
      return createDevice(ctx, propertiesOf(ctx.event.ResourceProperties));
    case 'Update':
      return ctx.trust === 'rollback' ? rollBack(ctx) : updateDevice(ctx);
    default:
      return deleteDevice(ctx);
  }
}

/** The resource properties, checked: a sentence naming the bad property otherwise. */
export function propertiesOf(raw: Record<string, unknown>): DeviceProperties {
  const text = (key: string): string => {
    const value = raw[key];
    if (typeof value !== 'string' || value === '') {
      throw new HandlerError(`Resource property ${key} must be a non-empty string, but got ${JSON.stringify(value) ?? 'nothing'}.`);
    }
    return value;
  };
  const enable = String(raw.Enable ?? '');
  if (enable !== 'true' && enable !== 'false') {
    throw new HandlerError(`Resource property Enable must be 'true' or 'false', but got ${JSON.stringify(raw.Enable) ?? 'nothing'}.`);
  }
  const policy = raw.SeedSecretPolicy;
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new HandlerError(`Resource property SeedSecretPolicy must be a policy document (an object), but got ${JSON.stringify(policy) ?? 'nothing'}.`);
  }
  return {
    userName: text('UserName'),
    deviceName: text('DeviceName'),
    path: text('Path'),
    enable: enable === 'true',
    seedSecretName: text('SeedSecretName'),
    seedSecretPolicy: JSON.stringify(policy),
    kmsKeyId: raw.KmsKeyId === undefined ? undefined : text('KmsKeyId'),
  };
}

/** The serial number IAM gives a virtual device: `arn:<partition>:iam::<account>:mfa<path><name>`. */
export function serialOf(stackId: string, props: Pick<DeviceProperties, 'path' | 'deviceName'>): string {
  const [, partition, , , account] = stackId.split(':');
  return `arn:${partition}:iam::${account}:mfa${props.path}${props.deviceName}`;
}

/** IAM names are unique case-insensitively. */
function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * What makes a device, hashed for its identity tag: a change of any of these needs another device (and its own secret).
 */
function identity(props: DeviceProperties): string {
  const fields = [props.userName, props.deviceName.toLowerCase(), props.path, props.seedSecretName, props.kmsKeyId ?? ''];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 32);
}

function ownerOf(ctx: DeviceContext, serialNumber: string): SecretOwner {
  return { stackId: ctx.stackId, logicalId: ctx.event.LogicalResourceId, serialNumber };
}

function success(reason: string, serialNumber: string, seedSecretArn: string, createdAt: string): Outcome {
  const data: VirtualMfaDeviceHandlerData = { SerialNumber: serialNumber, SeedSecretArn: seedSecretArn, CreatedAt: createdAt };
  return { status: 'SUCCESS', reason, physicalResourceId: serialNumber, data: { ...data } };
}

/**
 * When a device came to be (`CreatedAt`): the time its tag recorded at creation; for a device without one, IAM's
 * EnableDate when it is enabled for the user, else DEVICE_TIME_UNKNOWN (a device nobody enabled made no session).
 */
async function createdAtOf(ctx: DeviceContext, userName: string, serialNumber: string, known?: Map<string, string>): Promise<string> {
  const recorded = (known ?? await deviceTags(ctx.aws, serialNumber))?.get(CREATED_AT_TAG);
  if (recorded !== undefined && isIsoUtcTime(recorded)) {
    return recorded;
  }
  const out: any = await step(`Could not list the MFA devices of user ${userName}`, () => ctx.aws.send(ctx.aws.iam,
    new ListMFADevicesCommand({ UserName: userName })));
  const enabled = (out.MFADevices ?? []).find((d: any) => sameName(d.SerialNumber ?? '', serialNumber));
  return enabled?.EnableDate ? deviceTime(new Date(enabled.EnableDate).getTime()) : DEVICE_TIME_UNKNOWN;
}

/** The tags of a device; undefined when there is no such device. */
async function deviceTags(aws: Aws, serialNumber: string): Promise<Map<string, string> | undefined> {
  try {
    const out: any = await aws.send(aws.iam, new ListMFADeviceTagsCommand({ SerialNumber: serialNumber }));
    return new Map((out.Tags ?? []).map((t: any) => [t.Key, t.Value]));
  } catch (err) {
    if (hasCode(err, 'NoSuchEntity')) {
      return undefined;
    }
    throw new HandlerError(`Could not read the tags of MFA device ${serialNumber}: ${awsMessage(err)}.`);
  }
}

function ownedBy(ctx: DeviceContext, tags: Map<string, string>): boolean {
  return tags.get(STACK_ID_TAG) === ctx.stackId && tags.get(LOGICAL_ID_TAG) === ctx.event.LogicalResourceId;
}

/**
 * Refuse a user that this stack did not create and that does not carry this stack's tag: the template verified that
 * UserName is what the stack says, and an imported user (a name, not a resource of the stack) must be tagged for the
 * stack by an IAM administrator (the role's conditions require the tag too).
 */
async function checkUser(ctx: DeviceContext, userName: string): Promise<void> {
  const out: any = await step(`Could not read user ${userName}`, () => ctx.aws.sendForUser(new GetUserCommand({ UserName: userName })));
  const tag = (out.User?.Tags ?? []).find((t: any) => t.Key === STACK_ID_TAG)?.Value;
  if (tag !== ctx.stackId) {
    throw new HandlerError(`Refused: user ${userName} does not carry the tag ${STACK_ID_TAG} with this stack's id, so this stack did not create it `
      + 'for the handler: define the user in this stack, or have an IAM administrator tag it.');
  }
}

/**
 * Create a device, its secret and (if Enable) enable it; adopt the device when a delivery of this resource made it before.
 */
async function createDevice(ctx: DeviceContext, props: DeviceProperties, attempt = 1): Promise<Outcome> {
  const { aws, event } = ctx;
  const serialNumber = serialOf(ctx.stackId, props);
  // The seed's version id in the secret: new for each try, so that a device whose create answer got lost is recognised.
  const versionId = randomUUID();
  const createdAt = deviceTime(ctx.now());
  if (!ctx.stackUsers.has(props.userName.toLowerCase())) {
    await checkUser(ctx, props.userName);
  }
  log(event, `CreateVirtualMFADevice ${serialNumber}`);
  ctx.journal.device = { serialNumber, versionId, userName: props.userName };
  ctx.journal.attempted = serialNumber;
  let seed: string;
  try {
    const created: any = await aws.send(aws.iam, new CreateVirtualMFADeviceCommand({
      VirtualMFADeviceName: props.deviceName,
      Path: props.path,
      Tags: [
        { Key: STACK_ID_TAG, Value: ctx.stackId },
        { Key: LOGICAL_ID_TAG, Value: event.LogicalResourceId },
        { Key: SEED_VERSION_TAG, Value: versionId },
        { Key: IDENTITY_TAG, Value: identity(props) },
        { Key: REQUEST_ID_TAG, Value: event.RequestId },
        { Key: CREATED_AT_TAG, Value: createdAt },
      ],
    }));
    // The Query protocol carries the seed base64-encoded; the SDK decodes it to the bytes of the ASCII base32 string.
    seed = Buffer.from(created.VirtualMFADevice?.Base32StringSeed ?? []).toString('ascii');
  } catch (err) {
    if (!hasCode(err, 'EntityAlreadyExists')) {
      throw new HandlerError(`Could not create virtual MFA device ${serialNumber}: ${awsMessage(err)}.`);
    }
    ctx.journal.device = undefined;
    return adopt(ctx, props, serialNumber, versionId, attempt);
  }
  ctx.secrets.push(seed);
  if (!seed) {
    throw new HandlerError(`IAM created virtual MFA device ${serialNumber} but returned no seed.`);
  }
  log(event, `CreateSecret ${props.seedSecretName}`);
  ctx.journal.secretName = props.seedSecretName;
  const secret = await prepareSecret(aws, props.seedSecretName, ownerOf(ctx, serialNumber), props.seedSecretPolicy, props.kmsKeyId);
  if (!secret.created) {
    ctx.journal.secretName = undefined;
  }
  const uri = otpauthUri({ seed, account: otpauthAccountLabel(props.userName, serialNumber.split(':')[4]), issuer: OTPAUTH_ISSUER });
  ctx.secrets.push(uri);
  if (props.enable) {
    await enableDevice(ctx, props.userName, serialNumber, seed);
  }
  log(event, `PutSecretValue ${props.seedSecretName}`);
  await storeSeed(aws, secret.arn, versionId, { serialNumber, userName: props.userName, seed, otpauthUri: uri, enabled: props.enable });
  return success(`Created virtual MFA device ${serialNumber}${props.enable ? ` and enabled it for user ${props.userName}` : ''}; `
    + `its seed is in secret ${props.seedSecretName}.`, serialNumber, secret.arn, createdAt);
}

/**
 * EnableMFADevice with two consecutive codes, computed again for each try (throttling may outlast a 30 s step). A
 * device that is already enabled for the user (an answer that got lost) counts as enabled.
 */
async function enableDevice(ctx: DeviceContext, userName: string, serialNumber: string, seed: string): Promise<void> {
  log(ctx.event, `EnableMFADevice ${serialNumber} for ${userName}`);
  for (let attempt = 1; ; attempt++) {
    const [code1, code2] = consecutiveCodes(seed, ctx.now());
    ctx.secrets.push(code1, code2);
    try {
      await ctx.aws.sendForUser(new EnableMFADeviceCommand({
        UserName: userName, SerialNumber: serialNumber, AuthenticationCode1: code1, AuthenticationCode2: code2,
      }));
      return;
    } catch (err) {
      if (hasCode(err, 'EntityAlreadyExists') && await enabledFor(ctx, userName, serialNumber)) {
        return;
      }
      if (!hasCode(err, 'InvalidAuthenticationCode') || attempt >= 3) {
        throw new HandlerError(`Could not enable MFA device ${serialNumber} for user ${userName}: ${awsMessage(err)}.`);
      }
    }
  }
}

/** Whether the device is enabled for the user. */
async function enabledFor(ctx: DeviceContext, userName: string, serialNumber: string): Promise<boolean> {
  const out: any = await step(`Could not list the MFA devices of user ${userName}`, () => ctx.aws.send(ctx.aws.iam,
    new ListMFADevicesCommand({ UserName: userName })));
  return (out.MFADevices ?? []).some((d: any) => sameName(d.SerialNumber ?? '', serialNumber));
}

/**
 * The device exists: adopt it if this resource made it and its seed is stored (or its owner forgot the seed after
 * enrolling it); wait for another delivery of the same request; replace a device of this resource whose seed was
 * never stored (nobody can hold it); refuse anyone else's device.
 */
async function adopt(ctx: DeviceContext, props: DeviceProperties, serialNumber: string, versionId: string, attempt: number): Promise<Outcome> {
  const { aws } = ctx;
  const tags = await deviceTags(aws, serialNumber);
  if (!tags) {
    if (attempt > 2) {
      throw new HandlerError(`Virtual MFA device ${serialNumber} exists and vanishes again each time: something else is creating and deleting it.`);
    }
    return createDevice(ctx, props, attempt + 1);
  }
  if (!ownedBy(ctx, tags)) {
    throw new HandlerError(`Virtual MFA device ${serialNumber} already exists and was left alone, because ${ctx.event.LogicalResourceId} of this `
      + 'stack did not create it: choose another device name, or remove that device (deactivate it, then "aws iam delete-virtual-mfa-device '
      + `--serial-number ${serialNumber}").`);
  }
  if (tags.get(IDENTITY_TAG) !== identity(props)) {
    throw new HandlerError(`Virtual MFA device ${serialNumber} exists for other properties of ${ctx.event.LogicalResourceId} (another user, path `
      + 'or seed secret) and was left alone: give the device a new name with this change.');
  }
  const secret = await describeSecret(aws, props.seedSecretName);
  const stored = tags.get(SEED_VERSION_TAG);
  if (secret && stored && holdsVersion(secret, stored)) {
    checkPolicy(secret, props.seedSecretName, props.seedSecretPolicy);
    return success(`Kept virtual MFA device ${serialNumber}, which ${ctx.event.LogicalResourceId} created before; its seed is in secret `
      + `${props.seedSecretName}.`, serialNumber, secret.arn, await createdAtOf(ctx, props.userName, serialNumber, tags));
  }
  if (stored === versionId) {
    // This invocation's own create, whose answer (and with it the seed) got lost: nobody holds the seed.
    await removeDevice(ctx, props.userName, serialNumber);
    log(ctx.event, `deleted virtual MFA device ${serialNumber}, whose create answer (with the seed) got lost`);
    return createDevice(ctx, props, attempt + 1);
  }
  if (tags.get(REQUEST_ID_TAG) === ctx.event.RequestId) {
    return waitForOtherDelivery(ctx, props, serialNumber, stored ?? '', attempt);
  }
  if (!secret) {
    // No secret: its owner forgot the seed after enrolling the device (keep it), or a create whose answer came too late left it.
    try {
      await aws.send(aws.iam, new DeleteVirtualMFADeviceCommand({ SerialNumber: serialNumber }));
    } catch (err) {
      if (hasCode(err, 'DeleteConflict')) {
        return success(`Kept virtual MFA device ${serialNumber}, which ${ctx.event.LogicalResourceId} created before and its owner enabled; `
          + 'its seed was forgotten (no secret holds it).', serialNumber, '', await createdAtOf(ctx, props.userName, serialNumber, tags));
      }
      if (!hasCode(err, 'NoSuchEntity')) {
        throw new HandlerError(`Could not delete the unfinished virtual MFA device ${serialNumber}: ${awsMessage(err)}.`);
      }
    }
    log(ctx.event, `deleted virtual MFA device ${serialNumber}, which an unfinished create left without a seed`);
    return createDevice(ctx, props, attempt + 1);
  }
  // The secret exists but never got this device's seed: nobody can hold it, so the device is replaced.
  await removeDevice(ctx, props.userName, serialNumber);
  log(ctx.event, `deleted virtual MFA device ${serialNumber}, whose seed was never stored`);
  return createDevice(ctx, props, attempt + 1);
}

/** Another delivery of the same request made the device: wait until it stored the seed, or gave up and deleted the device. */
async function waitForOtherDelivery(ctx: DeviceContext, props: DeviceProperties, serialNumber: string, theirVersionId: string,
  attempt: number): Promise<Outcome> {
  const until = Date.now() + (ctx.duplicateWaitMs ?? 60_000);
  log(ctx.event, `another delivery of this request is creating ${serialNumber}; waiting for it`);
  while (Date.now() < until) {
    await ctx.aws.deadline.sleep(1_000);
    const secret = await describeSecret(ctx.aws, props.seedSecretName);
    if (secret && holdsVersion(secret, theirVersionId)) {
      return success(`Kept virtual MFA device ${serialNumber}, which another delivery of this request created; its seed is in secret `
        + `${props.seedSecretName}.`, serialNumber, secret.arn, await createdAtOf(ctx, props.userName, serialNumber));
    }
    if (!await deviceTags(ctx.aws, serialNumber)) {
      return createDevice(ctx, props, attempt + 1);
    }
  }
  throw new HandlerError(`Another delivery of this request is still creating virtual MFA device ${serialNumber}; it was left to finish.`);
}

/**
 * An Update that CloudFormation verified against the template: keep the device when its identity stays (the identity
 * tag of the physical device says which properties made it), or create the successor first (CloudFormation deletes
 * the old device after the update, when the physical id changed). The Update that rolls back a failed replacement
 * names the device of before as its physical id, whose identity tag matches: it is kept.
 */
async function updateDevice(ctx: DeviceContext): Promise<Outcome> {
  const { event, aws } = ctx;
  const physicalId = event.PhysicalResourceId ?? '';
  const props = propertiesOf(event.ResourceProperties);
  const tags = MFA_ARN.test(physicalId) ? await deviceTags(aws, physicalId) : undefined;
  const ours = tags !== undefined && ownedBy(ctx, tags);
  if (ours && tags.get(IDENTITY_TAG) === identity(props)) {
    return keepDevice(ctx, physicalId, event.OldResourceProperties, props, tags);
  }
  if (ours && sameName(serialOf(ctx.stackId, props), physicalId)) {
    throw new HandlerError('Cannot change the user, path or seed secret (its name, or its readers: a default name carries a hash of them) of '
      + `virtual MFA device ${physicalId} while its name stays ${props.deviceName}: IAM names devices uniquely, so the new device could only be `
      + 'created after deleting the one in use; give the device a new name with this change (its owner enrols the new device with mfa-profile '
      + 'setup, which updates the profile).');
  }
  if (!tags && MFA_ARN.test(physicalId)) {
    log(event, `virtual MFA device ${physicalId} is gone; creating the device of the new properties`);
  }
  return createDevice(ctx, props);
}

/** An Update that keeps the device: Enable changed, or nothing that IAM sees; never a new secret policy. */
async function keepDevice(ctx: DeviceContext, physicalId: string, oldRaw: Record<string, unknown> | undefined,
  props: DeviceProperties, tags: Map<string, string>): Promise<Outcome> {
  const { aws } = ctx;
  let old = props;
  try {
    old = propertiesOf(oldRaw ?? {});
  } catch {
    // Old properties this version of the handler does not know: compare nothing.
  }
  const secret = await describeSecret(aws, props.seedSecretName);
  if (secret) {
    // The secret keeps the policy it was created with (decision 8); a seed already forgotten has no secret to protect.
    checkPolicy(secret, props.seedSecretName, props.seedSecretPolicy, old === props ? undefined : old.seedSecretPolicy);
  }
  const notes: string[] = [];
  if (props.enable && !old.enable) {
    if (await enabledFor(ctx, props.userName, physicalId)) {
      notes.push(`it is enabled for user ${props.userName} already`);
    } else {
      notes.push('it is not enabled yet: the handler keeps no seed to compute codes with, so its owner enables it with two codes from '
        + 'the authenticator app ("mfa-profile mfa-setup")');
    }
  }
  if (!props.enable && old.enable) {
    notes.push('Enable false leaves a working device enabled');
  }
  return success(`Kept virtual MFA device ${physicalId}${notes.length ? `; ${notes.join('; ')}` : ''}.`, physicalId, secret?.arn ?? '',
    await createdAtOf(ctx, props.userName, physicalId, tags));
}

/**
 * The Update of a rollback, whose ResourceProperties (the ones of before) the template no longer shows: return to the
 * device of before, which this resource made and which still exists; never create or change anything.
 */
async function rollBack(ctx: DeviceContext): Promise<Outcome> {
  const { event } = ctx;
  const physicalId = event.PhysicalResourceId ?? '';
  const target = propertiesOf(event.ResourceProperties);
  const serialNumber = serialOf(ctx.stackId, target);
  if (sameName(serialNumber, physicalId)) {
    return success(`Kept virtual MFA device ${physicalId} for the rollback.`, physicalId, (await describeSecret(ctx.aws, target.seedSecretName))?.arn ?? '',
      await createdAtOf(ctx, target.userName, physicalId));
  }
  const tags = await deviceTags(ctx.aws, serialNumber);
  if (!tags || !ownedBy(ctx, tags)) {
    const why = tags ? `was not created by ${event.LogicalResourceId} of this stack` : 'no longer exists';
    throw new HandlerError(`Cannot roll back to virtual MFA device ${serialNumber}: it ${why}.`);
  }
  const secret = await describeSecret(ctx.aws, target.seedSecretName);
  return success(`Returned to virtual MFA device ${serialNumber} for the rollback.`, serialNumber, secret?.arn ?? '',
    await createdAtOf(ctx, target.userName, serialNumber, tags));
}

/** Delete: the device and its secret, when this resource of this stack made them. */
async function deleteDevice(ctx: DeviceContext): Promise<Outcome> {
  const { event, aws } = ctx;
  const physicalId = event.PhysicalResourceId ?? '';
  if (!MFA_ARN.test(physicalId)) {
    return { status: 'SUCCESS', reason: `Nothing to delete: ${physicalId} is not an MFA device.`, physicalResourceId: physicalId };
  }
  const done: string[] = [];
  const tags = await deviceTags(aws, physicalId);
  if (!tags) {
    done.push(`virtual MFA device ${physicalId} was gone already`);
  } else if (!ownedBy(ctx, tags)) {
    done.push(`left virtual MFA device ${physicalId} alone (not created by ${event.LogicalResourceId} of this stack)`);
  } else {
    await removeDevice(ctx, String(event.ResourceProperties.UserName ?? ''), physicalId);
    done.push(`deleted virtual MFA device ${physicalId}`);
  }
  const secretName = event.ResourceProperties.SeedSecretName;
  if (typeof secretName === 'string' && secretName) {
    done.push(await deleteSecret(aws, secretName, ownerOf(ctx, physicalId)));
  }
  const text = done.join('; ');
  return { status: 'SUCCESS', reason: `${text.charAt(0).toUpperCase()}${text.slice(1)}.`, physicalResourceId: physicalId };
}

/** DeactivateMFADevice: the device is no longer the user's; NoSuchEntity means it was not (or the user is gone). */
export async function deactivateDevice(ctx: Pick<DeviceContext, 'aws' | 'event'>, userName: string, serialNumber: string): Promise<void> {
  log(ctx.event, `DeactivateMFADevice ${serialNumber} for ${userName}`);
  await step(`Could not deactivate MFA device ${serialNumber} for user ${userName}`, () => ignore(
    ctx.aws.send(ctx.aws.iam, new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber: serialNumber })), 'NoSuchEntity'));
}

/** DeactivateMFADevice (for the user), then DeleteVirtualMFADevice; NoSuchEntity means done already. */
export async function removeDevice(ctx: Pick<DeviceContext, 'aws' | 'event'>, userName: string, serialNumber: string): Promise<void> {
  if (userName) {
    await deactivateDevice(ctx, userName, serialNumber);
  }
  log(ctx.event, `DeleteVirtualMFADevice ${serialNumber}`);
  await step(`Could not delete virtual MFA device ${serialNumber}`, () => ignore(
    ctx.aws.send(ctx.aws.iam, new DeleteVirtualMFADeviceCommand({ SerialNumber: serialNumber })), 'NoSuchEntity'));
}

/**
 * Undo what this invocation created (after a failure or at the deadline): the device it created (its seed-version tag
 * is this request's) and the secret it created.
 */
export async function undo(ctx: DeviceContext): Promise<string> {
  const done: string[] = [];
  const device = ctx.journal.device;
  if (device) {
    const tags = await deviceTags(ctx.aws, device.serialNumber);
    if (tags && ownedBy(ctx, tags) && tags.get(SEED_VERSION_TAG) === device.versionId) {
      await removeDevice(ctx, device.userName, device.serialNumber);
      done.push(`deleted virtual MFA device ${device.serialNumber} again`);
    }
  }
  if (ctx.journal.secretName && device) {
    const result = await deleteSecret(ctx.aws, ctx.journal.secretName, ownerOf(ctx, device.serialNumber));
    if (result.startsWith('deleted')) {
      done.push(`${result} again`);
    }
  }
  return done.join(' and ');
}

async function ignore(call: Promise<unknown>, code: string): Promise<void> {
  await call.catch((err) => {
    if (!hasCode(err, code)) {
      throw err;
    }
  });
}
