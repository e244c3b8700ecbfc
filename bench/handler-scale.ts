/* eslint-disable no-console */
// Scale benchmark of the device handler (`npm run bench`, or alone `npm run bench:handler`; not part of `npm test`).
// Results and method: BENCHMARK.md, "The device handler at scale".
//
// A team of DEVICES members is created at once, as CloudFormation creates the independent resources of a stack: the
// members spread over nested stacks of 100 (as MfaTeam does), each stack with its own handler, every Create sent to the
// real handler entry point at the same moment, against the stateful AWS model (test/support/aws-model.ts) that
// throttles IAM at RATE requests per second for the whole account. Then the stacks are deleted the same way.
// Reported: FAILED responses, devices created and enabled, orphans (devices or secrets that no resource owns), the
// wall time, the IAM calls and the throttled answers (each one a retry of the SDK).
//
// Options: --devices N (default 1000), --rate R (IAM requests per second, default 10), --quick (100 devices).
import { handleEvent } from '../lib/handler';
import { STACK_ID_TAG } from '../lib/handler/names';
import { AwsModel } from '../test/support/aws-model';
import { useStubEnvironment } from '../test/support/aws-stub';
import { CfnSimulator } from '../test/support/cfn-simulator';
import { deviceStack } from '../test/support/device-stack';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const DEVICES = args.includes('--quick') ? 100 : option('--devices', 1000);
const RATE = option('--rate', 10);
const PER_STACK = 100;
/** Lambda containers (each with its own SDK clients and adaptive rate limiter): one per concurrent invocation, as Lambda runs them. */
const CONTAINERS = option('--containers', DEVICES);
/** The handler function's timeout (lib/private: the provider's Lambda timeout). */
const LAMBDA_TIMEOUT_MS = 600_000;

interface Phase {
  readonly name: string;
  readonly wallSeconds: number;
  readonly requests: number;
  readonly failed: number;
  readonly iamCalls: number;
  readonly throttled: number;
  readonly slowestSeconds: number;
  readonly reasons: Map<string, number>;
}

async function main(): Promise<void> {
  const model = await AwsModel.start();
  const restore = useStubEnvironment(model.url);
  const log = console.log;
  const error = console.error;
  console.log = () => undefined;
  console.error = () => undefined;
  try {
    // The stacks and their users exist (created before the devices, unthrottled: they are CloudFormation's own calls).
    const stacks: Array<{ sim: CfnSimulator; ids: string[] }> = [];
    for (let first = 0; first < DEVICES; first += PER_STACK) {
      const members = Array.from({ length: Math.min(PER_STACK, DEVICES - first) }, (_, i) => `member${String(first + i + 1).padStart(4, '0')}`);
      const sim = new CfnSimulator(model, `MfaTeamMembers${stacks.length}`, {}, 'new');
      await sim.deploy(deviceStack([], { users: members.map((m) => ({ id: `${m}User`, userName: m })) }));
      const template = deviceStack(members.map((m) => ({ id: `${m}Device`, user: `${m}User`, path: '/mfa-team/bench/' })),
        { users: members.map((m) => ({ id: `${m}User`, userName: m })) });
      sim.stack.template = template as any;
      sim.stack.status = 'UPDATE_IN_PROGRESS';
      stacks.push({ sim, ids: members.map((m) => `${m}Device`) });
    }
    const responses = new Map<string, any>();
    model.onCustomResourceResponse = (body) => {
      const parsed = JSON.parse(body);
      responses.set(parsed.RequestId, parsed);
      return { status: 200 };
    };
    model.setFaults({ ratePerSecond: { iam: RATE } });

    const create = await phase('create', model, responses, stacks.flatMap(({ sim, ids }) => ids.map((id) => ({ sim, event: sim.createEvent(id) }))));
    let enabled = 0;
    for (const { sim, ids } of stacks) {
      for (const id of ids) {
        const answer = responses.get(`create-${id}`);
        const resource = sim.stack.resources.get(id)!;
        resource.physicalId = answer?.PhysicalResourceId;
        resource.status = answer?.Status === 'SUCCESS' ? 'CREATE_COMPLETE' : 'CREATE_FAILED';
        const device = model.devices.get(String(resource.physicalId).toLowerCase());
        const seed = JSON.parse(model.currentValue(answer?.Data?.SeedSecretArn ?? '') ?? '{}').seed;
        if (device?.user && seed === device.seed) {
          enabled++;
        }
      }
    }
    const createdOrphans = orphans(model, stacks);

    const destroy = await phase('delete', model, responses, stacks.flatMap(({ sim, ids }) => {
      sim.stack.status = 'DELETE_IN_PROGRESS';
      return ids.map((id) => ({ sim, event: sim.createEvent(id, 'Delete') }));
    }));
    const leftDevices = [...model.devices.values()].length;
    const leftSecrets = [...model.secrets.values()].length;

    console.log = log;
    console.log(`Device handler at scale: ${DEVICES} devices in ${stacks.length} stacks, IAM throttled at ${RATE} requests/s (model), `
      + `Lambda timeout ${LAMBDA_TIMEOUT_MS / 1000} s, ${CONTAINERS} Lambda containers`);
    for (const p of [create, destroy]) {
      console.log(`  ${p.name}: ${p.requests} requests, ${p.failed} FAILED, wall ${p.wallSeconds.toFixed(1)} s (slowest request `
        + `${p.slowestSeconds.toFixed(1)} s), ${p.iamCalls} IAM calls, ${p.throttled} throttled answers (SDK retries)`);
      for (const [reason, count] of p.reasons) {
        console.log(`    ${count} × ${reason}`);
      }
    }
    console.log(`  after create: ${enabled}/${DEVICES} devices enabled with their seed stored; orphans: ${createdOrphans}`);
    console.log(`  after delete: ${leftDevices} devices and ${leftSecrets} secrets left`);
    const ok = create.failed === 0 && destroy.failed === 0 && enabled === DEVICES && createdOrphans === 0 && leftDevices === 0 && leftSecrets === 0;
    console.log(ok ? '  result: every device created and enabled, zero FAILED, zero orphans, nothing left after delete'
      : '  result: NOT CLEAN (see above)');
    process.exitCode = ok ? 0 : 1;
  } finally {
    console.log = log;
    console.error = error;
    restore();
    await model.stop();
  }
}

