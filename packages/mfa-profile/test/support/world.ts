import * as fs from 'fs';
import * as path from 'path';
import { AwsModel } from './aws-model';
import { tempDir } from './cli';
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

export async function world(options: { readonly enable?: boolean } = {}): Promise<World> {
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
  };
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
    config: path.join(home, '.aws', 'config'),
    credentials: path.join(home, '.aws', 'credentials'),
    env: {
      HOME: home,
      AWS_ENDPOINT_URL: stub.url,
      AWS_ACCESS_KEY_ID: model.adminKey.id,
      AWS_SECRET_ACCESS_KEY: model.adminKey.secret,
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    stop: () => stub.stop(),
  };
}
