import { App, Stack } from 'aws-cdk-lib';
import { MfaDelegation, MfaTeam } from '../lib';
import { CREATED_AT_ATTRIBUTE, DEVICE_TIME_UNKNOWN } from '../lib/contract';
import { AwsModel, useAwsModelPerTest } from './support/aws-model';
import { CfnSimulator, SimTemplate } from './support/cfn-simulator';
import { deviceStack, DeviceSpec } from './support/device-stack';
import { simulate } from './support/iam-simulation';
import { CREATED_AT_TAG } from '../lib/handler/names';

// The time a device came to be (`CreatedAt`), which MfaTeam and MfaDelegation deny the role sessions issued before:
// CloudFormation's request sequences replayed through the real handler against the stateful AWS model. A replaced
// device gives a new time, and nothing else moves it: an update that keeps the device, a rollback to it.

// Two synths and two deploys of a whole stack in the end-to-end test: seconds on a busy machine.
jest.setTimeout(120_000);

const ALICE = { id: 'Alice', userName: 'alice' };
const DEVICE: DeviceSpec = { id: 'AliceDevice', user: 'Alice' };
const RENAMED: DeviceSpec = { ...DEVICE, deviceName: 'alice-phone', seedSecretName: 'mfa-seed/AliceDevice/alice-phone' };
const FAST = { retry: { attemptTimeoutMs: 2_000, eventualConsistencyDelayMs: 50 }, response: { backoffMs: 50 } };

const currentModel = useAwsModelPerTest();
let model: AwsModel;
/** The clock of the handler and of IAM (TOTP codes, EnableDate). */
let clock: number;

beforeEach(() => {
  model = currentModel();
  clock = Date.parse('2026-12-01T10:00:00.250Z');
  model.now = () => clock;
});

/** The stack of `deviceStack` whose seed secret names another reader: an update that keeps the device. */
function newReader(devices: DeviceSpec[], users: Array<{ id: string; userName: string }>) {
  const template = deviceStack(devices.map((d) => ({ ...d, reader: 'Auditor' })), { users });
  template.Resources.Auditor = { Type: 'AWS::IAM::Role', Properties: {} };
  return template;
}

function simulator(): CfnSimulator {
  return new CfnSimulator(model, 'MfaStack', { ...FAST, now: () => clock });
}

/** The CreatedAt of every SUCCESS answer about the device resource, in order, with the request type. */
function createdAts(sim: CfnSimulator): string[] {
  return sim.exchanges.filter((e) => e.event.LogicalResourceId === 'AliceDevice' && e.response.Status === 'SUCCESS' && e.event.RequestType !== 'Delete')
    .map((e) => `${e.event.RequestType} ${e.response.Data?.[CREATED_AT_ATTRIBUTE]}`);
}

test('a created device answers the time the handler created it, rounded up to the second, and records it on the device', async () => {
  const sim = simulator();
  await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
  expect(createdAts(sim)).toEqual(['Create 2026-12-01T10:00:01Z']);
  expect(model.devices.get('arn:aws:iam::111111111111:mfa/alice')!.tags.get(CREATED_AT_TAG)).toEqual('2026-12-01T10:00:01Z');
});

test('an update that keeps the device answers the same time, however much later', async () => {
  const sim = simulator();
  await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
  clock += 3_600_000;
  await sim.deploy(newReader([DEVICE], [ALICE]));
  expect(createdAts(sim)).toEqual(['Create 2026-12-01T10:00:01Z', 'Update 2026-12-01T10:00:01Z']);
});

test('a replaced device answers the time of the new device', async () => {
  const sim = simulator();
  await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
  clock = Date.parse('2026-12-01T12:00:00Z');
  await sim.deploy(deviceStack([RENAMED], { users: [ALICE] }));
  expect(sim.physicalId('AliceDevice')).toEqual('arn:aws:iam::111111111111:mfa/alice-phone');
  expect(createdAts(sim)).toEqual(['Create 2026-12-01T10:00:01Z', 'Update 2026-12-01T12:00:00Z']);
});

test('a replacement that a later resource fails returns to the old device\'s time', async () => {
  const sim = simulator();
  await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
  clock = Date.parse('2026-12-01T12:00:00Z');
  const result = await sim.deploy(deviceStack([RENAMED], { users: [ALICE], failAfter: true }));
  expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
  expect(createdAts(sim)).toEqual(['Create 2026-12-01T10:00:01Z', 'Update 2026-12-01T12:00:00Z', 'Update 2026-12-01T10:00:01Z']);
});

