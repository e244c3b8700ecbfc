import { GetSecretValueCommand, PutResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App, CfnResource, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MfaDelegation, MfaTeam } from '../lib';
import { AwsModel, MODEL_ACCOUNT, MODEL_REGION, useAwsModelPerTest } from './support/aws-model';
import { CfnSimulator, SimTemplate } from './support/cfn-simulator';
import { STACK_ID_TAG } from '../lib/handler/names';

// The constructs and the handler, end to end, with nothing written twice: a stack synthesized from MfaDelegation and an
// MfaTeam of two members is deployed by the CloudFormation simulator, which runs the REAL handler (lib/handler) as
// Lambda runs the function the template defines: its Environment (the handler reads STACK_ID from it), its Timeout,
// the credentials of its Role, calls carrying lambda:SourceFunctionArn. The AWS model authorizes every call with the
// independent IAM evaluator against the identity policies the template attaches to that role, with the resources'
// tags (the users' as the template tags them) and a secret's own resource policy. A drift between what the constructs
// synthesize and what the handler needs (a permission, a tag, an environment variable) fails a deployment here; the
// last tests plant three such drifts to show it.

// Each test synthesizes and deploys whole stacks (about 2-4 s alone, several times that on a loaded machine).
jest.setTimeout(120_000);

const STACK = 'MfaEndToEnd';
const FAST = { retry: { attemptTimeoutMs: 2_000, eventualConsistencyDelayMs: 50 }, response: { backoffMs: 50 } };

/** What one version of the app changes. */
interface Version {
  /** The delegation's user name (its device is named after it). @default toolkit-user */
  readonly delegationUser?: string;
  /** The role that reads the delegation's seed, by construct id (a new id is a new role, with a new ARN). @default DelegationAuditorA */
  readonly delegationReader?: string;
  /** The role that reads the team's seeds, by construct id. @default TeamAuditorA */
  readonly teamReader?: string;
  /** Whether the delegation enables its device at deploy time (not part of the device's identity). @default true */
  readonly delegationEnable?: boolean;
  /** A resource after the delegation that fails (the rollback's cause). */
  readonly failAfter?: boolean;
}

/** Synthesize the app of a version: the template CloudFormation gets. */
function synthesize(version: Version = {}): SimTemplate {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, STACK, {
    env: { account: MODEL_ACCOUNT, region: MODEL_REGION },
    analyticsReporting: false,
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
  });
  const reader = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
  const delegation = new MfaDelegation(stack, 'Toolkit', {
    userName: version.delegationUser ?? 'toolkit-user',
    roleName: 'toolkit-role',
    secretReaders: [reader(version.delegationReader ?? 'DelegationAuditorA')],
    enableMfaDevice: version.delegationEnable,
  });
  new MfaTeam(stack, 'Team', {
    teamName: 'dev',
    roles: [{ name: 'admin' }],
    members: [{ userName: 'carol', roles: ['admin'] }, { userName: 'dave', roles: ['admin'], accessKey: false }],
    memberStacks: 0,
    secretReaders: [reader(version.teamReader ?? 'TeamAuditorA')],
  });
  if (version.failAfter) {
    new CfnResource(stack, 'Later', { type: 'Test::Fail' }).node.addDependency(delegation);
  }
  return app.synth().getStackByName(STACK).template;
}

const modelOfTest = useAwsModelPerTest();
let model: AwsModel;
beforeEach(() => {
  model = modelOfTest();
});

function simulator(): CfnSimulator {
  const sim = new CfnSimulator(model, STACK, FAST);
  sim.runFunctionsAsDeployed();
  return sim;
}

/** The devices of the stack, by the user each is enabled for: `user → serial`. */
function devicesByUser(sim: CfnSimulator): Record<string, string> {
  return Object.fromEntries(model.devicesTagged(STACK_ID_TAG, sim.stack.stackId).map((d) => [d.user ?? '(not enabled)', d.serialNumber]));
}

/** Every device of the stack holds its seed in its secret, whose attached policy is the one the template gave it. */
function checkSeeds(sim: CfnSimulator): void {
  for (const [logicalId, resource] of sim.stack.resources) {
    if (resource.type !== 'Custom::VirtualMfaDevice') {
      continue;
    }
    const props = sim.resolvedProperties(logicalId)!;
    const device = model.devices.get(String(resource.physicalId).toLowerCase())!;
    expect(JSON.parse(model.currentValue(props.SeedSecretName)!)).toMatchObject({ serialNumber: device.serialNumber, seed: device.seed });
    expect(JSON.parse(model.secret(props.SeedSecretName)!.policy!)).toEqual(props.SeedSecretPolicy);
  }
}

/** The secrets of the stack, by name. */
function secretNames(sim: CfnSimulator): string[] {
  return [...model.secrets.values()].filter((s) => s.tags.get(STACK_ID_TAG) === sim.stack.stackId).map((s) => s.name).sort();
}

/** The reasons of the FAILED answers of a deployment. */
function failures(sim: CfnSimulator): string[] {
  return sim.exchanges.filter((e) => e.response.Status === 'FAILED').map((e) => `${e.event.RequestType} ${e.event.LogicalResourceId}: ${e.response.Reason}`);
}

