import { createHash, randomBytes, randomUUID } from 'crypto';
import * as OTPAuth from 'otpauth';
import { AwsStub, jsonError, jsonResult, queryError, queryResult, StubRequest, StubResponse, useStubEnvironment, xmlEscape } from './aws-stub';
import { consecutiveCodes } from '../../lib/handler/totp';

// A stateful model of the IAM, Secrets Manager, STS and CloudFormation calls that the device handler, its CloudFormation
// lifecycle and the CLI (mfa-profile) make, served on loopback to the real AWS SDK v3 (AWS_ENDPOINT_URL). Each
// behaviour follows a documented semantic of AWS: IAM users with at most two access keys and 50 tags, virtual MFA
// devices enabled with two consecutive codes (at most 8 per user); Secrets Manager versions and staging labels,
// DeleteSecret with a recovery window or without; STS knows the caller by the access key that signed the request,
// AssumeRole checks the role's trust, the caller's enabled MFA device, the code against its seed (each code once per
// device), RoleSessionName = the user name and the duration, and every answer carries the model's Date; CloudFormation
// a stack's outputs, resources, template and drift.

/** The account and partition of the model. */
export const MODEL_ACCOUNT = '111111111111';
export const MODEL_REGION = 'us-east-1';

/** An IAM user of the model. */
export interface ModelUser {
  readonly userName: string;
  readonly path: string;
  readonly arn: string;
  readonly tags: Map<string, string>;
  readonly accessKeys: Array<{ accessKeyId: string; secretAccessKey: string; status: 'Active' | 'Inactive'; createDate: Date }>;
  hasLoginProfile: boolean;
}

/** A virtual MFA device of the model. */
export interface ModelDevice {
  readonly serialNumber: string;
  readonly name: string;
  readonly path: string;
  /** The base32 seed IAM returned when it created the device (once). */
  readonly seed: string;
  readonly tags: Map<string, string>;
  /** The user the device is enabled for (assigned to), if any. */
  user?: string;
  enableDate?: Date;
}

/** One version of a secret. */
export interface ModelSecretVersion {
  readonly versionId: string;
  readonly secretString: string;
  readonly stages: Set<string>;
  readonly created: number;
}

/** A secret of the model. */
export interface ModelSecret {
  readonly arn: string;
  readonly name: string;
  readonly tags: Map<string, string>;
  readonly kmsKeyId?: string;
  /** The resource policy (PutResourcePolicy), as JSON text. */
  policy?: string;
  readonly versions: Map<string, ModelSecretVersion>;
  /** Set by DeleteSecret with a recovery window: the secret still exists, but refuses most calls. */
  deletedDate?: Date;
}

/** A resource of a CloudFormation stack of the model. */
export interface ModelStackResource {
  readonly logicalId: string;
  readonly type: string;
  physicalId?: string;
  status: string;
  /** The property whose actual value differs from the template's (DetectStackResourceDrift: MODIFIED), if any. */
  drifted?: string;
}

/** A CloudFormation stack of the model. */
export interface ModelStack {
  readonly stackId: string;
  readonly stackName: string;
  status: string;
  /** The template GetTemplate returns (parsed). */
  template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>; Parameters?: Record<string, unknown> };
  readonly parameters: Map<string, string>;
  readonly resources: Map<string, ModelStackResource>;
  /** The stack's outputs (DescribeStacks), by output key. */
  outputs?: Record<string, string>;
}

/** A role of the model, in this account or another: what its trust allows (users of this account, with MFA). */
export interface ModelRole {
  readonly arn: string;
  readonly trustedUsers: string[];
  readonly maxSessionDuration: number;
}

/** Faults the model injects: throttling at a rate, delays, lost answers, one-off errors. */
export interface ModelFaults {
  /** Requests per second each service accepts (a token bucket of one second's capacity); the rest get its throttling error. */
  readonly ratePerSecond?: Partial<Record<'iam' | 'secretsmanager' | 'cloudformation', number>>;
}

/** A fault for the next calls of one action. */
interface PendingFault {
  readonly action: string;
  /** How many more calls it applies to. */
  remaining: number;
  /** An error instead of the answer (the call has no effect). */
  readonly error?: { code: string; message: string; status?: number };
  /** The call takes effect, but the answer comes this late (or never, with `lose`). */
  readonly delayMs?: number;
  /** The call takes effect and its answer never comes (the client must time out or abort). */
  readonly lose?: boolean;
  /** Called when the call arrives, before it takes effect (tests sequence events with it). */
  readonly onCall?: () => void | Promise<void>;
}

/** Who signs the calls of an access key: the principal's ARN and the request context its calls carry. */
export interface ModelPrincipal {
  readonly arn: string;
  /** Context keys of every call (e.g. `lambda:SourceFunctionArn` for a Lambda function's credentials). */
  readonly context?: Record<string, string>;
}

/** One authorization a call needs, as IAM evaluates it: the principal, action, resource, request context, resource policy. */
export interface ModelAuthorization {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
  /** The resource's own policy (a secret's resource policy), if it has one. */
  readonly resourcePolicy?: unknown;
}

/** Decides an authorization: `Allowed`, or the evaluator's denial (`ExplicitlyDenied`, `ImplicitlyDenied`). */
export type ModelAuthorizer = (request: ModelAuthorization) => Promise<string>;

class ModelError extends Error {
  constructor(public readonly code: string, message: string, public readonly status = 400) {
    super(message);
  }
}

/**
 * The model. `AwsModel.start()` serves it on loopback; `url` goes into `AWS_ENDPOINT_URL`.
 */
export class AwsModel {
  public static async start(faults: ModelFaults = {}): Promise<AwsModel> {
    const model = new AwsModel(faults);
    model.stub = await AwsStub.start((request) => model.handle(request), 600_000);
    return model;
  }

