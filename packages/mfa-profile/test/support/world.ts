import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './cli';
import { AccountRoleEntry, teamPath, teamSecretName, teamSecretNamePrefix } from '../../../../lib/contract';
import { AwsModel, MODEL_ACCOUNT, ModelStackResource } from '../../../../test/support/aws-model';

/**
 * A deployed `MfaDelegation` in the stateful AWS model (test/support/aws-model.ts, the one the handler's tests use): the user, the role that trusts it, the device the handler created (and
 * enabled, unless `enable: false`) with its seed in the secret the handler owns; the stack's outputs, written as
 * `cdk deploy --outputs-file` writes them; a HOME for the run, and the environment of the person who deployed it.
 */
export interface World {
  readonly model: AwsModel;
  readonly home: string;
  readonly outputsFile: string;
  readonly seed: string;
  readonly serialNumber: string;
  readonly seedSecretArn: string;
  readonly roleArn: string;
  readonly config: string;
  readonly credentials: string;
  /** The environment of a run of `mfa-profile` as the deployer (admin key), against the model. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export const STACK = 'MfaDelegationExample';
export const USER = 'toolkit-user';

export async function world(options: { readonly enable?: boolean; readonly accountRoles?: readonly AccountRoleEntry[] } = {}): Promise<World> {
  const model = await stoppedClockModel();
  const user = model.createUser(USER);
  const role = model.addRole('toolkit-role', [USER], 3600);
  const device = model.handlerCreatesDevice(USER, `cdk-mfa-delegation/${STACK}/Toolkit/mfa-seed`, options.enable !== false);
  const outputs = {
    ToolkitMfaRoleArn: role.arn,
    ToolkitMfaUserName: USER,
    ToolkitMfaUserArn: user.arn,
    ToolkitMfaSerial: device.serialNumber,
    ToolkitMfaSeedSecretArn: device.secretArn,
    ToolkitMfaAccessKey: 'true',
    ToolkitMfaSourceProfile: USER,
    ToolkitMfaRoleProfile: 'mfa',
    ToolkitMfaRoleMaxSessionDuration: '3600',
    ...(options.accountRoles === undefined ? {} : { ToolkitMfaAccountRoles: JSON.stringify(options.accountRoles) }),
  };
  // The roles in other accounts, as the member accounts' stacks (MfaRoleStackSet) define them: they trust the user.
  for (const entry of options.accountRoles ?? []) {
    for (const account of entry.accounts ?? []) {
      model.addRole(entry.roleName, [USER], entry.maxSessionDuration, `arn:aws:iam::${account}:role${entry.path}${entry.roleName}`);
    }
  }
  deployed(model, STACK, outputs, [{ logicalId: HANDLER, physicalId: 'handler-fn', type: 'AWS::Lambda::Function', status: 'CREATE_COMPLETE' }]);
  const home = tempDir();
  const outputsFile = path.join(home, 'o.json');
  fs.writeFileSync(outputsFile, JSON.stringify({ [STACK]: outputs }, undefined, 2));
  return {
    model,
    home,
    outputsFile,
    seed: device.seed,
    serialNumber: device.serialNumber,
    seedSecretArn: device.secretArn,
    roleArn: role.arn,
    ...files(home),
    env: deployerEnv(model, home),
    stop: () => model.stop(),
  };
}

/**
 * The model with its clock stopped at the time it starts: a code a test computes stays valid however long the CLI takes
 * to start on a busy machine, and the tests move the clock themselves (`advance`).
 */
async function stoppedClockModel(): Promise<AwsModel> {
  const model = await AwsModel.start();
  const start = Date.now();
  model.now = () => start;
  return model;
}

/** The logical id of the device handler in the example stack. */
export const HANDLER = 'VirtualMfaDeviceHandlere8a3c7f05d1b4b8e9a6f2c4d1e7b9f30';

/** A stack of the model as deployed: its outputs and resources. */
function deployed(model: AwsModel, stackName: string, outputs: Record<string, string>, resources: ModelStackResource[]): void {
  const stack = model.addStack(stackName, { Resources: {} });
  stack.status = 'CREATE_COMPLETE';
  stack.outputs = outputs;
  resources.forEach((r) => stack.resources.set(r.logicalId, r));
}

/** A member of a deployed team in the model: its user, its device (and seed secret), and the ARNs of the roles it may assume. */
export interface TeamWorldMember {
  readonly userName: string;
  readonly roleArns: readonly string[];
}

/** A deployed `MfaTeam` in the AWS model: what `World` has, with a device and seed per member. */
export interface TeamWorld extends Omit<World, 'seed' | 'serialNumber' | 'seedSecretArn' | 'roleArn'> {
  readonly devices: ReadonlyMap<string, { readonly seed: string; readonly serialNumber: string; readonly secretArn: string }>;
}

/**
 * A deployed `MfaTeam` of stack `stackName` with the given outputs: each member's user, the device the handler created
 * for it at the team's path (enabled unless `enable: false`) with its seed in the team's seed secret (lib/contract.ts
 * names both), and the roles that trust the members who may assume them, in whichever account their ARN names.
 */
export async function teamWorld(stackName: string, teamName: string, outputs: Record<string, string>, members: readonly TeamWorldMember[],
  options: { readonly enable?: boolean } = {}): Promise<TeamWorld> {
  const model = await stoppedClockModel();
  const devices = new Map<string, { seed: string; serialNumber: string; secretArn: string }>();
  for (const member of members) {
    model.createUser(member.userName, teamPath(teamName));
    devices.set(member.userName, model.handlerCreatesDevice(member.userName, teamSecretName(teamSecretNamePrefix(teamName), member.userName, 'seed'),
      options.enable !== false, `arn:aws:iam::${MODEL_ACCOUNT}:mfa${teamPath(teamName)}${member.userName}`));
  }
  for (const arn of new Set(members.flatMap((m) => m.roleArns))) {
    model.addRole(arn.split('/').pop() as string, members.filter((m) => m.roleArns.includes(arn)).map((m) => m.userName), 3600, arn);
  }
  deployed(model, stackName, outputs, []);
  const home = tempDir();
  const outputsFile = path.join(home, 'o.json');
  fs.writeFileSync(outputsFile, JSON.stringify({ [stackName]: outputs }, undefined, 2));
  return { model, home, outputsFile, devices, ...files(home), env: deployerEnv(model, home), stop: () => model.stop() };
}

function files(home: string): { config: string; credentials: string } {
  return { config: path.join(home, '.aws', 'config'), credentials: path.join(home, '.aws', 'credentials') };
}

/** The environment of a run of `mfa-profile` as the deployer (admin key), against the model. */
function deployerEnv(model: AwsModel, home: string): Record<string, string> {
  return {
    HOME: home,
    AWS_ENDPOINT_URL: model.url,
    AWS_ACCESS_KEY_ID: model.adminKey.id,
    AWS_SECRET_ACCESS_KEY: model.adminKey.secret,
    AWS_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
