import { AwsModel } from './support/aws-model';
import { useStubEnvironment } from './support/aws-stub';
import { CfnSimulator } from './support/cfn-simulator';
import { deviceStack } from './support/device-stack';
import { CustomResourceEvent, handleEvent } from '../lib/handler';

// #9.3: the handler acts only for its own stack's CloudFormation requests. Anyone allowed lambda:InvokeFunction can
// send it an event; every field an attacker controls is varied here, one at a time, from a request CloudFormation
// would send. Each forgery: nothing happens (no write reaches IAM or Secrets Manager, the model's state is unchanged),
// one FAILED reason that starts with "Refused", nothing secret in it. The unvaried request still succeeds.

const WRITES = /^(Create|Put|Delete|Enable|Deactivate|Tag|Untag|Update|Restore)/;
const FAST = { retry: { attemptTimeoutMs: 2_000, eventualConsistencyDelayMs: 50 }, response: { backoffMs: 50 } };

let model: AwsModel;
let restore: () => void;
let sim: CfnSimulator;
let responses: any[];

beforeEach(async () => {
  model = await AwsModel.start();
  restore = useStubEnvironment(model.url);
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  sim = new CfnSimulator(model, 'MfaStack', FAST);
  const template = deviceStack([{ id: 'AliceDevice', user: 'Alice' }], { users: [{ id: 'Alice', userName: 'alice' }, { id: 'Bob', userName: 'bob' }] });
  template.Resources.Attacker = { Type: 'AWS::IAM::Role', Properties: {} };
  await sim.deploy(template);
  responses = [];
  model.onCustomResourceResponse = (body) => {
    responses.push(JSON.parse(body));
    return { status: 200 };
  };
});

afterEach(async () => {
  restore();
  await model.stop();
  jest.restoreAllMocks();
});

/** What a forgery must not change. */
function state(): string {
  return JSON.stringify({
    devices: [...model.devices.values()].map((d) => ({ ...d, tags: [...d.tags] })),
    secrets: [...model.secrets.values()].map((s) => ({
      ...s, tags: [...s.tags], versions: [...s.versions.values()].map((v) => ({ ...v, stages: [...v.stages] })),
    })),
    users: [...model.users.values()].map((u) => ({ ...u, tags: [...u.tags] })),
  });
}

/** The Update CloudFormation would send while it updates the device (no change of properties). */
function legitimateUpdate(): CustomResourceEvent {
  const properties = sim.exchanges[0].event.ResourceProperties;
  return {
    RequestType: 'Update',
    ResponseURL: `${model.url}/cloudformation-response/forged`,
    StackId: sim.stack.stackId,
    RequestId: 'forged-request',
    LogicalResourceId: 'AliceDevice',
    ResourceType: 'Custom::VirtualMfaDevice',
    PhysicalResourceId: sim.physicalId('AliceDevice'),
    ResourceProperties: properties,
    OldResourceProperties: properties,
  };
}

/** Mark the device as being updated by CloudFormation (the window in which a forgery races it). */
function updating(): void {
  sim.stack.status = 'UPDATE_IN_PROGRESS';
  sim.stack.resources.get('AliceDevice')!.status = 'UPDATE_IN_PROGRESS';
}

async function forge(event: CustomResourceEvent, stackId: string | undefined = sim.stack.stackId): Promise<{ reason: string; writes: string[] }> {
  const before = state();
  const first = model.requests.length;
  await handleEvent(event, { ...FAST, stackId, remainingMs: 30_000 });
  expect(state()).toEqual(before);
  expect(responses).toHaveLength(1);
  expect(responses[0].Status).toEqual('FAILED');
  const reason: string = responses[0].Reason;
  expect(reason).toMatch(/^Refused: [^\n]*\.$/);
  for (const device of model.devices.values()) {
    expect(reason).not.toContain(device.seed);
  }
  return { reason, writes: model.requests.slice(first).map((r) => r.action).filter((a) => WRITES.test(a)) };
}

const props = () => sim.exchanges[0].event.ResourceProperties as Record<string, any>;
const attackerPolicy = () => ({ ...props().SeedSecretPolicy, Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });

