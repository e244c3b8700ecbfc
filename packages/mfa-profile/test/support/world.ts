import * as fs from 'fs';
import * as path from 'path';
import { AwsModel } from './aws-model';
import { tempDir } from './cli';
import { AccountRoleEntry, teamPath, teamSecretName, teamSecretNamePrefix } from '../../../../lib/contract';
import { AwsStub } from '../../../../test/support/aws-stub';

/**
 * A deployed `MfaDelegation` in the AWS model: the user, the role that trusts it, the device the handler created (and
 * enabled, unless `enable: false`) with its seed in the secret the handler owns; the stack's outputs, written as
 * `cdk deploy --outputs-file` writes them; a HOME for the run, and the environment of the person who deployed it.
 */
export interface World {
  readonly model: AwsModel;
  readonly stub: AwsStub;
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
  const model = new AwsModel();
  const stub = await AwsStub.start((request) => model.handle(request));
  const user = model.addUser(USER);
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
  model.stacks.set(STACK, {
    name: STACK,
    outputs,
    resources: [{ logicalId: 'VirtualMfaDeviceHandlere8a3c7f05d1b4b8e9a6f2c4d1e7b9f30', physicalId: 'handler-fn', type: 'AWS::Lambda::Function' }],
  });
  const home = tempDir();
  const outputsFile = path.join(home, 'o.json');
  fs.writeFileSync(outputsFile, JSON.stringify({ [STACK]: outputs }, undefined, 2));
  return {
    model,
    stub,
    home,
    outputsFile,
    seed: device.seed,
    serialNumber: device.serialNumber,
    seedSecretArn: device.secretArn,
    roleArn: role.arn,
    ...files(home),
    env: deployerEnv(model, stub, home),
    stop: () => stub.stop(),
  };
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
  const model = new AwsModel();
  const stub = await AwsStub.start((request) => model.handle(request));
  const devices = new Map<string, { seed: string; serialNumber: string; secretArn: string }>();
  for (const member of members) {
    model.addUser(member.userName);
    devices.set(member.userName, model.handlerCreatesDevice(member.userName, teamSecretName(teamSecretNamePrefix(teamName), member.userName, 'seed'),
      options.enable !== false, `arn:aws:iam::${model.account}:mfa${teamPath(teamName)}${member.userName}`));
  }
  for (const arn of new Set(members.flatMap((m) => m.roleArns))) {
    model.addRole(arn.split('/').pop() as string, members.filter((m) => m.roleArns.includes(arn)).map((m) => m.userName), 3600, arn);
  }
  model.stacks.set(stackName, { name: stackName, outputs, resources: [] });
  const home = tempDir();
  const outputsFile = path.join(home, 'o.json');
  fs.writeFileSync(outputsFile, JSON.stringify({ [stackName]: outputs }, undefined, 2));
  return { model, stub, home, outputsFile, devices, ...files(home), env: deployerEnv(model, stub, home), stop: () => stub.stop() };
}

function files(home: string): { config: string; credentials: string } {
  return { config: path.join(home, '.aws', 'config'), credentials: path.join(home, '.aws', 'credentials') };
}

/** The environment of a run of `mfa-profile` as the deployer (admin key), against the model. */
function deployerEnv(model: AwsModel, stub: AwsStub, home: string): Record<string, string> {
  return {
    HOME: home,
    AWS_ENDPOINT_URL: stub.url,
    AWS_ACCESS_KEY_ID: model.adminKey.id,
    AWS_SECRET_ACCESS_KEY: model.adminKey.secret,
    AWS_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
