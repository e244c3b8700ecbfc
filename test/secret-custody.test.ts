import * as fs from 'fs';
import * as path from 'path';
import { SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, ConcreteTemplate, stackIdOf } from './support/concrete-template';
import { CONFIGURATIONS, synthTemplate } from './support/configurations';
import { HANDLER_TAGS } from '../lib/contract';
import { collectIdentityPolicies, simulate, WITH_MFA } from './support/iam-simulation';

// Who can read each secret the library creates, or unlock it (change its policy, key, versions, replicas or life),
// proven by @cloud-copilot/iam-simulate (which we did not write) on the synthesized template of every configuration:
// the real AWS managed policies of the attackers (test/fixtures/aws-managed-policies), the identity policies the
// template gives the handler and the readers, and the resource policy the template gives each secret (the seed's
// SeedSecretPolicy, which the handler attaches before it writes the seed; the console password's
// AWS::SecretsManager::ResourcePolicy). DESIGN.md holds the matrix; the last test checks that it says what the
// evaluator finds.

const managed = (name: string): SimulationIdentityPolicy => ({
  name,
  policy: JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'aws-managed-policies', `${name}.json`), 'utf8')),
});

/** One request of the matrix: a Secrets Manager action, with the request context that makes it one case of it. */
interface Check {
  readonly label: string;
  readonly action: string;
  readonly context?: Record<string, string>;
}

