import { createHash } from 'crypto';
import { CreateAccessKeyCommand, CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, IAMClient } from '@aws-sdk/client-iam';
import { AwsModel } from './support/aws-model';
import { useStubEnvironment } from './support/aws-stub';
import { CfnSimulator, SimResult } from './support/cfn-simulator';
import { deviceStack, DeviceSpec } from './support/device-stack';
import { handleEvent } from '../lib/handler';
import { LOGICAL_ID_TAG, POLICY_HASH_TAG, STACK_ID_TAG } from '../lib/handler/names';
import { consecutiveCodes } from '../lib/handler/totp';

// CloudFormation's request sequences, replayed through the real handler entry point against the stateful AWS model.
// After each sequence (checkState): exactly the devices that should exist, enabled for the right user, each seed
// secret holding the seed of the device in use, no orphan device or secret, one clear sentence on every FAILED, and
// no seed or code in a response or a log line.

const ALICE = { id: 'Alice', userName: 'alice' };
const BOB = { id: 'Bob', userName: 'bob' };
const DEVICE: DeviceSpec = { id: 'AliceDevice', user: 'Alice' };
const FAST = { retry: { attemptTimeoutMs: 2_000, eventualConsistencyDelayMs: 50 }, response: { backoffMs: 50 } };

let model: AwsModel;
let restore: () => void;
let logs: jest.SpyInstance[];

beforeEach(async () => {
  model = await AwsModel.start();
  restore = useStubEnvironment(model.url);
  logs = [jest.spyOn(console, 'log').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];
});

afterEach(async () => {
  restore();
  await model.stop();
  jest.restoreAllMocks();
});

function simulator(templateDuringRollback: 'new' | 'old' = 'new', options = {}): CfnSimulator {
  return new CfnSimulator(model, 'MfaStack', { ...FAST, ...options }, templateDuringRollback);
}

/** What should exist: device resource → user it is enabled for (undefined: not enabled). */
type Expected = Record<string, { user?: string }>;

/** The invariants of every sequence. */
function checkState(sim: CfnSimulator, expected: Expected): void {
  const stackId = sim.stack.stackId;
  const ours = model.devicesTagged(STACK_ID_TAG, stackId);
  // Exactly the expected devices exist, each the physical resource of its custom resource.
  expect(ours.map((d) => `${d.tags.get(LOGICAL_ID_TAG)} ${d.serialNumber}`).sort())
    .toEqual(Object.keys(expected).map((id) => `${id} ${sim.physicalId(id)}`).sort());
  for (const [id, { user }] of Object.entries(expected)) {
    const device = model.devices.get(String(sim.physicalId(id)).toLowerCase())!;
    expect(device.user).toEqual(user);
    // The seed secret of the resource holds the seed of the device in use.
    const secretName = secretNameOf(sim, id);
    const current = JSON.parse(model.currentValue(secretName) ?? '{}');
    expect(current).toMatchObject({ serialNumber: device.serialNumber, seed: device.seed });
  }
  // No orphan secret: only the expected devices' secrets carry the stack's tag.
  const secrets = [...model.secrets.values()].filter((s) => s.tags.get(STACK_ID_TAG) === stackId).map((s) => s.name).sort();
  expect(secrets).toEqual(Object.keys(expected).map((id) => secretNameOf(sim, id)).sort());
  checkMessages(sim);
}

/** The seed secret name the last request for a device resource gave. */
function secretNameOf(sim: CfnSimulator, id: string): string {
  const last = [...sim.exchanges].reverse().find((e) => e.event.LogicalResourceId === id && e.response.Status === 'SUCCESS'
    && e.response.PhysicalResourceId === sim.physicalId(id) && e.event.RequestType !== 'Delete');
  return String(last?.event.ResourceProperties.SeedSecretName);
}

