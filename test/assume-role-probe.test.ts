import { ASSUME_ROLE_PROBE, EXPECTED_PROBE_RESULT } from './support/assume-role-probe';
import { AwsStub, jsonResult, queryError, queryResult, StubRequest, StubResponse, useStubEnvironment } from './support/aws-stub';
import { totpCode } from '../lib/handler/totp';

// The integration test's probe, run offline with the real AWS SDK v3 against a loopback stub that plays Secrets
// Manager, STS and IAM as IAM would decide: AssumeRole only for the user, only with the device's current code.

const ROLE_ARN = 'arn:aws:iam::111111111111:role/toolkit-role';
const SERIAL = 'arn:aws:iam::111111111111:mfa/toolkit-user';
const SEED_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:Seed-AbCdEf';
const SEED = 'KRUGKIDROVUWG2ZAMJZG653OEBTG66BANJ2W24DTEBXXMZLSEB2GQZJANRQXU6JAMRXWOLQ';
const USER_KEY = { accessKeyId: 'AKIAPROBEUSERKEY0001', secretAccessKey: 'probe-user-secret-not-real' };
const SESSION_KEY = 'ASIAPROBESESSION0001';

/** Who signed the request: the access key id of its SigV4 credential scope. */
function signer(request: StubRequest): string {
  return /Credential=([A-Z0-9]+)\//.exec(String(request.headers.authorization))?.[1] ?? '';
}

function fakeAws(request: StubRequest): StubResponse {
  const denied = queryError('AccessDenied', `User is not authorized to perform: ${request.service}:${request.action}`, 403);
  switch (request.action) {
    case 'GetSecretValue':
      return request.params.SecretId === SEED_ARN
        ? jsonResult({ ARN: SEED_ARN, SecretString: JSON.stringify({ serialNumber: SERIAL, seed: SEED }) })
        : denied;
    case 'CreateAccessKey':
      return request.params.UserName === 'toolkit-user' && signer(request) !== USER_KEY.accessKeyId
        ? queryResult('iam', 'CreateAccessKey', `<AccessKey><UserName>toolkit-user</UserName><AccessKeyId>${USER_KEY.accessKeyId}</AccessKeyId>`
          + `<SecretAccessKey>${USER_KEY.secretAccessKey}</SecretAccessKey><Status>Active</Status></AccessKey>`)
        : denied;
    case 'DeleteAccessKey':
      return queryResult('iam', 'DeleteAccessKey', '');
    case 'GetCallerIdentity': {
      const arn = signer(request) === SESSION_KEY ? 'arn:aws:sts::111111111111:assumed-role/toolkit-role/integ' : 'arn:aws:iam::111111111111:user/toolkit-user';
      return queryResult('sts', 'GetCallerIdentity', `<Arn>${arn}</Arn><UserId>AIDAPROBE</UserId><Account>111111111111</Account>`);
    }
    case 'AssumeRole': {
      const now = Date.now();
      const validCodes = [totpCode(SEED, now), totpCode(SEED, now - 30_000)];
      if (signer(request) !== USER_KEY.accessKeyId || request.params.SerialNumber !== SERIAL || !validCodes.includes(request.params.TokenCode)) {
        return denied;
      }
      return queryResult('sts', 'AssumeRole', `<Credentials><AccessKeyId>${SESSION_KEY}</AccessKeyId><SecretAccessKey>session-secret</SecretAccessKey>`
        + '<SessionToken>session-token</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>'
        + '<AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/toolkit-role/integ</Arn><AssumedRoleId>AROAPROBE:integ</AssumedRoleId></AssumedRoleUser>');
    }
    default:
      return denied;
  }
}

describe('the integration test probe', () => {
  let stub: AwsStub;
  let restore: () => void;
  let result: Record<string, unknown>;

  beforeAll(async () => {
    stub = await AwsStub.start(fakeAws);
    restore = useStubEnvironment(stub.url, { ROLE_ARN, MFA_SERIAL: SERIAL, USER_NAME: 'toolkit-user', SEED_SECRET_ARN: SEED_ARN });
    const module = { exports: {} as { handler: () => Promise<Record<string, unknown>> } };
    new Function('require', 'module', 'exports', 'process', ASSUME_ROLE_PROBE)(require, module, module.exports, process);
    result = await module.exports.handler();
  });

  afterAll(async () => {
    restore();
    await stub.stop();
  });

  test('reports sts:AssumeRole denied without MFA and with a wrong code, allowed with the device\'s code, into the role', () => {
    expect(result).toEqual(EXPECTED_PROBE_RESULT);
  });

  test('calls AssumeRole as the user with the serial and a TOTP code of the seed, and as its own role without', () => {
    const calls = stub.requests.filter((r) => r.action === 'AssumeRole').map((r) => [signer(r), r.params.SerialNumber ?? '-', r.params.TokenCode ?? '-']);
    expect(calls).toEqual([
      [USER_KEY.accessKeyId, '-', '-'],
      [USER_KEY.accessKeyId, SERIAL, '000000'],
      ['AKIAIOSFODNN7EXAMPLE', '-', '-'],
      [USER_KEY.accessKeyId, SERIAL, expect.stringMatching(/^\d{6}$/)],
    ]);
  });

  test('creates an access key of the user with its own credentials, and deletes that key at the end', () => {
    const keyCalls = stub.requests.filter((r) => /AccessKey$/.test(r.action)).map((r) => [r.action, signer(r), r.params.UserName, r.params.AccessKeyId ?? '-']);
    expect(keyCalls).toEqual([
      ['CreateAccessKey', 'AKIAIOSFODNN7EXAMPLE', 'toolkit-user', '-'],
      ['DeleteAccessKey', 'AKIAIOSFODNN7EXAMPLE', 'toolkit-user', USER_KEY.accessKeyId],
    ]);
  });

  test('returns no key, seed or code (the assertion provider logs the payload)', () => {
    const payload = JSON.stringify(result);
    const code = stub.requests.filter((r) => r.action === 'AssumeRole').pop()!.params.TokenCode;
    for (const secret of [SEED, USER_KEY.accessKeyId, USER_KEY.secretAccessKey, SESSION_KEY, code]) {
      expect(payload).not.toContain(secret);
    }
  });
});