const ANOTHER_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0000aaaa-11bb-22cc-33dd-444444eeeeee`;

/** The ways to read a secret, or to change who can (its policy, key, versions, replicas, life): the matrix's columns. */
const NAMED_CHECKS: Check[] = [
  { label: 'GetSecretValue (AWSCURRENT)', action: 'GetSecretValue', context: { 'secretsmanager:VersionStage': 'AWSCURRENT' } },
  { label: 'GetSecretValue (AWSPREVIOUS)', action: 'GetSecretValue', context: { 'secretsmanager:VersionStage': 'AWSPREVIOUS' } },
  { label: 'GetSecretValue (VersionId)', action: 'GetSecretValue', context: { 'secretsmanager:VersionId': 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE' } },
  { label: 'GetResourcePolicy', action: 'GetResourcePolicy' },
  { label: 'PutResourcePolicy', action: 'PutResourcePolicy' },
  { label: 'DeleteResourcePolicy', action: 'DeleteResourcePolicy' },
  { label: 'UpdateSecret (KmsKeyId)', action: 'UpdateSecret', context: { 'secretsmanager:KmsKeyId': ANOTHER_KEY } },
  { label: 'ReplicateSecretToRegions', action: 'ReplicateSecretToRegions', context: { 'secretsmanager:AddReplicaRegions': 'eu-west-1' } },
  { label: 'RestoreSecret', action: 'RestoreSecret' },
];

/** The other Secrets Manager actions on a secret: the matrix's last column lists those allowed. */
const OTHER_CHECKS: Check[] = [
  'DescribeSecret', 'ListSecretVersionIds', 'PutSecretValue', 'UpdateSecret', 'UpdateSecretVersionStage', 'RotateSecret', 'CancelRotateSecret',
  'DeleteSecret', 'RemoveRegionsFromReplication', 'StopReplicationToReplica', 'TagResource', 'UntagResource',
].map((action) => ({ label: action, action }));

const CHECKS = [...NAMED_CHECKS, ...OTHER_CHECKS];

type SecretKind = 'seed' | 'console password';

interface Secret {
  readonly kind: SecretKind;
  readonly id: string;
  readonly arn: string;
  readonly policy: any;
  /** The principals the policy lets read. */
  readonly readers: string[];
  /** The ARN of the IAM user whose factor or password it holds. */
  readonly owner: string;
}

/** Who makes the requests: an ARN, its identity policies, and request context of its own (MFA). */
interface Caller {
  readonly arn: string;
  readonly policies: SimulationIdentityPolicy[];
  readonly context?: Record<string, string>;
}

interface Principal {
  readonly name: string;
  /** The caller for a secret of a template, or undefined when the template has no such principal for that secret. */
  readonly of: (t: ConcreteTemplate, secret: Secret) => Caller | undefined;
}

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

/**
 * The role of the stack's handler and its identity policies, calling from the handler function (lambda:SourceFunctionArn)
 * on a seed secret it created with its stack's tag: the most its role can ever do (test/handler-grants.test.ts: less from
 * any other caller or on any other secret).
 */
function handlerOf(t: ConcreteTemplate): Caller | undefined {
  const fn = t.idsOf('AWS::Lambda::Function', (p) => String(p.Description).startsWith('cdk-mfa-delegation'))[0];
  if (fn === undefined) {
    return undefined;
  }
  const arn = t.resources[fn].Properties.Role;
  const roleId = t.idsOf('AWS::IAM::Role').find((id) => t.getAtt(id, 'Arn') === arn)!;
  return {
    arn,
    policies: collectIdentityPolicies(t, 'Roles', t.ref(roleId)),
    context: {
      'lambda:SourceFunctionArn': `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${t.ref(fn)}`,
      [`aws:ResourceTag/${HANDLER_TAGS.stackId}`]: stackIdOf(t.stackName),
    },
  };
}

/**
 * An IAM principal of the template (or outside it) with the identity policies the template gives it: a team member
 * the inline policies of its groups, a user or role the policies that name it.
 */
function identityOf(t: ConcreteTemplate, arn: string): Caller {
  const user = t.idsOf('AWS::IAM::User').find((id) => t.getAtt(id, 'Arn') === arn);
  if (user === undefined) {
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    return { arn, policies: arn.includes(':user/') ? collectIdentityPolicies(t, 'Users', name) : [] };
  }
  const groups: string[] = t.resources[user].Properties.Groups ?? [];
  const groupPolicies = t.idsOf('AWS::IAM::Group', (p) => p.Policies !== undefined).filter((id) => groups.includes(t.ref(id)))
    .flatMap((id) => t.resources[id].Properties.Policies.map((p: any) => ({ name: `${id}/${p.PolicyName}`, policy: p.PolicyDocument })));
  return { arn, policies: groups.length > 0 ? groupPolicies : collectIdentityPolicies(t, 'Users', t.ref(user)) };
}

/** A team member other than the secret's owner, with its own MFA. */
function otherMember(t: ConcreteTemplate, secret: Secret): Caller | undefined {
  const members = t.idsOf('AWS::IAM::User', (p) => String(p.Path).startsWith('/mfa-team/')).map((id) => t.getAtt(id, 'Arn'));
  const other = members.find((arn) => arn !== secret.owner);
  return other === undefined ? undefined : { ...identityOf(t, other), context: WITH_MFA };
}

const attacker = (arn: string, ...policies: string[]): Principal['of'] => () => ({ arn, policies: policies.map(managed) });

const PRINCIPALS: Principal[] = [
  { name: 'PowerUserAccess', of: attacker(role('power-user'), 'PowerUserAccess') },
  { name: 'SecretsManagerReadWrite (a developer)', of: attacker(role('secrets-developer'), 'SecretsManagerReadWrite') },
  { name: 'ReadOnlyAccess (an auditor)', of: attacker(role('auditor'), 'ReadOnlyAccess') },
  { name: 'SecurityAudit and AWSCloudFormationReadOnlyAccess (an auditor)', of: attacker(role('security-auditor'), 'SecurityAudit', 'AWSCloudFormationReadOnlyAccess') },
  { name: 'AWSLambda_FullAccess (a Lambda developer)', of: attacker(role('lambda-developer'), 'AWSLambda_FullAccess') },
  {
    name: 'secretsmanager:* and kms:* on *',
    of: () => ({
      arn: role('secrets-and-keys'),
      policies: [{ name: 'SecretsAndKeys', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['secretsmanager:*', 'kms:*'], Resource: '*' }] } }],
    }),
  },
  { name: 'AdministratorAccess (another admin)', of: attacker(role('admin'), 'AdministratorAccess') },
  { name: 'the owner, the default reader (its access key, no MFA)', of: (t, secret) => (secret.readers.includes(secret.owner) ? identityOf(t, secret.owner) : undefined) },
  { name: 'the owner, when secretReaders names others', of: (t, secret) => (secret.readers.includes(secret.owner) ? undefined : identityOf(t, secret.owner)) },
  {
    name: 'a named reader (secretReaders)',
    of: (t, secret) => {
      const reader = secret.readers.find((arn) => arn !== secret.owner);
      return reader === undefined ? undefined : identityOf(t, reader);
    },
  },
  { name: 'another team member, with its own MFA', of: otherMember },
  { name: 'the handler', of: (t) => handlerOf(t) },
  { name: 'CloudFormation execution role', of: attacker(role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`), 'AdministratorAccess') },
];

