import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { runCli, stubEnv, tempDir } from './support/cli';
import { MfaDelegation, MfaTeam } from '../../../lib';
import { STACK_ID_TAG } from '../../../lib/handler/names';
import { AwsModel, useAwsModelPerTest } from '../../../test/support/aws-model';
import { CfnSimulator, SimTemplate } from '../../../test/support/cfn-simulator';
import { readProfiles } from '../src/ini';

// #16: the access keys are made by mfa-profile, not by CloudFormation, and still the stack's deletion leaves none behind.
// The synthesized template of an MfaDelegation and an MfaTeam is deployed by the CloudFormation simulator against the
// stateful AWS model, its custom resources served by the real handler (lib/handler: the device, and
// Custom::MfaUserCleanup in user-cleanup.ts); mfa-profile (a child process) creates the keys against the same model;
// then the stack is deleted.

jest.setTimeout(120_000);

const FAST = { retry: { attemptTimeoutMs: 2_000, eventualConsistencyDelayMs: 50 }, response: { backoffMs: 50 } };

const currentModel = useAwsModelPerTest();
let model: AwsModel;
let home: string;
beforeEach(() => {
  model = currentModel();
  home = tempDir();
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

/** The template of a stack with an MfaDelegation and an MfaTeam (its member in the stack itself), as `cdk synth` makes it. */
function synthesized(): SimTemplate & { Outputs: Record<string, { Value: unknown }> } {
  const app = new App();
  const stack = new Stack(app, 'MfaStack');
  new MfaDelegation(stack, 'Toolkit', { roleName: 'toolkit-role', userName: 'toolkit-user' });
  new MfaTeam(stack, 'Dev', { roles: [{ name: 'readonly', roleName: 'dev-readonly' }], members: [{ userName: 'alice', roles: ['readonly'] }], memberStacks: 0 });
  return app.synth().getStackByName('MfaStack').template;
}

/** Deploy the template, and write its outputs as `cdk deploy --outputs-file` does. */
async function deploy(template: ReturnType<typeof synthesized>): Promise<{ sim: CfnSimulator; outputsFile: string }> {
  const sim = new CfnSimulator(model, 'MfaStack', FAST);
  expect((await sim.deploy(template)).status).toEqual('CREATE_COMPLETE');
  const outputsFile = path.join(home, 'cdk-outputs.json');
  const outputs = Object.fromEntries(Object.entries(template.Outputs).map(([key, output]) => [key, sim.resolve(output.Value)]));
  fs.writeFileSync(outputsFile, JSON.stringify({ MfaStack: outputs }));
  return { sim, outputsFile };
}

/** `mfa-profile credentials` as the deployer, against the model. */
async function credentials(outputsFile: string, ...args: string[]): Promise<void> {
  const run = await runCli(['credentials', '--outputs-file', outputsFile, ...args], stubEnv(model.url, { HOME: home }));
  expect(run.stderr).not.toMatch(/mfa-profile:/);
  expect(run.status).toBe(0);
}

const keysOf = (userName: string) => model.users.get(userName)?.accessKeys.map((k) => k.accessKeyId);
const fileKey = (profile: string) => readProfiles(fs.readFileSync(path.join(home, '.aws', 'credentials'), 'utf8'), 'credentials')
  .get(profile)?.aws_access_key_id;

describe('deleting the stack after mfa-profile made the access keys', () => {
  test('leaves no access key, no MFA device, no seed secret and no user behind in the model', async () => {
    // GIVEN the deployed stack: two users, each with a device the handler made and enabled, and a cleanup resource
    const { sim, outputsFile } = await deploy(synthesized());
    expect(model.devicesTagged(STACK_ID_TAG, sim.stack.stackId)).toHaveLength(2);

    // WHEN mfa-profile creates the delegation's key (twice: the second run keeps it) and the member's key
    await credentials(outputsFile);
    await credentials(outputsFile);
    await credentials(outputsFile, '--member', 'alice');

    // THEN each user has exactly the key its credentials file holds, and CloudFormation knows none of them
    expect(keysOf('toolkit-user')).toEqual([fileKey('toolkit-user')]);
    expect(keysOf('alice')).toEqual([fileKey('alice')]);

    // WHEN the stack is deleted
    const result = await sim.destroy();

    // THEN the deletion completes: the cleanup deleted the keys, the device resources deactivated and deleted the
    // devices and their seed secrets, and so CloudFormation could delete the users
    expect(result.status).toEqual('DELETE_COMPLETE');
    expect([...model.users.keys()]).toEqual([]);
    expect([...model.devices.keys()]).toEqual([]);
    expect([...model.secrets.values()].map((s) => s.name)).toEqual([]);
    expect(result.exchanges.filter((e) => e.response.Status !== 'SUCCESS')).toEqual([]);
  });

  test('fails without the cleanup resources: the key mfa-profile made keeps the user, so the stack cannot be deleted', async () => {
    // GIVEN the same stack without its Custom::MfaUserCleanup resources (what the constructs declared before #16)
    const template = synthesized();
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type === 'Custom::MfaUserCleanup') {
        delete template.Resources[id];
      }
    }
    const { sim, outputsFile } = await deploy(template);
    await credentials(outputsFile);

    // WHEN the stack is deleted THEN the user with the key is left, and the deletion fails
    expect((await sim.destroy()).status).toEqual('DELETE_FAILED');
    expect(keysOf('toolkit-user')).toEqual([fileKey('toolkit-user')]);
  });
});
