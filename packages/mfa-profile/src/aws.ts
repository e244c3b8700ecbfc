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
async function call<T>(action: string, fn: () => Promise<T>, known: Record<string, () => string | Promise<string>> = {}): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const error = e as { name?: string; message?: string };
    const name = error.name ?? 'Error';
    const message = String(error.message ?? '').split('\n')[0].trim().replace(/[.\s]+$/, '');
    const sentence = known[name.replace(/Exception$/, '')];
    if (sentence) {
      throw new CliError(await sentence());
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