/** One sentence on every FAILED; no seed, URI or code anywhere in a response or a log line. */
function checkMessages(sim: CfnSimulator): void {
  for (const exchange of sim.exchanges.filter((e) => e.response.Status === 'FAILED')) {
    expect(exchange.response.Reason).toMatch(/^[A-Z][^\n]*\.$/);
  }
  const seen = [...sim.exchanges.map((e) => JSON.stringify(e.response)),
    ...logs.flatMap((spy) => spy.mock.calls.map((args) => args.join(' ')))].join('\n');
  for (const device of model.devices.values()) {
    expect(seen).not.toContain(device.seed);
  }
  expect(seen).not.toContain('otpauth://');
}

function statuses(result: SimResult): string[] {
  return result.exchanges.map((e) => `${e.event.RequestType} ${e.event.LogicalResourceId} ${e.response.Status}`);
}

describe('Create and Delete', () => {
  test('a stack creation creates the device, stores its seed and enables it for its user', async () => {
    const sim = simulator();
    const result = await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    expect(result.status).toEqual('CREATE_COMPLETE');
    expect(sim.physicalId('AliceDevice')).toEqual('arn:aws:iam::111111111111:mfa/alice');
    checkState(sim, { AliceDevice: { user: 'alice' } });
    // The secret was locked by its resource policy before it held a seed.
    const order = model.requests.filter((r) => r.service === 'secretsmanager').map((r) => r.action);
    expect(order).toEqual(['CreateSecret', 'PutResourcePolicy', 'PutSecretValue']);
    expect(model.secret('mfa-seed/AliceDevice/alice')!.policy).toContain('"Effect":"Deny"');
  });

  test('tags the seed secret at creation with a hash of the resolved policy it attaches', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    const secret = model.secret('mfa-seed/AliceDevice/alice')!;
    const created = JSON.parse(model.calls('CreateSecret')[0].body);
    expect(created.Tags).toContainEqual({ Key: POLICY_HASH_TAG, Value: createHash('sha256').update(secret.policy!).digest('hex').slice(0, 32) });
    expect(secret.tags.get(POLICY_HASH_TAG)).toMatch(/^[0-9a-f]{32}$/);
  });

  test('a stack deletion removes the device and its secret, with every version', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    const result = await sim.destroy();
    expect(result.status).toEqual('DELETE_COMPLETE');
    expect(model.devices.size).toEqual(0);
    expect(model.secrets.size).toEqual(0);
    expect(model.users.size).toEqual(0);
    checkMessages(sim);
  });
});

/** The device and seed a user has now (to prove that a sequence returned them). */
function inUse(sim: CfnSimulator, id: string): { serialNumber: string; seed: string } {
  const device = model.devices.get(String(sim.physicalId(id)).toLowerCase())!;
  return { serialNumber: device.serialNumber, seed: device.seed };
}

