import { randomBytes } from 'crypto';
import * as OTPAuth from 'otpauth';
import { jsonError, jsonResult, queryError, queryResult, StubRequest, StubResponse, xmlEscape } from '../../../../test/support/aws-stub';

/**
 * A stateful model of the AWS calls `mfa-profile` makes, behind the loopback stub (`AwsStub`), following AWS's
 * documented semantics rather than answering what the CLI expects:
 *
 * - IAM: users with at most two access keys (`LimitExceeded` beyond), user tags (the console's access key
 *   descriptions are tags keyed by the key id), virtual MFA devices enabled with two consecutive TOTP codes;
 * - Secrets Manager: versions and staging labels (`PutSecretValue` moves AWSCURRENT to the new version and AWSPREVIOUS
 *   to the old one; a version without labels stays readable by its VersionId), `DeleteSecret` with a recovery window
 *   (the secret stays, unreadable, and can be restored) or `ForceDeleteWithoutRecovery` (every version is gone);
 * - STS: the caller is known by the access key that signed the request; `AssumeRole` checks the role's trust (its
 *   users), the MFA device of the caller, the TOTP code against the seed the handler stored (each code once per
 *   device), `RoleSessionName` = the user name (decision 6), and the duration; `GetSessionToken` likewise; every answer
 *   carries the server's `Date`;
 * - CloudFormation: a stack's outputs and resources, and drift of a resource.
 *
 * `handlerCreatesDevice` does what the device handler does on Create: the device, and the seed in a secret.
 */
export class AwsModel {
  public readonly account = '111111111111';
  /** The model's clock (ms since the epoch); tests move it. */
  public now = Date.now();
  public readonly users = new Map<string, ModelUser>();
  public readonly devices = new Map<string, ModelDevice>();
  public readonly secrets = new Map<string, ModelSecret>();
  public readonly roles = new Map<string, ModelRole>();
  public readonly stacks = new Map<string, ModelStack>();
  /** Access key id → who signed with it (a user's key, or the deployer's admin key). */
  public readonly keys = new Map<string, { readonly userName?: string; readonly secret: string; readonly session?: string }>();
  /** Every call, in order: `Service:Action`. */
  public readonly calls: string[] = [];
  /** The admin key of the person who deployed the stack and runs `mfa-profile setup`. */
  public readonly adminKey = { id: 'AKIADEPLOYER00000001', secret: 'deployer-secret-not-real' };

  constructor() {
    this.keys.set(this.adminKey.id, { secret: this.adminKey.secret });
  }

  public addUser(userName: string): ModelUser {
    const user: ModelUser = { userName, arn: `arn:aws:iam::${this.account}:user/${userName}`, keys: [], tags: new Map() };
    this.users.set(userName, user);
    return user;
  }

  /** A role that trusts `trustedUsers` (of this account) with MFA; in this account unless the ARN names another. */
  public addRole(roleName: string, trustedUsers: string[], maxSessionDuration = 3600, arn = `arn:aws:iam::${this.account}:role/${roleName}`): ModelRole {
    const role = { arn, trustedUsers, maxSessionDuration };
    this.roles.set(role.arn, role);
    return role;
  }

  /**
   * What the device handler does for `Custom::VirtualMfaDevice` Create: `CreateVirtualMFADevice` (the seed exists only
   * in its answer), `CreateSecret` without a value, `PutSecretValue` with the seed; enabled or not.
   */
  public handlerCreatesDevice(userName: string, secretName: string, enable: boolean, serialNumber = `arn:aws:iam::${this.account}:mfa/${userName}`):
  { serialNumber: string; seed: string; secretArn: string } {
    const seed = new OTPAuth.Secret({ size: 40 }).base32;
    this.devices.set(serialNumber, { serialNumber, seed, userName: enable ? userName : undefined, usedCodes: new Set() });
    const secretArn = `arn:aws:secretsmanager:us-east-1:${this.account}:secret:${secretName}-${randomBytes(3).toString('hex')}`;
    this.secrets.set(secretArn, { arn: secretArn, name: secretName, versions: new Map() });
    this.putSecretValue(secretArn, JSON.stringify({ serialNumber, userName, seed, enabled: enable }));
    return { serialNumber, seed, secretArn };
  }

