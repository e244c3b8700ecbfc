import * as fs from 'fs';
import * as path from 'path';
import { ACCOUNT } from './support/concrete-template';
import { CONFIGURATIONS } from './support/configurations';
import { simulate } from './support/iam-simulation';
import { Claim, claimProblems } from './support/readme-claims';

// What the README says about the secrets and who can reach a factor, each claim with the tests that would fail if it
// became false.

const CUSTODY = 'test/secret-custody.test.ts';
const KEY = 'test/secret-key.test.ts';
const LIFECYCLE = 'test/device-lifecycle.test.ts';
const FORGET = 'packages/mfa-profile/test/cli-forget.test.ts';
const MATRIX_ROWS = '%s: exactly the expected actions on every secret of every configuration';

const CLAIMS: Claim[] = [
  {
    claim: 'creates a Secrets Manager secret (the handler\'s, not a resource of the template), locks it to its readers with a resource policy and then puts',
    proofs: [[LIFECYCLE, 'a stack creation creates the device, stores its seed and enables it for its user'],
      [CUSTODY, 'every configuration with a virtual device has a seed secret, and console access a console password secret, each locked']],
  },
  {
    claim: 'A `kms.Key` of the same stack gets two key policy statements: the readers and the handler may `kms:Decrypt` the seed through Secrets Manager only, '
      + 'everyone else is denied that. An imported key (or one of another stack) cannot be changed: synth warns and says what its policy needs',
    proofs: [[KEY, 'the owner (the default reader, an assume-only user) decrypts the seed through Secrets Manager, and only through it'],
      [KEY, 'fails for %s to decrypt the seed through Secrets Manager'], [KEY, 'the key policy names the readers and the handler'],
      [KEY, 'a reader named later with grantReadSeed'], [KEY, 'warns at synth when the key is imported, or of another stack']],
  },
  {
    claim: 'locks it with a resource policy and only then writes the seed',
    proofs: [[LIFECYCLE, 'a stack creation creates the device, stores its seed and enables it for its user']],
  },
  {
    claim: 'The policy denies every Secrets Manager action to every principal the stack did not name, whatever its identity policy (`PowerUserAccess`, '
      + '`SecretsManagerReadWrite`, `secretsmanager:*`, `AdministratorAccess`)',
    proofs: [[CUSTODY, MATRIX_ROWS], [CUSTODY, 'fails for a principal the policy did not name even when its identity policy allows everything'],
      [CUSTODY, 'DESIGN.md gives the matrix the evaluator finds']],
  },
  {
    claim: 'only the readers (by default the device\'s user; `secretReaders`, `grantReadSeed`) may read or delete it, and the handler may only write, describe and delete it',
    proofs: [[CUSTODY, MATRIX_ROWS], [CUSTODY, 'the default reader is the secret\'s owner; a named reader replaces it'],
      ['test/virtual-mfa-device.test.ts', 'names the readers given in secretReaders instead of the user, and those of grantReadSeed too']],
  },
  {
    claim: '`setup` deletes the seed secret with `ForceDeleteWithoutRecovery` (or `mfa-profile mfa-setup --forget`): no version, staging label or recovery window keeps it',
    proofs: [[FORGET, 'mfa-setup --forget deletes the secret without recovery: no staging label, version id or restore returns the seed']],
  },
  {
    claim: '`put-secret-value` does not forget: the old value stays readable as `AWSPREVIOUS` and by its version id',
    proofs: [[FORGET, 'the model follows AWS: overwriting the seed keeps it readable by AWSPREVIOUS and by its VersionId']],
  },
  {
    claim: 'read, re-key, re-policy or restore any seed or password secret (explicit Deny); create an access key; read a key anywhere (none is in AWS)',
    proofs: [[CUSTODY, MATRIX_ROWS], ['test/secret-readme.test.ts', 'fails for PowerUserAccess to create an access key'],
      ['packages/mfa-profile/test/cli-access-key.test.ts', 'stores the key nowhere in AWS: no secret, no stack, only the IAM key itself']],
  },
  {
    claim: 'developer with `SecretsManagerReadWrite` or `secretsmanager:*` + `kms:*` | the same: every action on the secrets is denied',
    proofs: [[CUSTODY, MATRIX_ROWS]],
  },
  {
    claim: 'read a secret (the role may not, and the secret\'s policy denies it); create an access key or a login profile',
    proofs: [[CUSTODY, MATRIX_ROWS], ['test/iam-simulation.test.ts', 'fails to manage any untagged device, user or secret, to read its own or any other secret, or to do anything else']],
  },
  {
    claim: 'find a key, seed or password in a template, output, parameter or stack event (none passes through CloudFormation)',
    proofs: [['test/secret-scan.test.ts', '%s: no secret-bearing attribute in any template'], ['test/secret-hygiene.test.ts', 'holds no seed, access key or password']],
  },
  {
    claim: 'read an existing seed (the execution role is not named on it; the policy cannot be changed)',
    proofs: [[CUSTODY, MATRIX_ROWS]],
  },
  {
    claim: 'the seed, once `setup` forgot it (the secret is deleted for good)',
    proofs: [[FORGET, 'mfa-setup --forget deletes the secret without recovery']],
  },
];

describe('the README on the secrets', () => {
  test('each claim is still in the README, and each test that proves it exists', () => {
    expect(claimProblems(CLAIMS)).toEqual([]);
  });

  test('fails for PowerUserAccess to create an access key for any user (it has no iam:* action)', async () => {
    const policy = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'aws-managed-policies', 'PowerUserAccess.json'), 'utf8'));
    expect(await simulate({
      principal: `arn:aws:iam::${ACCOUNT}:role/power-user`,
      action: 'iam:CreateAccessKey',
      resource: `arn:aws:iam::${ACCOUNT}:user/toolkit-user`,
      identityPolicies: [{ name: 'PowerUserAccess', policy }],
    })).toEqual('ImplicitlyDenied');
  });

  test('the configurations it counts are those the proofs run on', () => {
    // CONTRIBUTING.md says how the claims are proven (moved there from the README by 1060ec6).
    const contributing = fs.readFileSync(path.join(__dirname, '..', 'CONTRIBUTING.md'), 'utf8').replace(/\s+/g, ' ');
    const match = /the example app and a matrix of (\d+) configurations/.exec(contributing);
    expect(Number(match?.[1])).toEqual(CONFIGURATIONS.length);
  });
});