describe('Update in place', () => {
  test('fails an update that gives the seed secret other readers under the same name, naming the secret and what to do, and the rollback keeps the device and seed', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    const before = inUse(sim, 'AliceDevice');
    const policyBefore = model.secret('mfa-seed/AliceDevice/alice')!.policy;
    // A reader replaced at deploy time: same seed secret name, another principal in its resolved policy.
    const template = deviceStack([{ ...DEVICE, reader: 'Auditor' }], { users: [ALICE] });
    template.Resources.Auditor = { Type: 'AWS::IAM::Role', Properties: {} };
    const result = await sim.deploy(template);
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(statuses(result)).toEqual(['Update AliceDevice FAILED', 'Update AliceDevice SUCCESS']);
    expect(result.exchanges[0].response.Reason).toEqual('Secret mfa-seed/AliceDevice/alice keeps the resource policy it was created with (the '
      + 'handler never changes a seed secret\'s policy, so that nobody can be given a read of a seed), but this request gives it another one, with '
      + 'other readers: keep the readers it was created with until its owner has enrolled the device ("mfa-profile setup" deletes the secret, '
      + 'and then the readers may change), or give the device a new name with this change (deviceName; an MfaDelegation\'s userName), so that '
      + 'a successor device gets its own secret and its owner enrols it again.');
    expect(model.calls('PutResourcePolicy')).toHaveLength(1);
    expect(model.secret('mfa-seed/AliceDevice/alice')!.policy).toEqual(policyBefore);
    expect(inUse(sim, 'AliceDevice')).toEqual(before);
    checkState(sim, { AliceDevice: { user: 'alice' } });
  });

  test('other readers with a new device name create the successor device with its own secret and policy', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    const template = deviceStack([{ ...DEVICE, reader: 'Auditor', deviceName: 'alice-2' }], { users: [ALICE] });
    template.Resources.Auditor = { Type: 'AWS::IAM::Role', Properties: {} };
    const result = await sim.deploy(template);
    expect(statuses(result)).toEqual(['Update AliceDevice SUCCESS', 'Delete AliceDevice SUCCESS']);
    expect(model.secret('mfa-seed/AliceDevice/alice')).toBeUndefined();
    expect(model.secret('mfa-seed/AliceDevice/alice-2')!.policy).toContain('MfaStack-Auditor-');
    checkState(sim, { AliceDevice: { user: 'alice' } });
  });

  test('fails an update with other readers of a secret made before the policy-hash tag, holding it to the policy of before', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    model.secret('mfa-seed/AliceDevice/alice')!.tags.delete(POLICY_HASH_TAG);
    const template = deviceStack([{ ...DEVICE, reader: 'Auditor' }], { users: [ALICE] });
    template.Resources.Auditor = { Type: 'AWS::IAM::Role', Properties: {} };
    const result = await sim.deploy(template);
    expect(statuses(result)).toEqual(['Update AliceDevice FAILED', 'Update AliceDevice SUCCESS']);
    expect(result.exchanges[0].response.Reason).toMatch(/^Secret mfa-seed\/AliceDevice\/alice keeps the resource policy it was created with/);
    checkState(sim, { AliceDevice: { user: 'alice' } });
  });

  test('a seed its owner forgot (no secret left) lets the readers change without a new device', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    const before = inUse(sim, 'AliceDevice');
    model.secrets.delete(model.secret('mfa-seed/AliceDevice/alice')!.arn);
    const template = deviceStack([{ ...DEVICE, reader: 'Auditor' }], { users: [ALICE] });
    template.Resources.Auditor = { Type: 'AWS::IAM::Role', Properties: {} };
    const result = await sim.deploy(template);
    expect(statuses(result)).toEqual(['Update AliceDevice SUCCESS']);
    expect(inUse(sim, 'AliceDevice')).toEqual(before);
    expect(model.secret('mfa-seed/AliceDevice/alice')).toBeUndefined();
  });

  test('enabling a device that its owner enabled already keeps it, and says so', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([{ ...DEVICE, enable: false }], { users: [ALICE] }));
    const before = inUse(sim, 'AliceDevice');
    // The owner enables the device with two codes of the seed (mfa-profile mfa-setup).
    const device = model.devices.get(before.serialNumber.toLowerCase())!;
    const [code1, code2] = consecutiveCodes(device.seed, Date.now());
    await new IAMClient({}).send(new EnableMFADeviceCommand({ UserName: 'alice', SerialNumber: before.serialNumber, AuthenticationCode1: code1, AuthenticationCode2: code2 }));
    const result = await sim.deploy(deviceStack([{ ...DEVICE, enable: true }], { users: [ALICE] }));
    expect(result.exchanges.map((e) => e.response.Reason)).toEqual([
      'Kept virtual MFA device arn:aws:iam::111111111111:mfa/alice; it is enabled for user alice already.',
    ]);
    expect(inUse(sim, 'AliceDevice')).toEqual(before);
    checkState(sim, { AliceDevice: { user: 'alice' } });
  });

  test('enabling a device that nobody enabled keeps it and says what to do', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([{ ...DEVICE, enable: false }], { users: [ALICE] }));
    const before = inUse(sim, 'AliceDevice');
    const result = await sim.deploy(deviceStack([{ ...DEVICE, enable: true }], { users: [ALICE] }));
    expect(result.exchanges.map((e) => e.response.Reason)).toEqual([
      'Kept virtual MFA device arn:aws:iam::111111111111:mfa/alice; it is not enabled yet: the handler keeps no seed to compute codes '
      + 'with, so its owner enables it with two codes from the authenticator app ("mfa-profile mfa-setup").',
    ]);
    expect(inUse(sim, 'AliceDevice')).toEqual(before);
    checkState(sim, { AliceDevice: { user: undefined } });
  });

  test('Enable false does not disable a working device', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    const before = inUse(sim, 'AliceDevice');
    const result = await sim.deploy(deviceStack([{ ...DEVICE, enable: false }], { users: [ALICE] }));
    expect(result.exchanges.map((e) => e.response.Reason)).toEqual([
      'Kept virtual MFA device arn:aws:iam::111111111111:mfa/alice; Enable false leaves a working device enabled.',
    ]);
    expect(inUse(sim, 'AliceDevice')).toEqual(before);
    checkState(sim, { AliceDevice: { user: 'alice' } });
  });

  test('an Enable change that a later resource rolls back leaves the device as it was', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([{ ...DEVICE, enable: false }], { users: [ALICE] }));
    const before = inUse(sim, 'AliceDevice');
    const result = await sim.deploy(deviceStack([{ ...DEVICE, enable: true }], { users: [ALICE], failAfter: true }));
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(statuses(result)).toEqual(['Update AliceDevice SUCCESS', 'Update AliceDevice SUCCESS']);
    expect(inUse(sim, 'AliceDevice')).toEqual(before);
    checkState(sim, { AliceDevice: { user: undefined } });
  });
});

