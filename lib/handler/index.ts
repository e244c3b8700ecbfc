// Custom resource handler of VirtualMfaDevice (Custom::VirtualMfaDevice): creates a virtual MFA device, stores its seed
// (and, when given, the user's access key) in a secret and enables it for a user. Contract: DESIGN.md, "Custom resource".
//
// It speaks the CloudFormation custom resource protocol itself (PUT of the response to the presigned ResponseURL).
// The seed, the otpauth URI, the codes and the secret access key never reach the response, a log line or an error message.
import * as http from 'http';
import * as https from 'https';
import {
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { OTPAUTH_ISSUER, otpauthAccountLabel, SeedSecretValue, VirtualMfaDeviceResourceData, VirtualMfaDeviceResourceProperties } from '../contract';
import { consecutiveCodes, otpauthUri } from './totp';

/**
 * A CloudFormation custom resource request (the fields this handler reads).
 */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

/**
 * The part of the Lambda context this handler reads.
 */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/**
 * Seams for tests.
 */
export interface HandlerOptions {
  /**
   * The clock, in milliseconds since the epoch (the TOTP codes depend on it).
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Upper bound of the work (AWS calls) before a FAILED response is sent instead.
   * @default - no bound
   */
  readonly workTimeoutMs?: number;
  /**
   * Upper bound of the response PUT.
   * @default 10 seconds
   */
  readonly responseTimeoutMs?: number;
}

/** What the response to CloudFormation says. */
interface Outcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason: string;
  readonly physicalResourceId: string;
  readonly data?: VirtualMfaDeviceResourceData;
}

/** The resource properties that make the device: a change of any of them replaces it. */
interface DeviceProperties {
  readonly userName: string;
  readonly deviceName: string;
  readonly path: string;
  readonly seedSecretArn: string;
  readonly enable: boolean;
}

/** The optional access key (resource properties AccessKeyId and SecretAccessKey), kept in the seed secret too. */
interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const RESPONSE_TIMEOUT_MS = 10_000;
const MAX_REASON_LENGTH = 1_000;
const MFA_ARN = /^arn:[a-z0-9-]+:iam::\d{12}:mfa\/.+$/;

/**
 * The Lambda entry point. It always answers CloudFormation, with time left for the answer.
 */
export async function handler(event: CustomResourceEvent, context?: LambdaContext): Promise<void> {
  const remaining = context?.getRemainingTimeInMillis() ?? Infinity;
  const responseTimeoutMs = Math.min(RESPONSE_TIMEOUT_MS, remaining / 3);
  await handleEvent(event, { responseTimeoutMs, workTimeoutMs: remaining === Infinity ? undefined : remaining - responseTimeoutMs - 500 });
}

/**
 * Handle one custom resource request and send the response to its ResponseURL. Never throws.
 */
export async function handleEvent(event: CustomResourceEvent, options: HandlerOptions = {}): Promise<void> {
  log(event, 'start');
  let outcome: Outcome;
  try {
    outcome = await withDeadline(dispatch(event, options.now ?? Date.now), options.workTimeoutMs);
  } catch (err) {
    outcome = {
      status: 'FAILED',
      reason: errorMessage(err),
      physicalResourceId: event.PhysicalResourceId ?? `failed-${event.RequestId}`,
    };
  }
  // Whatever an AWS error echoes, the secret access keys of the request never reach the response or the log.
  outcome = { ...outcome, reason: redact(outcome.reason, secretAccessKeysOf(event)) };
  log(event, `${outcome.status} ${outcome.physicalResourceId}: ${outcome.reason}`);
  try {
    await sendResponse(event, outcome, options.responseTimeoutMs ?? RESPONSE_TIMEOUT_MS);
    log(event, 'response sent');
  } catch (err) {
    console.error(`${event.RequestType} ${event.LogicalResourceId}: could not send the response to CloudFormation: ${errorMessage(err)}`);
  }
}

async function dispatch(event: CustomResourceEvent, now: () => number): Promise<Outcome> {
  switch (event.RequestType) {
    case 'Create':
      return createDevice(event, propertiesOf(event.ResourceProperties), accessKeyOf(event.ResourceProperties), now);
    case 'Update':
      return updateDevice(event, now);
    case 'Delete':
      return deleteDevice(event);
    default:
      throw new Error(`Unknown request type ${JSON.stringify(event.RequestType)}: expected Create, Update or Delete.`);
  }
}