test('a device without the recorded time answers IAM\'s EnableDate when it is enabled, and a time that cuts nothing when it is not', async () => {
  const sim = simulator();
  await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
  const device = model.devices.get('arn:aws:iam::111111111111:mfa/alice')!;
  device.tags.delete(CREATED_AT_TAG);
  device.enableDate = new Date('2026-12-01T09:30:00.500Z');
  await sim.deploy(newReader([DEVICE], [ALICE]));

  const other = simulator();
  await other.deploy(deviceStack([{ ...DEVICE, enable: false }], { users: [{ id: 'Alice', userName: 'bob' }] }));
  model.devices.get('arn:aws:iam::111111111111:mfa/bob')!.tags.delete(CREATED_AT_TAG);
  await other.deploy(newReader([{ ...DEVICE, enable: false }], [{ id: 'Alice', userName: 'bob' }]));
  expect([...createdAts(sim), ...createdAts(other)]).toEqual(['Create 2026-12-01T10:00:01Z', 'Update 2026-12-01T09:30:01Z',
    'Create 2026-12-01T10:00:01Z', `Update ${DEVICE_TIME_UNKNOWN}`]);
});

describe('end to end: a synthesized stack deployed by the CloudFormation simulator with the real handler', () => {
  /** An MfaDelegation and an MfaTeam (alice and bob in readonly) in one stack, as `cdk synth` makes it. */
  function synthesized(delegationUser: string): SimTemplate {
    const app = new App();
    const stack = new Stack(app, 'MfaStack');
    new MfaDelegation(stack, 'Toolkit', { roleName: 'toolkit-role', userName: delegationUser });
    new MfaTeam(stack, 'Dev', { roles: [{ name: 'readonly', roleName: 'dev-readonly' }], members: ['alice', 'bob'].map((userName) => ({ userName, roles: ['readonly'] })) });
    return app.synth().getStackByName('MfaStack').template;
  }

  /** The resolved policy of the managed policy whose logical id starts with `prefix`, as CloudFormation gave it to IAM. */
  function resolvedPolicy(sim: CfnSimulator, template: SimTemplate, prefix: string): any {
    const id = Object.keys(template.Resources).find((key) => key.startsWith(prefix) && template.Resources[key].Type === 'AWS::IAM::ManagedPolicy')!;
    return sim.resolvedProperties(id)!.PolicyDocument;
  }

  /** A call by a session of `role` named `sessionName`, issued at `issuedAt`, under the resolved cut and a policy that allows it. */
  async function call(cut: any, role: string, sessionName: string, issuedAt: string) {
    return simulate({
      principal: `arn:aws:sts::111111111111:assumed-role/${role}/${sessionName}`,
      action: 's3:ListAllMyBuckets',
      resource: '*',
      identityPolicies: [{ name: 'cut', policy: cut }, { name: 'work', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }],
      context: { 'aws:userid': `AROAEXAMPLEROLEID0001:${sessionName}`, 'aws:TokenIssueTime': issuedAt },
    });
  }

  test('the roles\' cuts hold the times of the devices in use, and the deploy that replaces a device moves its role\'s cut and no other', async () => {
    const sim = simulator();
    const first = synthesized('toolkit-user');
    expect((await sim.deploy(first)).status).toEqual('CREATE_COMPLETE');
    const time = (user: string) => [...model.devices.values()].find((d) => d.serialNumber.endsWith(`/${user}`))!.tags.get(CREATED_AT_TAG);
    expect(resolvedPolicy(sim, first, 'DevMembersCutNewDevicesreadonly').Statement[0].Condition.DateLessThan['aws:TokenIssueTime'])
      .toEqual([time('alice'), time('bob')]);
    expect(resolvedPolicy(sim, first, 'ToolkitRoleRevokeSessionsAtDeployTime').Statement[0].Condition.DateLessThan['aws:TokenIssueTime'])
      .toEqual('2026-12-01T10:00:01Z');

    // The delegation's user is renamed at noon: a new user and a new device, in one deploy.
    clock = Date.parse('2026-12-01T12:00:00Z');
    const second = synthesized('toolkit-user2');
    expect((await sim.deploy(second)).status).toEqual('UPDATE_COMPLETE');
    const cut = resolvedPolicy(sim, second, 'ToolkitRoleRevokeSessionsAtDeployTime');
    expect(cut.Statement[0].Condition.DateLessThan['aws:TokenIssueTime']).toEqual('2026-12-01T12:00:00Z');
    expect(await call(cut, 'toolkit-role', 'toolkit-user', '2026-12-01T11:59:59Z')).toEqual('ExplicitlyDenied');
    expect(await call(cut, 'toolkit-role', 'toolkit-user2', '2026-12-01T12:00:00Z')).toEqual('Allowed');
    expect(resolvedPolicy(sim, second, 'DevMembersCutNewDevicesreadonly').Statement[0].Condition.DateLessThan['aws:TokenIssueTime'])
      .toEqual(['2026-12-01T10:00:01Z', '2026-12-01T10:00:01Z']);
  }, 60_000);
});
