import {
  AccountRole, accountRoleDelegations, accountsOfRole, parseAccounts, profileSafeName, readDelegationAccountRoles, readTeamAccountRoles,
} from '../src/account-roles';
import { Delegation } from '../src/outputs';

const ORG = 'o-a1b2c3d4e5';
const READONLY: AccountRole = { name: 'readonly', roleName: 'platform-readonly', path: '/', organizationId: ORG, maxSessionDuration: 3600 };
const LISTED: AccountRole = { name: 'admin', roleName: 'platform-admin', path: '/ops/', accounts: ['222222222222', '333333333333'], maxSessionDuration: 7200 };

const ALICE: Delegation = {
  stackName: 'MfaOrgIdentity',
  id: 'Platform:alice',
  values: {
    MfaUserName: 'alice',
    MfaUserArn: 'arn:aws-us-gov:iam::111111111111:user/mfa-team/Platform/alice',
    MfaSerial: 'arn:aws-us-gov:iam::111111111111:mfa/mfa-team/Platform/alice',
    MfaSourceProfile: 'alice',
    MfaSeedSecretArn: 'mfa-team/Platform/alice/mfa-seed',
  },
  unknown: {},
  member: { team: 'Platform', userName: 'alice' },
};

describe('--accounts', () => {
  test('takes account ids separated by commas, each optionally named, spaces around them ignored', () => {
    expect(parseAccounts('prod=222222222222, 333333333333 ,dev.eu-1=444444444444')).toEqual([
      { id: '222222222222', name: 'prod' },
      { id: '333333333333' },
      { id: '444444444444', name: 'dev.eu-1' },
    ]);
  });

  test.each([
    ['2222', '--accounts takes 12-digit account ids separated by commas, each optionally named (prod=222222222222), but got "2222".'],
    ['prod=ou-ab12-cdef3456', '--accounts takes 12-digit account ids separated by commas, each optionally named (prod=222222222222), but got "prod=ou-ab12-cdef3456".'],
    ['my prod=222222222222', 'The account name "my prod" in --accounts must be 1 to 64 letters, digits and _.@+- (it goes into profile names).'],
    ['=222222222222', 'The account name "" in --accounts must be 1 to 64 letters, digits and _.@+- (it goes into profile names).'],
    ['222222222222,a=222222222222', '--accounts lists the account 222222222222 twice: list each account once.'],
    [' , ', '--accounts lists no account: give 12-digit account ids separated by commas.'],
  ])('fails on "%s"', (text, message) => {
    expect(() => parseAccounts(text)).toThrow(message);
  });
});

describe('profileSafeName', () => {
  test.each([
    ['Production (EU)', 'Production-EU'],
    ['team/a b', 'team-a-b'],
    ['  ', undefined],
    ['x'.repeat(80), 'x'.repeat(64)],
  ])('turns %j into %j', (name, safe) => {
    expect(profileSafeName(name)).toEqual(safe);
  });
});

