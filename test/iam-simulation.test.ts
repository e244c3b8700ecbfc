import { ACCOUNT, ConcreteTemplate, stackIdOf } from './support/concrete-template';
import {
  Configuration, CONFIGURATIONS, CONSOLE_ACCESS, ENCRYPTED_SEED, EXAMPLE_APP, EXISTING_DEVICE, EXISTING_USER, GENERATED_NAMES,
  MAX_MFA_AGE, OTHER_ACCOUNT, synthTemplate, TEAM, TRUSTS_ACCOUNT, TRUSTS_OTHER_ACCOUNT, TRUSTS_PRINCIPALS,
} from './support/configurations';
import { ADMINISTRATOR, collectIdentityPolicies, simulate, SimulationRequest, WITH_MFA } from './support/iam-simulation';
import { STACK_ID_TAG } from '../lib/handler/names';

// Independent IAM evaluation: every synthesized template is resolved to concrete ARNs (account 111111111111) and its
// policies are evaluated by @cloud-copilot/iam-simulate, which we did not write.

const templates = new Map<Configuration, ConcreteTemplate>();
beforeAll(() => {
  for (const config of CONFIGURATIONS) {
    templates.set(config, new ConcreteTemplate(synthTemplate(config), config.stackName));
  }
});

const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/Admin`;
/** An MFA sign-in a minute ago: within every role's maxMfaAge. */
const FRESH_MFA = { ...WITH_MFA, 'aws:MultiFactorAuthAge': '60' };
/** alice's request, with the session named after her. */
const ALICE_SESSION = { 'aws:username': 'alice', 'sts:RoleSessionName': 'alice' };
const NO_MFA = {};
const MFA_FALSE = { 'aws:MultiFactorAuthPresent': 'false' };
const INTRUDER = {
  user: `arn:aws:iam::${ACCOUNT}:user/intruder`,
  device: `arn:aws:iam::${ACCOUNT}:mfa/intruder`,
  secret: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:intruder-AbCdEf`,
  role: `arn:aws:iam::${ACCOUNT}:role/other-role`,
  key: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
};
/** A trust policy that admits the whole account with MFA: only an identity policy can then stop a caller. */
const ACCOUNT_TRUST_WITH_MFA = {
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Condition: { Bool: WITH_MFA },
  }],
};

/** The concrete ARN of the user or role with that name: its resource's ARN (with its path) or, for an existing one, `/name`. */
function arnOf(t: ConcreteTemplate, type: 'AWS::IAM::User' | 'AWS::IAM::Role', name: string): string {
  const id = t.idsOf(type).find((i) => t.ref(i) === name);
  return id ? t.getAtt(id, 'Arn') : `arn:aws:iam::${ACCOUNT}:${type === 'AWS::IAM::User' ? 'user' : 'role'}/${name}`;
}

/** The role that IAM principals (not services) assume, and its trust policy. */
function mfaRole(t: ConcreteTemplate): { arn: string; trust: any } {
  const id = t.idOf('AWS::IAM::Role', (p) => p.AssumeRolePolicyDocument.Statement.some((s: any) => s.Principal.AWS !== undefined));
  return { arn: t.getAtt(id, 'Arn'), trust: t.resources[id].Properties.AssumeRolePolicyDocument };
}

/** The users that some policy of the template allows to assume a role. */
function assumingUsers(t: ConcreteTemplate): string[] {
  return t.idsOf('AWS::IAM::Policy', (p) => p.Users !== undefined && JSON.stringify(p.PolicyDocument).includes('sts:AssumeRole'))
    .flatMap((id) => t.resources[id].Properties.Users);
}