describe('Update with replacement', () => {
  const RENAMED: DeviceSpec = { ...DEVICE, deviceName: 'alice-phone', seedSecretName: 'mfa-seed/AliceDevice/alice-phone' };

  test('a new device name creates the new device before CloudFormation deletes the old one', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    const before = inUse(sim, 'AliceDevice');
    const result = await sim.deploy(deviceStack([RENAMED], { users: [ALICE] }));
    expect(result.status).toEqual('UPDATE_COMPLETE');
    expect(result.exchanges.map((e) => `${e.stackStatus} ${e.event.RequestType} ${e.event.PhysicalResourceId} ${e.response.Status}`)).toEqual([
      'UPDATE_IN_PROGRESS Update arn:aws:iam::111111111111:mfa/alice SUCCESS',
      'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS Delete arn:aws:iam::111111111111:mfa/alice SUCCESS',
    ]);
    expect(sim.physicalId('AliceDevice')).toEqual('arn:aws:iam::111111111111:mfa/alice-phone');
    expect(inUse(sim, 'AliceDevice').seed).not.toEqual(before.seed);
    // The old seed is gone with its secret: no version of it survives.
    expect(model.secret('mfa-seed/AliceDevice/alice')).toBeUndefined();
    checkState(sim, { AliceDevice: { user: 'alice' } });
  });

  test('a new user name replaces the user and the device, and the old user is deleted after its device', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    const result = await sim.deploy(deviceStack([DEVICE], { users: [{ id: 'Alice', userName: 'alice2' }] }));
    expect(result.status).toEqual('UPDATE_COMPLETE');
    expect(sim.physicalId('AliceDevice')).toEqual('arn:aws:iam::111111111111:mfa/alice2');
    expect([...model.users.keys()]).toEqual(['alice2']);
    checkState(sim, { AliceDevice: { user: 'alice2' } });
  });

  for (const templateDuringRollback of ['new', 'old'] as const) {
    test(`a replacement that a later resource fails returns the owner to the device and seed they had (template during rollback: ${templateDuringRollback})`, async () => {
      const sim = simulator(templateDuringRollback);
      await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
      const before = inUse(sim, 'AliceDevice');
      const secretBefore = model.currentValue('mfa-seed/AliceDevice/alice');
      const result = await sim.deploy(deviceStack([RENAMED], { users: [ALICE], failAfter: true }));
      expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
      expect(result.exchanges.map((e) => `${e.stackStatus} ${e.event.RequestType} ${e.event.PhysicalResourceId} ${e.response.Status}`)).toEqual([
        'UPDATE_IN_PROGRESS Update arn:aws:iam::111111111111:mfa/alice SUCCESS',
        'UPDATE_ROLLBACK_IN_PROGRESS Update arn:aws:iam::111111111111:mfa/alice-phone SUCCESS',
        'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS Delete arn:aws:iam::111111111111:mfa/alice-phone SUCCESS',
      ]);
      expect(inUse(sim, 'AliceDevice')).toEqual(before);
      expect(model.currentValue('mfa-seed/AliceDevice/alice')).toEqual(secretBefore);
      expect(model.secret('mfa-seed/AliceDevice/alice-phone')).toBeUndefined();
      checkState(sim, { AliceDevice: { user: 'alice' } });
    });
  }

  for (const action of ['GetTemplate', 'CreateVirtualMFADevice', 'CreateSecret', 'PutResourcePolicy', 'EnableMFADevice', 'PutSecretValue']) {
    test(`a replacement that fails at ${action} leaves nothing behind and the rollback keeps the device in use`, async () => {
      const sim = simulator();
      await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
      const before = inUse(sim, 'AliceDevice');
      const secretBefore = model.currentValue('mfa-seed/AliceDevice/alice');
      model.failNext(action, action.includes('Secret') || action.includes('Policy') ? 'InvalidRequestException' : action === 'GetTemplate' ? 'ValidationError' : 'AccessDenied',
        `Simulated refusal of ${action}`);
      const result = await sim.deploy(deviceStack([RENAMED], { users: [ALICE] }));
      expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
      expect(statuses(result)).toEqual(['Update AliceDevice FAILED', 'Update AliceDevice SUCCESS']);
      expect(result.exchanges[0].response.Reason).toContain(`Simulated refusal of ${action}`);
      expect(inUse(sim, 'AliceDevice')).toEqual(before);
      expect(model.currentValue('mfa-seed/AliceDevice/alice')).toEqual(secretBefore);
      checkState(sim, { AliceDevice: { user: 'alice' } });
    });
  }

  test('fails a user change that keeps the device name, before anything changes, and the rollback keeps the device', async () => {
    const sim = simulator();
    const named: DeviceSpec = { ...DEVICE, deviceName: 'phone', seedSecretName: 'mfa-seed/phone' };
    await sim.deploy(deviceStack([named], { users: [ALICE, BOB] }));
    const before = inUse(sim, 'AliceDevice');
    const result = await sim.deploy(deviceStack([{ ...named, user: 'Bob' }], { users: [ALICE, BOB] }));
    expect(result.status).toEqual('UPDATE_ROLLBACK_COMPLETE');
    expect(result.exchanges[0].response.Reason).toEqual('Cannot change the user, path or seed secret (its name, or its readers: a default name '
      + 'carries a hash of them) of virtual MFA device arn:aws:iam::111111111111:mfa/phone while its name stays phone: IAM names devices '
      + 'uniquely, so the new device could only be created after deleting the one in use; give the device a new name with this change (its '
      + 'owner enrols the new device with mfa-profile setup, which updates the profile).');
    expect(inUse(sim, 'AliceDevice')).toEqual(before);
    checkState(sim, { AliceDevice: { user: 'alice' } });
  });
});

