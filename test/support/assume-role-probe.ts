/**
 * The source of the Lambda function that the integration test invokes to call `sts:AssumeRole` as the delegation's
 * IAM user, with and without MFA (Node.js 24, AWS SDK v3 from the runtime; inline, so under 4096 characters).
 *
 * It creates an access key of the user (as `mfa-profile setup` does: the stack defines none), reads the device's seed
 * from its secret, computes the TOTP code itself, deletes the key at the end, and returns only outcomes (error names,
 * booleans): never a key, a seed or a code, since the assertion provider logs the payload.
 *
 * Environment: ROLE_ARN, MFA_SERIAL, USER_NAME, SEED_SECRET_ARN.
 */
export const ASSUME_ROLE_PROBE = `
const crypto = require('crypto');
const { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const { IAMClient, ListUsersCommand, CreateAccessKeyCommand, DeleteAccessKeyCommand } = require('@aws-sdk/client-iam');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function totp(seed, step) {
  let bits = '';
  for (const c of seed.replace(/=+$/, '')) bits += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

async function outcome(call) {
  try {
    await call();
    return 'Allowed';
  } catch (e) {
    return e.name;
  }
}

exports.handler = async () => {
  const env = process.env;
  const secrets = new SecretsManagerClient({});
  const read = async (id) => JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: id }))).SecretString);
  const { seed } = await read(env.SEED_SECRET_ARN);
  const iam = new IAMClient({});
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: env.USER_NAME }))).AccessKey;
  try {
    return await probe(env, seed, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
  } finally {
    await iam.send(new DeleteAccessKeyCommand({ UserName: env.USER_NAME, AccessKeyId: key.AccessKeyId }));
  }
};

async function probe(env, seed, credentials) {
  const sts = new STSClient({ credentials });
  const assume = (extra) => outcome(() => sts.send(new AssumeRoleCommand({ RoleArn: env.ROLE_ARN, RoleSessionName: 'integ', ...extra })));

  // A new access key takes a few seconds to be accepted everywhere.
  for (let i = 0; (await outcome(() => sts.send(new GetCallerIdentityCommand({})))) !== 'Allowed'; i++) {
    if (i === 20) throw new Error('The access key of the user was never accepted');
    await sleep(3000);
  }

  const result = {
    withoutMfa: await assume({}),
    withWrongCode: await assume({ SerialNumber: env.MFA_SERIAL, TokenCode: '000000' }),
    asAnotherPrincipal: await outcome(() => new STSClient({}).send(new AssumeRoleCommand({ RoleArn: env.ROLE_ARN, RoleSessionName: 'other' }))),
    userListsUsers: await outcome(() => new IAMClient({ credentials }).send(new ListUsersCommand({}))),
  };
  // A code is accepted once: the device was enabled with two earlier ones, so try the current step, then the next.
  for (let attempt = 0; attempt < 2 && result.withMfa !== 'Allowed'; attempt++) {
    if (attempt > 0) await sleep(31000);
    const code = totp(seed, Math.floor(Date.now() / 30000));
    const credentialsOfRole = await sts.send(new AssumeRoleCommand({ RoleArn: env.ROLE_ARN, RoleSessionName: 'integ', SerialNumber: env.MFA_SERIAL, TokenCode: code }))
      .then((r) => r.Credentials, (e) => { result.withMfa = e.name; });
    if (credentialsOfRole) {
      result.withMfa = 'Allowed';
      const session = new STSClient({ credentials: { accessKeyId: credentialsOfRole.AccessKeyId, secretAccessKey: credentialsOfRole.SecretAccessKey, sessionToken: credentialsOfRole.SessionToken } });
      result.sessionIsTheRole = (await session.send(new GetCallerIdentityCommand({}))).Arn.includes(':assumed-role/' + env.ROLE_ARN.split('/').pop() + '/');
    }
  }
  return result;
}
`;

/**
 * What the probe reports when the delegation is right: every path without MFA (or with a wrong code) denied, the
 * device's code allowed, into the role. The integration test expects it from AWS, the offline test from the stub.
 */
export const EXPECTED_PROBE_RESULT = {
  withoutMfa: 'AccessDenied',
  withWrongCode: 'AccessDenied',
  asAnotherPrincipal: 'AccessDenied',
  userListsUsers: 'AccessDenied',
  withMfa: 'Allowed',
  sessionIsTheRole: true,
};