  public readonly users = new Map<string, ModelUser>();
  public readonly devices = new Map<string, ModelDevice>();
  public readonly secrets = new Map<string, ModelSecret>();
  public readonly stacks = new Map<string, ModelStack>();
  /** Roles by ARN, for STS AssumeRole. */
  public readonly roles = new Map<string, ModelRole>();
  /** The admin key of the person who deployed the stack and runs mfa-profile (STS knows it as the user deployer). */
  public readonly adminKey = { id: 'AKIADEPLOYER00000001', secret: 'deployer-secret-not-real' };
  /** The temporary credentials STS issued, by access key id: the session they act as. */
  private readonly sessions = new Map<string, { readonly secret: string; readonly arn: string }>();
  /** The codes each device has used (STS accepts a code once), by serial number in lower case. */
  private readonly usedCodes = new Map<string, Set<string>>();
  /** Every call by action, and the calls that were answered with a throttling error. */
  public readonly callCounts = new Map<string, number>();
  public throttled = 0;
  /** The clock IAM and STS check TOTP codes against, and STS's Date (milliseconds since the epoch). */
  public now: () => number = Date.now;
  /**
   * The principals that sign with an access key id: their calls are authorized by `authorizer` (identity policies and,
   * for a secret, its resource policy), and refused with AWS's AccessDenied error unless allowed. Calls signed with any
   * other key are not authorized (the tests' own calls, as an administrator).
   */
  public readonly principals = new Map<string, ModelPrincipal>();
  /** How the calls of `principals` are authorized (e.g. the IAM evaluator on a template's policies). */
  public authorizer?: ModelAuthorizer;
  /** Every refused authorization, as `<principal> <action> <resource>: <result>`. */
  public readonly denials: string[] = [];
  private stub!: AwsStub;
  private readonly pending: PendingFault[] = [];
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private readonly lost: Array<() => void> = [];

  private constructor(private faults: ModelFaults) {}

  /** The base URL for AWS_ENDPOINT_URL. */
  public get url(): string {
    return this.stub.url;
  }

  /** Every request that reached the model (IAM, Secrets Manager, CloudFormation and the custom resource responses). */
  public get requests(): StubRequest[] {
    return this.stub.requests;
  }

  /** The recorded calls of one action. */
  public calls(action: string): StubRequest[] {
    return this.stub.calls(action);
  }

  /** Change the throttling rates. */
  public setFaults(faults: ModelFaults): void {
    this.faults = faults;
    this.buckets.clear();
  }

  /** Fail the next `times` calls of `action` with an AWS error; the calls have no effect. */
  public failNext(action: string, code: string, message: string, times = 1, status = 400): void {
    this.pending.push({ action, remaining: times, error: { code, message, status } });
  }

  /** The next `times` calls of `action` take effect, but their answers come `delayMs` late. */
  public delayNext(action: string, delayMs: number, times = 1): void {
    this.pending.push({ action, remaining: times, delayMs });
  }

  /** The next `times` calls of `action` take effect, and their answers never come. */
  public loseNext(action: string, times = 1): void {
    this.pending.push({ action, remaining: times, lose: true });
  }

  /** Run `callback` when the next call of `action` arrives, before it takes effect. */
  public onNext(action: string, callback: () => void | Promise<void>): void {
    this.pending.push({ action, remaining: 1, onCall: callback });
  }