/** The secrets of a template: the seeds the handler creates, and the template's own secrets with their resource policy. */
function secretsOf(t: ConcreteTemplate): Secret[] {
  const readersOf = (policy: any): string[] => policy.Statement.filter((st: any) => st.Effect === 'Allow').flatMap((st: any) => [st.Principal.AWS].flat());
  const userArn = (name: string) => {
    const id = t.idsOf('AWS::IAM::User').find((i) => t.ref(i) === name);
    return id === undefined ? `arn:aws:iam::${ACCOUNT}:user/${name}` : t.getAtt(id, 'Arn');
  };
  const seeds = t.idsOf('Custom::VirtualMfaDevice').map((id) => {
    const props = t.resources[id].Properties;
    const arn = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${props.SeedSecretName}-AbCdEf`;
    return { kind: 'seed' as const, id, arn, policy: props.SeedSecretPolicy, owner: userArn(props.UserName) };
  });
  const own = t.idsOf('AWS::SecretsManager::Secret').map((id) => {
    const arn = t.ref(id);
    const policies = t.idsOf('AWS::SecretsManager::ResourcePolicy', (p) => p.SecretId === arn);
    if (policies.length !== 1) {
      throw new Error(`The secret ${id} has ${policies.length} resource policies: every secret of the library has exactly one`);
    }
    const owner = t.idOf('AWS::IAM::User', (p) => String(p.LoginProfile?.Password).includes(arn));
    return { kind: 'console password' as const, id, arn, policy: t.resources[policies[0]].Properties.ResourcePolicy, owner: t.getAtt(owner, 'Arn') };
  });
  return [...seeds, ...own].map((s) => ({ ...s, readers: readersOf(s.policy) }));
}

const READER: Record<SecretKind, string[]> = {
  'seed': ['GetSecretValue (AWSCURRENT)', 'GetSecretValue (AWSPREVIOUS)', 'GetSecretValue (VersionId)', 'DescribeSecret', 'DeleteSecret'],
  'console password': ['GetSecretValue (AWSCURRENT)', 'GetSecretValue (AWSPREVIOUS)', 'GetSecretValue (VersionId)', 'DescribeSecret'],
};
const NOTHING: Record<SecretKind, string[]> = { 'seed': [], 'console password': [] };

/** What each principal may do on each kind of secret: the checks allowed (every other check is denied). */
const EXPECTED: Record<string, Record<SecretKind, string[]>> = {
  'PowerUserAccess': NOTHING,
  'SecretsManagerReadWrite (a developer)': NOTHING,
  'ReadOnlyAccess (an auditor)': NOTHING,
  'SecurityAudit and AWSCloudFormationReadOnlyAccess (an auditor)': NOTHING,
  'AWSLambda_FullAccess (a Lambda developer)': NOTHING,
  'secretsmanager:* and kms:* on *': NOTHING,
  'AdministratorAccess (another admin)': NOTHING,
  'the owner, the default reader (its access key, no MFA)': READER,
  'the owner, when secretReaders names others': NOTHING,
  'a named reader (secretReaders)': READER,
  'another team member, with its own MFA': NOTHING,
  'the handler': { 'seed': ['DescribeSecret', 'PutSecretValue', 'DeleteSecret'], 'console password': [] },
  'CloudFormation execution role': { 'seed': [], 'console password': CHECKS.map((c) => c.label) },
};

const templates = new Map<string, ConcreteTemplate>();
/** Per configuration, secret and principal: the actions the evaluator allows. */
const found: Array<{ config: string; secret: Secret; principal: string; allowed: string[] }> = [];

beforeAll(async () => {
  for (const config of CONFIGURATIONS) {
    const t = new ConcreteTemplate(synthTemplate(config), config.stackName);
    templates.set(config.stackName, t);
    for (const secret of secretsOf(t)) {
      for (const principal of PRINCIPALS) {
        const who = principal.of(t, secret);
        if (who === undefined) {
          continue;
        }
        const allowed: string[] = [];
        for (const check of CHECKS) {
          const result = await simulate({
            principal: who.arn,
            // IAM sets aws:PrincipalArn on every request (the role's ARN for its sessions); the simulator takes it as given.
            context: { 'aws:PrincipalArn': who.arn, ...who.context, ...check.context },
            action: `secretsmanager:${check.action}`,
            resource: secret.arn,
            identityPolicies: who.policies,
            resourcePolicy: secret.policy,
          });
          if (result === 'Allowed') {
            allowed.push(check.label);
          }
        }
        found.push({ config: config.stackName, secret, principal: principal.name, allowed });
      }
    }
  }
}, 600_000);

describe('custody of the secrets', () => {
  test('every configuration with a virtual device has a seed secret, and console access a console password secret, each locked', () => {
    const kinds = (name: string) => secretsOf(templates.get(name)!).map((s) => s.kind);
    expect(kinds('MfaDelegationExample')).toEqual(['seed']);
    expect(kinds('ConsoleAccess')).toEqual(['seed', 'console password']);
    expect(kinds('Team')).toEqual(['seed']);
    expect(kinds('ExistingDevice')).toEqual([]);
  });

  test.each(PRINCIPALS.map((p) => p.name))('%s: exactly the expected actions on every secret of every configuration', (name) => {
    const results = found.filter((f) => f.principal === name);
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      expect([result.config, result.secret.kind, result.allowed]).toEqual([result.config, result.secret.kind, EXPECTED[name][result.secret.kind]]);
    }
  });

  test('the default reader is the secret\'s owner; a named reader replaces it', () => {
    const example = secretsOf(templates.get('MfaDelegationExample')!)[0];
    expect([example.readers, example.owner]).toEqual([[`arn:aws:iam::${ACCOUNT}:user/toolkit-user`], `arn:aws:iam::${ACCOUNT}:user/toolkit-user`]);
    const named = secretsOf(templates.get('GeneratedNames')!)[0];
    expect(named.readers).toEqual([role('security-team')]);
    const team = secretsOf(templates.get('Team')!)[0];
    expect(team.readers).toEqual([`arn:aws:iam::${ACCOUNT}:user/mfa-team/Dev/alice`]);
  });

  test('every principal of the matrix is evaluated on at least one secret, and every row of the matrix on every configuration that has it', () => {
    expect(PRINCIPALS.filter((p) => !found.some((f) => f.principal === p.name)).map((p) => p.name)).toEqual([]);
    expect(found.filter((f) => f.principal === 'another team member, with its own MFA').map((f) => f.config)).toEqual(['Team']);
    expect(found.filter((f) => f.principal === 'the owner, when secretReaders names others').map((f) => f.config)).toEqual(['GeneratedNames']);
  });

  test('fails for a principal the policy did not name even when its identity policy allows everything (the Deny is explicit)', async () => {
    const seed = secretsOf(templates.get('MfaDelegationExample')!)[0];
    const request = {
      principal: role('admin'),
      context: { 'aws:PrincipalArn': role('admin') },
      action: 'secretsmanager:GetSecretValue',
      resource: seed.arn,
      identityPolicies: [managed('AdministratorAccess')],
    };
    expect(await simulate({ ...request, resourcePolicy: seed.policy })).toEqual('ExplicitlyDenied');
    // The same request without the secret's policy: the identity policy alone would allow it.
    expect(await simulate(request)).toEqual('Allowed');
  });

  test('DESIGN.md gives the matrix the evaluator finds (UPDATE_MATRIX=1 npx jest test/secret-custody.test.ts writes it there)', () => {
    const file = path.join(__dirname, '..', 'DESIGN.md');
    const design = fs.readFileSync(file, 'utf8');
    const start = design.indexOf(MATRIX_START);
    const end = design.indexOf(MATRIX_END);
    expect([start > 0, end > start]).toEqual([true, true]);
    const table = [MATRIX_START, ...matrixTable(), ''].join('\n');
    if (process.env.UPDATE_MATRIX === '1') {
      fs.writeFileSync(file, design.slice(0, start) + table + design.slice(end));
    } else {
      expect(design.slice(start, end)).toEqual(table);
    }
  });
});

const MATRIX_START = '<!-- secret-custody-matrix -->';
const MATRIX_END = '<!-- /secret-custody-matrix -->';

/**
 * The matrix as a Markdown table: one row per principal and secret kind, a column per named check (yes: allowed), and the
 * other actions allowed. A cell that differs between configurations lists each.
 */
function matrixTable(): string[] {
  const rows = [
    `| principal | secret | ${NAMED_CHECKS.map((c) => c.label).join(' | ')} | other actions allowed |`,
    `| --- | --- | ${NAMED_CHECKS.map(() => '---').join(' | ')} | --- |`,
  ];
  for (const principal of PRINCIPALS) {
    for (const kind of ['seed', 'console password'] as SecretKind[]) {
      const results = found.filter((f) => f.principal === principal.name && f.secret.kind === kind);
      if (results.length === 0) {
        continue;
      }
      const cell = (value: (allowed: string[]) => string) => {
        const values = [...new Set(results.map((r) => value(r.allowed)))];
        return values.length === 1 ? values[0] : `differs: ${results.map((r) => `${r.config} ${value(r.allowed)}`).join(', ')}`;
      };
      const named = NAMED_CHECKS.map((check) => cell((allowed) => (allowed.includes(check.label) ? 'yes' : 'no')));
      const others = cell((allowed) => allowed.filter((a) => OTHER_CHECKS.some((c) => c.label === a)).join(', ') || 'nothing');
      rows.push(`| ${principal.name} | ${kind} | ${named.join(' | ')} | ${others} |`);
    }
  }
  return rows;
}