/**
 * CreateVirtualMFADevice → PutSecretValue (seed, and the access key if given) → EnableMFADevice (if Enable). A failure
 * after the device exists deletes it again, and the physical id of a failed create is not an ARN, so that the Delete
 * that follows is a no-op.
 */
async function createDevice(event: CustomResourceEvent, props: DeviceProperties, key: AccessKey | undefined, now: () => number): Promise<Outcome> {
  const iam = new IAMClient({});
  const arn = deviceArn(event.StackId, props);
  log(event, `CreateVirtualMFADevice ${arn}`);
  const created = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: props.deviceName, Path: props.path })).catch((err) => {
    throw new Error(hasCode(err, 'EntityAlreadyExists')
      ? `Virtual MFA device ${arn} already exists and was left alone, because another stack or a person created it: choose another `
        + `device name, or remove that device (deactivate it, then "aws iam delete-virtual-mfa-device --serial-number ${arn}").`
      : `Could not create virtual MFA device ${arn}: ${awsMessage(err)}.`);
  });
  const serial = created.VirtualMFADevice?.SerialNumber ?? arn;
  // The Query protocol carries the seed base64-encoded; the SDK decodes it to the bytes of the ASCII base32 string.
  const seed = Buffer.from(created.VirtualMFADevice?.Base32StringSeed ?? []).toString('ascii');
  const secrets = [seed, key?.secretAccessKey ?? ''];
  let enabled = false;
  try {
    if (!seed) {
      throw new Error(`IAM created virtual MFA device ${serial} but returned no seed.`);
    }
    const uri = otpauthUri({ seed, account: otpauthAccountLabel(props.userName, accountOf(serial)), issuer: OTPAUTH_ISSUER });
    secrets.push(uri);
    // Enable before storing the seed: a device that IAM refuses to enable never reaches the secret, so a failed
    // replacement leaves the secret with the seed of the device still in use.
    if (props.enable) {
      const [code1, code2] = consecutiveCodes(seed, now());
      secrets.push(code1, code2);
      log(event, `EnableMFADevice ${serial} for ${props.userName}`);
      await step(`Could not enable MFA device ${serial} for user ${props.userName}`, () => iam.send(new EnableMFADeviceCommand({
        UserName: props.userName,
        SerialNumber: serial,
        AuthenticationCode1: code1,
        AuthenticationCode2: code2,
      })));
      enabled = true;
    }
    log(event, `PutSecretValue ${props.seedSecretArn}`);
    const value: SeedSecretValue = {
      serialNumber: serial, userName: props.userName, seed, otpauthUri: uri, enabled: props.enable, ...keyFields(key),
    };
    await step(`Could not store the seed of MFA device ${serial} in secret ${props.seedSecretArn}`, () => new SecretsManagerClient({}).send(
      new PutSecretValueCommand({ SecretId: props.seedSecretArn, SecretString: JSON.stringify(value) })));
  } catch (err) {
    const failure = errorMessage(err);
    if (enabled) {
      log(event, `DeactivateMFADevice ${serial} (cleanup)`);
      await iam.send(new DeactivateMFADeviceCommand({ UserName: props.userName, SerialNumber: serial })).catch(() => undefined);
    }
    log(event, `DeleteVirtualMFADevice ${serial} (cleanup)`);
    const cleanup = await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })).then(
      () => '',
      (cleanupErr) => hasCode(cleanupErr, 'NoSuchEntity') ? '' : ` (deleting the device again failed too: ${awsMessage(cleanupErr)})`,
    );
    throw new Error(redact(`${failure.replace(/\.$/, '')}${cleanup}.`, secrets));
  }
  return { status: 'SUCCESS', reason: `Created virtual MFA device ${serial}.`, physicalResourceId: serial, data: { SerialNumber: serial } };
}

/**
 * A change of a device property (UserName, DeviceName, Path, SeedSecretArn, Enable) replaces the device. When the new
 * device has the ARN of the old one, the old one is removed first; otherwise CloudFormation deletes it after the
 * update, because the physical id changed. A change of the access key alone keeps the device: the key fields of the
 * seed secret are replaced (or removed) and every other field is kept.
 */