  /** Stop the server. */
  public async stop(): Promise<void> {
    this.lost.forEach((release) => release());
    await this.stub.stop();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // State helpers for tests and the CloudFormation simulator

  /** Move the model's clock by `ms`. */
  public advance(ms: number): void {
    const base = this.now;
    this.now = () => base() + ms;
  }

  /** The code an authenticator app shows for a seed at the model's time, `steps` periods later. */
  public code(seed: string, steps = 0): string {
    return totp(seed).generate({ timestamp: this.now() + steps * 30_000 });
  }

  /** A role that trusts `trustedUsers` of this account with MFA; in this account unless the ARN names another. */
  public addRole(roleName: string, trustedUsers: string[], maxSessionDuration = 3600, arn = `arn:aws:iam::${MODEL_ACCOUNT}:role/${roleName}`): ModelRole {
    const role = { arn, trustedUsers, maxSessionDuration };
    this.roles.set(arn, role);
    return role;
  }

  /** The secret access key of an access key the model issued (a user's, or temporary credentials), if any. */
  public secretOfKey(accessKeyId: string): string | undefined {
    return [...this.users.values()].flatMap((u) => u.accessKeys).find((k) => k.accessKeyId === accessKeyId)?.secretAccessKey
      ?? this.sessions.get(accessKeyId)?.secret;
  }

  /**
   * What the device handler does for `Custom::VirtualMfaDevice` Create, as state: the device (at `serialNumber`), enabled
   * for the user unless `enable` is false, and the seed in the secret `secretName`.
   */
  public handlerCreatesDevice(userName: string, secretName: string, enable: boolean, serialNumber = `arn:aws:iam::${MODEL_ACCOUNT}:mfa/${userName}`):
  { serialNumber: string; seed: string; secretArn: string } {
    const [, path, name] = /^arn:[^:]+:iam::\d{12}:mfa(\/(?:.*\/)?)([^/]+)$/.exec(serialNumber)!;
    const seed = new OTPAuth.Secret({ size: 40 }).base32;
    this.devices.set(serialNumber.toLowerCase(), {
      serialNumber, name, path, seed, tags: new Map(), ...(enable ? { user: userName, enableDate: new Date(this.now()) } : {}),
    });
    const secret: ModelSecret = {
      arn: `arn:aws:secretsmanager:${MODEL_REGION}:${MODEL_ACCOUNT}:secret:${secretName}-${randomBytes(3).toString('hex')}`,
      name: secretName,
      tags: new Map(),
      versions: new Map(),
    };
    this.secrets.set(secret.arn, secret);
    this.putVersion(secret, JSON.stringify({ serialNumber, userName, seed, enabled: enable }), randomUUID());
    return { serialNumber, seed, secretArn: secret.arn };
  }

  /** Create a user as CloudFormation would (AWS::IAM::User), with the given tags. */
  public createUser(userName: string, path = '/', tags: Record<string, string> = {}): ModelUser {
    const user = this.iamCreateUser(userName, path, tags);
    return user;
  }

  /** The devices this model holds that carry `tag` = `value`. */
  public devicesTagged(tag: string, value: string): ModelDevice[] {
    return [...this.devices.values()].filter((d) => d.tags.get(tag) === value);
  }

  /** A secret by name or ARN, undefined when it does not exist (deleted with recovery: still exists). */
  public secret(id: string): ModelSecret | undefined {
    return this.findSecret(id);
  }

  /** The AWSCURRENT value of a secret. */
  public currentValue(id: string): string | undefined {
    const secret = this.findSecret(id);
    return secret ? [...secret.versions.values()].find((v) => v.stages.has('AWSCURRENT'))?.secretString : undefined;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Dispatch

  /** Answer one request, as the loopback server does. */
  public async handle(request: StubRequest): Promise<StubResponse> {
    if (request.path.startsWith('/cloudformation-response')) {
      return this.onResponse(request);
    }
    const service = request.service || (request.headers['x-amz-target'] ? 'secretsmanager' : 'iam');
    this.callCounts.set(request.action, (this.callCounts.get(request.action) ?? 0) + 1);
    if (!this.takeToken(service)) {
      this.throttled++;
      return service === 'secretsmanager'
        ? jsonError('ThrottlingException', 'Rate exceeded', 400)
        : queryError('Throttling', 'Rate exceeded', 400);
    }
    const fault = this.takeFault(request.action);
    if (fault?.onCall) {
      await fault.onCall();
    }
    if (fault?.error) {
      return service === 'secretsmanager'
        ? jsonError(fault.error.code, fault.error.message, fault.error.status)
        : queryError(fault.error.code, fault.error.message, fault.error.status);
    }
    const denied = await this.authorize(service, request);
    if (denied) {
      return denied;
    }
    let answer: StubResponse;
    try {
      answer = service === 'secretsmanager' ? this.secretsManager(request)
        : service === 'cloudformation' ? this.cloudFormation(request)
          : service === 'sts' ? this.sts(request)
            : this.iam(request);
    } catch (err) {
      if (!(err instanceof ModelError)) {
        throw err;
      }
      answer = service === 'secretsmanager' ? jsonError(err.code, err.message, err.status) : queryError(err.code, err.message, err.status);
    }
    if (fault?.lose) {
      // Applied, but the answer never comes: the connection stays open until the client gives up.
      return new Promise<StubResponse>((resolve) => this.lost.push(() => resolve({ status: 500, body: 'lost' })));
    }
    if (fault?.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    }
    // Every AWS answer carries the server's Date (mfa-profile doctor compares the local clock with STS's).
    return { ...answer, headers: { ...answer.headers, date: new Date(this.now()).toUTCString() } };
  }

  /**
   * Authorize a call of a registered principal: undefined when every authorization it needs is allowed, else AWS's
   * AccessDenied answer (IAM and CloudFormation: AccessDenied, 403; Secrets Manager: AccessDeniedException, 400).
   */
  private async authorize(service: string, request: StubRequest): Promise<StubResponse | undefined> {
    const accessKeyId = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1] ?? '';
    const principal = this.principals.get(accessKeyId);
    if (!principal || !this.authorizer) {
      return undefined;
    }
    for (const needed of this.authorizationsOf(service, request.action, request.params)) {
      const authorization: ModelAuthorization = {
        ...needed,
        principal: principal.arn,
        context: { 'aws:PrincipalArn': principal.arn, ...principal.context, ...needed.context },
      };
      const result = await this.authorizer(authorization);
      if (result !== 'Allowed') {
        this.denials.push(`${principal.arn} ${needed.action} ${needed.resource}: ${result}`);
        const message = `User: ${principal.arn} is not authorized to perform: ${needed.action} on resource: ${needed.resource}`
          + (result === 'ExplicitlyDenied' ? ' with an explicit deny' : '');
        return service === 'secretsmanager' ? jsonError('AccessDeniedException', message, 400) : queryError('AccessDenied', message, 403);
      }
    }
    return undefined;
  }

  /**
   * What a call needs authorized, as the Service Authorization Reference lists it: the action on the resource it names,
   * with the resource's tags (aws:ResourceTag) and, for a call that tags, the request's tags (aws:RequestTag, aws:TagKeys)
   * and the tagging action too (CreateSecret with Tags needs secretsmanager:TagResource, CreateVirtualMFADevice with Tags
   * iam:TagMFADevice). A Secrets Manager call on a secret that does not exist is authorized without tags (below); an IAM
   * or CloudFormation call on a resource that does not exist is answered with the service's not-found error without an
   * authorization (an assumption: AWS does not document the order for every action).
   */
  private authorizationsOf(service: string, action: string, p: Record<string, any>): Array<Omit<ModelAuthorization, 'principal'>> {
    const resourceTags = (tags: Map<string, string>) => Object.fromEntries([...tags].map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
    const requestTags = (tags: Record<string, string>) => (Object.keys(tags).length === 0 ? {}
      : { ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), 'aws:TagKeys': Object.keys(tags) });
    const one = (name: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: unknown) =>
      [{ action: `${name}`, resource, context, ...(resourcePolicy ? { resourcePolicy } : {}) }];
    if (service === 'iam') {
      if (action === 'CreateVirtualMFADevice') {
        const resource = `arn:aws:iam::${MODEL_ACCOUNT}:mfa${p.Path ?? '/'}${p.VirtualMFADeviceName}`;
        const tags = tagsOf(p);
        return [...one('iam:CreateVirtualMFADevice', resource, requestTags(tags)),
          ...(Object.keys(tags).length ? one('iam:TagMFADevice', resource, requestTags(tags)) : [])];
      }
      if (p.SerialNumber !== undefined && ['DeleteVirtualMFADevice', 'ListMFADeviceTags', 'TagMFADevice'].includes(action)) {
        const device = this.devices.get(String(p.SerialNumber).toLowerCase());
        return device ? one(`iam:${action}`, device.serialNumber, { ...resourceTags(device.tags), ...requestTags(tagsOf(p)) }) : [];
      }
      if (p.UserName !== undefined) {
        const user = this.users.get(String(p.UserName).toLowerCase());
        return user ? one(`iam:${action}`, user.arn, resourceTags(user.tags)) : [];
      }
      return one(`iam:${action}`, '*');
    }
    if (service === 'secretsmanager') {
      if (action === 'CreateSecret') {
        const resource = `arn:aws:secretsmanager:${MODEL_REGION}:${MODEL_ACCOUNT}:secret:${p.Name}-AbCdEf`;
        const tags = Object.fromEntries((p.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
        return [...one('secretsmanager:CreateSecret', resource, requestTags(tags)),
          ...(Object.keys(tags).length ? one('secretsmanager:TagResource', resource, requestTags(tags)) : [])];
      }
      const secret = this.findSecret(p.SecretId);
      if (!secret) {
        // Secrets Manager authorizes before it looks a secret up: a caller whose policy needs the secret's tags (which a
        // secret that does not exist has none of) gets AccessDeniedException, not ResourceNotFoundException, and so
        // learns nothing about which names exist.
        const id = String(p.SecretId ?? '');
        return one(`secretsmanager:${action}`, id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${MODEL_REGION}:${MODEL_ACCOUNT}:secret:${id}`);
      }
      return one(`secretsmanager:${action}`, secret.arn, resourceTags(secret.tags), secret.policy ? JSON.parse(secret.policy) : undefined);
    }
    if (service === 'cloudformation') {
      const stack = this.stacks.get(p.StackName) ?? [...this.stacks.values()].find((s) => s.stackName === p.StackName);
      return stack ? one(`cloudformation:${action}`, stack.stackId) : [];
    }
    return [];
  }

  /** The custom resource responses go to the simulator (set by it); the model only acknowledges them. */
  public onCustomResourceResponse: (body: string) => StubResponse = () => ({ status: 200 });

  private onResponse(request: StubRequest): StubResponse {
    return this.onCustomResourceResponse(request.body);
  }

  private takeFault(action: string): PendingFault | undefined {
    const index = this.pending.findIndex((f) => f.action === action && f.remaining > 0);
    if (index < 0) {
      return undefined;
    }
    const fault = this.pending[index];
    fault.remaining--;
    if (fault.remaining === 0) {
      this.pending.splice(index, 1);
    }
    return fault;
  }

  /** A token bucket per service: `rate` tokens per second, at most `rate` stored (one second's burst). */
  private takeToken(service: string): boolean {
    const rate = this.faults.ratePerSecond?.[service as 'iam'];
    if (!rate) {
      return true;
    }
    const now = Date.now();
    const bucket = this.buckets.get(service) ?? { tokens: rate, last: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.last) / 1000) * rate);
    bucket.last = now;
    this.buckets.set(service, bucket);
    if (bucket.tokens < 1) {
      return false;
    }
    bucket.tokens -= 1;
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // IAM (Query protocol)

  private iam(request: StubRequest): StubResponse {
    const p = request.params;
    const action = request.action;
    const ok = (inner = '') => queryResult('iam', action, inner);
    switch (action) {
      case 'CreateUser': {
        const user = this.iamCreateUser(p.UserName, p.Path ?? '/', tagsOf(p));
        return ok(`<User>${userXml(user)}</User>`);
      }
      case 'GetUser':
        return ok(`<User>${userXml(this.user(p.UserName))}</User>`);
      case 'DeleteUser': {
        const user = this.user(p.UserName);
        if (user.accessKeys.length > 0 || user.hasLoginProfile || [...this.devices.values()].some((d) => d.user === user.userName)) {
          throw new ModelError('DeleteConflict', 'Cannot delete entity, must delete access keys, login profile and MFA devices first.', 409);
        }
        this.users.delete(user.userName.toLowerCase());
        return ok();
      }
      case 'CreateVirtualMFADevice': {
        const path = p.Path ?? '/';
        const name = p.VirtualMFADeviceName;
        checkName('VirtualMFADeviceName', name, 226);
        const serialNumber = `arn:aws:iam::${MODEL_ACCOUNT}:mfa${path}${name}`;
        // IAM names are unique case-insensitively, across paths.
        if ([...this.devices.values()].some((d) => d.name.toLowerCase() === name.toLowerCase())) {
          throw new ModelError('EntityAlreadyExists', 'MFADevice entity at the same path and name already exists.', 409);
        }
        // IAM's seed: 40 random bytes in base32 (64 characters).
        const seed = new OTPAuth.Secret({ size: 40 }).base32;
        const device: ModelDevice = { serialNumber, name, path, seed, tags: new Map(Object.entries(tagsOf(p))) };
        this.devices.set(serialNumber.toLowerCase(), device);
        return ok(`<VirtualMFADevice><SerialNumber>${xmlEscape(serialNumber)}</SerialNumber>`
          + `<Base32StringSeed>${Buffer.from(seed, 'ascii').toString('base64')}</Base32StringSeed>`
          + `<QRCodePNG>${Buffer.from('png').toString('base64')}</QRCodePNG>${tagsXml(device.tags)}</VirtualMFADevice>`);
      }
      case 'EnableMFADevice': {
        const user = this.user(p.UserName);
        const device = this.devices.get(String(p.SerialNumber).toLowerCase());
        if (!device) {
          throw new ModelError('NoSuchEntity', `MFA device with serial number ${p.SerialNumber} does not exist.`, 404);
        }
        if (device.user) {
          throw new ModelError('EntityAlreadyExists', 'MFA Device is already in use.', 409);
        }
        if ([...this.devices.values()].filter((d) => d.user === user.userName).length >= 8) {
          throw new ModelError('LimitExceeded', 'Cannot exceed quota for MFADevicesPerUser: 8', 409);
        }
        if (!codesValid(device.seed, p.AuthenticationCode1, p.AuthenticationCode2, this.now())) {
          throw new ModelError('InvalidAuthenticationCode', 'Authentication code for device is not valid.', 403);
        }
        device.user = user.userName;
        device.enableDate = new Date(this.now());
        this.codesOf(device.serialNumber).add(p.AuthenticationCode1).add(p.AuthenticationCode2);
        return ok();
      }
      case 'DeactivateMFADevice': {
        const user = this.user(p.UserName);
        const device = this.devices.get(String(p.SerialNumber).toLowerCase());
        if (!device || device.user !== user.userName) {
          throw new ModelError('NoSuchEntity', `MFA Device with serial number ${p.SerialNumber} does not exist for user ${p.UserName}.`, 404);
        }
        device.user = undefined;
        device.enableDate = undefined;
        return ok();
      }
      case 'DeleteVirtualMFADevice': {
        const device = this.devices.get(String(p.SerialNumber).toLowerCase());
        if (!device) {
          throw new ModelError('NoSuchEntity', `VirtualMFADevice with serial number ${p.SerialNumber} doesn't exist.`, 404);
        }
        if (device.user) {
          throw new ModelError('DeleteConflict', 'MFA Device is still in use', 409);
        }
        this.devices.delete(device.serialNumber.toLowerCase());
        return ok();
      }
      case 'ListMFADevices': {
        const user = this.user(p.UserName);
        const devices = [...this.devices.values()].filter((d) => d.user === user.userName);
        return ok(`<MFADevices>${devices.map((d) => `<member><UserName>${xmlEscape(user.userName)}</UserName><SerialNumber>`
          + `${xmlEscape(d.serialNumber)}</SerialNumber><EnableDate>${d.enableDate!.toISOString()}</EnableDate></member>`).join('')}`
          + '</MFADevices><IsTruncated>false</IsTruncated>');
      }
      case 'ListVirtualMFADevices': {
        const status = p.AssignmentStatus ?? 'Any';
        const devices = [...this.devices.values()].filter((d) => status === 'Any' || (status === 'Assigned') === (d.user !== undefined));
        return ok(`<VirtualMFADevices>${devices.map((d) => `<member><SerialNumber>${xmlEscape(d.serialNumber)}</SerialNumber>`
          + (d.user ? `<User>${userXml(this.user(d.user))}</User><EnableDate>${d.enableDate!.toISOString()}</EnableDate>` : '')
          + '</member>').join('')}</VirtualMFADevices><IsTruncated>false</IsTruncated>`);
      }
      case 'ListMFADeviceTags': {
        const device = this.devices.get(String(p.SerialNumber).toLowerCase());
        if (!device) {
          throw new ModelError('NoSuchEntity', `MFA device with serial number ${p.SerialNumber} doesn't exist.`, 404);
        }
        return ok(`${tagsXml(device.tags)}<IsTruncated>false</IsTruncated>`);
      }
      case 'TagMFADevice': {
        const device = this.devices.get(String(p.SerialNumber).toLowerCase());
        if (!device) {
          throw new ModelError('NoSuchEntity', `MFA device with serial number ${p.SerialNumber} doesn't exist.`, 404);
        }
        Object.entries(tagsOf(p)).forEach(([k, v]) => device.tags.set(k, v));
        return ok();
      }
      case 'CreateAccessKey': {
        const user = this.user(p.UserName);
        if (user.accessKeys.length >= 2) {
          throw new ModelError('LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2', 409);
        }
        const key = {
          accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
          secretAccessKey: randomBytes(30).toString('base64').slice(0, 40),
          status: 'Active' as const,
          createDate: new Date(),
        };
        user.accessKeys.push(key);
        return ok(`<AccessKey><UserName>${xmlEscape(user.userName)}</UserName><AccessKeyId>${key.accessKeyId}</AccessKeyId>`
          + `<Status>Active</Status><SecretAccessKey>${xmlEscape(key.secretAccessKey)}</SecretAccessKey>`
          + `<CreateDate>${key.createDate.toISOString()}</CreateDate></AccessKey>`);
      }
      case 'ListAccessKeys': {
        const user = this.user(p.UserName);
        return ok(`<AccessKeyMetadata>${user.accessKeys.map((k) => `<member><UserName>${xmlEscape(user.userName)}</UserName>`
          + `<AccessKeyId>${k.accessKeyId}</AccessKeyId><Status>${k.status}</Status><CreateDate>${k.createDate.toISOString()}</CreateDate>`
          + '</member>').join('')}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`);
      }
      case 'DeleteAccessKey': {
        const user = this.user(p.UserName);
        const index = user.accessKeys.findIndex((k) => k.accessKeyId === p.AccessKeyId);
        if (index < 0) {
          throw new ModelError('NoSuchEntity', `The Access Key with id ${p.AccessKeyId} cannot be found.`, 404);
        }
        user.accessKeys.splice(index, 1);
        return ok();
      }
      case 'TagUser': {
        // Adds the tags or overwrites their values; a user holds at most 50 tags.
        const user = this.user(p.UserName);
        const tags = new Map([...user.tags, ...Object.entries(tagsOf(p))]);
        if (tags.size > 50) {
          throw new ModelError('LimitExceeded', 'The number of tags has reached the maximum limit.', 409);
        }
        tags.forEach((v, k) => user.tags.set(k, v));
        return ok();
      }
      case 'UntagUser': {
        // Removes the keys given; a key the user does not have is no error.
        const user = this.user(p.UserName);
        for (let i = 1; p[`TagKeys.member.${i}`] !== undefined; i++) {
          user.tags.delete(p[`TagKeys.member.${i}`]);
        }
        return ok();
      }
      case 'ListUserTags':
        return ok(`${tagsXml(this.user(p.UserName).tags)}<IsTruncated>false</IsTruncated>`);
      default:
        throw new ModelError('InvalidAction', `The model does not implement IAM ${action}.`);
    }
  }

  private iamCreateUser(userName: string, path: string, tags: Record<string, string>): ModelUser {
    checkName('UserName', userName, 64);
    if (this.users.has(userName.toLowerCase())) {
      throw new ModelError('EntityAlreadyExists', `User with name ${userName} already exists.`, 409);
    }
    const user: ModelUser = {
      userName, path, arn: `arn:aws:iam::${MODEL_ACCOUNT}:user${path}${userName}`, tags: new Map(Object.entries(tags)), accessKeys: [], hasLoginProfile: false,
    };
    this.users.set(userName.toLowerCase(), user);
    return user;
  }

  private user(userName: string): ModelUser {
    const user = this.users.get(String(userName ?? '').toLowerCase());
    if (!user) {
      throw new ModelError('NoSuchEntity', `The user with name ${userName} cannot be found.`, 404);
    }
    return user;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Secrets Manager (JSON protocol)

  private secretsManager(request: StubRequest): StubResponse {
    const p = request.params;
    switch (request.action) {
      case 'CreateSecret': {
        const existing = this.findSecret(p.Name);
        if (existing?.deletedDate) {
          throw new ModelError('InvalidRequestException',
            'You can\'t create this secret because a secret with this name is already scheduled for deletion.');
        }
        if (existing) {
          throw new ModelError('ResourceExistsException', `The operation failed because the secret ${p.Name} already exists.`);
        }
        const secret: ModelSecret = {
          arn: `arn:aws:secretsmanager:${MODEL_REGION}:${MODEL_ACCOUNT}:secret:${p.Name}-${randomBytes(3).toString('hex').slice(0, 6)}`,
          name: p.Name,
          tags: new Map((p.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value])),
          kmsKeyId: p.KmsKeyId,
          versions: new Map(),
        };
        this.secrets.set(secret.arn, secret);
        let versionId: string | undefined;
        if (p.SecretString !== undefined) {
          versionId = this.putVersion(secret, p.SecretString, p.ClientRequestToken ?? randomUUID());
        }
        return jsonResult({ ARN: secret.arn, Name: secret.name, ...(versionId ? { VersionId: versionId } : {}) });
      }
      case 'PutResourcePolicy': {
        const secret = this.liveSecret(p.SecretId);
        try {
          JSON.parse(p.ResourcePolicy);
        } catch {
          throw new ModelError('MalformedPolicyDocumentException', 'You provided a resource-based policy with syntax errors.');
        }
        secret.policy = p.ResourcePolicy;
        return jsonResult({ ARN: secret.arn, Name: secret.name });
      }
      case 'GetResourcePolicy': {
        const secret = this.liveSecret(p.SecretId);
        return jsonResult({ ARN: secret.arn, Name: secret.name, ...(secret.policy ? { ResourcePolicy: secret.policy } : {}) });
      }
      case 'PutSecretValue': {
        const secret = this.liveSecret(p.SecretId);
        const versionId = this.putVersion(secret, p.SecretString, p.ClientRequestToken ?? randomUUID());
        return jsonResult({ ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: [...secret.versions.get(versionId)!.stages] });
      }
      case 'GetSecretValue': {
        const secret = this.liveSecret(p.SecretId);
        const version = p.VersionId
          ? secret.versions.get(p.VersionId)
          : [...secret.versions.values()].find((v) => v.stages.has(p.VersionStage ?? 'AWSCURRENT'));
        if (!version) {
          throw new ModelError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret value for '
            + (p.VersionId ? `VersionId: ${p.VersionId}` : `staging label: ${p.VersionStage ?? 'AWSCURRENT'}`));
        }
        return jsonResult({
          ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: [...version.stages], SecretString: version.secretString,
        });
      }
      case 'DescribeSecret': {
        const secret = this.findSecret(p.SecretId);
        if (!secret) {
          throw new ModelError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.');
        }
        return jsonResult({
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.kmsKeyId ? { KmsKeyId: secret.kmsKeyId } : {}),
          Tags: [...secret.tags].map(([Key, Value]) => ({ Key, Value })),
          VersionIdsToStages: Object.fromEntries([...secret.versions.values()].filter((v) => v.stages.size > 0)
            .map((v) => [v.versionId, [...v.stages]])),
          ...(secret.deletedDate ? { DeletedDate: secret.deletedDate.getTime() / 1000 } : {}),
        });
      }
      case 'ListSecretVersionIds': {
        const secret = this.liveSecret(p.SecretId);
        return jsonResult({
          ARN: secret.arn,
          Name: secret.name,
          Versions: [...secret.versions.values()].filter((v) => p.IncludeDeprecated || v.stages.size > 0)
            .map((v) => ({ VersionId: v.versionId, VersionStages: [...v.stages], CreatedDate: v.created / 1000 })),
        });
      }
      case 'DeleteSecret': {
        const secret = this.findSecret(p.SecretId);
        if (!secret) {
          throw new ModelError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.');
        }
        if (p.ForceDeleteWithoutRecovery && p.RecoveryWindowInDays !== undefined) {
          throw new ModelError('InvalidParameterException', 'You can\'t use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.');
        }
        const deletionDate = new Date();
        if (p.ForceDeleteWithoutRecovery) {
          // Gone at once, with every version and label. (AWS deletes asynchronously; the name may stay taken for a short while.)
          this.secrets.delete(secret.arn);
        } else {
          secret.deletedDate = deletionDate;
        }
        return jsonResult({ ARN: secret.arn, Name: secret.name, DeletionDate: deletionDate.getTime() / 1000 });
      }
      case 'RestoreSecret': {
        const secret = this.findSecret(p.SecretId);
        if (!secret) {
          throw new ModelError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.');
        }
        secret.deletedDate = undefined;
        return jsonResult({ ARN: secret.arn, Name: secret.name });
      }
      default:
        throw new ModelError('InvalidRequestException', `The model does not implement Secrets Manager ${request.action}.`);
    }
  }

  /**
   * PutSecretValue's versioning: a new version gets AWSCURRENT, the version that had it gets AWSPREVIOUS (and loses
   * AWSCURRENT); the version that had AWSPREVIOUS keeps no label but stays readable by VersionId. A repeated
   * ClientRequestToken with the same value is a no-op; with another value it fails.
   */
  private putVersion(secret: ModelSecret, secretString: string, token: string): string {
    const existing = secret.versions.get(token);
    if (existing) {
      if (existing.secretString !== secretString) {
        throw new ModelError('ResourceExistsException', 'You can\'t modify an existing version, you can only create a new version.');
      }
      return token;
    }
    for (const version of secret.versions.values()) {
      version.stages.delete('AWSPREVIOUS');
    }
    for (const version of secret.versions.values()) {
      if (version.stages.delete('AWSCURRENT')) {
        version.stages.add('AWSPREVIOUS');
      }
    }
    secret.versions.set(token, { versionId: token, secretString, stages: new Set(['AWSCURRENT']), created: Date.now() });
    return token;
  }

  /** A secret by name, full ARN or partial ARN (without the random suffix). */
  private findSecret(id: string): ModelSecret | undefined {
    const text = String(id ?? '');
    return this.secrets.get(text)
      ?? [...this.secrets.values()].find((s) => s.name === text || s.arn.replace(/-[0-9a-f]{6}$/, '') === text);
  }

  private liveSecret(id: string): ModelSecret {
    const secret = this.findSecret(id);
    if (!secret) {
      throw new ModelError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.');
    }
    if (secret.deletedDate) {
      throw new ModelError('InvalidRequestException', 'You can\'t perform this operation on the secret because it was marked for deletion.');
    }
    return secret;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // STS (Query protocol): the calls mfa-profile makes (setup's verification, doctor, session)

  private sts(request: StubRequest): StubResponse {
    const p = request.params;
    const ok = (inner: string) => queryResult('sts', request.action, inner);
    const caller = this.caller(request);
    if (caller === undefined) {
      throw new ModelError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    }
    switch (request.action) {
      case 'GetCallerIdentity':
        return ok(`<Arn>${caller.arn}</Arn><UserId>AIDAMODEL</UserId><Account>${MODEL_ACCOUNT}</Account>`);
      case 'AssumeRole': {
        const role = this.roles.get(p.RoleArn);
        if (!role || caller.userName === undefined || !role.trustedUsers.includes(caller.userName) || p.SerialNumber === undefined
          || p.RoleSessionName !== caller.userName) {
          throw new ModelError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${p.RoleArn}`, 403);
        }
        this.checkMfa(caller.userName, p.SerialNumber, p.TokenCode);
        const duration = Number(p.DurationSeconds ?? 3600);
        if (duration > role.maxSessionDuration) {
          throw new ModelError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
        }
        // The session is in the role's account (a role in another account trusts this one's users).
        const session = `arn:aws:sts::${p.RoleArn.split(':')[4]}:assumed-role/${p.RoleArn.split('/').pop()}/${p.RoleSessionName}`;
        return ok(this.temporaryCredentials(duration, session) + `<AssumedRoleUser><AssumedRoleId>AROAMODEL:${xmlEscape(p.RoleSessionName)}`
          + `</AssumedRoleId><Arn>${xmlEscape(session)}</Arn></AssumedRoleUser>`);
      }
      case 'GetSessionToken': {
        if (caller.userName === undefined) {
          throw new ModelError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
        }
        if (p.SerialNumber !== undefined) {
          this.checkMfa(caller.userName, p.SerialNumber, p.TokenCode);
        }
        const duration = Number(p.DurationSeconds ?? 43200);
        if (duration < 900 || duration > 129600) {
          throw new ModelError('ValidationError', `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint`);
        }
        return ok(this.temporaryCredentials(duration, caller.arn));
      }
      default:
        throw new ModelError('InvalidAction', `The model does not implement STS ${request.action}.`);
    }
  }

  /** Who signed a request: a user by its access key, the deployer by the admin key, or a session; undefined for any other key. */
  private caller(request: StubRequest): { readonly userName?: string; readonly arn: string } | undefined {
    const keyId = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
    const user = [...this.users.values()].find((u) => u.accessKeys.some((k) => k.accessKeyId === keyId && k.status === 'Active'));
    if (user) {
      return { userName: user.userName, arn: user.arn };
    }
    if (keyId === this.adminKey.id) {
      return { arn: `arn:aws:iam::${MODEL_ACCOUNT}:user/deployer` };
    }
    const session = keyId === undefined ? undefined : this.sessions.get(keyId);
    return session && { arn: session.arn };
  }

  /** STS's MFA check: the user's enabled device, a valid code for its seed (one period either side), not used before. */
  private checkMfa(userName: string, serialNumber: string, code: string | undefined): void {
    const device = this.devices.get(serialNumber.toLowerCase());
    if (!device || device.user !== userName) {
      throw new ModelError('AccessDenied', 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number '
        + 'is valid and associated with this user.', 403);
    }
    const used = this.codesOf(serialNumber);
    if (code === undefined || totp(device.seed).validate({ token: code, timestamp: this.now(), window: 1 }) === null || used.has(code)) {
      throw new ModelError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code. ', 403);
    }
    used.add(code);
  }

  private codesOf(serialNumber: string): Set<string> {
    const codes = this.usedCodes.get(serialNumber.toLowerCase()) ?? new Set<string>();
    this.usedCodes.set(serialNumber.toLowerCase(), codes);
    return codes;
  }

  private temporaryCredentials(duration: number, arn: string): string {
    const id = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const secret = randomBytes(30).toString('base64').slice(0, 40);
    this.sessions.set(id, { secret, arn });
    return `<Credentials><AccessKeyId>${id}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>model-session-token</SessionToken>`
      + `<Expiration>${new Date(this.now() + duration * 1000).toISOString()}</Expiration></Credentials>`;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // CloudFormation (Query protocol): the reads the handler makes of its own stack, and mfa-profile's (outputs, drift)

  /** Add a stack to the model (the simulator drives its status, template and resources). */
  public addStack(stackName: string, template: ModelStack['template'], parameters: Record<string, string> = {}): ModelStack {
    const stackId = `arn:aws:cloudformation:${MODEL_REGION}:${MODEL_ACCOUNT}:stack/${stackName}/${randomUUID()}`;
    const stack: ModelStack = { stackId, stackName, status: 'CREATE_IN_PROGRESS', template, parameters: new Map(Object.entries(parameters)), resources: new Map() };
    this.stacks.set(stackId, stack);
    return stack;
  }

  private stack(name: string): ModelStack {
    const stack = this.stacks.get(name) ?? [...this.stacks.values()].find((s) => s.stackName === name && !s.status.startsWith('DELETE_COMPLETE'));
    if (!stack) {
      throw new ModelError('ValidationError', `Stack with id ${name} does not exist`);
    }
    return stack;
  }

  private cloudFormation(request: StubRequest): StubResponse {
    const p = request.params;
    const ok = (inner: string) => queryResult('cloudformation', request.action, inner);
    switch (request.action) {
      case 'DescribeStacks': {
        const stack = this.stack(p.StackName);
        return ok(`<Stacks><member><StackName>${stack.stackName}</StackName><StackId>${stack.stackId}</StackId>`
          + `<CreationTime>${new Date().toISOString()}</CreationTime><StackStatus>${stack.status}</StackStatus><Parameters>`
          + [...stack.parameters].map(([k, v]) => `<member><ParameterKey>${xmlEscape(k)}</ParameterKey><ParameterValue>${xmlEscape(v)}</ParameterValue></member>`).join('')
          + '</Parameters><Outputs>'
          + Object.entries(stack.outputs ?? {}).map(([k, v]) => `<member><OutputKey>${xmlEscape(k)}</OutputKey><OutputValue>${xmlEscape(v)}</OutputValue></member>`).join('')
          + '</Outputs></member></Stacks>');
      }
      case 'DescribeStackResources': {
        const stack = this.stack(p.StackName);
        return ok(`<StackResources>${[...stack.resources.values()].map((r) => `<member><StackName>${stack.stackName}</StackName>`
          + `<StackId>${stack.stackId}</StackId><LogicalResourceId>${xmlEscape(r.logicalId)}</LogicalResourceId>`
          + (r.physicalId ? `<PhysicalResourceId>${xmlEscape(r.physicalId)}</PhysicalResourceId>` : '')
          + `<ResourceType>${xmlEscape(r.type)}</ResourceType><Timestamp>${new Date().toISOString()}</Timestamp>`
          + `<ResourceStatus>${r.status}</ResourceStatus></member>`).join('')}</StackResources>`);
      }
      case 'DetectStackResourceDrift': {
        const stack = this.stack(p.StackName);
        const resource = stack.resources.get(p.LogicalResourceId);
        if (!resource) {
          throw new ModelError('ValidationError', `Resource ${p.LogicalResourceId} does not exist for stack ${stack.stackName}`);
        }
        const differences = resource.drifted ? `<PropertyDifferences><member><PropertyPath>${xmlEscape(resource.drifted)}</PropertyPath>`
          + '<ExpectedValue>a</ExpectedValue><ActualValue>b</ActualValue><DifferenceType>NOT_EQUAL</DifferenceType></member></PropertyDifferences>' : '';
        return ok(`<StackResourceDrift><StackId>${stack.stackId}</StackId><LogicalResourceId>${xmlEscape(resource.logicalId)}</LogicalResourceId>`
          + (resource.physicalId ? `<PhysicalResourceId>${xmlEscape(resource.physicalId)}</PhysicalResourceId>` : '')
          + `<ResourceType>${xmlEscape(resource.type)}</ResourceType><StackResourceDriftStatus>${resource.drifted ? 'MODIFIED' : 'IN_SYNC'}`
          + `</StackResourceDriftStatus>${differences}<Timestamp>${new Date().toISOString()}</Timestamp></StackResourceDrift>`);
      }
      case 'DescribeStackResource': {
        const stack = this.stack(p.StackName);
        const resource = stack.resources.get(p.LogicalResourceId);
        if (!resource) {
          throw new ModelError('ValidationError', `Resource ${p.LogicalResourceId} does not exist for stack ${stack.stackName}`);
        }
        return ok(`<StackResourceDetail><StackName>${stack.stackName}</StackName><StackId>${stack.stackId}</StackId>`
          + `<LogicalResourceId>${xmlEscape(resource.logicalId)}</LogicalResourceId>`
          + (resource.physicalId ? `<PhysicalResourceId>${xmlEscape(resource.physicalId)}</PhysicalResourceId>` : '')
          + `<ResourceType>${xmlEscape(resource.type)}</ResourceType><LastUpdatedTimestamp>${new Date().toISOString()}</LastUpdatedTimestamp>`
          + `<ResourceStatus>${resource.status}</ResourceStatus></StackResourceDetail>`);
      }
      case 'ListStackResources': {
        // CloudFormation pages the summaries (100 per page here).
        const stack = this.stack(p.StackName);
        const start = Number(p.NextToken ?? 0);
        const page = [...stack.resources.values()].slice(start, start + 100);
        const next = start + 100 < stack.resources.size ? `<NextToken>${start + 100}</NextToken>` : '';
        return ok(`${next}<StackResourceSummaries>${page.map((r) => `<member><LogicalResourceId>${xmlEscape(r.logicalId)}</LogicalResourceId>`
          + (r.physicalId ? `<PhysicalResourceId>${xmlEscape(r.physicalId)}</PhysicalResourceId>` : '')
          + `<ResourceType>${xmlEscape(r.type)}</ResourceType><LastUpdatedTimestamp>${new Date().toISOString()}</LastUpdatedTimestamp>`
          + `<ResourceStatus>${r.status}</ResourceStatus></member>`).join('')}</StackResourceSummaries>`);
      }
      case 'GetTemplate': {
        const stack = this.stack(p.StackName);
        return ok(`<TemplateBody>${xmlEscape(JSON.stringify(stack.template))}</TemplateBody>`
          + '<StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable>');
      }
      default:
        throw new ModelError('InvalidAction', `The model does not implement CloudFormation ${request.action}.`);
    }
  }
}

/** IAM's name rule: 1 to max characters of [\w+=,.@-]. */
function checkName(field: string, name: unknown, max: number): void {
  if (typeof name !== 'string' || !new RegExp(`^[\\w+=,.@-]{1,${max}}$`).test(name)) {
    throw new ModelError('ValidationError', `1 validation error detected: Value '${String(name)}' at '${field}' failed to satisfy constraint.`);
  }
}

/** IAM's Query encoding of Tags: Tags.member.N.Key / Value. */
function tagsOf(params: Record<string, string>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let i = 1; params[`Tags.member.${i}.Key`] !== undefined; i++) {
    tags[params[`Tags.member.${i}.Key`]] = params[`Tags.member.${i}.Value`] ?? '';
  }
  return tags;
}

function tagsXml(tags: Map<string, string>): string {
  return `<Tags>${[...tags].map(([k, v]) => `<member><Key>${xmlEscape(k)}</Key><Value>${xmlEscape(v)}</Value></member>`).join('')}</Tags>`;
}

function userXml(user: ModelUser): string {
  return `<Path>${xmlEscape(user.path)}</Path><UserName>${xmlEscape(user.userName)}</UserName>`
    + `<UserId>AIDA${createHash('sha1').update(user.userName).digest('hex').slice(0, 16).toUpperCase()}</UserId>`
    + `<Arn>${xmlEscape(user.arn)}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>${user.tags.size ? tagsXml(user.tags) : ''}`;
}

function totp(seed: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(seed), digits: 6, period: 30, algorithm: 'SHA1' });
}

/**
 * IAM accepts two consecutive codes of the device (EnableMFADevice); the model accepts the pair for the current step
 * or one step either side, for clock skew.
 */
function codesValid(seed: string, code1: string, code2: string, nowMs: number): boolean {
  return [-30_000, 0, 30_000].some((skew) => {
    const [a, b] = consecutiveCodes(seed, nowMs + skew);
    return a === code1 && b === code2;
  });
}

/**
 * For each test of the calling file: a fresh AwsModel, the AWS SDK pointed at it (`useStubEnvironment`) and the
 * handler's console quiet; all undone after the test. Returns the current test's model.
 */
export function useAwsModelPerTest(): () => AwsModel {
  let model: AwsModel | undefined;
  let restore = () => {};
  beforeEach(async () => {
    model = await AwsModel.start();
    restore = useStubEnvironment(model.url);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    restore();
    await model?.stop();
    jest.restoreAllMocks();
  });
  return () => model!;
}
