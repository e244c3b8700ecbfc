import { CliError } from './errors';

// Each function loads its AWS SDK v3 client when called: `write --outputs-file`, `--template` and `--help` load none.

/**
 * The outputs of a deployed stack (CloudFormation `DescribeStacks`); `region` defaults to the SDK's (AWS_REGION, profile).
 */
export async function describeStackOutputs(stackName: string, region?: string): Promise<Array<{ OutputKey?: string; OutputValue?: string }>> {
  const { CloudFormationClient, DescribeStacksCommand } = load<typeof import('@aws-sdk/client-cloudformation')>('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({ region });
  const answer = await call(`read the outputs of stack ${stackName}`, () => client.send(new DescribeStacksCommand({ StackName: stackName })), {
    ValidationError: async () => `Stack ${stackName} does not exist in ${await client.config.region()} (or these credentials cannot see it).`,
  });
  return answer.Stacks?.[0]?.Outputs ?? [];
}

/**
 * The logical ids of a stack's Lambda functions whose logical id matches (CloudFormation `DescribeStackResources`).
 */
export async function stackFunctions(stackName: string, region: string | undefined, logicalId: RegExp): Promise<string[]> {
  const { CloudFormationClient, DescribeStackResourcesCommand } = load<typeof import('@aws-sdk/client-cloudformation')>('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({ region });
  const answer = await call(`list the resources of stack ${stackName}`, () => client.send(new DescribeStackResourcesCommand({ StackName: stackName })), {
    ValidationError: async () => `Stack ${stackName} does not exist in ${await client.config.region()} (or these credentials cannot see it).`,
  });
  return (answer.StackResources ?? []).filter((r) => r.ResourceType === 'AWS::Lambda::Function' && logicalId.test(r.LogicalResourceId ?? ''))
    .map((r) => r.LogicalResourceId as string);
}

/**
 * CloudFormation's drift detection of one resource (`DetectStackResourceDrift`): its status and the property paths that differ.
 */
export async function resourceDrift(stackName: string, logicalId: string, region: string | undefined):
Promise<{ status: string; properties: string[] }> {
  const { CloudFormationClient, DetectStackResourceDriftCommand } = load<typeof import('@aws-sdk/client-cloudformation')>('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({ region });
  const answer = await call(`detect drift of ${logicalId} in stack ${stackName}`,
    () => client.send(new DetectStackResourceDriftCommand({ StackName: stackName, LogicalResourceId: logicalId })));
  const drift = answer.StackResourceDrift;
  return { status: drift?.StackResourceDriftStatus ?? 'UNKNOWN', properties: (drift?.PropertyDifferences ?? []).map((d) => d.PropertyPath ?? '') };
}

/** One secret, read and written through one Secrets Manager client (in the region of its ARN). */
export interface SecretAccess {
  /** The `SecretString` of the secret (Secrets Manager `GetSecretValue`). */
  read(): Promise<string>;
  /** Replace the `SecretString` of the secret (Secrets Manager `PutSecretValue`). */
  write(secretString: string): Promise<void>;
}

/**
 * Access to one secret. Its client is made once, so that reading and then writing the secret (`mfa-setup`) resolves
 * the credentials once (for an assumed role, one STS call; one run of a `credential_process`).
 */
export function secretAccess(secretArn: string): SecretAccess {
  const sdk = load<typeof import('@aws-sdk/client-secrets-manager')>('@aws-sdk/client-secrets-manager');
  const client = new sdk.SecretsManagerClient({ region: regionOfArn(secretArn) });
  return {
    async read() {
      const answer = await call(`read the secret ${secretArn}`, () => client.send(new sdk.GetSecretValueCommand({ SecretId: secretArn })), {
        ResourceNotFound: () => `The secret ${secretArn} does not exist (or has no value yet).`,
      });
      if (answer.SecretString === undefined) {
        throw new CliError(`The secret ${secretArn} holds no SecretString.`);
      }
      return answer.SecretString;
    },
    async write(secretString) {
      await call(`update the secret ${secretArn}`, () => client.send(new sdk.PutSecretValueCommand({ SecretId: secretArn, SecretString: secretString })));
    },
  };
}

/**
 * Delete a secret at once and for good (Secrets Manager `DeleteSecret` with `ForceDeleteWithoutRecovery`): every
 * version and staging label goes, no recovery window keeps it restorable. A secret that is already gone is fine.
 */
export async function deleteSecretForGood(secretArn: string): Promise<'deleted' | 'gone'> {
  const sdk = load<typeof import('@aws-sdk/client-secrets-manager')>('@aws-sdk/client-secrets-manager');
  const client = new sdk.SecretsManagerClient({ region: regionOfArn(secretArn) });
  try {
    await call(`delete the secret ${secretArn}`, () => client.send(new sdk.DeleteSecretCommand({ SecretId: secretArn, ForceDeleteWithoutRecovery: true })), {
      ResourceNotFound: () => 'gone',
    });
    return 'deleted';
  } catch (e) {
    if (e instanceof CliError && e.message === 'gone') {
      return 'gone';
    }
    throw e;
  }
}

/** An access key as IAM lists it. */
export interface AccessKeyInfo {
  readonly accessKeyId: string;
  readonly status: string;
  readonly created?: Date;
}

/** The IAM calls on one user's access keys, with the caller's credentials (the person who runs `mfa-profile`). */
export interface UserKeys {
  list(): Promise<AccessKeyInfo[]>;
  create(): Promise<{ accessKeyId: string; secretAccessKey: string }>;
  delete(accessKeyId: string): Promise<void>;
  /** The user's tags (an access key's description in the IAM console is a tag keyed by the key's id). */
  tags(): Promise<Record<string, string>>;
  tag(key: string, value: string): Promise<void>;
  untag(key: string): Promise<void>;
}

/**
 * IAM access to one user's keys (`ListAccessKeys`, `CreateAccessKey`, `DeleteAccessKey`, `ListUserTags`, `TagUser`,
 * `UntagUser`), in the partition's IAM region.
 */
export function userKeys(userName: string, userArn?: string): UserKeys {
  const sdk = load<typeof import('@aws-sdk/client-iam')>('@aws-sdk/client-iam');
  const client = new sdk.IAMClient({ region: userArn === undefined ? undefined : regionOfArn(userArn) });
  const noUser = { NoSuchEntity: () => `IAM has no user ${userName} (or these credentials cannot see it): deploy the stack first.` };
  return {
    async list() {
      const answer = await call(`list the access keys of ${userName}`, () => client.send(new sdk.ListAccessKeysCommand({ UserName: userName })), noUser);
      return (answer.AccessKeyMetadata ?? []).map((k) => ({ accessKeyId: k.AccessKeyId ?? '', status: k.Status ?? '', created: k.CreateDate }));
    },
    async create() {
      const answer = await call(`create an access key for ${userName}`, () => client.send(new sdk.CreateAccessKeyCommand({ UserName: userName })), {
        ...noUser,
        LimitExceeded: () => `${userName} already has 2 access keys, the most IAM allows.`,
      });
      if (!answer.AccessKey?.AccessKeyId || !answer.AccessKey.SecretAccessKey) {
        throw new CliError('IAM answered CreateAccessKey without a key.');
      }
      return { accessKeyId: answer.AccessKey.AccessKeyId, secretAccessKey: answer.AccessKey.SecretAccessKey };
    },
    async delete(accessKeyId) {
      await call(`delete the access key ${accessKeyId} of ${userName}`, () => client.send(new sdk.DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId })));
    },
    async tags() {
      const answer = await call(`read the tags of ${userName}`, () => client.send(new sdk.ListUserTagsCommand({ UserName: userName })), noUser);
      return Object.fromEntries((answer.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    },
    async tag(key, value) {
      await call(`tag ${userName}`, () => client.send(new sdk.TagUserCommand({ UserName: userName, Tags: [{ Key: key, Value: value }] })));
    },
    async untag(key) {
      await call(`untag ${userName}`, () => client.send(new sdk.UntagUserCommand({ UserName: userName, TagKeys: [key] })));
    },
  };
}

/**
 * Who a profile's credentials are (STS `GetCallerIdentity`), and the server's clock from the answer's `Date` header.
 */
export async function callerIdentity(options: { readonly profile: string; readonly region: string; readonly files: ProfileFiles }):
Promise<{ arn: string; serverDate?: Date }> {
  const { STSClient, GetCallerIdentityCommand } = load<typeof import('@aws-sdk/client-sts')>('@aws-sdk/client-sts');
  const { fromIni } = load<typeof import('@aws-sdk/credential-provider-ini')>('@aws-sdk/credential-provider-ini');
  const credentials = fromIni({ profile: options.profile, ...sdkFiles(options.files), ignoreCache: true });
  const client = new STSClient({ region: options.region, credentials });
  let serverDate: Date | undefined;
  client.middlewareStack.add((next) => async (args) => {
    const result = await next(args);
    const date = (result.response as { headers?: Record<string, string> }).headers?.date;
    serverDate = date === undefined ? undefined : new Date(date);
    return result;
  }, { step: 'deserialize', name: 'serverDate' });
  const answer = await call(`call STS with profile ${options.profile}`, () => client.send(new GetCallerIdentityCommand({})), {
    InvalidClientTokenId: () => `STS does not know the access key of profile ${options.profile}: it was deleted or is not active; run mfa-profile setup (or credentials) again.`,
    SignatureDoesNotMatch: () => `STS rejected the secret access key of profile ${options.profile}: the file holds a wrong secret for its key id.`,
  });
  return { arn: answer.Arn ?? '', serverDate };
}

/** The config and credentials files a command uses; the SDK reads only these. */
export interface ProfileFiles {
  readonly configFile: string;
  readonly credentialsFile: string;
}

/**
 * Assume a role profile's role exactly as the AWS SDK v3 does for `--profile NAME` (`fromIni`: source profile,
 * `role_arn`, `mfa_serial`, `role_session_name`, `duration_seconds`), with `code` as the MFA code, and ask STS who that
 * is. STS's refusals are explained in one sentence each.
 */
export async function assumeRoleProfile(options: {
  readonly profile: string; readonly code: string; readonly region: string; readonly files: ProfileFiles;
}):
  Promise<{ arn: string }> {
  const { STSClient, GetCallerIdentityCommand } = load<typeof import('@aws-sdk/client-sts')>('@aws-sdk/client-sts');
  const { fromIni } = load<typeof import('@aws-sdk/credential-provider-ini')>('@aws-sdk/credential-provider-ini');
  const credentials = fromIni({
    profile: options.profile,
    ...sdkFiles(options.files),
    ignoreCache: true,
    mfaCodeProvider: async () => options.code,
    clientConfig: { region: options.region },
  });
  const client = new STSClient({ region: options.region, credentials });
  const answer = await call(`assume the role of profile ${options.profile}`, () => client.send(new GetCallerIdentityCommand({})), {
    AccessDenied: (message: string) => explainAssumeRoleDenied(options.profile, message),
    InvalidClientTokenId: () => `STS does not know the access key of the source profile of ${options.profile}: it was deleted or is not active; run mfa-profile setup again.`,
  });
  return { arn: answer.Arn ?? '' };
}

/**
 * One sentence for each way STS refuses `AssumeRole` with MFA (the messages are STS's own).
 */
export function explainAssumeRoleDenied(profile: string, message: string): string {
  if (/invalid MFA one time pass code/i.test(message)) {
    return `STS did not accept the MFA code for profile ${profile}: it is wrong, was used already (each code works once; wait for the next), `
      + 'or the clock of this computer or of the phone is off (run mfa-profile doctor).';
  }
  if (/unable to validate MFA code|serial number/i.test(message)) {
    return `STS could not check the MFA code for profile ${profile}: the mfa_serial is not an enabled MFA device of the source profile's user `
      + '(enable it with mfa-profile setup, or fix mfa_serial).';
  }
  if (/not authorized to perform: sts:AssumeRole/i.test(message)) {
    return `The role of profile ${profile} does not let the source profile's user assume it: the user is not trusted, role_session_name is not `
      + 'the user name, or the MFA session is too old; run mfa-profile setup again for this stack.';
  }
  return `STS refused to assume the role of profile ${profile}: ${message.trim().replace(/[.\s]+$/, '')}.`;
}

function sdkFiles(files: ProfileFiles): { filepath: string; configFilepath: string } {
  return { filepath: files.credentialsFile, configFilepath: files.configFile };
}

/**
 * Whether an MFA device is enabled for a user (IAM `ListMFADevices`).
 */
export async function isMfaDeviceEnabled(userName: string, serialNumber: string): Promise<boolean> {
  const { IAMClient, ListMFADevicesCommand } = load<typeof import('@aws-sdk/client-iam')>('@aws-sdk/client-iam');
  const client = new IAMClient({ region: regionOfArn(serialNumber) });
  const answer = await call(`list the MFA devices of ${userName}`, () => client.send(new ListMFADevicesCommand({ UserName: userName })), {
    NoSuchEntity: () => `IAM has no user ${userName} (or these credentials cannot see it).`,
  });
  return (answer.MFADevices ?? []).some((d) => d.SerialNumber === serialNumber);
}

/**
 * Enable a virtual MFA device with two consecutive codes (IAM `EnableMFADevice`).
 */
export async function enableMfaDevice(userName: string, serialNumber: string, code1: string, code2: string): Promise<void> {
  const { IAMClient, EnableMFADeviceCommand } = load<typeof import('@aws-sdk/client-iam')>('@aws-sdk/client-iam');
  const client = new IAMClient({ region: regionOfArn(serialNumber) });
  const input = { UserName: userName, SerialNumber: serialNumber, AuthenticationCode1: code1, AuthenticationCode2: code2 };
  await call(`enable the MFA device ${serialNumber}`, () => client.send(new EnableMFADeviceCommand(input)), {
    InvalidAuthenticationCode: () => `IAM did not accept the codes for ${serialNumber}: enter two consecutive codes from the authenticator app.`,
    EntityAlreadyExists: () => `The MFA device ${serialNumber} is already enabled.`,
  });
}

/**
 * Temporary credentials from STS `GetSessionToken`, signed with the long-term keys of `profile`.
 */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/**
 * Call STS `GetSessionToken` with an MFA code, using the credentials of a profile (`aws sts get-session-token`).
 */
export async function getSessionToken(options: {
  readonly profile: string;
  readonly region: string;
  readonly serialNumber: string;
  readonly tokenCode: string;
  readonly durationSeconds?: number;
}): Promise<SessionCredentials> {
  const { STSClient, GetSessionTokenCommand } = load<typeof import('@aws-sdk/client-sts')>('@aws-sdk/client-sts');
  const client = new STSClient({ region: options.region, profile: options.profile });
  const input = { SerialNumber: options.serialNumber, TokenCode: options.tokenCode, DurationSeconds: options.durationSeconds };
  const answer = await call(`get a session token for profile ${options.profile}`, () => client.send(new GetSessionTokenCommand(input)));
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw new CliError('STS answered GetSessionToken without complete credentials.');
  }
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
}

/** An account of an organization: its id and, where it has one that a profile name can carry, its name. */
export interface OrganizationAccount {
  readonly id: string;
  readonly name?: string;
}

/**
 * The active accounts of the caller's organization (Organizations `ListAccounts`, every page), with their names made
 * fit for profile names. Only the organization's management account and delegated administrators may list them.
 */
export async function organizationAccounts(safeName: (name: string) => string | undefined): Promise<OrganizationAccount[]> {
  const { OrganizationsClient, ListAccountsCommand } = load<typeof import('@aws-sdk/client-organizations')>('@aws-sdk/client-organizations');
  const client = new OrganizationsClient({});
  const accounts: OrganizationAccount[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('list the accounts of the organization', () => client.send(new ListAccountsCommand({ NextToken: nextToken })), {
      AccessDenied: () => 'These credentials may not list the accounts of the organization (only its management account and delegated '
        + 'administrators may): pass the accounts with --accounts.',
      AWSOrganizationsNotInUse: () => 'The account of these credentials is in no organization: pass the accounts with --accounts.',
    });
    for (const account of page.Accounts ?? []) {
      // `State` replaces the deprecated `Status`; either says whether the account is active.
      const state = (account as { State?: string }).State ?? account.Status;
      if (account.Id !== undefined && state === 'ACTIVE') {
        const name = account.Name === undefined ? undefined : safeName(account.Name);
        accounts.push({ id: account.Id, ...(name === undefined ? {} : { name }) });
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return accounts;
}

/**
 * The document of an inline policy of a role (IAM `GetRolePolicy`), or undefined when the role has no policy of that
 * name. IAM returns the document URL-encoded.
 */
export async function getRolePolicy(roleName: string, policyName: string, region?: string): Promise<string | undefined> {
  const { IAMClient, GetRolePolicyCommand } = load<typeof import('@aws-sdk/client-iam')>('@aws-sdk/client-iam');
  const client = new IAMClient({ region: region ?? 'us-east-1' });
  const answer = await call(`read the inline policy ${policyName} of role ${roleName}`,
    // IAM answers NoSuchEntity for a missing role and for a missing policy; only its message tells them apart.
    () => client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })).catch((e) => {
      if (e?.name === 'NoSuchEntityException' && /policy/i.test(String(e.message))) {
        return undefined;
      }
      throw e;
    }), {
      NoSuchEntity: () => `There is no role ${roleName} in this account (or these credentials cannot see it).`,
    });
  return answer?.PolicyDocument === undefined ? undefined : decodeURIComponent(answer.PolicyDocument);
}

/**
 * Write an inline policy of a role (IAM `PutRolePolicy`).
 */
export async function putRolePolicy(roleName: string, policyName: string, document: string, region?: string): Promise<void> {
  const { IAMClient, PutRolePolicyCommand } = load<typeof import('@aws-sdk/client-iam')>('@aws-sdk/client-iam');
  const client = new IAMClient({ region: region ?? 'us-east-1' });
  await call(`write the inline policy ${policyName} of role ${roleName}`,
    () => client.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: document })), {
      NoSuchEntity: () => `There is no role ${roleName} in this account (or these credentials cannot see it).`,
      LimitExceeded: () => `The inline policies of role ${roleName} would exceed IAM's 10,240 characters with the cut: remove old cuts `
        + `from its policy ${policyName}.`,
    });
}

