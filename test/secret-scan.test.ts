import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MfaTeam } from '../lib';
import { CONFIGURATIONS, Configuration } from './support/configurations';
import { secretBearingReferences, SECRET_BEARING_ATTRIBUTES } from '../lib/private/secret-bearing';

// No factor passes through CloudFormation (#16): in every synthesized template of every configuration (the example
// app, MfaTeam with and without access keys, console access, nested member stacks), no secret-bearing attribute
// (Fn::GetAtt or Fn::Sub of SecretAccessKey, ...) flows into a property, an output, a parameter, a condition or
// metadata; no template defines an AWS::IAM::AccessKey; and a dynamic reference to a secret appears only where
// CloudFormation does not record the resolved value (the login profile's password).

/** Every configuration of the proofs, and teams with nested member stacks, with and without access keys. */
const TEAMS: Configuration[] = [true, false].map((accessKey) => ({
  name: `a team in 3 nested member stacks, ${accessKey ? 'with' : 'without'} access keys`,
  stackName: `NestedTeam${accessKey ? 'WithKeys' : 'WithoutKeys'}`,
  createApp: (props) => {
    const app = new App(props);
    const stack = new Stack(app, `NestedTeam${accessKey ? 'WithKeys' : 'WithoutKeys'}`);
    new MfaTeam(stack, 'Dev', {
      roles: [{ name: 'reader' }, { name: 'operator', maxMfaAge: Duration.hours(1) }],
      members: Array.from({ length: 12 }, (_, i) => ({
        userName: `member${i}`,
        roles: i % 2 ? ['reader'] : ['reader', 'operator'],
        accessKey,
        ...(i % 3 === 0 ? { mfaSerial: `GAHT${String(i).padStart(8, '0')}` } : {}),
      })),
      memberStacks: 3,
      // Without access keys, a security role reads the seeds.
      ...(accessKey ? {} : { secretReaders: [iam.Role.fromRoleName(stack, 'Security', 'security')] }),
    });
    return app;
  },
}));

interface Finding { readonly file: string; readonly where: string; readonly what: string }

/** Scan every template of a cloud assembly (nested stack templates included). */
function scanAssembly(dir: string): { templates: number; findings: Finding[] } {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.template.json'));
  const findings: Finding[] = [];
  for (const file of files) {
    const template = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    for (const section of ['Resources', 'Outputs', 'Parameters', 'Conditions', 'Mappings', 'Metadata', 'Rules']) {
      for (const [id, value] of Object.entries<any>(template[section] ?? {})) {
        for (const reference of secretBearingReferences(value)) {
          findings.push({ file, where: `${section}.${id}`, what: reference });
        }
        if (section === 'Resources' && value.Type === 'AWS::IAM::AccessKey') {
          findings.push({ file, where: `${section}.${id}`, what: 'AWS::IAM::AccessKey' });
        }
        const text = JSON.stringify(value);
        const dynamic = text.match(/\{\{resolve:[^}]*\}\}/g) ?? [];
        const loginPassword = section === 'Resources' && value.Type === 'AWS::IAM::User' && JSON.stringify(value.Properties?.LoginProfile?.Password ?? '').includes('{{resolve:secretsmanager:');
        if (dynamic.length > 0 && !(loginPassword && dynamic.length === 1)) {
          findings.push({ file, where: `${section}.${id}`, what: `dynamic reference ${dynamic.join(', ')}` });
        }
      }
    }
  }
  return { templates: files.length, findings };
}

let root: string;
const scans = new Map<string, { templates: number; findings: Finding[] }>();
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-scan-'));
  for (const config of [...CONFIGURATIONS, ...TEAMS]) {
    const outdir = path.join(root, config.stackName);
    config.createApp({ outdir }).synth();
    scans.set(config.stackName, scanAssembly(outdir));
  }
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('no factor in CloudFormation', () => {
  test.each([...CONFIGURATIONS, ...TEAMS].map((c) => [c.name, c.stackName]))('%s: no secret-bearing attribute in any template', (_, stackName) => {
    expect(scans.get(stackName)!.findings).toEqual([]);
  });

  test('the scan saw the nested member stacks: 1 template of the team and 3 of its members', () => {
    expect(scans.get('NestedTeamWithKeys')!.templates).toBe(4);
    expect(scans.get('NestedTeamWithoutKeys')!.templates).toBe(4);
  });

  test('fails on a secret-bearing attribute in a property, an output, a Fn::Sub, a nested stack parameter, and on an access key', () => {
    // GIVEN a template with each way a secret could flow, planted by hand
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'planted-'));
    try {
      fs.writeFileSync(path.join(dir, 'Planted.template.json'), JSON.stringify({
        Resources: {
          Key: { Type: 'AWS::IAM::AccessKey', Properties: { UserName: 'alice' } },
          Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: { 'Fn::GetAtt': ['Key', 'SecretAccessKey'] } } },
          Nested: { Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: { Key: { 'Fn::Sub': 'x${Key.SecretAccessKey}' } } } },
          Param: { Type: 'AWS::SSM::Parameter', Properties: { Value: '{{resolve:secretsmanager:seed}}' } },
        },
        Outputs: { Leak: { Value: { 'Fn::GetAtt': 'Client.ClientSecret' } } },
      }));
      // WHEN
      const { findings } = scanAssembly(dir);
      // THEN
      expect(findings.map((f) => `${f.where}: ${f.what}`)).toEqual([
        'Resources.Key: AWS::IAM::AccessKey',
        'Resources.Secret: Key.SecretAccessKey',
        'Resources.Nested: Key.SecretAccessKey',
        'Resources.Param: dynamic reference {{resolve:secretsmanager:seed}}',
        'Outputs.Leak: Client.ClientSecret',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('knows the secret-bearing attributes of AWS (an access key\'s, a service credential\'s, an app client\'s) and of seeds', () => {
    expect(SECRET_BEARING_ATTRIBUTES).toEqual(expect.arrayContaining(['SecretAccessKey', 'ServicePassword', 'ClientSecret', 'Base32StringSeed']));
  });
});
