import { runCli } from './support/cli';
import { world, World } from './support/world';
import { StubRequest } from '../../../test/support/aws-stub';

jest.setTimeout(60_000);

/** A Secrets Manager request to the model as the deployer, as the SDK would send it. */
async function sm(w: World, action: string, params: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const request: StubRequest = {
    method: 'POST',
    path: '/',
    service: 'secretsmanager',
    action,
    params,
    body: JSON.stringify(params),
    headers: { authorization: `AWS4-HMAC-SHA256 Credential=${w.model.adminKey.id}/20260101/us-east-1/secretsmanager/aws4_request` },
  };
  const response = await w.model.handle(request);
  return { status: response.status ?? 200, body: JSON.parse(response.body ?? '{}') };
}

/**
 * #9.2: forget means gone. Tested against the Secrets Manager model, which keeps versions and staging labels as AWS
 * documents them: a `PutSecretValue` leaves the old value readable (AWSPREVIOUS, its VersionId); `DeleteSecret` with a
 * recovery window leaves it restorable; `ForceDeleteWithoutRecovery`, which `mfa-profile` uses, leaves nothing.
 */
describe('forgetting the seed against the Secrets Manager model', () => {
  let w: World;
  afterEach(async () => {
    await w.stop();
  });

  test('the model follows AWS: overwriting the seed keeps it readable by AWSPREVIOUS and by its VersionId', async () => {
    w = await world();
    const first = await sm(w, 'GetSecretValue', { SecretId: w.seedSecretArn });
    await sm(w, 'PutSecretValue', { SecretId: w.seedSecretArn, SecretString: '{"forgotten":true}' });
    expect((await sm(w, 'GetSecretValue', { SecretId: w.seedSecretArn, VersionStage: 'AWSPREVIOUS' })).body.SecretString).toContain(w.seed);
    expect((await sm(w, 'GetSecretValue', { SecretId: w.seedSecretArn, VersionId: first.body.VersionId })).body.SecretString).toContain(w.seed);
    await sm(w, 'PutSecretValue', { SecretId: w.seedSecretArn, SecretString: '{"again":true}' });
    // no label any more, but still readable by its VersionId until Secrets Manager removes the deprecated version
    expect((await sm(w, 'GetSecretValue', { SecretId: w.seedSecretArn, VersionId: first.body.VersionId, VersionStage: undefined })).body.SecretString).toContain(w.seed);
  });

  test('the model follows AWS: DeleteSecret with a recovery window keeps the secret, which RestoreSecret brings back', async () => {
    w = await world();
    await sm(w, 'DeleteSecret', { SecretId: w.seedSecretArn, RecoveryWindowInDays: 7 });
    expect((await sm(w, 'GetSecretValue', { SecretId: w.seedSecretArn })).body.__type).toBe('InvalidRequestException');
    await sm(w, 'RestoreSecret', { SecretId: w.seedSecretArn });
    expect((await sm(w, 'GetSecretValue', { SecretId: w.seedSecretArn })).body.SecretString).toContain(w.seed);
  });

  test('mfa-setup --forget deletes the secret without recovery: no staging label, version id or restore returns the seed', async () => {
    w = await world();
    const versionId = (await sm(w, 'GetSecretValue', { SecretId: w.seedSecretArn })).body.VersionId;
    const run = await runCli(['mfa-setup', '--outputs-file', w.outputsFile, '--no-qr', '--forget'], w.env);
    expect(run).toEqual({
      status: 0,
      stdout: '',
      stderr: `Deleted the seed secret ${w.seedSecretArn} with no recovery window: no version of it is left; only the authenticator app holds the seed now.\n`,
    });
    for (const params of [{}, { VersionStage: 'AWSCURRENT' }, { VersionStage: 'AWSPREVIOUS' }, { VersionId: versionId }]) {
      expect((await sm(w, 'GetSecretValue', { SecretId: w.seedSecretArn, ...params })).body.__type).toBe('ResourceNotFoundException');
    }
    expect((await sm(w, 'RestoreSecret', { SecretId: w.seedSecretArn })).body.__type).toBe('ResourceNotFoundException');
    expect(w.model.calls('PutSecretValue')).toEqual([]);
  });

  test('fails for a second --forget in one sentence: the secret does not exist any more', async () => {
    w = await world();
    await runCli(['mfa-setup', '--outputs-file', w.outputsFile, '--no-qr', '--forget'], w.env);
    const again = await runCli(['mfa-setup', '--outputs-file', w.outputsFile, '--no-qr', '--forget'], w.env);
    expect(again.status).toBe(1);
    expect(again.stderr).toEqual(`mfa-profile: The secret ${w.seedSecretArn} does not exist (or has no value yet).\n`);
  });
});