/** Requests outside a user's delegation: each must be denied, with and without MFA. */
function forbiddenForUser(t: ConcreteTemplate, userArn: string, roleArn: string, consoleAccess: boolean): Array<Omit<SimulationRequest, 'principal' | 'identityPolicies'>> {
  const secrets = t.idsOf('AWS::SecretsManager::Secret').map((id) => t.ref(id));
  const functions = t.idsOf('AWS::Lambda::Function').map((id) => t.getAtt(id, 'Arn'));
  return [
    { action: 'iam:CreateUser', resource: INTRUDER.user },
    { action: 'iam:DeleteUser', resource: userArn },
    { action: 'iam:CreateAccessKey', resource: userArn },
    { action: 'iam:CreateLoginProfile', resource: userArn },
    { action: 'iam:AttachUserPolicy', resource: userArn },
    { action: 'iam:PutUserPolicy', resource: userArn },
    { action: 'iam:DeactivateMFADevice', resource: userArn },
    { action: 'iam:CreateVirtualMFADevice', resource: INTRUDER.device },
    { action: 'iam:PassRole', resource: roleArn },
    { action: 'iam:UpdateAssumeRolePolicy', resource: roleArn },
    { action: 'iam:AttachRolePolicy', resource: roleArn },
    ...(consoleAccess ? [] : [{ action: 'iam:ChangePassword', resource: userArn }]),
    { action: 'iam:ChangePassword', resource: INTRUDER.user },
    { action: 's3:GetObject', resource: 'arn:aws:s3:::some-bucket/some-key' },
    { action: 's3:PutObject', resource: 'arn:aws:s3:::some-bucket/some-key' },
    { action: 's3:ListAllMyBuckets', resource: '*' },
    { action: 'ec2:RunInstances', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0` },
    { action: 'ec2:DescribeInstances', resource: '*' },
    ...[...secrets, INTRUDER.secret].map((secret) => ({ action: 'secretsmanager:GetSecretValue', resource: secret })),
    ...functions.map((fn) => ({ action: 'lambda:InvokeFunction', resource: fn })),
    { action: 'kms:Decrypt', resource: INTRUDER.key },
    { action: 'sts:GetFederationToken', resource: `arn:aws:sts::${ACCOUNT}:federated-user/intruder` },
    { action: 'sts:AssumeRole', resource: INTRUDER.role, resourcePolicy: ACCOUNT_TRUST_WITH_MFA },
  ];
}

/** The requests of `requests` that the principal is allowed, as `action resource` lines. */
async function allowedOf(principal: string, identityPolicies: SimulationRequest['identityPolicies'], context: Record<string, string>,
  requests: Array<Omit<SimulationRequest, 'principal' | 'identityPolicies'>>): Promise<string[]> {
  const allowed: string[] = [];
  for (const request of requests) {
    if (await simulate({ ...request, principal, identityPolicies, context: { ...context, ...request.context } }) === 'Allowed') {
      allowed.push(`${request.action} ${request.resource}`);
    }
  }
  return allowed;
}

describe('the simulation helper', () => {
  const request: SimulationRequest = {
    principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
    action: 'sts:AssumeRole',
    resource: INTRUDER.role,
    identityPolicies: [],
    resourcePolicy: ACCOUNT_TRUST_WITH_MFA,
  };

  test('fails on a misspelled context key instead of evaluating without it', async () => {
    await expect(simulate({ ...request, context: { 'aws:MultiFactorAuthPresnt': 'true' } })).rejects.toThrow(
      `The simulation of arn:aws:iam::${ACCOUNT}:user/alice sts:AssumeRole ${INTRUDER.role} ignored the context keys `
      + 'aws:MultiFactorAuthPresnt: misspelled, or not applicable to the action');
  });

  test('fails on a context key that does not apply to the action', async () => {
    await expect(simulate({ ...request, context: { ...WITH_MFA, 's3:prefix': 'home/' } })).rejects.toThrow(
      `The simulation of arn:aws:iam::${ACCOUNT}:user/alice sts:AssumeRole ${INTRUDER.role} ignored the context keys `
      + 's3:prefix: misspelled, or not applicable to the action');
  });

  test('fails on a misspelled action', async () => {
    await expect(simulate({ ...request, action: 'sts:AssumeRoel' })).rejects.toThrow(
      `The simulation of arn:aws:iam::${ACCOUNT}:user/alice sts:AssumeRoel ${INTRUDER.role} could not run: {"message":"invalid.action"}`);
  });

  test('fails on a resource pattern', async () => {
    await expect(simulate({ ...request, action: 'ec2:RunInstances', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*` })).rejects.toThrow(
      `The simulation of arn:aws:iam::${ACCOUNT}:user/alice ec2:RunInstances arn:aws:ec2:us-east-1:${ACCOUNT}:instance/* evaluated a resource `
      + 'pattern, not one resource');
  });

  test('uses aws:MultiFactorAuthPresent: the same request is allowed with it and denied without it', async () => {
    const identityPolicies = [ADMINISTRATOR];
    expect(await simulate({ ...request, identityPolicies, context: WITH_MFA })).toBe('Allowed');
    expect(await simulate({ ...request, identityPolicies, context: NO_MFA })).toBe('ImplicitlyDenied');
  });

  test('fails to collect the policies of a role with an AWS managed policy it does not model', () => {
    const t = new ConcreteTemplate({
      Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r', ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] } } },
    }, 'Stack');
    expect(() => collectIdentityPolicies(t, 'Roles', 'r')).toThrow(
      'The AWS managed policy arn:aws:iam::aws:policy/ReadOnlyAccess is not modelled: add its document to AWS_MANAGED_POLICIES');
  });

  test('fails to resolve an intrinsic it does not know', () => {
    expect(() => new ConcreteTemplate({ Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::FindInMap': ['M', 'k', 'v'] } } } } }, 'Stack'))
      .toThrow('Intrinsic Fn::FindInMap is not supported by ConcreteTemplate (Stack): ["M","k","v"]');
  });

  test('fails to resolve an import, a condition or a parameter whose value it is not given, and resolves them when given', () => {
    const role = (name: any) => ({ Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: name } } } });
    expect(() => new ConcreteTemplate(role({ 'Fn::ImportValue': 'x' }), 'Stack'))
      .toThrow('Fn::ImportValue of x, whose value is not given to ConcreteTemplate (Stack)');
    expect(() => new ConcreteTemplate(role({ 'Fn::If': ['Prod', 'a', 'b'] }), 'Stack'))
      .toThrow('Fn::If of condition Prod, whose value is not given to ConcreteTemplate (Stack)');
    expect(() => new ConcreteTemplate(role({ Ref: 'Name' }), 'Stack')).toThrow('Ref to Name, which is not a resource of Stack');
    const inputs = { imports: { x: 'imported' }, conditions: { Prod: false }, parameters: { Name: 'given' } };
    expect([{ 'Fn::ImportValue': 'x' }, { 'Fn::If': ['Prod', 'a', 'b'] }, { Ref: 'Name' }, { 'Fn::Sub': '${Name}-1' }]
      .map((name) => new ConcreteTemplate(role(name), 'Stack', inputs).ref('Role'))).toEqual(['imported', 'b', 'given', 'given-1']);
  });
});

