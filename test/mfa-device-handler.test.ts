import * as fs from 'fs';
import * as path from 'path';
import { AwsStub, jsonError, jsonResult, queryError, queryResult, StubRequest, StubResponse, useStubEnvironment } from './support/aws-stub';
import { CustomResourceEvent, handleEvent } from '../lib/handler';
import { consecutiveCodes, otpauthUri, totpCode } from '../lib/handler/totp';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:111111111111:stack/MfaDelegationExample/0f6e3c10-c9a4-11ef-9ad8-0a1b2c3d4e5f';
const SERIAL = 'arn:aws:iam::111111111111:mfa/toolkit-user';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:ToolkitMfaSeed-AbCdEf';
// 40 random-looking bytes in base32, 64 characters, like IAM's Base32StringSeed.
const SEED = 'MNSGWLLNMZQS2ZDFNRSWOYLUNFXW4IDUMVZXIIDTMVSWILBAGQYCAYTZORSXGIJB';
const NOW = Date.UTC(2026, 10, 24, 12, 0, 10);
const CODES = consecutiveCodes(SEED, NOW);
const URI = otpauthUri({ seed: SEED, account: 'toolkit-user@111111111111', issuer: 'Amazon Web Services' });
const PROPERTIES = {
  ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:handler',
  UserName: 'toolkit-user',
  DeviceName: 'toolkit-user',
  Path: '/',
  SeedSecretArn: SECRET_ARN,
  Enable: 'true',
};
// An access key of the user, as CloudFormation resolves the GetAtt of an AWS::IAM::AccessKey into the properties.
const ACCESS_KEY_ID = 'AKIATOOLKITUSER00001';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYtoolkit0001';
const NEW_ACCESS_KEY_ID = 'AKIATOOLKITUSER00002';
const NEW_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYtoolkit0002';
const WITH_KEY = { ...PROPERTIES, AccessKeyId: ACCESS_KEY_ID, SecretAccessKey: SECRET_ACCESS_KEY };
/** The seed secret as the handler writes it for WITH_KEY. */
const SEED_SECRET = { serialNumber: SERIAL, userName: 'toolkit-user', seed: SEED, otpauthUri: URI, enabled: true };
const ALREADY_EXISTS = queryError('EntityAlreadyExists', 'MFADevice entity at the same path and name already exists.', 409);
const RESPONSE_PATH = '/cloudformation-response';

/** IAM's answer to CreateVirtualMFADevice: the Query protocol carries blobs base64-encoded. */
function createdDevice(serial: string): StubResponse {
  return queryResult('iam', 'CreateVirtualMFADevice', `<VirtualMFADevice><SerialNumber>${serial}</SerialNumber>`
    + `<Base32StringSeed>${Buffer.from(SEED, 'ascii').toString('base64')}</Base32StringSeed>`
    + `<QRCodePNG>${Buffer.from('not really a PNG').toString('base64')}</QRCodePNG></VirtualMFADevice>`);
}

/** An AWS stand-in that answers every call the handler makes with success, unless `answers` says otherwise. */
function aws(answers: Record<string, StubResponse | (() => Promise<StubResponse>)> = {}): (req: StubRequest) => StubResponse | Promise<StubResponse> {
  return (req) => {
    const answer = answers[req.path.startsWith(RESPONSE_PATH) ? 'Response' : req.action];
    if (answer) {
      return typeof answer === 'function' ? answer() : answer;
    }
    switch (req.action) {
      case 'CreateVirtualMFADevice':
        return createdDevice(`arn:aws:iam::111111111111:mfa${req.params.Path ?? '/'}${req.params.VirtualMFADeviceName}`);
      case 'PutSecretValue':
        return jsonResult({ ARN: SECRET_ARN, Name: 'ToolkitMfaSeed', VersionId: 'v2', VersionStages: ['AWSCURRENT'] });
      case 'GetSecretValue':
        return jsonResult({
          ARN: SECRET_ARN,
          Name: 'ToolkitMfaSeed',
          VersionId: 'v1',
          VersionStages: ['AWSCURRENT'],
          SecretString: JSON.stringify({ ...SEED_SECRET, accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY }),
        });
      case 'EnableMFADevice':
      case 'DeactivateMFADevice':
      case 'DeleteVirtualMFADevice':
        return queryResult('iam', req.action, '');
      default:
        return req.path.startsWith(RESPONSE_PATH) ? { status: 200 } : { status: 500, body: `unexpected request ${req.action}` };
    }
  };
}

const never = () => new Promise<StubResponse>(() => undefined);