  /** The code an authenticator app shows for a seed at the model's time, `steps` periods later. */
  public code(seed: string, steps = 0): string {
    return totp(seed).generate({ timestamp: this.now + steps * 30_000 });
  }

  public handle(request: StubRequest): StubResponse {
    this.calls.push(`${request.service}:${request.action}`);
    const caller = this.caller(request);
    const answer = (): StubResponse => {
      if (caller === undefined) {
        return request.service === 'secretsmanager'
          ? jsonError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400)
          : queryError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      }
      switch (request.service) {
        case 'iam': return this.iam(request);
        case 'secretsmanager': return this.secretsManager(request);
        case 'sts': return this.sts(request, caller);
        case 'cloudformation': return this.cloudFormation(request);
        default: return queryError('InvalidAction', `The model does not know ${request.service}:${request.action}`);
      }
    };
    const response = answer();
    return { ...response, headers: { ...response.headers, date: new Date(this.now).toUTCString() } };
  }

  private caller(request: StubRequest): { userName?: string; session?: string } | undefined {
    const keyId = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
    return keyId === undefined ? undefined : this.keys.get(keyId);
  }

  private iam(request: StubRequest): StubResponse {
    const p = request.params;
    const user = this.users.get(p.UserName);
    const noUser = () => queryError('NoSuchEntity', `The user with name ${p.UserName} cannot be found.`, 404);
    switch (request.action) {
      case 'ListAccessKeys': {
        if (!user) {
          return noUser();
        }
        const members = user.keys.map((k) => `<member><UserName>${user.userName}</UserName><AccessKeyId>${k.id}</AccessKeyId>`
          + `<Status>Active</Status><CreateDate>${new Date(k.created).toISOString()}</CreateDate></member>`).join('');
        return queryResult('iam', 'ListAccessKeys', `<AccessKeyMetadata>${members}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`);
      }
      case 'CreateAccessKey': {
        if (!user) {
          return noUser();
        }
        if (user.keys.length >= 2) {
          return queryError('LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2', 409);
        }
        const id = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`.slice(0, 20);
        const secret = randomBytes(30).toString('base64').slice(0, 40);
        user.keys.push({ id, created: this.now });
        this.keys.set(id, { userName: user.userName, secret });
        return queryResult('iam', 'CreateAccessKey', `<AccessKey><UserName>${user.userName}</UserName><AccessKeyId>${id}</AccessKeyId>`
          + `<Status>Active</Status><SecretAccessKey>${secret}</SecretAccessKey><CreateDate>${new Date(this.now).toISOString()}</CreateDate></AccessKey>`);
      }
      case 'DeleteAccessKey': {
        const index = user?.keys.findIndex((k) => k.id === p.AccessKeyId) ?? -1;
        if (!user || index === -1) {
          return queryError('NoSuchEntity', `The Access Key with id ${p.AccessKeyId} cannot be found.`, 404);
        }
        user.keys.splice(index, 1);
        this.keys.delete(p.AccessKeyId);
        return queryResult('iam', 'DeleteAccessKey', '');
      }
      case 'TagUser':
        if (!user) {
          return noUser();
        }
        for (let i = 1; p[`Tags.member.${i}.Key`] !== undefined; i++) {
          user.tags.set(p[`Tags.member.${i}.Key`], p[`Tags.member.${i}.Value`] ?? '');
        }
        return queryResult('iam', 'TagUser', '');
      case 'UntagUser':
        if (!user) {
          return noUser();
        }
        for (let i = 1; p[`TagKeys.member.${i}`] !== undefined; i++) {
          user.tags.delete(p[`TagKeys.member.${i}`]);
        }
        return queryResult('iam', 'UntagUser', '');
      case 'ListUserTags':
        if (!user) {
          return noUser();
        }
        return queryResult('iam', 'ListUserTags', `<Tags>${[...user.tags].map(([k, v]) => `<member><Key>${xmlEscape(k)}</Key><Value>${xmlEscape(v)}</Value></member>`).join('')}</Tags>`
          + '<IsTruncated>false</IsTruncated>');
      case 'ListMFADevices': {
        if (!user) {
          return noUser();
        }
        const members = [...this.devices.values()].filter((d) => d.userName === user.userName)
          .map((d) => `<member><UserName>${user.userName}</UserName><SerialNumber>${d.serialNumber}</SerialNumber><EnableDate>2026-01-01T00:00:00Z</EnableDate></member>`);
        return queryResult('iam', 'ListMFADevices', `<MFADevices>${members.join('')}</MFADevices><IsTruncated>false</IsTruncated>`);
      }
      case 'EnableMFADevice': {
        const device = this.devices.get(p.SerialNumber);
        if (!user || !device) {
          return queryError('NoSuchEntity', `MFA device ${p.SerialNumber} or user ${p.UserName} not found.`, 404);
        }
        if (device.userName !== undefined) {
          return queryError('EntityAlreadyExists', `MFA device with serial number ${p.SerialNumber} is already in use.`, 409);
        }
        const first = totp(device.seed).validate({ token: p.AuthenticationCode1, timestamp: this.now, window: 2 });
        const second = totp(device.seed).validate({ token: p.AuthenticationCode2, timestamp: this.now, window: 2 });
        if (first === null || second === null || second !== first + 1) {
          return queryError('InvalidAuthenticationCode', 'Authentication code for device is not valid.', 403);
        }
        device.userName = user.userName;
        device.usedCodes.add(p.AuthenticationCode1).add(p.AuthenticationCode2);
        return queryResult('iam', 'EnableMFADevice', '');
      }
      default:
        return queryError('InvalidAction', `The model does not know iam:${request.action}`);
    }
  }

  private secretsManager(request: StubRequest): StubResponse {
    const p = request.params;
    const secret = [...this.secrets.values()].find((s) => s.arn === p.SecretId || s.name === p.SecretId);
    const notFound = () => jsonError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.');
    if (!secret) {
      return notFound();
    }
    const deleted = () => jsonError('InvalidRequestException',
      'You can\'t perform this operation on the secret because it was marked for deletion.');
    switch (request.action) {
      case 'GetSecretValue': {
        if (secret.deletionDate !== undefined) {
          return deleted();
        }
        const stage = p.VersionId === undefined ? p.VersionStage ?? 'AWSCURRENT' : p.VersionStage;
        const entry = [...secret.versions]
          .find(([id, v]) => (p.VersionId === undefined || id === p.VersionId) && (stage === undefined || v.stages.has(stage)));
        if (!entry) {
          return jsonError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret value for staging label: ' + stage);
        }
        const [versionId, version] = entry;
        return jsonResult({
          ARN: secret.arn, Name: secret.name, VersionId: versionId, SecretString: version.value, VersionStages: [...version.stages],
        });
      }
      case 'PutSecretValue': {
        if (secret.deletionDate !== undefined) {
          return deleted();
        }
        const versionId = this.putSecretValue(secret.arn, p.SecretString);
        return jsonResult({ ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: ['AWSCURRENT'] });
      }
      case 'DescribeSecret':
        return jsonResult({
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.deletionDate === undefined ? {} : { DeletedDate: secret.deletionDate / 1000 }),
          VersionIdsToStages: Object.fromEntries([...secret.versions].filter(([, v]) => v.stages.size > 0).map(([id, v]) => [id, [...v.stages]])),
        });
      case 'DeleteSecret': {
        if (p.ForceDeleteWithoutRecovery === true && p.RecoveryWindowInDays !== undefined) {
          return jsonError('InvalidParameterException', 'You can\'t use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.');
        }
        if (p.ForceDeleteWithoutRecovery === true) {
          this.secrets.delete(secret.arn);
          return jsonResult({ ARN: secret.arn, Name: secret.name, DeletionDate: this.now / 1000 });
        }
        secret.deletionDate = this.now + (p.RecoveryWindowInDays ?? 30) * 86_400_000;
        return jsonResult({ ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate / 1000 });
      }
      case 'RestoreSecret':
        secret.deletionDate = undefined;
        return jsonResult({ ARN: secret.arn, Name: secret.name });
      default:
        return jsonError('InvalidAction', `The model does not know secretsmanager:${request.action}`);
    }
  }

  /** `PutSecretValue`: the new version gets AWSCURRENT, the old AWSCURRENT becomes AWSPREVIOUS, the old AWSPREVIOUS loses its label. */
  private putSecretValue(arn: string, value: string): string {
    const secret = this.secrets.get(arn) as ModelSecret;
    for (const version of secret.versions.values()) {
      version.stages.delete('AWSPREVIOUS');
      if (version.stages.delete('AWSCURRENT')) {
        version.stages.add('AWSPREVIOUS');
      }
    }
    const versionId = randomBytes(16).toString('hex');
    secret.versions.set(versionId, { value, stages: new Set(['AWSCURRENT']) });
    return versionId;
  }

  private sts(request: StubRequest, caller: { userName?: string; session?: string }): StubResponse {
    const p = request.params;
    const callerArn = caller.userName ? `arn:aws:iam::${this.account}:user/${caller.userName}` : `arn:aws:iam::${this.account}:user/deployer`;
    switch (request.action) {
      case 'GetCallerIdentity':
        return queryResult('sts', 'GetCallerIdentity', `<Arn>${caller.session ?? callerArn}</Arn><UserId>AIDAMODEL</UserId><Account>${this.account}</Account>`);
      case 'AssumeRole': {
        const role = this.roles.get(p.RoleArn);
        const denied = () => queryError('AccessDenied', `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${p.RoleArn}`, 403);
        if (!role || caller.userName === undefined || !role.trustedUsers.includes(caller.userName) || p.SerialNumber === undefined
          || p.RoleSessionName !== caller.userName) {
          return denied();
        }
        const mfa = this.checkMfa(caller.userName, p.SerialNumber, p.TokenCode);
        if (mfa) {
          return mfa;
        }
        const duration = Number(p.DurationSeconds ?? 3600);
        if (duration > role.maxSessionDuration) {
          return queryError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', 400);
        }
        // The session is in the role's account (a role in another account trusts this one's users).
        const session = `arn:aws:sts::${p.RoleArn.split(':')[4]}:assumed-role/${p.RoleArn.split('/').pop()}/${p.RoleSessionName}`;
        const credentials = this.temporaryCredentials(duration, session);
        return queryResult('sts', 'AssumeRole', credentials + `<AssumedRoleUser><AssumedRoleId>AROAMODEL:${p.RoleSessionName}</AssumedRoleId>`
          + `<Arn>${session}</Arn></AssumedRoleUser>`);
      }
      case 'GetSessionToken': {
        if (caller.userName === undefined) {
          return queryError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
        }
        if (p.SerialNumber !== undefined) {
          const mfa = this.checkMfa(caller.userName, p.SerialNumber, p.TokenCode);
          if (mfa) {
            return mfa;
          }
        }
        const duration = Number(p.DurationSeconds ?? 43200);
        if (duration < 900 || duration > 129600) {
          return queryError('ValidationError', `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint`, 400);
        }
        return queryResult('sts', 'GetSessionToken', this.temporaryCredentials(duration, callerArn));
      }
      default:
        return queryError('InvalidAction', `The model does not know sts:${request.action}`);
    }
  }

  /** The MFA check of STS: the user's enabled device, a valid code for its seed, not used before. */
  private checkMfa(userName: string, serialNumber: string, code: string | undefined): StubResponse | undefined {
    const device = this.devices.get(serialNumber);
    if (!device || device.userName !== userName) {
      return queryError('AccessDenied', 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.', 403);
    }
    if (code === undefined || totp(device.seed).validate({ token: code, timestamp: this.now, window: 1 }) === null || device.usedCodes.has(code)) {
      return queryError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code. ', 403);
    }
    device.usedCodes.add(code);
    return undefined;
  }

  private temporaryCredentials(duration: number, session: string): string {
    const id = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`.slice(0, 20);
    const secret = randomBytes(30).toString('base64').slice(0, 40);
    this.keys.set(id, { secret, session });
    return `<Credentials><AccessKeyId>${id}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>model-session-token</SessionToken>`
      + `<Expiration>${new Date(this.now + duration * 1000).toISOString()}</Expiration></Credentials>`;
  }

  private cloudFormation(request: StubRequest): StubResponse {
    const stack = this.stacks.get(request.params.StackName);
    if (!stack) {
      return queryError('ValidationError', `Stack with id ${request.params.StackName} does not exist`);
    }
    const id = `arn:aws:cloudformation:us-east-1:${this.account}:stack/${stack.name}/1`;
    switch (request.action) {
      case 'DescribeStacks': {
        const outputs = Object.entries(stack.outputs).map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${xmlEscape(v)}</OutputValue></member>`).join('');
        return queryResult('cloudformation', 'DescribeStacks', `<Stacks><member><StackName>${stack.name}</StackName><StackId>${id}</StackId>`
          + `<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${outputs}</Outputs></member></Stacks>`);
      }
      case 'DescribeStackResources': {
        const members = stack.resources.map((r) => `<member><StackName>${stack.name}</StackName><StackId>${id}</StackId><LogicalResourceId>${r.logicalId}</LogicalResourceId>`
          + `<PhysicalResourceId>${r.physicalId}</PhysicalResourceId><ResourceType>${r.type}</ResourceType><Timestamp>2026-01-01T00:00:00Z</Timestamp>`
          + '<ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>').join('');
        return queryResult('cloudformation', 'DescribeStackResources', `<StackResources>${members}</StackResources>`);
      }
      case 'DetectStackResourceDrift': {
        const resource = stack.resources.find((r) => r.logicalId === request.params.LogicalResourceId);
        if (!resource) {
          return queryError('ValidationError', `Resource ${request.params.LogicalResourceId} does not exist for stack ${stack.name}`);
        }
        const differences = resource.drifted ? `<PropertyDifferences><member><PropertyPath>${resource.drifted}</PropertyPath>`
          + '<ExpectedValue>a</ExpectedValue><ActualValue>b</ActualValue><DifferenceType>NOT_EQUAL</DifferenceType></member></PropertyDifferences>' : '';
        return queryResult('cloudformation', 'DetectStackResourceDrift', `<StackResourceDrift><StackId>${id}</StackId><LogicalResourceId>${resource.logicalId}</LogicalResourceId>`
          + `<PhysicalResourceId>${resource.physicalId}</PhysicalResourceId><ResourceType>${resource.type}</ResourceType>`
          + `<StackResourceDriftStatus>${resource.drifted ? 'MODIFIED' : 'IN_SYNC'}</StackResourceDriftStatus>${differences}`
          + '<Timestamp>2026-01-01T00:00:00Z</Timestamp></StackResourceDrift>');
      }
      default:
        return queryError('InvalidAction', `The model does not know cloudformation:${request.action}`);
    }
  }
}

function totp(seed: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(seed), digits: 6, period: 30, algorithm: 'SHA1' });
}

export interface ModelUser {
  readonly userName: string;
  readonly arn: string;
  readonly keys: Array<{ readonly id: string; readonly created: number }>;
  readonly tags: Map<string, string>;
}

export interface ModelDevice {
  readonly serialNumber: string;
  readonly seed: string;
  /** The user it is enabled for; undefined while not enabled. */
  userName?: string;
  readonly usedCodes: Set<string>;
}

export interface ModelSecret {
  readonly arn: string;
  readonly name: string;
  readonly versions: Map<string, { readonly value: string; readonly stages: Set<string> }>;
  deletionDate?: number;
}

export interface ModelRole {
  readonly arn: string;
  readonly trustedUsers: string[];
  readonly maxSessionDuration: number;
}

export interface ModelStack {
  readonly name: string;
  readonly outputs: Record<string, string>;
  readonly resources: Array<{ readonly logicalId: string; readonly physicalId: string; readonly type: string; drifted?: string }>;
}