const ARN = (kind: string, name: string) => `arn:aws:iam::${MODEL_ACCOUNT}:${kind}/${name}`;
const AFTER_CREATE = {
  'toolkit-user': ARN('mfa', 'toolkit-user'),
  'carol': ARN('mfa', 'mfa-team/dev/carol'),
  'dave': ARN('mfa', 'mfa-team/dev/dave'),
};

describe('the constructs\' template deployed through the real handler, every call authorized by the template\'s policies', () => {
  test('creates the devices of the delegation and of both members, enabled, each seed in a secret locked by its synthesized policy', async () => {
    const sim = simulator();
    expect((await sim.deploy(synthesize())).status).toEqual('CREATE_COMPLETE');
    expect(failures(sim)).toEqual([]);
    expect(model.denials).toEqual([]);
    expect(devicesByUser(sim)).toEqual(AFTER_CREATE);
    checkSeeds(sim);
    // Every call of the handler was signed by the function's role and authorized: one principal, the function's.
    expect([...model.principals.values()].map((p) => p.context)).toEqual([
      { 'lambda:SourceFunctionArn': expect.stringMatching(/^arn:aws:lambda:us-east-1:111111111111:function:MfaEndToEnd-VirtualMfaDeviceHandler/) },
    ]);
  });

  test('refuses the handler a read of a seed and a new policy on a secret it attached, as the secret\'s own policy says', async () => {
    const sim = simulator();
    await sim.deploy(synthesize());
    const [accessKeyId] = model.principals.keys();
    const asHandler = new SecretsManagerClient({ credentials: { accessKeyId, secretAccessKey: 'x', sessionToken: 'y' }, maxAttempts: 1 });
    const name = sim.resolvedProperties([...sim.stack.resources.keys()].find((id) => id.startsWith('ToolkitMfaDevice'))!)!.SeedSecretName;
    await expect(asHandler.send(new GetSecretValueCommand({ SecretId: name }))).rejects.toThrow(/secretsmanager:GetSecretValue .* with an explicit deny/);
    await expect(asHandler.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: '{"Version":"2012-10-17","Statement":[]}' })))
      .rejects.toThrow(/secretsmanager:PutResourcePolicy .* with an explicit deny/);
  });

  test('fails a reader change of the team\'s seeds at deploy time with one reason naming the secret, and the rollback keeps every device and seed', async () => {
    const sim = simulator();
    await sim.deploy(synthesize());
    const seeds = secretNames(sim).map((name) => model.currentValue(name));
    const result = await sim.deploy(synthesize({ teamReader: 'TeamAuditorB' }));
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(failures(sim)).toEqual([expect.stringMatching(/^Update TeamMembers(carol|dave)MfaDevice\w+: Secret mfa-team\/dev\/(carol|dave)\/mfa-seed keeps the resource policy it was created with/)]);
    expect(model.denials).toEqual([]);
    expect(devicesByUser(sim)).toEqual(AFTER_CREATE);
    expect(secretNames(sim).map((name) => model.currentValue(name))).toEqual(seeds);
    checkSeeds(sim);
  });

  test('fails a reader change of the delegation\'s seed without a new device name, before anything changes', async () => {
    const sim = simulator();
    await sim.deploy(synthesize());
    const result = await sim.deploy(synthesize({ delegationReader: 'DelegationAuditorB' }));
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(failures(sim)).toEqual([expect.stringMatching(/^Update ToolkitMfaDevice\w+: Cannot change the user, path or seed secret .* of virtual MFA device arn:aws:iam::111111111111:mfa\/toolkit-user while its name stays toolkit-user/)]);
    expect(devicesByUser(sim)).toEqual(AFTER_CREATE);
    checkSeeds(sim);
  });

  test('a reader change with a renamed user creates the successor device and secret before CloudFormation deletes the old ones', async () => {
    const sim = simulator();
    await sim.deploy(synthesize());
    const before = secretNames(sim);
    const result = await sim.deploy(synthesize({ delegationUser: 'toolkit-user2', delegationReader: 'DelegationAuditorB' }));
    expect(result.status).toEqual('UPDATE_COMPLETE');
    expect(failures(sim)).toEqual([]);
    expect(model.denials).toEqual([]);
    expect(devicesByUser(sim)).toEqual({ ...AFTER_CREATE, 'toolkit-user': undefined, 'toolkit-user2': ARN('mfa', 'toolkit-user2') });
    expect(model.users.has('toolkit-user')).toBe(false);
    // The old seed secret went with the old device; the new one has its own name (other readers, another hash).
    const after = secretNames(sim);
    expect(after.filter((name) => !before.includes(name))).toEqual([expect.stringMatching(/^mfa-seed\/toolkit-user2-[0-9a-f]{8}$/)]);
    expect(before.filter((name) => !after.includes(name))).toEqual([expect.stringMatching(/^mfa-seed\/toolkit-user-[0-9a-f]{8}$/)]);
    checkSeeds(sim);
  });

  test('a replacement that a later resource fails is rolled back to the device and seed the owner had', async () => {
    const sim = simulator();
    await sim.deploy(synthesize());
    const seeds = secretNames(sim).map((name) => [name, model.currentValue(name)]);
    const result = await sim.deploy(synthesize({ delegationUser: 'toolkit-user2', delegationReader: 'DelegationAuditorB', failAfter: true }));
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(failures(sim)).toEqual([]);
    expect(model.denials).toEqual([]);
    expect(devicesByUser(sim)).toEqual(AFTER_CREATE);
    expect(secretNames(sim).map((name) => [name, model.currentValue(name)])).toEqual(seeds);
    checkSeeds(sim);
  });

  test('deleting the stack removes every device, seed secret, access key mfa-profile made and user', async () => {
    const sim = simulator();
    await sim.deploy(synthesize());
    // The keys mfa-profile creates for the users with accessKey (outside CloudFormation).
    for (const name of ['toolkit-user', 'carol']) {
      model.users.get(name)!.accessKeys.push({ accessKeyId: `AKIA${name.toUpperCase()}`, secretAccessKey: 'k', status: 'Active', createDate: new Date() });
    }
    expect((await sim.destroy()).status).toEqual('DELETE_COMPLETE');
    expect(failures(sim)).toEqual([]);
    expect(model.denials).toEqual([]);
    expect([model.devices.size, model.secrets.size, model.users.size]).toEqual([0, 0, 0]);
  });

  test('updates and deletes devices whose seeds their owners forgot, although Secrets Manager refuses the handler a look at a secret that is gone', async () => {
    const sim = simulator();
    await sim.deploy(synthesize());
    // mfa-profile setup forgets a seed by deleting its secret (ForceDeleteWithoutRecovery): the handler then meets a name
    // that Secrets Manager answers with AccessDeniedException (its policy needs the secret's tag), not ResourceNotFound.
    for (const name of secretNames(sim)) {
      model.secrets.delete(model.secret(name)!.arn);
    }
    // An update of the delegation's device that keeps it (Enable is not part of its identity).
    expect((await sim.deploy(synthesize({ delegationEnable: false }))).status).toEqual('UPDATE_COMPLETE');
    expect(sim.exchanges.filter((e) => e.event.RequestType === 'Update').map((e) => e.event.LogicalResourceId))
      .toEqual([expect.stringMatching(/^ToolkitMfaDevice/)]);
    expect((await sim.destroy()).status).toEqual('DELETE_COMPLETE');
    expect(failures(sim)).toEqual([]);
    expect(model.denials.every((d) => / secretsmanager:DescribeSecret /.test(d))).toBe(true);
    expect([model.devices.size, model.secrets.size, model.users.size]).toEqual([0, 0, 0]);
  });
});