/** Send every request at once; wait for all; measure. */
async function phase(name: string, model: AwsModel, responses: Map<string, any>,
  requests: Array<{ sim: CfnSimulator; event: Parameters<typeof handleEvent>[0] }>): Promise<Phase> {
  const calls = () => [...model.callCounts].filter(([action]) => /MFA|User|AccessKey/.test(action)).reduce((sum, [, n]) => sum + n, 0);
  const callsBefore = calls();
  const throttledBefore = model.throttled;
  const started = Date.now();
  let slowest = 0;
  await Promise.all(requests.map(async ({ sim, event }, i) => {
    const t0 = Date.now();
    await handleEvent(event, { stackId: sim.stack.stackId, remainingMs: LAMBDA_TIMEOUT_MS, container: String(i % CONTAINERS) });
    slowest = Math.max(slowest, Date.now() - t0);
  }));
  const reasons = new Map<string, number>();
  for (const { event } of requests) {
    const answer = responses.get(event.RequestId);
    if (answer?.Status !== 'SUCCESS') {
      const reason = String(answer?.Reason ?? 'no response').replace(/member\d+|arn:\S+/g, '…');
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  return {
    reasons,
    name,
    wallSeconds: (Date.now() - started) / 1000,
    requests: requests.length,
    failed: requests.filter(({ event }) => responses.get(event.RequestId)?.Status !== 'SUCCESS').length,
    iamCalls: calls() - callsBefore,
    throttled: model.throttled - throttledBefore,
    slowestSeconds: slowest / 1000,
  };
}

/** Devices and secrets tagged with a bench stack that no resource's physical id or secret owns. */
function orphans(model: AwsModel, stacks: Array<{ sim: CfnSimulator; ids: string[] }>): number {
  const physical = new Set(stacks.flatMap(({ sim, ids }) => ids.map((id) => String(sim.physicalId(id)).toLowerCase())));
  const stackIds = new Set(stacks.map(({ sim }) => sim.stack.stackId));
  const devices = [...model.devices.values()].filter((d) => stackIds.has(d.tags.get(STACK_ID_TAG) ?? '') && !physical.has(d.serialNumber.toLowerCase()));
  const secrets = [...model.secrets.values()].filter((s) => stackIds.has(s.tags.get(STACK_ID_TAG) ?? '')
    && !physical.has(String(s.tags.get('cdk-mfa-delegation:serial-number')).toLowerCase()));
  return devices.length + secrets.length;
}

void main();