interface DelegationCase {
  readonly config: Configuration;
  readonly trustsAccount?: boolean;
  readonly maxMfaAgeSeconds?: number;
  readonly consoleAccess?: boolean;
}

const DELEGATIONS: DelegationCase[] = [
  { config: EXAMPLE_APP },
  { config: TRUSTS_ACCOUNT, trustsAccount: true },
  { config: MAX_MFA_AGE, maxMfaAgeSeconds: 900 },
  { config: EXISTING_USER },
  { config: EXISTING_DEVICE },
  { config: CONSOLE_ACCESS, consoleAccess: true },
  { config: GENERATED_NAMES },
];

describe.each(DELEGATIONS)('$config.name', ({ config, trustsAccount, maxMfaAgeSeconds, consoleAccess }) => {
  let t: ConcreteTemplate;
  let role: { arn: string; trust: any };
  let user: string;
  let userPolicies: SimulationRequest['identityPolicies'];
  /** A fresh MFA sign-in: within maxMfaAge (one hour by default). */
  const fresh = { ...WITH_MFA, 'aws:MultiFactorAuthAge': '60' };
  /** What AWS sets for the user's request, with the session named after the user, as mfa-profile's profiles do. */
  let asUser: Record<string, string>;

  beforeAll(() => {
    t = templates.get(config)!;
    role = mfaRole(t);
    const [userName] = assumingUsers(t);
    user = arnOf(t, 'AWS::IAM::User', userName);
    userPolicies = collectIdentityPolicies(t, 'Users', userName);
    asUser = { 'aws:username': userName, 'sts:RoleSessionName': userName };
  });

  const assume = (principal: string, identityPolicies: SimulationRequest['identityPolicies'], context: Record<string, string>) =>
    simulate({ principal, action: 'sts:AssumeRole', resource: role.arn, resourcePolicy: role.trust, identityPolicies, context });

  test('the user assumes the role with aws:MultiFactorAuthPresent "true"', async () => {
    expect(await assume(user, userPolicies, { ...fresh, ...asUser })).toBe('Allowed');
  });

  test(trustsAccount
    ? 'the user assumes the role with a session named after someone else: account trust does not tie session names to users'
    : 'fails to let the user assume the role with a session named after someone else', async () => {
    expect(await assume(user, userPolicies, { ...fresh, ...asUser, 'sts:RoleSessionName': 'someone-else' }))
      .toBe(trustsAccount ? 'Allowed' : 'ImplicitlyDenied');
  });

  test('fails to let the user assume the role without aws:MultiFactorAuthPresent (long-term access keys)', async () => {
    expect(await assume(user, userPolicies, { ...NO_MFA, ...asUser })).toBe('ImplicitlyDenied');
  });

  test('fails to let the user assume the role with aws:MultiFactorAuthPresent "false"', async () => {
    expect(await assume(user, userPolicies, { ...fresh, ...asUser, ...MFA_FALSE })).toBe('ImplicitlyDenied');
  });

  test(`fails to let the user assume the role with an MFA sign-in as old as maxMfaAge (${maxMfaAgeSeconds ?? 3600} s${maxMfaAgeSeconds ? '' : ', the default'}) or older`, async () => {
    const maxAge = maxMfaAgeSeconds ?? 3600;
    expect(await assume(user, userPolicies, { ...WITH_MFA, ...asUser, 'aws:MultiFactorAuthAge': String(maxAge - 1) })).toBe('Allowed');
    for (const age of [maxAge, maxAge + 1, 86_400]) {
      expect(await assume(user, userPolicies, { ...WITH_MFA, ...asUser, 'aws:MultiFactorAuthAge': String(age) })).toBe('ImplicitlyDenied');
    }
  });

  test('fails to let the user assume the role when aws:MultiFactorAuthAge is absent', async () => {
    expect(await assume(user, userPolicies, { ...WITH_MFA, ...asUser })).toBe('ImplicitlyDenied');
  });

  test('fails to let an administrator of the account assume the role without MFA', async () => {
    expect(await assume(ADMIN_ROLE, [ADMINISTRATOR], NO_MFA)).toBe('ImplicitlyDenied');
    expect(await assume(ADMIN_ROLE, [ADMINISTRATOR], MFA_FALSE)).toBe('ImplicitlyDenied');
  });

  test(trustsAccount
    ? 'an administrator of the trusted account assumes the role with MFA'
    : 'fails to let an administrator of the account assume the role even with MFA: only the user is trusted', async () => {
    expect(await assume(ADMIN_ROLE, [ADMINISTRATOR], fresh)).toBe(trustsAccount ? 'Allowed' : 'ImplicitlyDenied');
  });

  test('fails to let the user do anything else (iam, s3, ec2, secretsmanager, kms, lambda, another role), with or without MFA', async () => {
    const forbidden = forbiddenForUser(t, user, role.arn, consoleAccess ?? false);
    expect(await allowedOf(user, userPolicies, fresh, forbidden)).toEqual([]);
    expect(await allowedOf(user, userPolicies, NO_MFA, forbidden)).toEqual([]);
  });

  if (consoleAccess) {
    test('the user changes its own console password with MFA, and fails to without', async () => {
      const request = { principal: user, action: 'iam:ChangePassword', resource: user, identityPolicies: userPolicies };
      expect(await simulate({ ...request, context: WITH_MFA })).toBe('Allowed');
      expect(await simulate({ ...request, context: NO_MFA })).toBe('ImplicitlyDenied');
    });
  }
});

