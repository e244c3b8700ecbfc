import { AwsStub, queryError, queryResult, StubRequest, StubResponse, xmlEscape } from '../../../test/support/aws-stub';
import { simulate } from '../../../test/support/iam-simulation';
import { cutOf, REVOKE_POLICY_NAME, roleNameOf, withCut } from '../src/revoke';
import { runCli, stubEnv } from './support/cli';

// `mfa-profile revoke` against a stateful model of IAM's role inline policies (the real AWS SDK v3 over loopback), and
// the policy it writes evaluated by the independent IAM evaluator.
jest.setTimeout(60_000);

const ACCOUNT = '111111111111';
const NOW = new Date('2026-12-01T12:00:00.750Z');

/**
 * IAM as far as `revoke` uses it: roles with inline policies. `GetRolePolicy` answers the document URL-encoded, as IAM
 * does, and `NoSuchEntity` for a missing role or policy (with IAM's messages); `PutRolePolicy` replaces the document.
 */
class IamModel {
  public readonly policies = new Map<string, Map<string, string>>();

  constructor(roles: string[]) {
    roles.forEach((role) => this.policies.set(role, new Map()));
  }

  public handle(request: StubRequest): StubResponse {
    const role = this.policies.get(request.params.RoleName);
    if (role === undefined) {
      return queryError('NoSuchEntity', `The role with name ${request.params.RoleName} cannot be found.`, 404);
    }
    switch (request.action) {
      case 'GetRolePolicy': {
        const document = role.get(request.params.PolicyName);
        return document === undefined
          ? queryError('NoSuchEntity', `The role policy with name ${request.params.PolicyName} cannot be found.`, 404)
          : queryResult('iam', 'GetRolePolicy', `<RoleName>${request.params.RoleName}</RoleName><PolicyName>${request.params.PolicyName}</PolicyName>`
            + `<PolicyDocument>${xmlEscape(encodeURIComponent(document))}</PolicyDocument>`);
      }
      case 'DeleteRolePolicy':
        return role.delete(request.params.PolicyName)
          ? queryResult('iam', 'DeleteRolePolicy', '')
          : queryError('NoSuchEntity', `The role policy with name ${request.params.PolicyName} cannot be found.`, 404);
      case 'PutRolePolicy':
        JSON.parse(request.params.PolicyDocument);
        role.set(request.params.PolicyName, request.params.PolicyDocument);
        return queryResult('iam', 'PutRolePolicy', '');
      default:
        return queryError('InvalidAction', `The model does not know ${request.action}`);
    }
  }
}

describe('mfa-profile revoke', () => {
  let iam: IamModel;
  let stub: AwsStub;
  beforeEach(async () => {
    iam = new IamModel(['toolkit-role', 'admin']);
    stub = await AwsStub.start((request) => iam.handle(request));
  });
  afterEach(async () => stub.stop());

  const policyOf = (role: string) => JSON.parse(iam.policies.get(role)!.get(REVOKE_POLICY_NAME)!);

  test('denies every session of the role issued before now, in an inline policy it writes with the caller\'s rights', async () => {
    const before = Date.now();
    const run = await runCli(['revoke', '--role', 'toolkit-role'], stubEnv(stub.url));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const [statement] = policyOf('toolkit-role').Statement;
    const cut = statement.Condition.DateLessThan['aws:TokenIssueTime'];
    expect(statement).toEqual({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': cut } } });
    expect(Date.parse(cut)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Date.parse(cut)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) * 1000);
    expect(run.stdout).toBe(`Role toolkit-role now denies every session issued before ${cut} (inline policy cdk-mfa-delegation-revoke-sessions). `
      + 'Sessions issued later, with a new MFA code, are not affected.\n');
    expect(stub.requests.map((r) => `${r.service} ${r.action}`)).toEqual(['iam GetRolePolicy', 'iam PutRolePolicy']);
  });

  test('adds a member\'s cut to the role\'s policy, by role ARN, and keeps the cuts already there', async () => {
    iam.policies.get('admin')!.set(REVOKE_POLICY_NAME, JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-01T00:00:00Z' } } }],
    }));
    const run = await runCli(['revoke', '--role', `arn:aws:iam::${ACCOUNT}:role/mfa-team/Platform/admin`, '--member', 'alice',
      '--before', '2026-11-30T08:00:00Z', '--json'], stubEnv(stub.url));
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ role: 'admin', policyName: REVOKE_POLICY_NAME, issuedBefore: '2026-11-30T08:00:00Z', member: 'alice' });
    expect(policyOf('admin').Statement).toEqual([
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-01T00:00:00Z' } } },
      {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-30T08:00:00Z' }, StringLike: { 'aws:userid': '*:alice' } },
      },
    ]);
  });

  test('--clear removes the policy with every cut (before cdk destroy), and says when there is none', async () => {
    iam.policies.get('admin')!.set(REVOKE_POLICY_NAME, JSON.stringify(JSON.parse(withCut(undefined, { issuedBefore: '2026-11-01T00:00:00Z' }).document)));
    iam.policies.get('admin')!.set('other', '{}');
    const first = await runCli(['revoke', '--role', 'admin', '--clear'], stubEnv(stub.url));
    expect([first.status, first.stderr, first.stdout]).toEqual([0, '',
      'Removed the inline policy cdk-mfa-delegation-revoke-sessions of role admin: its sessions are no longer cut by time.\n']);
    expect([...iam.policies.get('admin')!.keys()]).toEqual(['other']);
    const second = await runCli(['revoke', '--role', 'admin', '--clear'], stubEnv(stub.url));
    expect([second.status, second.stderr, second.stdout]).toEqual([0, '', 'Role admin has no inline policy cdk-mfa-delegation-revoke-sessions: nothing to remove.\n']);
  });

  test('fails with --clear and --member, before any AWS call', async () => {
    const run = await runCli(['revoke', '--role', 'admin', '--clear', '--member', 'alice'], stubEnv(stub.url));
    expect([run.status, run.stderr]).toEqual([1, 'mfa-profile: --clear removes every cut of the role: it takes neither --member nor --before\n']);
    expect(stub.requests).toEqual([]);
  });

  test('fails with one sentence for a role that does not exist, and writes nothing', async () => {
    const run = await runCli(['revoke', '--role', 'no-such-role'], stubEnv(stub.url));
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('mfa-profile: There is no role no-such-role in this account (or these credentials cannot see it).\n');
    expect(stub.requests.map((r) => r.action)).toEqual(['GetRolePolicy']);
  });

  test('fails before any AWS call on a role that is neither a name nor a role ARN', async () => {
    const run = await runCli(['revoke', '--role', 'arn:aws:iam::111111111111:user/alice'], stubEnv(stub.url));
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('mfa-profile: --role must be a role name (1 to 64 characters of letters, digits and _+=,.@-) or a role ARN '
      + "(arn:aws:iam::123456789012:role/NAME), but got 'arn:aws:iam::111111111111:user/alice'\n");
    expect(stub.requests).toEqual([]);
  });
});

