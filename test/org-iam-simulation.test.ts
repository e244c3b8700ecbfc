import { SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';
import { createOrgExampleApp, ORG_EXAMPLE } from '../bin/org-app';
import { ACCOUNT, ConcreteTemplate, stackIdOf } from './support/concrete-template';
import { ADMINISTRATOR, simulate } from './support/iam-simulation';

// The organization example across accounts, evaluated by @cloud-copilot/iam-simulate: the identity account's team
// (MfaOrgIdentity, in account 111111111111) and the StackSet's roles (the TemplateBody of MfaOrgRoles) as CloudFormation
// deploys them in a member account of the organization. A cross-account AssumeRole needs both the caller's identity
// policies and the role's trust policy to allow it.

const IDENTITY = ORG_EXAMPLE.identityAccount;
const ORG = ORG_EXAMPLE.organizationId;
const MEMBER = '222222222222';
const OTHER_ORG_ACCOUNT = '333333333333';
const FOREIGN = '444444444444';
const FOREIGN_ORG = 'o-z9y8x7w6v5';

let identity: ConcreteTemplate;
let inner: ConcreteTemplate;

beforeAll(() => {
  const assembly = createOrgExampleApp().synth();
  expect(IDENTITY).toEqual(ACCOUNT);
  identity = new ConcreteTemplate(assembly.getStackByName('MfaOrgIdentity').template, 'MfaOrgIdentity');
  const roles = assembly.getStackByName('MfaOrgRoles').template;
  const [stackSet] = Object.values(roles.Resources).filter((r: any) => r.Type === 'AWS::CloudFormation::StackSet') as any[];
  inner = new ConcreteTemplate(JSON.parse(stackSet.Properties.TemplateBody), 'StackSet-mfa-platform-roles');
});

/** The trust policy of a role of the StackSet's template, by its name. */
function trustOf(roleName: string): any {
  return inner.resources[inner.idOf('AWS::IAM::Role', (p) => p.RoleName === roleName)].Properties.AssumeRolePolicyDocument;
}

/** The principal tags of a team member's user, as the request context carries them (`aws:PrincipalTag/<key>`). */
function memberTags(userName: string): Record<string, string> {
  const user = identity.resources[identity.idOf('AWS::IAM::User', (p) => p.UserName === userName)].Properties;
  return Object.fromEntries((user.Tags ?? []).map((t: { Key: string; Value: string }) => [`aws:PrincipalTag/${t.Key}`, t.Value]));
}

/** The identity policies of a team member: the inline policies of the groups it is in (its user has none of its own). */
function memberPolicies(userName: string): SimulationIdentityPolicy[] {
  const user = identity.resources[identity.idOf('AWS::IAM::User', (p) => p.UserName === userName)].Properties;
  expect(user.Policies).toBeUndefined();
  expect(user.ManagedPolicyArns).toBeUndefined();
  return (user.Groups as string[]).flatMap((groupName) => {
    const group = identity.resources[identity.idsOf('AWS::IAM::Group').find((id) => identity.ref(id) === groupName)!];
    return (group.Properties.Policies ?? []).map((p: any) => ({ name: `${groupName}/${p.PolicyName}`, policy: p.PolicyDocument }));
  });
}

interface Caller {
  readonly who: string;
  readonly arn: string;
  readonly userName?: string;
  readonly policies: () => SimulationIdentityPolicy[];
  /** The principal's tags. @default - none */
  readonly tags?: () => Record<string, string>;
}

const ALICE: Caller = {
  who: 'alice (readonly and admin)',
  arn: `arn:aws:iam::${IDENTITY}:user/mfa-team/Platform/alice`,
  userName: 'alice',
  policies: () => memberPolicies('alice'),
  tags: () => memberTags('alice'),
};
const BOB: Caller = {
  who: 'bob (readonly only)',
  arn: `arn:aws:iam::${IDENTITY}:user/mfa-team/Platform/bob`,
  userName: 'bob',
  policies: () => memberPolicies('bob'),
  tags: () => memberTags('bob'),
};
const BOB_ADMIN: Caller = {
  who: 'bob (readonly only) with AdministratorAccess from another group of the identity account',
  arn: BOB.arn,
  userName: 'bob',
  policies: () => [...memberPolicies('bob'), ADMINISTRATOR],
  tags: () => memberTags('bob'),
};
const UNTAGGED: Caller = {
  who: 'a user under the team\'s path that the team did not define (no tags), with AdministratorAccess',
  arn: `arn:aws:iam::${IDENTITY}:user/mfa-team/Platform/mallory`,
  userName: 'mallory',
  policies: () => [ADMINISTRATOR],
};
const IDENTITY_ADMIN: Caller = {
  who: 'an administrator of the identity account outside the team\'s path', arn: `arn:aws:iam::${IDENTITY}:user/carol`, userName: 'carol', policies: () => [ADMINISTRATOR],
};
const IMPOSTOR: Caller = {
  who: 'an administrator of the identity account with a role under the team\'s path',
  arn: `arn:aws:iam::${IDENTITY}:role/mfa-team/Platform/impostor`,
  policies: () => [ADMINISTRATOR],
};
const MEMBER_ADMIN: Caller = { who: 'an administrator of the member account itself', arn: `arn:aws:iam::${MEMBER}:user/dave`, userName: 'dave', policies: () => [ADMINISTRATOR] };
const OTHER_ORG_ADMIN: Caller = {
  who: 'an administrator of another account of the organization', arn: `arn:aws:iam::${OTHER_ORG_ACCOUNT}:user/erin`, userName: 'erin', policies: () => [ADMINISTRATOR],
};
const FOREIGN_ADMIN: Caller = { who: 'an administrator of a foreign account', arn: `arn:aws:iam::${FOREIGN}:user/frank`, userName: 'frank', policies: () => [ADMINISTRATOR] };

interface Row {
  readonly caller: Caller;
  readonly role: 'platform-readonly' | 'platform-admin';
  /** The account of the role: a member of the organization, or a foreign account that made a role of that name trust the identity account. */
  readonly account: string;
  /** Seconds since the MFA sign-in, `false` for aws:MultiFactorAuthPresent=false, undefined for a long-term access key. */
  readonly mfaAge?: number | false;
  /** @default - the caller's user name */
  readonly sessionName?: string;
  readonly expected: 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';
}

/** The evaluator's matrix (closing note of issue 14): who may assume which role in which account, and when. */
const MATRIX: Row[] = [
  { caller: ALICE, role: 'platform-readonly', account: MEMBER, mfaAge: 60, expected: 'Allowed' },
  { caller: ALICE, role: 'platform-readonly', account: MEMBER, mfaAge: 3599, expected: 'Allowed' },
  { caller: ALICE, role: 'platform-readonly', account: MEMBER, mfaAge: 3601, expected: 'ImplicitlyDenied' },
  { caller: ALICE, role: 'platform-admin', account: MEMBER, mfaAge: 60, expected: 'Allowed' },
  { caller: ALICE, role: 'platform-admin', account: MEMBER, mfaAge: 899, expected: 'Allowed' },
  { caller: ALICE, role: 'platform-admin', account: MEMBER, mfaAge: 901, expected: 'ImplicitlyDenied' },
  { caller: ALICE, role: 'platform-readonly', account: MEMBER, mfaAge: undefined, expected: 'ImplicitlyDenied' },
  { caller: ALICE, role: 'platform-readonly', account: MEMBER, mfaAge: false, expected: 'ImplicitlyDenied' },
  { caller: ALICE, role: 'platform-admin', account: MEMBER, mfaAge: false, expected: 'ImplicitlyDenied' },
  { caller: ALICE, role: 'platform-readonly', account: MEMBER, mfaAge: 60, sessionName: 'bob', expected: 'ImplicitlyDenied' },
  { caller: ALICE, role: 'platform-readonly', account: FOREIGN, mfaAge: 60, expected: 'ImplicitlyDenied' },
  { caller: BOB, role: 'platform-readonly', account: MEMBER, mfaAge: 60, expected: 'Allowed' },
  { caller: BOB, role: 'platform-admin', account: MEMBER, mfaAge: 60, expected: 'ImplicitlyDenied' },
  { caller: BOB, role: 'platform-readonly', account: MEMBER, mfaAge: undefined, expected: 'ImplicitlyDenied' },
  { caller: BOB_ADMIN, role: 'platform-admin', account: MEMBER, mfaAge: 60, expected: 'ImplicitlyDenied' },
  { caller: BOB_ADMIN, role: 'platform-readonly', account: MEMBER, mfaAge: 60, expected: 'Allowed' },
  { caller: UNTAGGED, role: 'platform-readonly', account: MEMBER, mfaAge: 60, expected: 'ImplicitlyDenied' },
  { caller: IDENTITY_ADMIN, role: 'platform-admin', account: MEMBER, mfaAge: 60, expected: 'ImplicitlyDenied' },
  { caller: IDENTITY_ADMIN, role: 'platform-readonly', account: MEMBER, mfaAge: 60, expected: 'ImplicitlyDenied' },
  { caller: IMPOSTOR, role: 'platform-admin', account: MEMBER, mfaAge: 60, sessionName: 'impostor', expected: 'ImplicitlyDenied' },
  { caller: MEMBER_ADMIN, role: 'platform-admin', account: MEMBER, mfaAge: 60, expected: 'ImplicitlyDenied' },
  { caller: OTHER_ORG_ADMIN, role: 'platform-admin', account: MEMBER, mfaAge: 60, expected: 'ImplicitlyDenied' },
  { caller: FOREIGN_ADMIN, role: 'platform-admin', account: MEMBER, mfaAge: 60, expected: 'ImplicitlyDenied' },
];

function describeRow(row: Row): string {
  const mfa = row.mfaAge === undefined ? 'without MFA' : row.mfaAge === false ? 'with MultiFactorAuthPresent=false' : `with MFA ${row.mfaAge} s old`;
  const where = row.account === MEMBER ? 'a member account' : 'a foreign account';
  const session = row.sessionName && row.sessionName !== row.caller.userName ? ` as session '${row.sessionName}'` : '';
  return `${row.caller.who} → ${row.role} in ${where}, ${mfa}${session}: ${row.expected}`;
}

describe('the organization example across accounts', () => {
  test.each(MATRIX.map((row) => [describeRow(row), row] as const))('%s', async (_name, row) => {
    const sessionName = row.sessionName ?? row.caller.userName ?? 'session';
    const context: Record<string, string> = {
      'aws:PrincipalArn': row.caller.arn,
      'sts:RoleSessionName': sessionName,
      'aws:ResourceAccount': row.account,
      'aws:ResourceOrgID': row.account === FOREIGN ? FOREIGN_ORG : ORG,
      ...(row.caller.userName ? { 'aws:username': row.caller.userName } : {}),
      ...row.caller.tags?.() ?? {},
      ...(row.mfaAge === undefined ? {} : row.mfaAge === false
        ? { 'aws:MultiFactorAuthPresent': 'false' }
        : { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': String(row.mfaAge) }),
    };
    const result = await simulate({
      principal: row.caller.arn,
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${row.account}:role/${row.role}`,
      context,
      identityPolicies: row.caller.policies(),
      resourcePolicy: trustOf(row.role),
    });
    expect(result).toEqual(row.expected);
  });

  test('the matrix covers every kind of caller and both roles (it cannot pass by leaving a case out)', () => {
    expect(new Set(MATRIX.map((r) => r.caller)).size).toEqual(9);
    expect(MATRIX.filter((r) => r.expected === 'Allowed').map((r) => `${r.caller.userName} ${r.role}`)).toEqual([
      'alice platform-readonly', 'alice platform-readonly', 'alice platform-admin', 'alice platform-admin', 'bob platform-readonly',
      'bob platform-readonly',
    ]);
    // Besides the role tags, the stack's tag for its device handler (cdk-mfa-delegation:stack-id), which no trust policy reads.
    const handlerTag = { 'aws:PrincipalTag/cdk-mfa-delegation:stack-id': stackIdOf('MfaOrgIdentity') };
    expect(memberTags('alice')).toEqual({
      'aws:PrincipalTag/cdk-mfa-delegation:role:readonly': 'Platform', 'aws:PrincipalTag/cdk-mfa-delegation:role:admin': 'Platform', ...handlerTag,
    });
    expect(memberTags('bob')).toEqual({ 'aws:PrincipalTag/cdk-mfa-delegation:role:readonly': 'Platform', ...handlerTag });
  });

  test('the trust alone admits a member with MFA and the role\'s tag: the identity policies are the second lock', async () => {
    // With an identity policy that allows everything, bob's tag for platform-readonly lets him through its trust, and
    // the lack of a tag for platform-admin keeps him out of that one.
    const request = (role: string) => simulate({
      principal: BOB.arn,
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${MEMBER}:role/${role}`,
      context: {
        ...memberTags('bob'),
        'aws:PrincipalArn': BOB.arn,
        'sts:RoleSessionName': 'bob',
        'aws:username': 'bob',
        'aws:MultiFactorAuthPresent': 'true',
        'aws:MultiFactorAuthAge': '60',
        'aws:ResourceAccount': MEMBER,
        'aws:ResourceOrgID': ORG,
      },
      identityPolicies: [ADMINISTRATOR],
      resourcePolicy: trustOf(role),
    });
    expect(await request('platform-readonly')).toEqual('Allowed');
    expect(await request('platform-admin')).toEqual('ImplicitlyDenied');
  });
});
