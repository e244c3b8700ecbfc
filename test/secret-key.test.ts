import * as fs from 'fs';
import * as path from 'path';
import { SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { VirtualMfaDevice } from '../lib';
import { ACCOUNT, ConcreteTemplate } from './support/concrete-template';
import { ENCRYPTED_SEED, synthTemplate } from './support/configurations';
import { simulate } from './support/iam-simulation';

// #9: a seed secret encrypted with a customer managed key. Secrets Manager calls KMS with the caller's identity, so a
// reader needs kms:Decrypt through Secrets Manager to read the seed: the construct gives it (and the handler, which
// writes the seed) exactly that in the key policy, and denies it to everyone else.

const managed = (name: string): SimulationIdentityPolicy => ({
  name,
  policy: JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'aws-managed-policies', `${name}.json`), 'utf8')),
});

const VIA_SECRETS_MANAGER = { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' };
const CAROL = `arn:aws:iam::${ACCOUNT}:user/team/carol`;
const SEED_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mfa-seed/team/carol-AbCdEf`;

function newStack(): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false }), 'Stack');
}

describe('a seed secret with a customer managed key', () => {
  const t = new ConcreteTemplate(synthTemplate(ENCRYPTED_SEED, { builtinCloudFormationValidation: false }), ENCRYPTED_SEED.stackName);
  const keyId = t.idOf('AWS::KMS::Key');
  const keyArn = t.getAtt(keyId, 'Arn');
  const keyPolicy = t.resources[keyId].Properties.KeyPolicy;
  const handlerRole = t.getAtt(t.idOf('AWS::IAM::Role', (p) => JSON.stringify(p.AssumeRolePolicyDocument).includes('lambda.amazonaws.com')), 'Arn');
  // @cloud-copilot/iam-simulate does not take encryption context keys (kms:EncryptionContext:<name>): it refuses them
  // as context. The evaluations below use the key policy without that one condition key; the test after them holds the
  // template to it.
  const evaluated = JSON.parse(JSON.stringify(keyPolicy), (key, value) => (key === 'StringLike'
    && value['kms:EncryptionContext:SecretARN'] !== undefined && Object.keys(value).length === 1 ? undefined : value));

  const decrypt = (principal: string, policies: SimulationIdentityPolicy[], context: Record<string, string>) => simulate({
    principal, action: 'kms:Decrypt', resource: keyArn, identityPolicies: policies, resourcePolicy: evaluated, context: { 'aws:PrincipalArn': principal, ...context },
  });

  test('the owner (the default reader, an assume-only user) decrypts the seed through Secrets Manager, and only through it', async () => {
    expect(await decrypt(CAROL, [], VIA_SECRETS_MANAGER)).toEqual('Allowed');
    expect(await decrypt(CAROL, [], {})).toEqual('ImplicitlyDenied');
    expect(await decrypt(CAROL, [], { 'kms:ViaService': 'lambda.us-east-1.amazonaws.com' })).toEqual('ImplicitlyDenied');
  });

  test('the handler decrypts through Secrets Manager (Secrets Manager asks the writer of a value for it), and never reads: the secret denies it GetSecretValue', async () => {
    expect(await decrypt(handlerRole, [], VIA_SECRETS_MANAGER)).toEqual('Allowed');
    const seed = t.resources[t.idOf('Custom::VirtualMfaDevice')].Properties.SeedSecretPolicy;
    expect(await simulate({
      principal: handlerRole,
      action: 'secretsmanager:GetSecretValue',
      resource: SEED_ARN,
      identityPolicies: [managed('AdministratorAccess')],
      resourcePolicy: seed,
      context: { 'aws:PrincipalArn': handlerRole },
    })).toEqual('ExplicitlyDenied');
  });

  test.each(['PowerUserAccess', 'AdministratorAccess', 'SecretsManagerReadWrite'])('fails for %s to decrypt the seed through Secrets Manager, though the key policy delegates to IAM', async (name) => {
    const principal = `arn:aws:iam::${ACCOUNT}:role/${name}`;
    expect(await decrypt(principal, [managed(name)], VIA_SECRETS_MANAGER)).toEqual('ExplicitlyDenied');
    // Without the construct's statements, the key policy's delegation to IAM would let PowerUserAccess and AdministratorAccess decrypt.
    const delegation = { Version: '2012-10-17', Statement: [keyPolicy.Statement[0]] };
    expect(await simulate({ principal, action: 'kms:Decrypt', resource: keyArn, identityPolicies: [managed(name)], resourcePolicy: delegation, context: VIA_SECRETS_MANAGER }))
      .toEqual(name === 'SecretsManagerReadWrite' ? 'ImplicitlyDenied' : 'Allowed');
  });

  test('the key policy names the readers and the handler, and conditions both statements on Secrets Manager and the seed secret\'s ARN', () => {
    const raw = synthTemplate(ENCRYPTED_SEED, { builtinCloudFormationValidation: false }).Resources[keyId].Properties.KeyPolicy.Statement;
    const secretArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:mfa-seed/team/', { Ref: 'Carol1B4218D3' }, expect.stringMatching(/^-[0-9a-f]{8}-\?{6}$/)]] };
    const conditions = {
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
      StringLike: { 'kms:EncryptionContext:SecretARN': secretArn },
    };
    const handler = { 'Fn::GetAtt': [expect.stringMatching(/^VirtualMfaDeviceHandler.*ServiceRole/), 'Arn'] };
    const carol = { 'Fn::GetAtt': ['Carol1B4218D3', 'Arn'] };
    expect(raw.slice(1)).toEqual([
      { Sid: 'SecretReadersDecryptThroughSecretsManager', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Principal: { AWS: [handler, carol] }, Condition: conditions },
      {
        Sid: 'NobodyElseDecryptsTheSecret',
        Effect: 'Deny',
        Action: 'kms:Decrypt',
        Resource: '*',
        Principal: { AWS: '*' },
        Condition: { ...conditions, ArnNotEquals: { 'aws:PrincipalArn': [carol, handler] } },
      },
    ]);
  });

  test('a reader named later with grantReadSeed, and named readers instead of the user, get the decrypt; the user then does not', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const device = new VirtualMfaDevice(stack, 'Device', {
      user: iam.User.fromUserName(stack, 'User', 'alice'),
      encryptionKey: key,
      secretReaders: [iam.Role.fromRoleName(stack, 'Security', 'security')],
    });
    device.grantReadSeed(iam.Role.fromRoleName(stack, 'Audit', 'audit'));
    const statements = Template.fromStack(stack).findResources('AWS::KMS::Key')[stack.getLogicalId(key.node.defaultChild as kms.CfnKey)].Properties.KeyPolicy.Statement;
    const principals = JSON.stringify(statements[1].Principal.AWS);
    expect([principals.includes('role/security'), principals.includes('role/audit'), principals.includes('user/alice')]).toEqual([true, true, false]);
    expect(JSON.stringify(statements[2].Condition.ArnNotEquals)).toEqual(expect.stringContaining('role/audit'));
  });

  test('warns at synth when the key is imported, or of another stack, naming the device, the key and what its policy needs', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const keys = new Stack(app, 'Keys');
    const stack = new Stack(app, 'Stack');
    const user = iam.User.fromUserName(stack, 'User', 'alice');
    new VirtualMfaDevice(stack, 'Imported', { user, deviceName: 'a', encryptionKey: kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`) });
    new VirtualMfaDevice(stack, 'Other', { user, deviceName: 'b', encryptionKey: new kms.Key(keys, 'Key') });
    const needs = 'The secret\'s readers (secretReaders; by default the device\'s user) can read the seed, and the stack\'s handler write it, only if the key '
      + 'policy lets them kms:Decrypt with kms:ViaService secretsmanager.<region>.amazonaws.com and kms:EncryptionContext:SecretARN ';
    const tail = '-??????; deny that to every other aws:PrincipalArn, or anyone the key policy allows may decrypt the seed once they can read the secret. '
      + 'Use a kms.Key of this stack to have the construct do it [ack: cdk-mfa-delegation:seedKeyPolicy]';
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Stack/Imported', 'The seed secret of Stack/Imported is encrypted with the KMS key Stack/Key, whose key policy this stack cannot '
      + `change (an imported key). ${needs}mfa-seed/a-<hash of its readers>${tail}`);
    annotations.hasWarning('/Stack/Other', 'The seed secret of Stack/Other is encrypted with the KMS key Keys/Key, whose key policy this stack cannot '
      + `change (a key of stack Keys). ${needs}mfa-seed/b-<hash of its readers>${tail}`);
    Template.fromStack(keys).hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:*' })]) } });
    expect(JSON.stringify(Template.fromStack(keys).toJSON())).not.toContain('kms:Decrypt');
  });
});