describe(TRUSTS_OTHER_ACCOUNT.name, () => {
  const BOB = `arn:aws:iam::${OTHER_ACCOUNT}:user/bob`;
  let role: { arn: string; trust: any };
  beforeAll(() => {
    role = mfaRole(templates.get(TRUSTS_OTHER_ACCOUNT)!);
  });
  const assume = (principal: string, context: Record<string, string>) =>
    simulate({ principal, action: 'sts:AssumeRole', resource: role.arn, resourcePolicy: role.trust, identityPolicies: [ADMINISTRATOR], context });

  test('an administrator of the trusted account assumes the role with MFA', async () => {
    expect(await assume(BOB, FRESH_MFA)).toBe('Allowed');
  });

  test('fails to let an administrator of the trusted account assume the role without MFA', async () => {
    expect(await assume(BOB, NO_MFA)).toBe('ImplicitlyDenied');
    expect(await assume(BOB, MFA_FALSE)).toBe('ImplicitlyDenied');
  });

  test('fails to let an administrator of the role\'s own account assume the role, even with MFA', async () => {
    expect(await assume(ADMIN_ROLE, FRESH_MFA)).toBe('ImplicitlyDenied');
  });
});

describe(TRUSTS_PRINCIPALS.name, () => {
  const CI = `arn:aws:iam::${OTHER_ACCOUNT}:role/ci`;
  let t: ConcreteTemplate;
  let role: { arn: string; trust: any };
  let alice: string;
  let alicePolicies: SimulationRequest['identityPolicies'];
  beforeAll(() => {
    t = templates.get(TRUSTS_PRINCIPALS)!;
    role = mfaRole(t);
    alice = arnOf(t, 'AWS::IAM::User', 'alice');
    alicePolicies = collectIdentityPolicies(t, 'Users', 'alice');
  });
  const assume = (principal: string, identityPolicies: SimulationRequest['identityPolicies'], context: Record<string, string>) =>
    simulate({ principal, action: 'sts:AssumeRole', resource: role.arn, resourcePolicy: role.trust, identityPolicies, context });

  test('each trusted principal assumes the role with MFA', async () => {
    expect(await assume(alice, alicePolicies, { ...FRESH_MFA, ...ALICE_SESSION })).toBe('Allowed');
    expect(await assume(CI, [ADMINISTRATOR], FRESH_MFA)).toBe('Allowed');
  });

  test('fails to let the trusted user assume the role with a session named after someone else', async () => {
    expect(await assume(alice, alicePolicies, { ...FRESH_MFA, ...ALICE_SESSION, 'sts:RoleSessionName': 'bob' })).toBe('ImplicitlyDenied');
  });

  test('fails to let a trusted principal assume the role without MFA', async () => {
    for (const context of [NO_MFA, MFA_FALSE]) {
      expect(await assume(alice, alicePolicies, { ...context, ...ALICE_SESSION })).toBe('ImplicitlyDenied');
      expect(await assume(CI, [ADMINISTRATOR], context)).toBe('ImplicitlyDenied');
    }
  });

  test('fails to let another principal of either account assume the role, even with MFA', async () => {
    for (const principal of [ADMIN_ROLE, `arn:aws:iam::${ACCOUNT}:user/mallory`, `arn:aws:iam::${OTHER_ACCOUNT}:role/other`]) {
      expect(await assume(principal, [ADMINISTRATOR], FRESH_MFA)).toBe('ImplicitlyDenied');
    }
  });

  test('fails to let the trusted user do anything else, with or without MFA', async () => {
    const forbidden = forbiddenForUser(t, alice, role.arn, false);
    expect(await allowedOf(alice, alicePolicies, WITH_MFA, forbidden)).toEqual([]);
    expect(await allowedOf(alice, alicePolicies, NO_MFA, forbidden)).toEqual([]);
  });
});