describe('the cut', () => {
  test('is now, rounded up to the second, unless --before gives an earlier time', () => {
    expect(cutOf({}, NOW)).toEqual({ issuedBefore: '2026-12-01T12:00:01Z' });
    expect(cutOf({}, new Date('2026-12-01T12:00:00Z'))).toEqual({ issuedBefore: '2026-12-01T12:00:00Z' });
    expect(cutOf({ member: 'alice', before: '2026-12-01T11:00:00.5Z' }, NOW)).toEqual({ issuedBefore: '2026-12-01T11:00:00.5Z', sessionName: 'alice' });
  });

  test.each(['2026-12-01', '2026-12-01T12:00:00+01:00', '2026-02-30T00:00:00Z', 'yesterday'])('fails with --before %s', (before) => {
    expect(() => cutOf({ before }, NOW)).toThrow(`--before must be a UTC time in ISO 8601, such as 2026-12-01T12:00:00Z, but got '${before}'`);
  });

  test('fails with --before in the future, which would deny new sessions too', () => {
    expect(() => cutOf({ before: '2026-12-02T00:00:00Z' }, NOW)).toThrow('--before 2026-12-02T00:00:00Z is in the future: sessions issued '
      + 'until then, including new ones, would be denied; leave --before out to cut at now');
  });

  test('fails with a member name STS cannot give a session', () => {
    expect(() => cutOf({ member: 'a' }, NOW)).toThrow('--member must be a user name of 2 to 64 characters of letters, digits and _+=,.@- '
      + "(it is the name of the member's role sessions), but got 'a' (1 character)");
  });

  test('takes a role name or the name in a role ARN with a path', () => {
    expect(roleNameOf('toolkit-role')).toBe('toolkit-role');
    expect(roleNameOf('arn:aws-us-gov:iam::111111111111:role/a/b/ops')).toBe('ops');
  });

  test('replaces an earlier cut of the same sessions by the later time, keeps a later one, and keeps other statements', () => {
    const other = { Sid: 'Mine', Effect: 'Deny', Action: 's3:*', Resource: '*' };
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: [other, JSON.parse(withCut(undefined, { issuedBefore: '2026-12-01T10:00:00Z' }).document).Statement[0]] });
    const later = JSON.parse(withCut(existing, { issuedBefore: '2026-12-01T11:00:00Z' }).document).Statement;
    expect(later).toEqual([other, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-12-01T11:00:00Z' } } }]);
    expect(withCut(JSON.stringify({ Statement: later }), { issuedBefore: '2026-12-01T09:00:00Z' }).issuedBefore).toBe('2026-12-01T11:00:00Z');
  });

  test('fails on a policy of that name that is not JSON', () => {
    expect(() => withCut('{', { issuedBefore: '2026-12-01T10:00:00Z' })).toThrow(
      'The inline policy cdk-mfa-delegation-revoke-sessions of the role is not JSON: remove or fix it, then run revoke again');
  });

  test('denies, by the evaluator, the sessions issued before it and the member\'s only, and allows those issued after', async () => {
    const allowAll = { name: 'work', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
    const { document } = withCut(withCut(undefined, { issuedBefore: '2026-12-01T10:00:00Z' }).document, { issuedBefore: '2026-12-01T12:00:00Z', sessionName: 'alice' });
    const call = (session: string, issuedAt: string) => simulate({
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/${session}`,
      action: 's3:ListAllMyBuckets',
      resource: '*',
      identityPolicies: [allowAll, { name: REVOKE_POLICY_NAME, policy: JSON.parse(document) }],
      context: { 'aws:userid': `AROAEXAMPLEROLEID0001:${session}`, 'aws:TokenIssueTime': issuedAt },
    });
    expect(await call('alice', '2026-12-01T11:59:59Z')).toBe('ExplicitlyDenied');
    expect(await call('alice', '2026-12-01T12:00:01Z')).toBe('Allowed');
    expect(await call('bob', '2026-12-01T11:59:59Z')).toBe('Allowed');
    expect(await call('bob', '2026-12-01T09:59:59Z')).toBe('ExplicitlyDenied');
  });
});