async function updateDevice(event: CustomResourceEvent, now: () => number): Promise<Outcome> {
  const physicalId = event.PhysicalResourceId ?? '';
  const props = propertiesOf(event.ResourceProperties);
  const key = accessKeyOf(event.ResourceProperties);
  const old = propertiesOf(event.OldResourceProperties ?? {});
  const oldKey = accessKeyOf(event.OldResourceProperties ?? {});
  const newArn = deviceArn(event.StackId, props);
  const unchanged = JSON.stringify(props) === JSON.stringify(old);
  // The rollback of a replacement that failed: the device of these properties is the physical resource, keep it.
  const rollback = sameArn(newArn, physicalId) && !sameArn(deviceArn(event.StackId, old), physicalId);
  if (unchanged || rollback) {
    const kept = { status: 'SUCCESS' as const, physicalResourceId: physicalId, data: { SerialNumber: physicalId } };
    if (key?.accessKeyId === oldKey?.accessKeyId && key?.secretAccessKey === oldKey?.secretAccessKey) {
      return { ...kept, reason: `Kept MFA device ${physicalId}.` };
    }
    await storeAccessKey(event, props.seedSecretArn, physicalId, key);
    return {
      ...kept,
      reason: `Kept MFA device ${physicalId}; ${key ? 'stored the new access key in' : 'removed the access key from'} secret ${props.seedSecretArn}.`,
    };
  }
  if (sameArn(newArn, physicalId)) {
    await removeDevice(event, old.userName, physicalId);
  }
  return createDevice(event, props, key, now);
}

/**
 * GetSecretValue of the seed secret, then PutSecretValue of the same JSON with the key fields replaced (or removed
 * without a key). Every other field is kept: the seed, `enabled`, and `forgotten` after `mfa-setup --forget`.
 */
async function storeAccessKey(event: CustomResourceEvent, secretArn: string, serial: string, key: AccessKey | undefined): Promise<void> {
  const secrets = new SecretsManagerClient({});
  log(event, `GetSecretValue ${secretArn}`);
  const current = await step(`Could not read secret ${secretArn} of MFA device ${serial}`, () => secrets.send(
    new GetSecretValueCommand({ SecretId: secretArn })));
  let content: unknown;
  try {
    content = JSON.parse(current.SecretString ?? '');
  } catch {
    content = undefined;
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new Error(`Secret ${secretArn} of MFA device ${serial} does not hold a JSON object, so the access key cannot be stored in it.`);
  }
  const { accessKeyId: _id, secretAccessKey: _secret, ...rest } = content as Record<string, unknown>;
  log(event, `PutSecretValue ${secretArn}`);
  await step(`Could not store the access key of MFA device ${serial} in secret ${secretArn}`, () => secrets.send(new PutSecretValueCommand({
    SecretId: secretArn,
    SecretString: JSON.stringify({ ...rest, ...keyFields(key) }),
  })));
}

/**
 * DeactivateMFADevice, then DeleteVirtualMFADevice. A physical id that is not an MFA ARN is a create that failed.
 */
async function deleteDevice(event: CustomResourceEvent): Promise<Outcome> {
  const physicalId = event.PhysicalResourceId ?? '';
  if (MFA_ARN.test(physicalId)) {
    await removeDevice(event, String(event.ResourceProperties.UserName ?? ''), physicalId);
  }
  const reason = MFA_ARN.test(physicalId) ? `Deleted MFA device ${physicalId}.` : `Nothing to delete: ${physicalId} is not an MFA device.`;
  return { status: 'SUCCESS', reason, physicalResourceId: physicalId };
}

/** Deactivate (for the user) and delete a device; NoSuchEntity means it is gone already. */
async function removeDevice(event: CustomResourceEvent, userName: string, serial: string): Promise<void> {
  const iam = new IAMClient({});
  log(event, `DeactivateMFADevice ${serial} for ${userName}`);
  await step(`Could not deactivate MFA device ${serial} for user ${userName}`, () => ignoreNoSuchEntity(
    iam.send(new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber: serial }))));
  log(event, `DeleteVirtualMFADevice ${serial}`);
  await step(`Could not delete virtual MFA device ${serial}`, () => ignoreNoSuchEntity(
    iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }))));
}

/** Run one AWS call; its error becomes one sentence that starts with `failure`. */
async function step<T>(failure: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    throw new Error(`${failure}: ${awsMessage(err)}.`);
  }
}

