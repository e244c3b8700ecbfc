import * as fs from 'fs';
import * as path from 'path';
import { SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, ConcreteTemplate } from './support/concrete-template';
import { CONFIGURATIONS, synthTemplate } from './support/configurations';
import { collectIdentityPolicies, simulate } from './support/iam-simulation';

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

/** The Secrets Manager actions that read a secret, or change who can read it. */
const ACTIONS = [
  'GetSecretValue', 'DescribeSecret', 'ListSecretVersionIds', 'PutSecretValue', 'UpdateSecret', 'UpdateSecretVersionStage',
  'PutResourcePolicy', 'DeleteResourcePolicy', 'RotateSecret', 'CancelRotateSecret', 'DeleteSecret', 'RestoreSecret',
  'ReplicateSecretToRegions', 'RemoveRegionsFromReplication', 'StopReplicationToReplica', 'TagResource', 'UntagResource',
];

type SecretKind = 'seed' | 'console password';

interface Secret {
  readonly kind: SecretKind;
  readonly id: string;
  readonly arn: string;
  readonly policy: any;
  /** The principals the policy lets read. */
  readonly readers: string[];
}

interface Principal {
  readonly name: string;
  /** Its ARN and identity policies for a secret of a template, or undefined when the template has no such principal. */
  readonly of: (t: ConcreteTemplate, secret: Secret) => { arn: string; policies: SimulationIdentityPolicy[] } | undefined;
}

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

/** The role of the stack's handler, and its identity policies. */
function handlerOf(t: ConcreteTemplate): { arn: string; policies: SimulationIdentityPolicy[] } | undefined {
  const fn = t.idsOf('AWS::Lambda::Function', (p) => String(p.Description).startsWith('cdk-mfa-delegation'))[0];
  if (fn === undefined) {
    return undefined;
  }
  const arn = t.resources[fn].Properties.Role;
  const roleId = t.idsOf('AWS::IAM::Role').find((id) => t.getAtt(id, 'Arn') === arn)!;
  return { arn, policies: collectIdentityPolicies(t, 'Roles', t.ref(roleId)) };
}

/** A reader of the secret with the identity policies the template gives it (none for a role outside the template). */
function readerOf(t: ConcreteTemplate, secret: Secret): { arn: string; policies: SimulationIdentityPolicy[] } {
  const arn = secret.readers[0];
  const user = t.idsOf('AWS::IAM::User').find((id) => t.getAtt(id, 'Arn') === arn);
  if (user === undefined) {
    return { arn, policies: [] };
  }
  // A team member: the inline policies of its groups (its own user has none).
  const groups: string[] = t.resources[user].Properties.Groups ?? [];
  const groupPolicies = t.idsOf('AWS::IAM::Group', (p) => p.Policies !== undefined).filter((id) => groups.includes(t.ref(id)))
    .flatMap((id) => t.resources[id].Properties.Policies.map((p: any) => ({ name: `${id}/${p.PolicyName}`, policy: p.PolicyDocument })));
  return { arn, policies: groups.length > 0 ? groupPolicies : collectIdentityPolicies(t, 'Users', t.ref(user)) };
}

const PRINCIPALS: Principal[] = [
  { name: 'PowerUserAccess', of: () => ({ arn: role('power-user'), policies: [managed('PowerUserAccess')] }) },
  { name: 'SecretsManagerReadWrite', of: () => ({ arn: role('secrets-developer'), policies: [managed('SecretsManagerReadWrite')] }) },
  {
    name: 'secretsmanager:* and kms:* on *',
    of: () => ({
      arn: role('secrets-and-keys'),
      policies: [{ name: 'SecretsAndKeys', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['secretsmanager:*', 'kms:*'], Resource: '*' }] } }],
    }),
  },
  { name: 'AdministratorAccess (another admin)', of: () => ({ arn: role('admin'), policies: [managed('AdministratorAccess')] }) },
  { name: 'named reader', of: readerOf },
  { name: 'the handler', of: (t) => handlerOf(t) },
  {
    name: 'CloudFormation execution role',
    of: () => ({ arn: role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`), policies: [managed('AdministratorAccess')] }),
  },
];

/** The secrets of a template: the seeds the handler creates, and the template's own secrets with their resource policy. */
function secretsOf(t: ConcreteTemplate): Secret[] {
  const readersOf = (policy: any): string[] => policy.Statement.filter((st: any) => st.Effect === 'Allow').flatMap((st: any) => [st.Principal.AWS].flat());
  const seeds = t.idsOf('Custom::VirtualMfaDevice').map((id) => {
    const props = t.resources[id].Properties;
    return { kind: 'seed' as const, id, arn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${props.SeedSecretName}-AbCdEf`, policy: props.SeedSecretPolicy };
  });
  const own = t.idsOf('AWS::SecretsManager::Secret').map((id) => {
    const arn = t.ref(id);
    const policies = t.idsOf('AWS::SecretsManager::ResourcePolicy', (p) => p.SecretId === arn);
    if (policies.length !== 1) {
      throw new Error(`The secret ${id} has ${policies.length} resource policies: every secret of the library has exactly one`);
    }
    return { kind: 'console password' as const, id, arn, policy: t.resources[policies[0]].Properties.ResourcePolicy };
  });
  return [...seeds, ...own].map((s) => ({ ...s, readers: readersOf(s.policy) }));
}