describe('failures, retries and duplicates', () => {
  test('a Create that fails is undone at once, and the rollback\'s Delete finds nothing left', async () => {
    const sim = simulator();
    model.failNext('EnableMFADevice', 'LimitExceeded', 'Cannot exceed quota for MFADevicesPerUser: 8', 100, 409);
    const result = await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    expect(result.status).toEqual('ROLLBACK_COMPLETE');
    expect(result.exchanges.map((e) => `${e.event.RequestType} ${e.response.Status}: ${e.response.Reason}`)).toEqual([
      'Create FAILED: Could not enable MFA device arn:aws:iam::111111111111:mfa/alice for user alice: Cannot exceed quota for '
      + 'MFADevicesPerUser: 8 (LimitExceeded); deleted virtual MFA device arn:aws:iam::111111111111:mfa/alice again and deleted secret '
      + 'mfa-seed/AliceDevice/alice again.',
      'Delete SUCCESS: Virtual MFA device arn:aws:iam::111111111111:mfa/alice was gone already; secret mfa-seed/AliceDevice/alice was gone already.',
    ]);
    expect(model.devices.size).toEqual(0);
    expect(model.secrets.size).toEqual(0);
    checkMessages(sim);
  });

  test('a Create whose IAM answer got lost is retried by the SDK and ends with one working device', async () => {
    const sim = simulator();
    model.loseNext('CreateVirtualMFADevice');
    const result = await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    expect(result.status).toEqual('CREATE_COMPLETE');
    expect(model.calls('CreateVirtualMFADevice').length).toBeGreaterThanOrEqual(3);
    checkState(sim, { AliceDevice: { user: 'alice' } });
  }, 30_000);

  test('an EnableMFADevice whose answer got lost counts as done when IAM lists the device for the user', async () => {
    const sim = simulator();
    model.loseNext('EnableMFADevice');
    const result = await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    expect(result.status).toEqual('CREATE_COMPLETE');
    checkState(sim, { AliceDevice: { user: 'alice' } });
  }, 30_000);

  test('IAM answering after the deadline: the handler aborts, undoes the device, answers FAILED, and nothing appears afterwards', async () => {
    const sim = simulator('new', { remainingMs: 6_000, retry: { attemptTimeoutMs: 20_000 } });
    model.delayNext('EnableMFADevice', 8_000);
    const result = await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    expect(result.status).toEqual('ROLLBACK_COMPLETE');
    expect(result.exchanges[0].response.Reason).toMatch(/^AWS did not answer within 4 s, before the Lambda function would time out; deleted virtual MFA device arn:aws:iam::111111111111:mfa\/alice again and deleted secret mfa-seed\/AliceDevice\/alice again\.$/);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(model.devices.size).toEqual(0);
    expect(model.secrets.size).toEqual(0);
    checkMessages(sim);
  }, 30_000);

  test('a Create delivered twice, one after the other, adopts the device of the first delivery', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([], { users: [ALICE] }));
    const { event, resource } = startCreate(sim);
    const first = await sim.invoke(event);
    const second = await sim.invoke(event);
    expect([first.Status, second.Status]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(second.Reason).toContain('which AliceDevice created before');
    expect(second.PhysicalResourceId).toEqual(first.PhysicalResourceId);
    expect(second.Data).toEqual(first.Data);
    resource.physicalId = first.PhysicalResourceId;
    checkState(sim, { AliceDevice: { user: 'alice' } });
  });

  test('a Create delivered twice at once ends with one device, and both deliveries answer SUCCESS', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([], { users: [ALICE] }));
    const { event, resource } = startCreate(sim);
    const bodies: any[] = [];
    model.onCustomResourceResponse = (body) => {
      bodies.push(JSON.parse(body));
      return { status: 200 };
    };
    await Promise.all([0, 1].map(() => handleEvent(event, { ...FAST, stackId: sim.stack.stackId, remainingMs: 60_000 })));
    expect(bodies.map((b) => b.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(bodies[0].PhysicalResourceId).toEqual(bodies[1].PhysicalResourceId);
    resource.physicalId = bodies[0].PhysicalResourceId;
    bodies.forEach((response) => sim.exchanges.push({ event, stackStatus: 'UPDATE_IN_PROGRESS', response }));
    checkState(sim, { AliceDevice: { user: 'alice' } });
  }, 30_000);

  test('IAM throttling at 2 requests per second: every device is created and enabled after retries', async () => {
    const sim = simulator();
    model.setFaults({ ratePerSecond: { iam: 2 } });
    const devices = ['A', 'B', 'C', 'D'].map((n) => ({ id: `Device${n}`, user: `User${n}` }));
    await sim.deploy(deviceStack([], { users: devices.map((d) => ({ id: d.user, userName: d.user.toLowerCase() })) }));
    // CloudFormation creates independent resources at once.
    const template = deviceStack(devices, { users: devices.map((d) => ({ id: d.user, userName: d.user.toLowerCase() })) });
    sim.stack.template = template as any;
    const events = devices.map((d) => startCreate(sim, d.id, template));
    const bodies: any[] = [];
    model.onCustomResourceResponse = (body) => {
      bodies.push(JSON.parse(body));
      return { status: 200 };
    };
    await Promise.all(events.map(({ event }) => handleEvent(event, { ...FAST, stackId: sim.stack.stackId, remainingMs: 120_000 })));
    expect(bodies.map((b) => b.Status)).toEqual(devices.map(() => 'SUCCESS'));
    for (const { event } of events) {
      sim.exchanges.push({ event, stackStatus: 'UPDATE_IN_PROGRESS', response: bodies.find((b) => b.LogicalResourceId === event.LogicalResourceId) });
    }
    expect(model.throttled).toBeGreaterThan(0);
    for (const [i, d] of devices.entries()) {
      events[i].resource.physicalId = `arn:aws:iam::111111111111:mfa/${d.user.toLowerCase()}`;
    }
    checkState(sim, Object.fromEntries(devices.map((d) => [d.id, { user: d.user.toLowerCase() }])));
  }, 60_000);
});