describe('a forged event does nothing and gets one FAILED reason', () => {
  const cases: Array<[string, () => CustomResourceEvent, (() => void) | undefined, string | RegExp]> = [
    ['another stack id', () => ({ ...legitimateUpdate(), StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/Other/1' }), updating,
      /^Refused: the request names stack "arn:aws:cloudformation:us-east-1:111111111111:stack\/Other\/1", but this handler serves only its own stack arn:/],
    ['another resource type', () => ({ ...legitimateUpdate(), ResourceType: 'Custom::Other' }), updating,
      'Refused: resource type "Custom::Other" is not one this handler serves (Custom::VirtualMfaDevice, Custom::MfaUserCleanup).'],
    ['another request type', () => ({ ...legitimateUpdate(), RequestType: 'Rotate' as any }), updating,
      'Refused: request type "Rotate" is not Create, Update or Delete.'],
    ['a logical id the stack does not have', () => ({ ...legitimateUpdate(), LogicalResourceId: 'Nope' }), updating,
      /^Refused: stack arn:\S+ has no Custom::VirtualMfaDevice "Nope"\.$/],
    ['the logical id of a resource of another type', () => ({ ...legitimateUpdate(), LogicalResourceId: 'Alice' }), updating,
      /^Refused: stack arn:\S+ has no Custom::VirtualMfaDevice "Alice"\.$/],
    ['an Update while CloudFormation is not updating the device', () => legitimateUpdate(), undefined,
      /^Refused: Update of AliceDevice is not a request CloudFormation is making now \(the resource is not being updated; stack CREATE_COMPLETE, resource CREATE_COMPLETE\)\.$/],
    ['a Delete while CloudFormation is not deleting the device', () => ({ ...legitimateUpdate(), RequestType: 'Delete' }), undefined,
      /^Refused: Delete of AliceDevice is not a request CloudFormation is making now \(the resource is not being deleted; stack CREATE_COMPLETE/],
    ['a Delete of the device in use during an update\'s cleanup', () => ({ ...legitimateUpdate(), RequestType: 'Delete' }),
      () => {
        sim.stack.status = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
      },
      /^Refused: Delete of AliceDevice is not a request CloudFormation is making now \(the resource is not being deleted; stack UPDATE_COMPLETE_CLEANUP_IN_PROGRESS/],
    ['a Create while CloudFormation is not creating the device', () => ({ ...legitimateUpdate(), RequestType: 'Create', PhysicalResourceId: undefined }), updating,
      /^Refused: Create of AliceDevice is not a request CloudFormation is making now \(the resource is not being created; stack UPDATE_IN_PROGRESS/],
    ['another physical id', () => ({ ...legitimateUpdate(), PhysicalResourceId: 'arn:aws:iam::111111111111:mfa/bob' }), updating,
      /^Refused: Update of AliceDevice is not a request CloudFormation is making now \(another physical id;/],
    ...([
      ['UserName', 'bob'],
      ['DeviceName', 'extra-device'],
      ['Path', '/other/'],
      ['Enable', 'false'],
      ['SeedSecretName', 'attacker/readable'],
      ['ServiceToken', 'arn:aws:lambda:us-east-1:111111111111:function:attacker'],
    ] as const).map(([key, value]) => [`another ${key}`, () => ({ ...legitimateUpdate(), ResourceProperties: { ...props(), [key]: value } }), updating,
      /^Refused: the request's properties of AliceDevice are not the ones the template of stack arn:\S+ gives it\.$/] as [string, () => CustomResourceEvent, () => void, RegExp]),
    ['a secret policy that lets the attacker read', () => ({ ...legitimateUpdate(), ResourceProperties: { ...props(), SeedSecretPolicy: attackerPolicy() } }), updating,
      /^Refused: the request's properties of AliceDevice are not the ones the template of stack arn:\S+ gives it\.$/],
    ['the attacker\'s role as reader', () => ({
      ...legitimateUpdate(),
      ResourceProperties: { ...props(), SeedSecretPolicy: JSON.parse(JSON.stringify(props().SeedSecretPolicy).replace(/MfaStack-Reader/g, 'MfaStack-Attacker')) },
    }), updating, /^Refused: the request's properties of AliceDevice are not the ones the template of stack arn:\S+ gives it\.$/],
    ['an extra KmsKeyId', () => ({ ...legitimateUpdate(), ResourceProperties: { ...props(), KmsKeyId: 'arn:aws:kms:us-east-1:222222222222:key/x' } }), updating,
      /^Refused: the request's properties of AliceDevice are not the ones the template of stack arn:\S+ gives it\.$/],
    ['a rollback whose old properties are not the template\'s either', () => ({
      ...legitimateUpdate(), ResourceProperties: { ...props(), UserName: 'bob' }, OldResourceProperties: { ...props(), UserName: 'bob' },
    }), () => {
      updating();
      sim.stack.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    }, /^Refused: the request's properties of AliceDevice are not the ones the template of stack arn:\S+ gives it\.$/],
  ];

  test.each(cases)('%s', async (_, event, setup, expected) => {
    setup?.();
    const { reason, writes } = await forge(event());
    expect(writes).toEqual([]);
    if (typeof expected === 'string') {
      expect(reason).toEqual(expected);
    } else {
      expect(reason).toMatch(expected);
    }
  });

  test('a handler without its stack id refuses everything', async () => {
    updating();
    const { reason, writes } = await forge(legitimateUpdate(), '');
    expect(writes).toEqual([]);
    expect(reason).toEqual('Refused: the handler\'s environment names no stack (STACK_ID), so it cannot tell its own stack\'s requests from others.');
  });

  test('a template property the handler cannot resolve makes the request unverifiable, so it is refused', async () => {
    updating();
    const template = JSON.parse(JSON.stringify(sim.stack.template));
    template.Resources.AliceDevice.Properties.Enable = { 'Fn::If': ['Cond', 'true', 'false'] };
    sim.stack.template = template;
    const { reason } = await forge(legitimateUpdate());
    expect(reason).toEqual('Refused: Properties.Enable uses Fn::If, which the handler cannot check against the stack, so the request\'s properties cannot be verified.');
  });

  test('the same request, unvaried, is served (the forgeries fail for the field they vary)', async () => {
    updating();
    await handleEvent(legitimateUpdate(), { ...FAST, stackId: sim.stack.stackId, remainingMs: 30_000 });
    expect(responses.map((r) => r.Status)).toEqual(['SUCCESS']);
  });
});

describe('users the stack did not create', () => {
  test('fails a device for a user that does not carry the stack\'s tag, before anything is created', async () => {
    model.createUser('carol');
    const other = new CfnSimulator(model, 'OtherStack', FAST);
    const result = await other.deploy(deviceStack([{ id: 'CarolDevice', user: 'carol', imported: true }]));
    expect(result.status).toEqual('ROLLBACK_COMPLETE');
    expect(result.exchanges[0].response.Reason).toEqual('Refused: user carol does not carry the tag cdk-mfa-delegation:stack-id with this stack\'s id, so this '
      + 'stack did not create it for the handler: define the user in this stack, or have an IAM administrator tag it.');
    expect(model.calls('CreateVirtualMFADevice')).toHaveLength(1);
  });
});