/** What each principal may do on each kind of secret: the actions allowed (every other action of ACTIONS is denied). */
const EXPECTED: Record<string, Record<SecretKind, string[]>> = {
  'PowerUserAccess': { 'seed': [], 'console password': [] },
  'SecretsManagerReadWrite': { 'seed': [], 'console password': [] },
  'secretsmanager:* and kms:* on *': { 'seed': [], 'console password': [] },
  'AdministratorAccess (another admin)': { 'seed': [], 'console password': [] },
  'named reader': { 'seed': ['GetSecretValue', 'DescribeSecret', 'DeleteSecret'], 'console password': ['GetSecretValue', 'DescribeSecret'] },
  'the handler': { 'seed': ['DescribeSecret', 'PutSecretValue', 'DeleteSecret'], 'console password': [] },
  'CloudFormation execution role': { 'seed': [], 'console password': ACTIONS },
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
        for (const action of ACTIONS) {
          const result = await simulate({
            principal: who.arn,
            // IAM sets aws:PrincipalArn on every request (the role's ARN for its sessions); the simulator takes it as given.
            context: { 'aws:PrincipalArn': who.arn },
            action: `secretsmanager:${action}`,
            resource: secret.arn,
            identityPolicies: who.policies,
            resourcePolicy: secret.policy,
          });
          if (result === 'Allowed') {
            allowed.push(action);
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

  test('the default reader is the delegation\'s own user; a named reader replaces it', () => {
    const example = secretsOf(templates.get('MfaDelegationExample')!)[0];
    expect(example.readers).toEqual([`arn:aws:iam::${ACCOUNT}:user/toolkit-user`]);
    const named = secretsOf(templates.get('GeneratedNames')!)[0];
    expect(named.readers).toEqual([role('security-team')]);
    const team = secretsOf(templates.get('Team')!)[0];
    expect(team.readers).toEqual([`arn:aws:iam::${ACCOUNT}:user/mfa-team/Dev/alice`]);
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

  test('DESIGN.md gives the matrix the evaluator finds', () => {
    const design = fs.readFileSync(path.join(__dirname, '..', 'DESIGN.md'), 'utf8');
    const start = design.indexOf('<!-- secret-custody-matrix -->');
    const end = design.indexOf('<!-- /secret-custody-matrix -->');
    expect(start).toBeGreaterThan(0);
    expect(design.slice(start, end).trim()).toEqual(['<!-- secret-custody-matrix -->', ...matrixTable()].join('\n'));
  });
});

/** The matrix as a Markdown table: one row per principal and secret kind, the allowed actions, all else denied. */
function matrixTable(): string[] {
  const rows = ['| principal | secret | allowed (every other action of the list: denied) |', '| --- | --- | --- |'];
  for (const principal of PRINCIPALS) {
    for (const kind of ['seed', 'console password'] as SecretKind[]) {
      const results = found.filter((f) => f.principal === principal.name && f.secret.kind === kind);
      const allowed = [...new Set(results.map((r) => r.allowed.join(', ')))];
      rows.push(`| ${principal.name} | ${kind} | ${allowed.length === 1 ? (allowed[0] || 'nothing') : `differs: ${allowed.join(' / ')}`} |`);
    }
  }
  return rows;
}