describe('mfa-device-handler', () => {
  let stub: AwsStub;
  let restore: () => void;
  let output: jest.SpyInstance[];

  beforeEach(async () => {
    stub = await AwsStub.start(aws());
    restore = useStubEnvironment(stub.url);
    output = [jest.spyOn(console, 'log').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];
  });

  afterEach(async () => {
    restore();
    await stub.stop();
    // THEN (every scenario): no seed, otpauth URI, code or secret access key in a response or a log line
    const logged = output.flatMap((spy) => spy.mock.calls.map((args) => args.join(' '))).join('\n');
    const responses = responseRequests().map((r) => r.body).join('\n');
    for (const secret of [SEED, URI, 'otpauth://', ...CODES, SECRET_ACCESS_KEY, NEW_SECRET_ACCESS_KEY]) {
      expect(logged).not.toContain(secret);
      expect(responses).not.toContain(secret);
    }
    jest.restoreAllMocks();
  });

  function event(requestType: CustomResourceEvent['RequestType'], more: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
    return {
      RequestType: requestType,
      ResponseURL: `${stub.url}${RESPONSE_PATH}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=presigned`,
      StackId: STACK_ID,
      RequestId: '5f2a7b3c-request',
      LogicalResourceId: 'ToolkitMfaDevice',
      ResourceType: 'Custom::VirtualMfaDevice',
      ResourceProperties: PROPERTIES,
      ...more,
    };
  }

  function responseRequests(): StubRequest[] {
    return stub.requests.filter((r) => r.path.startsWith(RESPONSE_PATH));
  }

  /** The one response CloudFormation received. */
  function response(): Record<string, any> {
    const sent = responseRequests();
    expect(sent).toHaveLength(1);
    return JSON.parse(sent[0].body);
  }

  /** The AWS calls, in order (without the response). */
  function calls(): string[] {
    return stub.requests.filter((r) => !r.path.startsWith(RESPONSE_PATH)).map((r) => r.action);
  }

  describe('Create', () => {
    test('creates the device, stores the seed, enables it with two consecutive codes and answers SUCCESS with the serial', async () => {
      // WHEN
      await handleEvent(event('Create'), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice', 'EnableMFADevice', 'PutSecretValue']);
      expect(stub.calls('CreateVirtualMFADevice')[0].params).toEqual({
        Action: 'CreateVirtualMFADevice', Version: '2010-05-08', VirtualMFADeviceName: 'toolkit-user', Path: '/',
      });
      const put = stub.calls('PutSecretValue')[0];
      expect(put.service).toEqual('secretsmanager');
      expect(put.params.SecretId).toEqual(SECRET_ARN);
      expect(JSON.parse(put.params.SecretString)).toEqual({
        serialNumber: SERIAL,
        userName: 'toolkit-user',
        seed: SEED,
        otpauthUri: `otpauth://totp/Amazon%20Web%20Services:toolkit-user%40111111111111?issuer=Amazon%20Web%20Services&secret=${SEED}`
          + '&algorithm=SHA1&digits=6&period=30',
        enabled: true,
      });
      const enable = stub.calls('EnableMFADevice')[0].params;
      expect(enable).toMatchObject({ UserName: 'toolkit-user', SerialNumber: SERIAL });
      expect([enable.AuthenticationCode1, enable.AuthenticationCode2]).toEqual([totpCode(SEED, NOW - 30_000), totpCode(SEED, NOW)]);
      expect(enable.AuthenticationCode1).toMatch(/^\d{6}$/);
      expect(response()).toEqual({
        Status: 'SUCCESS',
        Reason: `Created virtual MFA device ${SERIAL}.`,
        PhysicalResourceId: SERIAL,
        StackId: STACK_ID,
        RequestId: '5f2a7b3c-request',
        LogicalResourceId: 'ToolkitMfaDevice',
        Data: { SerialNumber: SERIAL },
      });
    });

    test('sends the response as cfn-response does: a PUT to the presigned URL with an empty content type and a content length', async () => {
      // WHEN
      await handleEvent(event('Create'), { now: () => NOW });

      // THEN
      const [sent] = responseRequests();
      expect(sent.method).toEqual('PUT');
      expect(sent.path).toEqual(`${RESPONSE_PATH}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=presigned`);
      expect(sent.headers['content-type']).toEqual('');
      expect(sent.headers['content-length']).toEqual(String(Buffer.byteLength(sent.body)));
      expect(sent.headers.authorization).toBeUndefined();
    });

    test('creates the device under its path, and under / when Path is absent', async () => {
      // WHEN
      await handleEvent(event('Create', { ResourceProperties: { ...PROPERTIES, Path: '/team/a/', DeviceName: 'ci' } }), { now: () => NOW });
      const { Path: _, ...withoutPath } = PROPERTIES;
      await handleEvent(event('Create', { ResourceProperties: withoutPath }), { now: () => NOW });

      // THEN
      expect(stub.calls('CreateVirtualMFADevice').map((r) => [r.params.Path, r.params.VirtualMFADeviceName]))
        .toEqual([['/team/a/', 'ci'], ['/', 'toolkit-user']]);
      expect(responseRequests().map((r) => JSON.parse(r.body).PhysicalResourceId)).toEqual(['arn:aws:iam::111111111111:mfa/team/a/ci', SERIAL]);
    });

    test('stores the access key next to the seed when AccessKeyId and SecretAccessKey are given', async () => {
      // WHEN
      await handleEvent(event('Create', { ResourceProperties: WITH_KEY }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice', 'EnableMFADevice', 'PutSecretValue']);
      expect(JSON.parse(stub.calls('PutSecretValue')[0].params.SecretString)).toEqual({
        ...SEED_SECRET, accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY,
      });
      expect(response()).toEqual({
        Status: 'SUCCESS',
        Reason: `Created virtual MFA device ${SERIAL}.`,
        PhysicalResourceId: SERIAL,
        StackId: STACK_ID,
        RequestId: '5f2a7b3c-request',
        LogicalResourceId: 'ToolkitMfaDevice',
        Data: { SerialNumber: SERIAL },
      });
    });

    test('fails without repeating the secret access key that AWS echoes in its error message', async () => {
      // GIVEN
      stub.setHandler(aws({
        PutSecretValue: jsonError('ValidationException', `Value {"secretAccessKey":"${SECRET_ACCESS_KEY}"} at 'secretString' failed to satisfy constraint`),
      }));

      // WHEN
      await handleEvent(event('Create', { ResourceProperties: WITH_KEY }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice', 'EnableMFADevice', 'PutSecretValue', 'DeactivateMFADevice', 'DeleteVirtualMFADevice']);
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: `Could not store the seed of MFA device ${SERIAL} in secret ${SECRET_ARN}: `
          + 'Value {"secretAccessKey":"***"} at \'secretString\' failed to satisfy constraint (Validation).',
      });
    });

    test('fails without an AWS call, and without quoting it, when only one half of the access key is given', async () => {
      // WHEN
      await handleEvent(event('Create', { ResourceProperties: { ...PROPERTIES, SecretAccessKey: SECRET_ACCESS_KEY } }), { now: () => NOW });
      await handleEvent(event('Create', { ResourceProperties: { ...WITH_KEY, AccessKeyId: '' } }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual([]);
      expect(responseRequests().map((r) => JSON.parse(r.body))).toEqual([1, 2].map(() => expect.objectContaining({
        Status: 'FAILED',
        Reason: 'Resource properties AccessKeyId and SecretAccessKey must both be non-empty strings, or both be absent.',
      })));
    });

    test('does not enable the device when Enable is false', async () => {
      // WHEN
      await handleEvent(event('Create', { ResourceProperties: { ...PROPERTIES, Enable: 'false' } }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice', 'PutSecretValue']);
      expect(JSON.parse(stub.calls('PutSecretValue')[0].params.SecretString)).toMatchObject({ seed: SEED, enabled: false });
      expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: SERIAL, Data: { SerialNumber: SERIAL } });
    });

    test('fails and deletes the device again when IAM rejects the codes', async () => {
      // GIVEN
      stub.setHandler(aws({ EnableMFADevice: queryError('InvalidAuthenticationCode', 'Authentication code for device is not valid.', 403) }));

      // WHEN
      await handleEvent(event('Create'), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice', 'EnableMFADevice', 'DeleteVirtualMFADevice']);
      expect(stub.calls('PutSecretValue')).toEqual([]); // the secret keeps the seed of the device in use, if any
      expect(stub.calls('DeleteVirtualMFADevice')[0].params.SerialNumber).toEqual(SERIAL);
      expect(response()).toEqual({
        Status: 'FAILED',
        Reason: `Could not enable MFA device ${SERIAL} for user toolkit-user: `
          + 'Authentication code for device is not valid (InvalidAuthenticationCode).',
        PhysicalResourceId: 'failed-5f2a7b3c-request',
        StackId: STACK_ID,
        RequestId: '5f2a7b3c-request',
        LogicalResourceId: 'ToolkitMfaDevice',
        Data: {},
      });
    });

    test('fails without repeating a code that AWS echoes in its error message', async () => {
      // GIVEN
      stub.setHandler(aws({
        EnableMFADevice: queryError('ValidationError',
          `1 validation error detected: Value '${CODES[1]}' at 'authenticationCode2' failed to satisfy constraint`),
      }));

      // WHEN
      await handleEvent(event('Create'), { now: () => NOW });

      // THEN
      expect(response().Reason).toEqual(`Could not enable MFA device ${SERIAL} for user toolkit-user: 1 validation error detected: `
        + 'Value \'***\' at \'authenticationCode2\' failed to satisfy constraint (ValidationError).');
    });

    test('fails and leaves an existing device of the same name alone', async () => {
      // GIVEN
      stub.setHandler(aws({ CreateVirtualMFADevice: ALREADY_EXISTS }));

      // WHEN
      await handleEvent(event('Create'), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice']);
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: `Virtual MFA device ${SERIAL} already exists and was left alone, because another stack or a person created it: `
          + `choose another device name, or remove that device (deactivate it, then "aws iam delete-virtual-mfa-device --serial-number ${SERIAL}").`,
        PhysicalResourceId: 'failed-5f2a7b3c-request',
      });
    });

    test('fails with the AWS error when IAM does not create the device', async () => {
      // GIVEN
      stub.setHandler(aws({
        CreateVirtualMFADevice: queryError('AccessDenied',
          'User: arn:aws:sts::111111111111:assumed-role/h/x is not authorized to perform: iam:CreateVirtualMFADevice', 403),
      }));

      // WHEN
      await handleEvent(event('Create'), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice']);
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: `Could not create virtual MFA device ${SERIAL}: User: arn:aws:sts::111111111111:assumed-role/h/x is not authorized to perform: `
          + 'iam:CreateVirtualMFADevice (AccessDenied).',
      });
    });

    test('fails and deletes the device again when the seed cannot be stored', async () => {
      // GIVEN
      stub.setHandler(aws({ PutSecretValue: jsonError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.') }));

      // WHEN
      await handleEvent(event('Create'), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice', 'EnableMFADevice', 'PutSecretValue', 'DeactivateMFADevice', 'DeleteVirtualMFADevice']);
      expect(stub.calls('DeactivateMFADevice')[0].params).toMatchObject({ UserName: 'toolkit-user', SerialNumber: SERIAL });
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: `Could not store the seed of MFA device ${SERIAL} in secret ${SECRET_ARN}: `
          + 'Secrets Manager can\'t find the specified secret (ResourceNotFound).',
        PhysicalResourceId: 'failed-5f2a7b3c-request',
      });
    });

    test('fails with the first error when the device is gone already at cleanup', async () => {
      // GIVEN
      stub.setHandler(aws({
        PutSecretValue: jsonError('AccessDeniedException', 'Access denied.'),
        DeleteVirtualMFADevice: queryError('NoSuchEntity', 'VirtualMFADevice not found.', 404),
      }));

      // WHEN
      await handleEvent(event('Create'), { now: () => NOW });

      // THEN
      expect(response().Reason).toEqual(`Could not store the seed of MFA device ${SERIAL} in secret ${SECRET_ARN}: Access denied (AccessDenied).`);
    });

    test('fails and says so when deleting the device again fails too', async () => {
      // GIVEN
      stub.setHandler(aws({
        EnableMFADevice: queryError('LimitExceeded', 'Cannot exceed quota for MFADevicesPerUser: 8.', 409),
        DeleteVirtualMFADevice: queryError('AccessDenied', 'Not authorized to perform iam:DeleteVirtualMFADevice.', 403),
      }));

      // WHEN
      await handleEvent(event('Create'), { now: () => NOW });

      // THEN
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: `Could not enable MFA device ${SERIAL} for user toolkit-user: Cannot exceed quota for MFADevicesPerUser: 8 (LimitExceeded) `
          + '(deleting the device again failed too: Not authorized to perform iam:DeleteVirtualMFADevice (AccessDenied)).',
      });
    });

    test('fails and deletes the device again when IAM returns no seed', async () => {
      // GIVEN
      const noSeed = queryResult('iam', 'CreateVirtualMFADevice', `<VirtualMFADevice><SerialNumber>${SERIAL}</SerialNumber></VirtualMFADevice>`);
      stub.setHandler(aws({ CreateVirtualMFADevice: noSeed }));

      // WHEN
      await handleEvent(event('Create'), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice', 'DeleteVirtualMFADevice']);
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: `IAM created virtual MFA device ${SERIAL} but returned no seed.`,
        PhysicalResourceId: 'failed-5f2a7b3c-request',
      });
    });

    test('fails without an AWS call when a property is invalid', async () => {
      // WHEN
      await handleEvent(event('Create', { ResourceProperties: { ...PROPERTIES, Enable: 'yes' } }), { now: () => NOW });
      await handleEvent(event('Create', { ResourceProperties: { ...PROPERTIES, UserName: '' } }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual([]);
      expect(responseRequests().map((r) => JSON.parse(r.body))).toEqual([
        expect.objectContaining({ Status: 'FAILED', Reason: 'Resource property Enable must be \'true\' or \'false\', but got "yes".' }),
        expect.objectContaining({ Status: 'FAILED', Reason: 'Resource property UserName must be a non-empty string, but got "".' }),
      ]);
    });

    test('fails in time when AWS does not answer, and still responds', async () => {
      // GIVEN
      stub.setHandler(aws({ CreateVirtualMFADevice: never }));

      // WHEN
      const started = Date.now();
      await handleEvent(event('Create'), { now: () => NOW, workTimeoutMs: 300 });

      // THEN
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: 'AWS did not answer within 300 ms, before the Lambda function would time out.',
        PhysicalResourceId: 'failed-5f2a7b3c-request',
      });
    });

    test('fails an unknown request type', async () => {
      // WHEN
      await handleEvent(event('Replace' as any), { now: () => NOW });

      // THEN
      expect(calls()).toEqual([]);
      expect(response()).toMatchObject({ Status: 'FAILED', Reason: 'Unknown request type "Replace": expected Create, Update or Delete.' });
    });
  });

  describe('Update', () => {
    const old = PROPERTIES;

    test('keeps the device when no property changed', async () => {
      // WHEN
      await handleEvent(event('Update', { PhysicalResourceId: SERIAL, OldResourceProperties: old }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual([]);
      expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: SERIAL, Data: { SerialNumber: SERIAL } });
    });

    test('keeps the device and writes only the new access key into the secret when the key alone changed (rotation)', async () => {
      // WHEN
      await handleEvent(event('Update', {
        PhysicalResourceId: SERIAL,
        OldResourceProperties: WITH_KEY,
        ResourceProperties: { ...WITH_KEY, AccessKeyId: NEW_ACCESS_KEY_ID, SecretAccessKey: NEW_SECRET_ACCESS_KEY },
      }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['GetSecretValue', 'PutSecretValue']);
      expect(stub.calls('GetSecretValue')[0].params).toEqual({ SecretId: SECRET_ARN });
      const put = stub.calls('PutSecretValue')[0].params;
      expect(put.SecretId).toEqual(SECRET_ARN);
      expect(JSON.parse(put.SecretString)).toEqual({ ...SEED_SECRET, accessKeyId: NEW_ACCESS_KEY_ID, secretAccessKey: NEW_SECRET_ACCESS_KEY });
      expect(response()).toEqual({
        Status: 'SUCCESS',
        Reason: `Kept MFA device ${SERIAL}; stored the new access key in secret ${SECRET_ARN}.`,
        PhysicalResourceId: SERIAL,
        StackId: STACK_ID,
        RequestId: '5f2a7b3c-request',
        LogicalResourceId: 'ToolkitMfaDevice',
        Data: { SerialNumber: SERIAL },
      });
    });

    test('keeps the device and adds the access key to a secret that had none', async () => {
      // GIVEN
      stub.setHandler(aws({ GetSecretValue: jsonResult({ ARN: SECRET_ARN, SecretString: JSON.stringify(SEED_SECRET) }) }));

      // WHEN
      await handleEvent(event('Update', { PhysicalResourceId: SERIAL, OldResourceProperties: PROPERTIES, ResourceProperties: WITH_KEY }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['GetSecretValue', 'PutSecretValue']);
      expect(JSON.parse(stub.calls('PutSecretValue')[0].params.SecretString)).toEqual({
        ...SEED_SECRET, accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY,
      });
      expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: SERIAL });
    });

    test('keeps the device and removes the access key from the secret when the key is removed', async () => {
      // WHEN
      await handleEvent(event('Update', { PhysicalResourceId: SERIAL, OldResourceProperties: WITH_KEY, ResourceProperties: PROPERTIES }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['GetSecretValue', 'PutSecretValue']);
      expect(JSON.parse(stub.calls('PutSecretValue')[0].params.SecretString)).toEqual(SEED_SECRET);
      expect(response()).toMatchObject({
        Status: 'SUCCESS',
        Reason: `Kept MFA device ${SERIAL}; removed the access key from secret ${SECRET_ARN}.`,
        PhysicalResourceId: SERIAL,
      });
    });

    test('keeps a forgotten seed forgotten when the access key changes, and keeps every other field', async () => {
      // GIVEN: mfa-profile mfa-setup --forget removed the seed and the URI
      const forgotten = { serialNumber: SERIAL, userName: 'toolkit-user', enabled: true, accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, forgotten: true };
      stub.setHandler(aws({ GetSecretValue: jsonResult({ ARN: SECRET_ARN, SecretString: JSON.stringify(forgotten) }) }));

      // WHEN
      await handleEvent(event('Update', {
        PhysicalResourceId: SERIAL,
        OldResourceProperties: WITH_KEY,
        ResourceProperties: { ...WITH_KEY, AccessKeyId: NEW_ACCESS_KEY_ID, SecretAccessKey: NEW_SECRET_ACCESS_KEY },
      }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['GetSecretValue', 'PutSecretValue']);
      expect(JSON.parse(stub.calls('PutSecretValue')[0].params.SecretString)).toEqual({
        serialNumber: SERIAL, userName: 'toolkit-user', enabled: true, forgotten: true, accessKeyId: NEW_ACCESS_KEY_ID, secretAccessKey: NEW_SECRET_ACCESS_KEY,
      });
      expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: SERIAL });
    });

    test('replaces the device, and stores the key with the new seed, when a device property changes with the key', async () => {
      // WHEN
      await handleEvent(event('Update', {
        PhysicalResourceId: SERIAL,
        OldResourceProperties: WITH_KEY,
        ResourceProperties: { ...WITH_KEY, DeviceName: 'toolkit-user-2', AccessKeyId: NEW_ACCESS_KEY_ID, SecretAccessKey: NEW_SECRET_ACCESS_KEY },
      }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice', 'EnableMFADevice', 'PutSecretValue']);
      expect(JSON.parse(stub.calls('PutSecretValue')[0].params.SecretString)).toMatchObject({
        serialNumber: 'arn:aws:iam::111111111111:mfa/toolkit-user-2', seed: SEED, accessKeyId: NEW_ACCESS_KEY_ID, secretAccessKey: NEW_SECRET_ACCESS_KEY,
      });
      expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'arn:aws:iam::111111111111:mfa/toolkit-user-2' });
    });

    test('fails with the old physical id, naming the secret but not its content, when the secret is not a JSON object', async () => {
      // GIVEN
      stub.setHandler(aws({ GetSecretValue: jsonResult({ ARN: SECRET_ARN, SecretString: `not json ${SECRET_ACCESS_KEY}` }) }));

      // WHEN
      await handleEvent(event('Update', { PhysicalResourceId: SERIAL, OldResourceProperties: WITH_KEY, ResourceProperties: PROPERTIES }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['GetSecretValue']);
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: `Secret ${SECRET_ARN} of MFA device ${SERIAL} does not hold a JSON object, so the access key cannot be stored in it.`,
        PhysicalResourceId: SERIAL,
      });
    });

    test('fails with the old physical id when the secret cannot be read', async () => {
      // GIVEN
      stub.setHandler(aws({ GetSecretValue: jsonError('AccessDeniedException', 'Not authorized to perform secretsmanager:GetSecretValue.') }));

      // WHEN
      await handleEvent(event('Update', {
        PhysicalResourceId: SERIAL,
        OldResourceProperties: WITH_KEY,
        ResourceProperties: { ...WITH_KEY, AccessKeyId: NEW_ACCESS_KEY_ID, SecretAccessKey: NEW_SECRET_ACCESS_KEY },
      }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['GetSecretValue']);
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: `Could not read secret ${SECRET_ARN} of MFA device ${SERIAL}: Not authorized to perform secretsmanager:GetSecretValue (AccessDenied).`,
        PhysicalResourceId: SERIAL,
      });
    });

    test('replaces the device under a new name by a new one and leaves the old one to CloudFormation', async () => {
      // WHEN
      await handleEvent(event('Update', {
        PhysicalResourceId: SERIAL,
        OldResourceProperties: old,
        ResourceProperties: { ...PROPERTIES, DeviceName: 'toolkit-user-2' },
      }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice', 'EnableMFADevice', 'PutSecretValue']);
      expect(stub.calls('CreateVirtualMFADevice')[0].params.VirtualMFADeviceName).toEqual('toolkit-user-2');
      expect(response()).toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: 'arn:aws:iam::111111111111:mfa/toolkit-user-2',
        Data: { SerialNumber: 'arn:aws:iam::111111111111:mfa/toolkit-user-2' },
      });
    });

    test('removes the old device first when the new one has the same ARN', async () => {
      // GIVEN: the device moves to another user and becomes enabled; its name stays
      const previous = { ...PROPERTIES, UserName: 'old-user', Enable: 'false' };

      // WHEN
      await handleEvent(event('Update', { PhysicalResourceId: SERIAL, OldResourceProperties: previous }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['DeactivateMFADevice', 'DeleteVirtualMFADevice', 'CreateVirtualMFADevice', 'EnableMFADevice', 'PutSecretValue']);
      expect(stub.calls('DeactivateMFADevice')[0].params).toMatchObject({ UserName: 'old-user', SerialNumber: SERIAL });
      expect(stub.calls('DeleteVirtualMFADevice')[0].params).toMatchObject({ SerialNumber: SERIAL });
      expect(stub.calls('EnableMFADevice')[0].params).toMatchObject({ UserName: 'toolkit-user', SerialNumber: SERIAL });
      expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: SERIAL });
    });

    test('treats device names that differ only in case as the same device', async () => {
      // GIVEN
      const previous = { ...PROPERTIES, DeviceName: 'Toolkit-User' };

      // WHEN
      await handleEvent(event('Update', {
        PhysicalResourceId: 'arn:aws:iam::111111111111:mfa/Toolkit-User',
        OldResourceProperties: previous,
      }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['DeactivateMFADevice', 'DeleteVirtualMFADevice', 'CreateVirtualMFADevice', 'EnableMFADevice', 'PutSecretValue']);
      expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: SERIAL });
    });

    test('keeps the device during the rollback of a replacement that failed', async () => {
      // GIVEN: the update to toolkit-user-2 failed and answered with the old physical id; CloudFormation rolls back
      const failedUpdate = { ...PROPERTIES, DeviceName: 'toolkit-user-2' };

      // WHEN
      await handleEvent(event('Update', {
        PhysicalResourceId: SERIAL,
        OldResourceProperties: failedUpdate,
        ResourceProperties: PROPERTIES,
      }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual([]);
      expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: SERIAL });
    });

    test('fails with the old physical id when the new device cannot be created', async () => {
      // GIVEN
      stub.setHandler(aws({ CreateVirtualMFADevice: ALREADY_EXISTS }));

      // WHEN
      await handleEvent(event('Update', {
        PhysicalResourceId: SERIAL,
        OldResourceProperties: old,
        ResourceProperties: { ...PROPERTIES, DeviceName: 'taken' },
      }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice']);
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: expect.stringMatching(/^Virtual MFA device arn:aws:iam::111111111111:mfa\/taken already exists and was left alone/),
        PhysicalResourceId: SERIAL,
      });
    });

    test('fails when the old device cannot be removed, before creating a new one', async () => {
      // GIVEN
      stub.setHandler(aws({ DeleteVirtualMFADevice: queryError('DeleteConflict', 'MFA device is in use.', 409) }));

      // WHEN
      const previous = { ...PROPERTIES, Enable: 'false' };
      await handleEvent(event('Update', { PhysicalResourceId: SERIAL, OldResourceProperties: previous }), { now: () => NOW });

      // THEN
      expect(calls()).toEqual(['DeactivateMFADevice', 'DeleteVirtualMFADevice']);
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: `Could not delete virtual MFA device ${SERIAL}: MFA device is in use (DeleteConflict).`,
        PhysicalResourceId: SERIAL,
      });
    });
  });

  describe('Delete', () => {
    test('deactivates the device for its user, then deletes it', async () => {
      // WHEN
      await handleEvent(event('Delete', { PhysicalResourceId: SERIAL }));

      // THEN
      expect(calls()).toEqual(['DeactivateMFADevice', 'DeleteVirtualMFADevice']);
      expect(stub.calls('DeactivateMFADevice')[0].params).toMatchObject({ UserName: 'toolkit-user', SerialNumber: SERIAL });
      expect(stub.calls('DeleteVirtualMFADevice')[0].params).toMatchObject({ SerialNumber: SERIAL });
      expect(response()).toEqual({
        Status: 'SUCCESS',
        Reason: `Deleted MFA device ${SERIAL}.`,
        PhysicalResourceId: SERIAL,
        StackId: STACK_ID,
        RequestId: '5f2a7b3c-request',
        LogicalResourceId: 'ToolkitMfaDevice',
        Data: {},
      });
    });

    test('succeeds when the device is not enabled or gone already (NoSuchEntity)', async () => {
      // GIVEN
      stub.setHandler(aws({
        DeactivateMFADevice: queryError('NoSuchEntity', 'MFA Device is not associated with user toolkit-user.', 404),
        DeleteVirtualMFADevice: queryError('NoSuchEntity', 'VirtualMFADevice not found.', 404),
      }));

      // WHEN
      await handleEvent(event('Delete', { PhysicalResourceId: SERIAL }));

      // THEN
      expect(calls()).toEqual(['DeactivateMFADevice', 'DeleteVirtualMFADevice']);
      expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: SERIAL });
    });

    test('makes no AWS call for the physical id of a create that failed', async () => {
      // WHEN
      await handleEvent(event('Delete', { PhysicalResourceId: 'failed-5f2a7b3c-request' }));

      // THEN
      expect(calls()).toEqual([]);
      expect(response()).toMatchObject({
        Status: 'SUCCESS',
        Reason: 'Nothing to delete: failed-5f2a7b3c-request is not an MFA device.',
        PhysicalResourceId: 'failed-5f2a7b3c-request',
      });
    });

    test('fails with the AWS error when the device cannot be deactivated', async () => {
      // GIVEN
      stub.setHandler(aws({ DeactivateMFADevice: queryError('AccessDenied', 'Not authorized to perform iam:DeactivateMFADevice.', 403) }));

      // WHEN
      await handleEvent(event('Delete', { PhysicalResourceId: SERIAL }));

      // THEN
      expect(calls()).toEqual(['DeactivateMFADevice']);
      expect(response()).toMatchObject({
        Status: 'FAILED',
        Reason: `Could not deactivate MFA device ${SERIAL} for user toolkit-user: Not authorized to perform iam:DeactivateMFADevice (AccessDenied).`,
        PhysicalResourceId: SERIAL,
      });
    });
  });

  describe('the response', () => {
    test('gives up on a response URL that does not answer, in time and without throwing', async () => {
      // GIVEN
      stub.setHandler(aws({ Response: never }));

      // WHEN
      const started = Date.now();
      await handleEvent(event('Delete', { PhysicalResourceId: 'failed-x' }), { responseTimeoutMs: 200 });

      // THEN
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(responseRequests()).toHaveLength(1);
      expect(console.error).toHaveBeenCalledWith('Delete ToolkitMfaDevice: could not send the response to CloudFormation: no answer within 200 ms');
    });

    test('logs a response URL that refuses the response, without throwing', async () => {
      // GIVEN
      stub.setHandler(aws({ Response: { status: 403, body: '<Error><Code>SignatureDoesNotMatch</Code></Error>' } }));

      // WHEN
      await handleEvent(event('Delete', { PhysicalResourceId: 'failed-x' }));

      // THEN
      expect(console.error).toHaveBeenCalledWith('Delete ToolkitMfaDevice: could not send the response to CloudFormation: HTTP status 403');
    });

    test('logs steps and ids, never the response URL', async () => {
      // WHEN
      await handleEvent(event('Create'), { now: () => NOW });

      // THEN
      const lines = (console.log as jest.Mock).mock.calls.map((args) => args.join(' '));
      expect(lines).toEqual([
        'Create ToolkitMfaDevice (new): start',
        `Create ToolkitMfaDevice (new): CreateVirtualMFADevice ${SERIAL}`,
        `Create ToolkitMfaDevice (new): EnableMFADevice ${SERIAL} for toolkit-user`,
        `Create ToolkitMfaDevice (new): PutSecretValue ${SECRET_ARN}`,
        `Create ToolkitMfaDevice (new): SUCCESS ${SERIAL}: Created virtual MFA device ${SERIAL}.`,
        'Create ToolkitMfaDevice (new): response sent',
      ]);
    });
  });

  describe('the log of a key rotation', () => {
    test('names the steps and the secret, never the keys', async () => {
      // WHEN
      await handleEvent(event('Update', {
        PhysicalResourceId: SERIAL,
        OldResourceProperties: WITH_KEY,
        ResourceProperties: { ...WITH_KEY, AccessKeyId: NEW_ACCESS_KEY_ID, SecretAccessKey: NEW_SECRET_ACCESS_KEY },
      }), { now: () => NOW });

      // THEN
      const lines = (console.log as jest.Mock).mock.calls.map((args) => args.join(' '));
      expect(lines).toEqual([
        `Update ToolkitMfaDevice (${SERIAL}): start`,
        `Update ToolkitMfaDevice (${SERIAL}): GetSecretValue ${SECRET_ARN}`,
        `Update ToolkitMfaDevice (${SERIAL}): PutSecretValue ${SECRET_ARN}`,
        `Update ToolkitMfaDevice (${SERIAL}): SUCCESS ${SERIAL}: Kept MFA device ${SERIAL}; stored the new access key in secret ${SECRET_ARN}.`,
        `Update ToolkitMfaDevice (${SERIAL}): response sent`,
      ]);
    });
  });

  describe('the bundled handler', () => {
    const bundle = path.join(__dirname, '..', 'assets', 'lib', 'handler', 'index', 'index.js');

    test('creates and enables a device and stores the access key with the seed (esbuild output of the lambda, as Lambda runs it)', async () => {
      // GIVEN: `npx projen bundle` has run (the test task runs it first)
      expect(fs.existsSync(bundle)).toBe(true);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const bundled = require(bundle) as typeof import('../lib/handler');

      // WHEN
      const before = Date.now();
      await bundled.handler(event('Create', { ResourceProperties: WITH_KEY }), { getRemainingTimeInMillis: () => 60_000 });
      const after = Date.now();

      // THEN
      expect(calls()).toEqual(['CreateVirtualMFADevice', 'EnableMFADevice', 'PutSecretValue']);
      expect(JSON.parse(stub.calls('PutSecretValue')[0].params.SecretString)).toMatchObject({
        serialNumber: SERIAL, seed: SEED, otpauthUri: URI, accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY,
      });
      const enable = stub.calls('EnableMFADevice')[0].params;
      const sent = [enable.AuthenticationCode1, enable.AuthenticationCode2];
      expect([consecutiveCodes(SEED, before), consecutiveCodes(SEED, after)]).toContainEqual(sent);
      expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: SERIAL, Data: { SerialNumber: SERIAL } });
    });
  });
});