/** Secrets named like the team's own, which no handler may read or write: another team's seed, a member's access-key secret. */
const LOOKALIKE_SECRETS = [
  `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mfa-team/Other/alice/mfa-seed-AbCdEf`,
  `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mfa-team/Dev/alice/access-key-AbCdEf`,
];

describe.each([EXAMPLE_APP, TRUSTS_ACCOUNT, MAX_MFA_AGE, EXISTING_USER, CONSOLE_ACCESS, GENERATED_NAMES, ENCRYPTED_SEED, TEAM])(
  'the custom resource handler of $name', (config) => {
    // The handler's role acts only from the handler function, and only on what carries its stack's tag (handler-grants.test.ts).
    let t: ConcreteTemplate;
    let handlerRole: string;
    let handlerPolicies: SimulationRequest['identityPolicies'];
    let device: { serial: string; user: string; secret: string };
    let fromHandler: Record<string, string>;
    let ownTag: Record<string, string>;

    beforeAll(() => {
      t = templates.get(config)!;
      const fnId = t.idOf('AWS::Lambda::Function', (p) => String(p.Description).startsWith('cdk-mfa-delegation'));
      const fn = t.resources[fnId].Properties;
      const roleId = t.idsOf('AWS::IAM::Role').find((id) => t.getAtt(id, 'Arn') === fn.Role)!;
      handlerRole = fn.Role;
      handlerPolicies = collectIdentityPolicies(t, 'Roles', t.ref(roleId));
      const props = t.resources[t.idOf('Custom::VirtualMfaDevice')].Properties;
      device = {
        serial: `arn:aws:iam::${ACCOUNT}:mfa${props.Path}${props.DeviceName}`,
        user: arnOf(t, 'AWS::IAM::User', props.UserName),
        secret: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${props.SeedSecretName}-AbCdEf`,
      };
      fromHandler = { 'lambda:SourceFunctionArn': `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${t.ref(fnId)}` };
      ownTag = { [`aws:ResourceTag/${STACK_ID_TAG}`]: stackIdOf(config.stackName) };
    });

    test('manages its own device, user and seed secret and deletes the user\'s access keys, from the handler function, on what carries its stack\'s tag', async () => {
      const own = [
        { action: 'iam:CreateVirtualMFADevice', resource: device.serial, context: { [`aws:RequestTag/${STACK_ID_TAG}`]: stackIdOf(config.stackName), 'aws:TagKeys': STACK_ID_TAG } },
        { action: 'iam:DeleteVirtualMFADevice', resource: device.serial, context: ownTag },
        { action: 'iam:EnableMFADevice', resource: device.user, context: ownTag },
        { action: 'iam:DeactivateMFADevice', resource: device.user, context: ownTag },
        { action: 'iam:ListAccessKeys', resource: device.user, context: ownTag },
        { action: 'iam:DeleteAccessKey', resource: device.user, context: ownTag },
        // The seed secret it creates tagged, locks, writes and deletes (its resource policy then refuses it all else: test/secret-custody.test.ts).
        ...['CreateSecret', 'TagResource'].map((action) => ({
          action: `secretsmanager:${action}`, resource: device.secret, context: { [`aws:RequestTag/${STACK_ID_TAG}`]: stackIdOf(config.stackName), 'aws:TagKeys': STACK_ID_TAG },
        })),
        ...['PutResourcePolicy', 'PutSecretValue', 'DescribeSecret', 'DeleteSecret'].map((action) => ({ action: `secretsmanager:${action}`, resource: device.secret, context: ownTag })),
      ];
      expect(await allowedOf(handlerRole, handlerPolicies, fromHandler, own)).toEqual(own.map((r) => `${r.action} ${r.resource}`));
      expect(await allowedOf(handlerRole, handlerPolicies, { 'lambda:SourceFunctionArn': `arn:aws:lambda:us-east-1:${ACCOUNT}:function:other` }, own))
        .toEqual([]);
    });

    test('fails to manage any untagged device, user or secret, to read its own or any other secret, or to do anything else', async () => {
      const role = t.idsOf('AWS::IAM::Role').map((id) => t.getAtt(id, 'Arn')).find((arn) => arn !== handlerRole) ?? INTRUDER.role;
      const otherSecrets = t.idsOf('AWS::SecretsManager::Secret').map((id) => t.ref(id)).filter((arn) => arn !== device.secret);
      const forbidden = [
        { action: 'iam:CreateVirtualMFADevice', resource: INTRUDER.device },
        { action: 'iam:DeleteVirtualMFADevice', resource: INTRUDER.device },
        { action: 'iam:EnableMFADevice', resource: INTRUDER.user },
        { action: 'iam:DeactivateMFADevice', resource: INTRUDER.user },
        { action: 'iam:ResyncMFADevice', resource: device.user },
        { action: 'iam:CreateUser', resource: INTRUDER.user },
        { action: 'iam:DeleteUser', resource: device.user },
        { action: 'iam:CreateAccessKey', resource: device.user },
        { action: 'iam:CreateLoginProfile', resource: device.user },
        { action: 'iam:AttachUserPolicy', resource: device.user },
        { action: 'iam:PutUserPolicy', resource: device.user },
        // A member's tags decide which team roles trust it.
        { action: 'iam:TagUser', resource: device.user },
        { action: 'iam:UntagUser', resource: device.user },
        { action: 'iam:PutRolePolicy', resource: role },
        { action: 'iam:PassRole', resource: role },
        { action: 'iam:UpdateAssumeRolePolicy', resource: role },
        { action: 'sts:AssumeRole', resource: role },
        { action: 'secretsmanager:GetSecretValue', resource: device.secret, context: ownTag },
        { action: 'secretsmanager:UpdateSecret', resource: device.secret, context: ownTag },
        { action: 'secretsmanager:RestoreSecret', resource: device.secret, context: ownTag },
        { action: 'secretsmanager:DeleteSecret', resource: device.secret },
        { action: 'secretsmanager:PutResourcePolicy', resource: device.secret },
        ...[...otherSecrets, INTRUDER.secret, ...LOOKALIKE_SECRETS].flatMap((secret) => [
          { action: 'secretsmanager:PutSecretValue', resource: secret },
          { action: 'secretsmanager:GetSecretValue', resource: secret },
        ]),
        { action: 'kms:Decrypt', resource: INTRUDER.key },
        { action: 's3:GetObject', resource: 'arn:aws:s3:::some-bucket/some-key' },
        { action: 'ec2:RunInstances', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0` },
      ];
      expect(await allowedOf(handlerRole, handlerPolicies, fromHandler, forbidden)).toEqual([]);
    });

    if (config === ENCRYPTED_SEED) {
      test('encrypts with the seed\'s key and fails to decrypt with it', async () => {
        const keyId = t.idOf('AWS::KMS::Key');
        const key = { resource: t.getAtt(keyId, 'Arn'), resourcePolicy: t.resources[keyId].Properties.KeyPolicy };
        const requests = ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'].map((action) => ({ action, ...key }));
        expect(await allowedOf(handlerRole, handlerPolicies, NO_MFA, requests)).toEqual([`kms:GenerateDataKey ${key.resource}`, `kms:Encrypt ${key.resource}`]);
      });
    }
  });