describe('a drift between the constructs and the handler fails the deployment', () => {
  /** Deploy a synthesized template after `mutate` changed it, as a construct that no longer matches the handler would. */
  async function deployDrifted(mutate: (template: any) => void): Promise<string[]> {
    const template: any = synthesize();
    mutate(template);
    const sim = simulator();
    expect((await sim.deploy(template)).status).toEqual('ROLLBACK_COMPLETE');
    return failures(sim);
  }
  const ofType = (template: any, type: string) => Object.values<any>(template.Resources).filter((r) => r.Type === type);

  test('fails when the stack does not tag its users for the handler', async () => {
    const reasons = await deployDrifted((t) => ofType(t, 'AWS::IAM::User').forEach((user) => delete user.Properties.Tags));
    expect(reasons[0]).toMatch(/^Create \w+MfaDevice\w+: Could not enable MFA device .*User: arn:aws:iam::111111111111:role\/\S+ is not authorized to perform: iam:EnableMFADevice on resource: arn:aws:iam::111111111111:user\//);
    expect(model.denials[0]).toMatch(/iam:EnableMFADevice arn:aws:iam::111111111111:user\/\S+: ImplicitlyDenied$/);
  });

  test('fails when the handler\'s function does not name its stack in STACK_ID', async () => {
    const reasons = await deployDrifted((t) => ofType(t, 'AWS::Lambda::Function').forEach((fn) => delete fn.Properties.Environment));
    expect(reasons[0]).toMatch(/: Refused: the handler's environment names no stack \(STACK_ID\), so it cannot tell its own stack's requests from others\.$/);
  });

  test('fails when the handler\'s policy lacks the reads of its own stack', async () => {
    const reasons = await deployDrifted((t) => ofType(t, 'AWS::IAM::ManagedPolicy').forEach((policy) => {
      policy.Properties.PolicyDocument.Statement = policy.Properties.PolicyDocument.Statement.filter((st: any) => st.Sid !== 'ReadOwnStack');
    }));
    expect(reasons[0]).toMatch(/: Could not read stack arn:aws:cloudformation:us-east-1:111111111111:stack\/MfaEndToEnd\/\S+ to verify the request: User: \S+ is not authorized to perform: cloudformation:DescribeStacks/);
  });
});