/**
 * Delete an inline policy of a role (IAM `DeleteRolePolicy`); false when the role has no policy of that name.
 */
export async function deleteRolePolicy(roleName: string, policyName: string, region?: string): Promise<boolean> {
  const { IAMClient, DeleteRolePolicyCommand } = load<typeof import('@aws-sdk/client-iam')>('@aws-sdk/client-iam');
  const client = new IAMClient({ region: region ?? 'us-east-1' });
  return call(`delete the inline policy ${policyName} of role ${roleName}`,
    () => client.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })).then(() => true, (e) => {
      if (e?.name === 'NoSuchEntityException' && /policy/i.test(String(e.message))) {
        return false;
      }
      throw e;
    }), {
      NoSuchEntity: () => `There is no role ${roleName} in this account (or these credentials cannot see it).`,
    });
}

/**
 * The region to call for an ARN: its own region, else (IAM) the partition's main region. For a name, which is not
 * an ARN, undefined: the SDK's region (AWS_REGION, the profile's).
 */
export function regionOfArn(arn: string): string | undefined {
  if (!arn.startsWith('arn:')) {
    return undefined;
  }
  const [, partition = 'aws', , region = ''] = arn.split(':');
  if (region !== '') {
    return region;
  }
  return { 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1' }[partition] ?? 'us-east-1';
}

/**
 * Run an AWS call; turn its failure into one sentence. `known` maps error names (without `Exception`) to their own.
 */
async function call<T>(action: string, fn: () => Promise<T>, known: Record<string, (message: string) => string | Promise<string>> = {}): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const error = e as { name?: string; message?: string };
    const name = error.name ?? 'Error';
    const message = String(error.message ?? '').split('\n')[0].trim().replace(/[.\s]+$/, '');
    const sentence = known[name.replace(/Exception$/, '')];
    if (sentence) {
      throw new CliError(await sentence(String(error.message ?? '')));
    }
    if (name === 'CredentialsProviderError') {
      throw new CliError(`Could not ${action}: no usable AWS credentials (${message}).`);
    }
    if (/region is missing/i.test(message)) {
      throw new CliError(`Could not ${action}: no region is set (pass --region or set AWS_REGION).`);
    }
    throw new CliError(`Could not ${action}: ${name === 'Error' ? '' : `${name}: `}${message}.`);
  }
}

function load<T>(id: string): T {
  // The SDK warns on Node.js 20 about its own releases after January 2027; this command's output is one sentence,
  // and its Node.js support is package.json's `engines`. Set the variable to "false" to see the warning.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id);
}