async function ignoreNoSuchEntity(call: Promise<unknown>): Promise<void> {
  await call.catch((err) => {
    if (!hasCode(err, 'NoSuchEntity')) {
      throw err;
    }
  });
}

function propertiesOf(raw: Record<string, unknown>): DeviceProperties {
  const text = (key: keyof VirtualMfaDeviceResourceProperties, fallback?: string): string => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'string' || value === '') {
      throw new Error(`Resource property ${key} must be a non-empty string, but got ${JSON.stringify(value) ?? 'nothing'}.`);
    }
    return value;
  };
  const enable = String(raw.Enable ?? '');
  if (enable !== 'true' && enable !== 'false') {
    throw new Error(`Resource property Enable must be 'true' or 'false', but got ${JSON.stringify(raw.Enable) ?? 'nothing'}.`);
  }
  return {
    userName: text('UserName'),
    deviceName: text('DeviceName'),
    path: text('Path', '/'),
    seedSecretArn: text('SeedSecretArn'),
    enable: enable === 'true',
  };
}

/**
 * The access key of the resource properties: AccessKeyId and SecretAccessKey, both or neither. The error never
 * quotes the values.
 */
function accessKeyOf(raw: Record<string, unknown>): AccessKey | undefined {
  const { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey } = raw as Partial<Record<keyof VirtualMfaDeviceResourceProperties, unknown>>;
  if (accessKeyId === undefined && secretAccessKey === undefined) {
    return undefined;
  }
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    throw new Error('Resource properties AccessKeyId and SecretAccessKey must both be non-empty strings, or both be absent.');
  }
  return { accessKeyId, secretAccessKey };
}

/** The fields of the access key in the seed secret; none without a key. */
function keyFields(key: AccessKey | undefined): Partial<AccessKey> {
  return key ? { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } : {};
}

/** The secret access keys that a request carries, new and old. */
function secretAccessKeysOf(event: CustomResourceEvent): string[] {
  return [event.ResourceProperties?.SecretAccessKey, event.OldResourceProperties?.SecretAccessKey].filter((v): v is string => typeof v === 'string');
}

/** The serial number IAM gives a virtual device: `arn:<partition>:iam::<account>:mfa<path><name>` (partition and account of the stack). */
function deviceArn(stackId: string, props: DeviceProperties): string {
  const [, partition, , , account] = stackId.split(':');
  return `arn:${partition}:iam::${account}:mfa${props.path}${props.deviceName}`;
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** IAM names are unique case-insensitively. */
function sameArn(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function hasCode(err: unknown, code: string): boolean {
  return err instanceof Error && err.name.replace(/Exception$/, '') === code;
}

/** An AWS error as `<message> (<code>)`, without a final period. */
function awsMessage(err: unknown): string {
  if (!(err instanceof Error)) {
    return String(err);
  }
  const code = err.name.replace(/Exception$/, '');
  const message = err.message.replace(/\.$/, '');
  return message && message !== err.name ? `${message} (${code})` : code;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Replace every secret value in a text. */
function redact(text: string, secrets: string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((result, secret) => result.split(secret).join('***'), text);
}

async function withDeadline<T>(work: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined) {
    return work;
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const message = `AWS did not answer within ${timeoutMs} ms, before the Lambda function would time out.`;
    timer = setTimeout(() => reject(new Error(message)), Math.max(timeoutMs, 0));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** PUT the response to the presigned ResponseURL, as cfn-response does (empty content-type), bounded in time. */
async function sendResponse(event: CustomResourceEvent, outcome: Outcome, timeoutMs: number): Promise<void> {
  const body = JSON.stringify({
    Status: outcome.status,
    Reason: outcome.reason.length > MAX_REASON_LENGTH ? `${outcome.reason.slice(0, MAX_REASON_LENGTH - 3)}...` : outcome.reason,
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: outcome.data ?? {},
  });
  const url = new URL(event.ResponseURL);
  const request = url.protocol === 'http:' ? http.request : https.request;
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        return status >= 200 && status < 300 ? resolve() : reject(new Error(`HTTP status ${status}`));
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  });
}

/** Log one line: request type, logical id, physical id and a step. Never the event (ResponseURL is presigned). */
function log(event: CustomResourceEvent, message: string): void {
  console.log(`${event.RequestType} ${event.LogicalResourceId} (${event.PhysicalResourceId ?? 'new'}): ${message}`);
}
