import * as fs from 'fs';
import * as path from 'path';

/**
 * A scanner for anything in a cloud assembly (templates, asset manifests, tree.json, staged assets such as the bundled
 * handler) that looks like a secret: an MFA seed, an otpauth URI with its secret, an AWS access key, a password literal,
 * a private key, or one of the stub seeds of this repository's tests.
 */

/** One suspicious match. */
export interface SecretFinding {
  /** File path, relative to the scanned directory. */
  readonly file: string;
  /** Name of the rule that matched. */
  readonly rule: string;
  /** The match, shortened so that a report never repeats a whole secret. */
  readonly excerpt: string;
}

/** Seeds and secrets used by the tests of this repository: none of them may ever reach a cloud assembly. */
export const STUB_SECRETS = [
  // test/mfa-device-handler.test.ts
  'MNSGWLLNMZQS2ZDFNRSWOYLUNFXW4IDUMVZXIIDTMVSWILBAGQYCAYTZORSXGIJB',
  // RFC 6238 Appendix B SHA-1 seed, as text and as base32 (test/totp.test.ts)
  '12345678901234567890',
  'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  // The seed of countless TOTP examples
  'JBSWY3DPEHPK3PXP',
];

const RULES: Array<{ name: string; pattern: RegExp; jsonOnly?: boolean }> = [
  { name: 'otpauth URI with a secret', pattern: /otpauth:\/\/[^\s"'`]*[?&]secret=[A-Za-z2-7]{16,}/g },
  // Keys and values may be quoted, or quoted and escaped (JSON inside a JSON string such as a SecretString).
  { name: 'base32 MFA seed', pattern: /(?:seed|Seed|SEED|Base32StringSeed)\\?["'`]?\s*[:=]\s*\\?["'`]?[A-Z2-7]{16,}/g },
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  {
    name: 'AWS secret access key',
    pattern: /(?:secretAccessKey|SecretAccessKey|aws_secret_access_key)\\?["'`]?\s*[:=]\s*\\?["'`]?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/g,
  },
  // In JSON, any 40-character base64 string with upper case, lower case and a digit that is not a logical id of the
  // assembly's templates (hashes are hex).
  { name: 'AWS secret access key', pattern: /"(?=[^"]*[a-z])(?=[^"]*[A-Z])(?=[^"]*\d)[A-Za-z0-9/+]{40}"/g, jsonOnly: true },
  // A password as a literal value; `{{resolve:secretsmanager:...}}` dynamic references and intrinsics are not literals.
  { name: 'password literal', pattern: /\\?"(?:[Pp]assword|PASSWORD)\\?"\s*:\s*\\?"(?!\{\{resolve:)[^"\\]+/g },
  { name: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/g },
  ...STUB_SECRETS.map((secret) => ({ name: 'stub secret of the tests', pattern: new RegExp(secret, 'g') })),
];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** The logical ids of every template under a directory: resources, outputs, parameters, conditions, mappings. */
function logicalIds(files: string[]): Set<string> {
  const sections = ['Resources', 'Outputs', 'Parameters', 'Conditions', 'Mappings'];
  return new Set(files.filter((f) => f.endsWith('.template.json')).flatMap((f) => {
    const template = JSON.parse(fs.readFileSync(f, 'utf8'));
    return sections.flatMap((section) => Object.keys(template[section] ?? {}));
  }));
}

/** Scan every file under a directory. */
export function scanForSecrets(dir: string): SecretFinding[] {
  const files = filesUnder(dir);
  const ids = logicalIds(files);
  const findings: SecretFinding[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const rule of RULES.filter((r) => !r.jsonOnly || file.endsWith('.json'))) {
      for (const match of text.matchAll(rule.pattern)) {
        // A logical id of the templates, or one as CDK makes them (a path and 8 hex digits of its hash), is no secret.
        if (rule.jsonOnly && (ids.has(match[0].slice(1, -1)) || /^"[A-Za-z0-9]+[0-9A-F]{8}"$/.test(match[0]))) {
          continue;
        }
        findings.push({ file: path.relative(dir, file), rule: rule.name, excerpt: `${match[0].slice(0, 24)}...` });
      }
    }
  }
  return findings;
}

/** The number of files under a directory, by extension (to prove a scan saw templates, manifests and assets). */
export function fileKinds(dir: string): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const file of filesUnder(dir)) {
    const kind = file.endsWith('.template.json') ? 'template' : file.endsWith('.assets.json') ? 'asset manifest' : path.extname(file) || path.basename(file);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}