describe('manual changes', () => {
  test('a device deleted by hand is created again by the next update', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    const device = model.devices.get('arn:aws:iam::111111111111:mfa/alice')!;
    device.user = undefined;
    model.devices.delete('arn:aws:iam::111111111111:mfa/alice');
    // Any update of the resource (here Enable: a new device is created, not enabled), in the secret that keeps its policy.
    const result = await sim.deploy(deviceStack([{ ...DEVICE, enable: false }], { users: [ALICE] }));
    expect(statuses(result)).toEqual(['Update AliceDevice SUCCESS']);
    checkState(sim, { AliceDevice: { user: undefined } });
  });

  test('a user deleted by hand (after deactivating the device) does not stop the stack\'s deletion', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    model.devices.get('arn:aws:iam::111111111111:mfa/alice')!.user = undefined;
    model.users.delete('alice');
    const result = await sim.destroy();
    expect(result.status).toEqual('DELETE_COMPLETE');
    expect(model.devices.size).toEqual(0);
    expect(model.secrets.size).toEqual(0);
  });

  test('fails a Create whose device name someone else took, and leaves their device alone', async () => {
    const sim = simulator();
    await new IAMClient({}).send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'alice' }));
    const result = await sim.deploy(deviceStack([DEVICE], { users: [ALICE] }));
    expect(result.status).toEqual('ROLLBACK_COMPLETE');
    expect(result.exchanges.map((e) => e.response.Reason)).toEqual([
      'Virtual MFA device arn:aws:iam::111111111111:mfa/alice already exists and was left alone, because AliceDevice of this stack did not '
      + 'create it: choose another device name, or remove that device (deactivate it, then "aws iam delete-virtual-mfa-device '
      + '--serial-number arn:aws:iam::111111111111:mfa/alice").',
      'Left virtual MFA device arn:aws:iam::111111111111:mfa/alice alone (not created by AliceDevice of this stack); secret '
      + 'mfa-seed/AliceDevice/alice was gone already.',
    ]);
    expect([...model.devices.keys()]).toEqual(['arn:aws:iam::111111111111:mfa/alice']);
    expect(model.secrets.size).toEqual(0);
  });
});

describe('user cleanup', () => {
  test('deleting the stack deletes the access keys mfa-profile made, so the user can be deleted', async () => {
    const sim = simulator();
    await sim.deploy(deviceStack([DEVICE], { users: [ALICE], cleanup: true }));
    await new IAMClient({}).send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    const result = await sim.destroy();
    expect(result.status).toEqual('DELETE_COMPLETE');
    expect(model.users.size).toEqual(0);
    expect(model.devices.size).toEqual(0);
    checkMessages(sim);
  });
});

/** Put a device resource into CREATE_IN_PROGRESS and return its Create event, as CloudFormation is about to send it. */
function startCreate(sim: CfnSimulator, id = 'AliceDevice', template = deviceStack([DEVICE], { users: [ALICE] })) {
  sim.stack.template = template as any;
  sim.stack.status = 'UPDATE_IN_PROGRESS';
  const event = sim.createEvent(id, 'Create', `request-${id}`);
  return { event, resource: sim.stack.resources.get(id)! };
}
