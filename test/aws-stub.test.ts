import { IAMClient, CreateVirtualMFADeviceCommand } from '@aws-sdk/client-iam';
import { SecretsManagerClient, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { AwsStub, jsonError, queryResult, useStubEnvironment } from './support/aws-stub';

describe('AwsStub', () => {
  let stub: AwsStub;
  let restore: () => void;
  beforeEach(async () => {
    stub = await AwsStub.start((req) => req.service === 'iam'
      ? queryResult('iam', req.action, '<VirtualMFADevice><SerialNumber>arn:aws:iam::111111111111:mfa/x</SerialNumber>'
        + '<Base32StringSeed>SEED</Base32StringSeed></VirtualMFADevice>')
      : jsonError('ResourceNotFoundException', 'no such secret'));
    restore = useStubEnvironment(stub.url);
  });
  afterEach(async () => {
    restore();
    await stub.stop();
  });

  test('answers the real SDK for IAM (Query) and records the request', async () => {
    const out = await new IAMClient({}).send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'x', Path: '/' }));
    expect(out.VirtualMFADevice?.SerialNumber).toEqual('arn:aws:iam::111111111111:mfa/x');
    expect(stub.calls('CreateVirtualMFADevice')[0]).toMatchObject({ service: 'iam', params: { VirtualMFADeviceName: 'x', Path: '/' } });
  });

  test('fails the real SDK for Secrets Manager (JSON) with the stubbed error', async () => {
    await expect(new SecretsManagerClient({}).send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'v' })))
      .rejects.toThrow('no such secret');
    expect(stub.calls('PutSecretValue')[0]).toMatchObject({ service: 'secretsmanager', params: { SecretId: 's' } });
  });
});
