import { randomBytes, randomInt } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createCheckedExampleApp } from '../bin/app';
import { CONFIGURATIONS } from './support/configurations';
import { fileKinds, scanForSecrets, STUB_SECRETS } from './support/secret-scanner';

// The seed, the access key and the console password exist only in Secrets Manager at deploy time: nothing that looks
// like one may be in a synthesized cloud assembly (templates, manifests, tree.json, staged assets) or a committed
// integration test snapshot.

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-hygiene-'));
  // The example app as `cdk synth` produces it (path and asset metadata on), and every configuration.
  createCheckedExampleApp({
    outdir: path.join(root, 'example'),
    context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true },
  }).synth();
  for (const config of CONFIGURATIONS.slice(1)) {
    config.createApp({ outdir: path.join(root, config.stackName) }).synth();
  }
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const random = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

describe('secret hygiene', () => {
  test('the scanned cloud assemblies hold templates, asset manifests, manifests, tree.json and the staged handler bundle', () => {
    const kinds = fileKinds(path.join(root, 'example'));
    expect(kinds).toEqual(expect.objectContaining({ 'template': 1, 'asset manifest': 1, '.js': 1 }));
    expect(fs.readdirSync(path.join(root, 'example'))).toEqual(expect.arrayContaining(['manifest.json', 'tree.json']));
  });

  test.each(['example', ...CONFIGURATIONS.slice(1).map((c) => c.stackName)])('the cloud assembly of %s holds no seed, access key or password', (dir) => {
    expect(scanForSecrets(path.join(root, dir))).toEqual([]);
  });

  test('the committed integration test snapshots hold no seed, access key or password', () => {
    const snapshots = fs.readdirSync(__dirname).filter((name) => name.endsWith('.snapshot'));
    for (const snapshot of snapshots) {
      expect(scanForSecrets(path.join(__dirname, snapshot))).toEqual([]);
    }
  });

  test('fails on planted secrets: a seed, an otpauth URI, an access key, a password, a stub seed', () => {
    // GIVEN a cloud assembly with fresh random secrets planted in a template, a manifest and an asset
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'planted-'));
    try {
      fs.cpSync(path.join(root, 'example'), dir, { recursive: true });
      const seed = random(BASE32, 32);
      const secretAccessKey = `${random(BASE64, 37)}aZ9`;
      fs.writeFileSync(path.join(dir, 'planted.template.json'), JSON.stringify({
        Resources: { Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: `{"seed": "${seed}"}` } } },
        Outputs: { Key: { Value: secretAccessKey }, Password: { Value: { password: randomBytes(12).toString('hex') } } },
      }));
      fs.writeFileSync(path.join(dir, 'planted.assets.json'), JSON.stringify({ note: `AKIA${random(BASE32.slice(0, 26), 16)}`, stub: STUB_SECRETS[0] }));
      fs.writeFileSync(path.join(dir, 'planted.js'), `const uri = 'otpauth://totp/AWS:alice?secret=${random(BASE32, 32)}&issuer=AWS';\n`);

      // WHEN
      const rules = scanForSecrets(dir).map((f) => `${f.file}: ${f.rule}`);

      // THEN
      expect(rules.sort()).toEqual([
        'planted.assets.json: AWS access key id',
        'planted.assets.json: stub secret of the tests',
        'planted.js: otpauth URI with a secret',
        'planted.template.json: AWS secret access key',
        'planted.template.json: base32 MFA seed',
        'planted.template.json: password literal',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('passes look-alikes: asset hashes, dynamic references, generated-key names, code that handles a seed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-'));
    try {
      fs.writeFileSync(path.join(dir, 'lookalike.template.json'), JSON.stringify({
        hash: randomBytes(32).toString('hex'),
        Password: '{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:111111111111:secret:x:SecretString:password::}}',
        GenerateSecretString: { GenerateStringKey: 'password', SecretStringTemplate: '{}' },
        alphabet: BASE32,
      }));
      fs.writeFileSync(path.join(dir, 'lookalike.js'), 'const seed = created.VirtualMFADevice.Base32StringSeed; const uri = `otpauth://totp/${label}?secret=${seed}`;\n');
      expect(scanForSecrets(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