describe('reading account roles', () => {
  test('merges a team\'s MfaTeamAccountRoles outputs', () => {
    const outputs = {
      PlatformMfaTeamAccountRoles1: JSON.stringify({ admin: { roleName: 'platform-admin', path: '/ops/', accounts: LISTED.accounts, maxSessionDuration: 7200 } }),
      PlatformMfaTeamAccountRoles2: JSON.stringify({ readonly: { roleName: 'platform-readonly', path: '/', organizationId: ORG, maxSessionDuration: 3600 } }),
    };
    expect(readTeamAccountRoles('MfaOrgIdentity', outputs, 'Platform', 2)).toEqual({ admin: LISTED, readonly: READONLY });
  });

  test('reads an MfaDelegation\'s MfaAccountRoles array, and none when it has no such output', () => {
    const outputs = { ToolkitMfaAccountRoles: JSON.stringify([{ roleName: 'platform-readonly', path: '/', organizationId: ORG, maxSessionDuration: 3600 }]) };
    expect(readDelegationAccountRoles('Stack', outputs, 'Toolkit')).toEqual([{ ...READONLY, name: 'platform-readonly' }]);
    expect(readDelegationAccountRoles('Stack', {}, 'Toolkit')).toEqual([]);
  });

  test.each([
    [{ roleName: 'a b', path: '/', organizationId: ORG, maxSessionDuration: 3600 }, 'the role name "a b"'],
    [{ roleName: 'r', path: 'x', organizationId: ORG, maxSessionDuration: 3600 }, 'the path "x"'],
    [{ roleName: 'r', path: '/', accounts: ['1'], maxSessionDuration: 3600 }, 'the accounts ["1"] (not a list of 12-digit account ids)'],
    [{ roleName: 'r', path: '/', organizationId: 'ou-ab12-cdef3456', maxSessionDuration: 3600 }, 'the organizationId "ou-ab12-cdef3456"'],
    [{ roleName: 'r', path: '/', maxSessionDuration: 3600 }, 'neither accounts nor an organizationId'],
    [{ roleName: 'r', path: '/', organizationId: ORG, maxSessionDuration: 60 }, 'the maxSessionDuration 60 (not 3600 to 43200 seconds)'],
    ['text', 'no JSON object'],
  ])('fails on a malformed entry, naming the output and what is wrong: %j', (entry, what) => {
    expect(() => readTeamAccountRoles('S', { PMfaTeamAccountRoles1: JSON.stringify({ x: entry }) }, 'P', 1))
      .toThrow(`PMfaTeamAccountRoles1 of stack S describes the role x with ${what}.`);
  });

  test('fails on a missing output and on one unknown before deploy', () => {
    expect(() => readTeamAccountRoles('S', {}, 'P', 1)).toThrow('Stack S has no output PMfaTeamAccountRoles1.');
    expect(() => readTeamAccountRoles('S', { PMfaTeamAccountRoles1: { unknown: 'Fn::ImportValue' } }, 'P', 1))
      .toThrow('PMfaTeamAccountRoles1 of stack S is unknown before deploy: Fn::ImportValue.');
  });
});

describe('accountsOfRole', () => {
  test('takes the role\'s own accounts, named by --accounts, and only those of --accounts when given', () => {
    expect(accountsOfRole(LISTED)).toEqual([{ id: '222222222222' }, { id: '333333333333' }]);
    expect(accountsOfRole(LISTED, [{ id: '333333333333', name: 'prod' }, { id: '999999999999' }])).toEqual([{ id: '333333333333', name: 'prod' }]);
  });

  test('takes --accounts, else the organization\'s accounts, for a role of the organization', () => {
    expect(accountsOfRole(READONLY, [{ id: '444444444444' }], [{ id: '555555555555' }])).toEqual([{ id: '444444444444' }]);
    expect(accountsOfRole(READONLY, undefined, [{ id: '555555555555', name: 'sandbox' }])).toEqual([{ id: '555555555555', name: 'sandbox' }]);
  });

  test('fails for a role of the organization without accounts, and says to pass --accounts', () => {
    expect(() => accountsOfRole(READONLY)).toThrow('The role platform-readonly is in the accounts of the organization o-a1b2c3d4e5, which the stack '
      + 'outputs do not list: pass them with --accounts (e.g. --accounts prod=222222222222,333333333333).');
  });

  test('fails when none of --accounts has the role', () => {
    expect(() => accountsOfRole(LISTED, [{ id: '999999999999' }]))
      .toThrow('None of the accounts of --accounts has the role platform-admin; it is in 222222222222 and 333333333333.');
  });
});

describe('accountRoleDelegations', () => {
  test('make one delegation per account, sharing the member\'s user, device and source profile, with the role\'s ARN in each account', () => {
    const delegations = accountRoleDelegations(ALICE, LISTED, [{ id: '222222222222', name: 'prod' }, { id: '333333333333' }]);
    expect(delegations.map((d) => [d.id, d.values.MfaRoleProfile, d.values.MfaRoleArn, d.values.MfaRoleMaxSessionDuration])).toEqual([
      ['Platform:alice', 'prod-platform-admin', 'arn:aws-us-gov:iam::222222222222:role/ops/platform-admin', '7200'],
      ['Platform:alice', '333333333333-platform-admin', 'arn:aws-us-gov:iam::333333333333:role/ops/platform-admin', '7200'],
    ]);
    for (const d of delegations) {
      expect(d).toEqual(expect.objectContaining({ stackName: 'MfaOrgIdentity', member: ALICE.member, unknown: {} }));
      expect(d.values).toEqual(expect.objectContaining({ MfaSerial: ALICE.values.MfaSerial, MfaSourceProfile: 'alice', MfaUserName: 'alice' }));
    }
  });
});
