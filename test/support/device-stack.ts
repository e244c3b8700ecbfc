import { SimTemplate } from './cfn-simulator';
import { STACK_ID_TAG } from '../../lib/handler/names';

/** One device of a test stack. */
export interface DeviceSpec {
  /** Logical id of the custom resource. */
  readonly id: string;
  /** Logical id of its user (a user resource of the stack), or a literal user name (an imported user). */
  readonly user: string;
  readonly userName?: string;
  readonly deviceName?: string;
  readonly path?: string;
  readonly enable?: boolean;
  readonly seedSecretName?: string;
  /** The principal the secret's policy names as reader (changes the policy). */
  readonly reader?: string;
  readonly imported?: boolean;
}

/** A stack as the constructs define it: the handler function, a reader role, users tagged for the handler, devices. */
export function deviceStack(devices: DeviceSpec[],
  options: { users?: Array<{ id: string; userName: string }>; failAfter?: boolean; cleanup?: boolean } = {}): SimTemplate {
  const resources: SimTemplate['Resources'] = {
    Handler: { Type: 'AWS::Lambda::Function', Properties: {} },
    Reader: { Type: 'AWS::IAM::Role', Properties: {} },
  };
  for (const user of options.users ?? []) {
    resources[user.id] = {
      Type: 'AWS::IAM::User',
      Properties: { UserName: user.userName, Path: '/', Tags: [{ Key: STACK_ID_TAG, Value: { Ref: 'AWS::StackId' } }] },
    };
    if (options.cleanup) {
      resources[`${user.id}Cleanup`] = {
        Type: 'Custom::MfaUserCleanup',
        Properties: { ServiceToken: { 'Fn::GetAtt': ['Handler', 'Arn'] }, UserName: { Ref: user.id } },
      };
    }
  }
  for (const device of devices) {
    const userName = device.imported ? device.user : { Ref: device.user };
    resources[device.id] = {
      Type: 'Custom::VirtualMfaDevice',
      Properties: {
        ServiceToken: { 'Fn::GetAtt': ['Handler', 'Arn'] },
        UserName: userName,
        DeviceName: device.deviceName ?? userName,
        Path: device.path ?? '/',
        Enable: String(device.enable ?? true),
        SeedSecretName: device.seedSecretName ?? { 'Fn::Join': ['', [`mfa-seed/${device.id}/`, device.deviceName ?? userName]] },
        SeedSecretPolicy: {
          Version: '2012-10-17',
          Statement: [{
            Effect: 'Deny',
            Principal: '*',
            Action: 'secretsmanager:*',
            Resource: '*',
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [device.reader ?? 'Reader', 'Arn'] }] } },
          }],
        },
      },
    };
  }
  if (options.failAfter) {
    resources.Later = { Type: 'Test::Fail', Properties: {}, DependsOn: devices.map((d) => d.id) };
  }
  return { Resources: resources };
}
