import * as fs from 'fs';
import * as path from 'path';
import { awsCliAvailable, awsConfigureGet, readWithAwsCli, readWithSdk, ReadResult } from './support/aws-file-readers';
import { fixture, tempDir } from './support/cli';
import { variant } from './support/ini-variants';
import { AwsFileKind, decodeAwsFile, readAs, setProfiles } from '../src/ini';

/**
 * Differential tests of the profile reader and writer against the AWS tools themselves: the AWS CLI v2's parser
 * (botocore as bundled with /usr/bin/aws, and `aws configure get` on a sample) and the SDK v3's loader
 * (`loadSharedConfigFiles`). Over a corpus of real-world files (test/fixtures/cli/corpus) and generated variants:
 *
 * 1. the reader reads every file exactly as each tool does, and refuses exactly the files a tool cannot read;
 * 2. after every write, every profile but the written one reads the same as before to both tools, and the written
 *    one reads, to both, as the new keys plus every key the user had; every refusal names a reason the real tools
 *    show (a tool cannot read the file, or the two read the profile differently) or one of the few forms the writer
 *    will not edit (the profile defined twice, [DEFAULT] keys, a lone CR).
 */
jest.setTimeout(300_000);

const VARIANTS = 400;
const CORPUS = fixture('corpus');
const available = awsCliAvailable();
const describeWithCli = available ? describe : describe.skip;
if (!available) {
  // eslint-disable-next-line no-console
  console.warn('SKIPPED the differential tests: the AWS CLI v2 is not at /usr/bin/aws (apt-get install awscli).');
}

interface Case {
  readonly name: string;
  readonly kind: AwsFileKind;
  readonly bytes: Buffer;
}

const ROLE = (arn: string): Array<[string, string]> => [
  ['role_arn', arn],
  ['source_profile', 'toolkit-user'],
  ['mfa_serial', 'arn:aws:iam::111111111111:mfa/toolkit-user'],
  ['role_session_name', 'toolkit-user'],
];
const KEY: Array<[string, string]> = [['aws_access_key_id', 'AKIAI44QH8DHBEXAMPLE'], ['aws_secret_access_key', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY']];
/** The profiles each file gets written: one that corpus files hold, one they do not. */
const TARGETS: Record<AwsFileKind, Array<{ name: string; entries: Array<[string, string]> }>> = {
  config: [{ name: 'mfa', entries: ROLE('arn:aws:iam::111111111111:role/toolkit-role') }, { name: 'brand-new', entries: ROLE('arn:aws:iam::111111111111:role/new') }],
  credentials: [{ name: 'toolkit-user', entries: KEY }, { name: 'brand-new', entries: KEY }],
};

function corpus(): Case[] {
  return fs.readdirSync(CORPUS).sort().map((name) => ({
    name,
    kind: name.endsWith('.credentials') ? 'credentials' : 'config',
    bytes: fs.readFileSync(path.join(CORPUS, name)),
  }));
}

function variants(): Case[] {
  return Array.from({ length: VARIANTS }, (_, i) => {
    const kind: AwsFileKind = i % 3 === 2 ? 'credentials' : 'config';
    const clean = i % 2 === 0;
    return { name: `variant-${i}${clean ? '-clean' : ''}.${kind}`, kind, bytes: Buffer.from(variant(i + 1, kind, clean), 'utf8') };
  });
}

/** What the model reads, as a ReadResult. */
function modelRead(c: Case, tool: 'cli' | 'sdk'): ReadResult {
  try {
    const text = tool === 'cli' ? decodeAwsFile(c.bytes, c.name) : c.bytes.toString('utf8');
    const view = readAs(text, c.kind, tool, c.name);
    return { profiles: Object.fromEntries([...view.profiles].map(([n, p]) => [n, p.keys])) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The SDK reads a file it rejects as nothing at all: a file with sections read as no profile is such a file. */
function sdkRejected(c: Case, result: ReadResult): boolean {
  return 'profiles' in result && Object.keys(result.profiles).length === 0 && /__proto__/.test(c.bytes.toString('utf8'));
}

async function readAll(dir: string, cases: readonly Case[]): Promise<{ cli: ReadResult[]; sdk: ReadResult[] }> {
  const files = cases.map((c, i) => {
    const file = path.join(dir, `${i}-${c.name}`);
    fs.writeFileSync(file, c.bytes);
    return { path: file, kind: c.kind };
  });
  const cli = await readWithAwsCli(files);
  const sdk = await Promise.all(files.map((f) => readWithSdk(f.path, f.kind)));
  return { cli, sdk };
}

const profileOf = (r: ReadResult, name: string) => ('profiles' in r ? r.profiles[name] : undefined);

describeWithCli('the reader against the AWS CLI v2 and the SDK v3', () => {
  const cases = [...corpus(), ...variants()];
  let real: { cli: ReadResult[]; sdk: ReadResult[] };
  beforeAll(async () => {
    real = await readAll(tempDir(), cases);
  });

  test('the corpus has the files that real users have and the forms on which the tools part ways', () => {
    expect(corpus().map((c) => c.name)).toEqual(expect.arrayContaining([
      'aws-configure.config', 'aws-configure.credentials', 'sso-sessions.config', 'nested-s3.config', 'services.config',
      'credential-process.config', 'vs-toolkit-guide.credentials', 'windows-crlf.config', 'bom.config', 'latin1.config',
      'header-notes.config', 'both-mfa.config', 'duplicate-sections.credentials', 'inline-comments.config', 'default-section.config',
    ]));
    // The corpus keeps its bytes (.gitattributes: -text): CRLF, a lone CR, a BOM and latin-1 reach the tools as written.
    const bytes = (name: string) => corpus().find((c) => c.name === name)?.bytes.toString('latin1') ?? '';
    expect(bytes('windows-crlf.config')).toContain('\r\n');
    expect(bytes('lone-cr.config')).toMatch(/\r(?!\n)/);
    expect(bytes('bom.config').startsWith('\xef\xbb\xbf')).toBe(true);
    expect(bytes('latin1.config')).toContain('\xe9');
  });

  test('reads every corpus file and variant exactly as the AWS CLI v2 does, and fails exactly where it cannot parse the file', () => {
    const mismatches = cases.flatMap((c, i) => {
      const model = modelRead(c, 'cli');
      const cli = real.cli[i];
      const same = 'error' in cli ? 'error' in model : 'profiles' in model && JSON.stringify(sorted(model.profiles)) === JSON.stringify(sorted(cli.profiles));
      return same ? [] : [{ file: c.name, text: c.bytes.toString('utf8'), model, cli }];
    });
    expect(mismatches).toEqual([]);
  });

  test('reads every corpus file and variant exactly as the SDK v3 does, and fails exactly where it reads nothing', () => {
    const mismatches = cases.flatMap((c, i) => {
      const model = modelRead(c, 'sdk');
      const sdk = real.sdk[i];
      const same = 'error' in model ? sdkRejected(c, sdk) : JSON.stringify(sorted(model.profiles)) === JSON.stringify(sorted(profilesOf(sdk)));
      return same ? [] : [{ file: c.name, text: c.bytes.toString('utf8'), model, sdk }];
    });
    expect(mismatches).toEqual([]);
  });

  test('the bundled parser is what `aws configure get` reads, on a sample of profiles and keys', async () => {
    const dir = tempDir();
    const sample = cases.filter((_, i) => i % 9 === 0).slice(0, 14);
    const checks = sample.flatMap((c) => {
      const i = cases.indexOf(c);
      const cli = real.cli[i];
      const file = path.join(dir, `${i}-${c.name}`);
      fs.writeFileSync(file, c.bytes);
      if ('error' in cli) {
        return [{ file, c, profile: 'default', key: 'region', expected: 'error' as const }];
      }
      return Object.entries(cli.profiles).slice(0, 1).flatMap(([profile, keys]) => Object.keys(keys).filter((k) => !k.includes('.')).slice(0, 1)
        .map((key) => ({ file, c, profile, key, expected: keys[key] })));
    });
    // Four at a time: each run of the AWS CLI takes about a second of one core.
    const results: unknown[] = [];
    for (let i = 0; i < checks.length; i += 4) {
      results.push(...await Promise.all(checks.slice(i, i + 4).map(async (check) => {
        const got = await awsConfigureGet(check.file, check.c.kind, check.profile, check.key);
        const ok = check.expected === 'error' ? typeof got === 'object' && /Unable to parse/.test(got.error) : got === check.expected;
        return ok ? undefined : { file: check.c.name, profile: check.profile, key: check.key, expected: check.expected, got };
      })));
    }
    expect(checks.length).toBeGreaterThanOrEqual(10);
    expect(checks.some((c) => c.expected === 'error')).toBe(true);
    expect(results.filter((r) => r !== undefined)).toEqual([]);
  });
});

describeWithCli('the writer against the AWS CLI v2 and the SDK v3', () => {
  const cases = [...corpus(), ...variants()];
  const outcomes: Record<string, number> = {};
  const count = (what: string) => {
    outcomes[what] = (outcomes[what] ?? 0) + 1;
  };

  test('after every write, every other profile reads as before to both tools, the written one as the new keys plus the user\'s; every refusal has a reason the tools show', async () => {
    const dir = tempDir();
    const before = await readAll(dir, cases);
    const writes: Array<{ c: Case; index: number; target: (typeof TARGETS)['config'][number]; text: string }> = [];
    const problems: unknown[] = [];
    cases.forEach((c, index) => {
      for (const target of TARGETS[c.kind]) {
        try {
          const text = setProfiles(decodeAwsFile(c.bytes, c.name), c.kind, [target], c.name);
          writes.push({ c, index, target, text });
        } catch (e) {
          const reason = refusalReason((e as Error).message, c, target.name, before.cli[index], before.sdk[index]);
          if (reason === undefined) {
            problems.push({
              file: c.name,
              text: c.bytes.toString('utf8'),
              target: target.name,
              refusal: (e as Error).message,
              cli: profileOf(before.cli[index], target.name),
              sdk: profileOf(before.sdk[index], target.name),
            });
          }
          count(`refused: ${reason ?? 'WITHOUT A REASON THE TOOLS SHOW'}`);
        }
      }
    });
    const after = await readAll(dir, writes.map((w) => ({ name: `after-${w.c.name}`, kind: w.c.kind, bytes: Buffer.from(w.text, 'utf8') })));
    writes.forEach((w, i) => {
      for (const tool of ['cli', 'sdk'] as const) {
        const was = profilesOf(before[tool][w.index]);
        const now = profilesOf(after[tool][i]);
        const expected = { ...(was[w.target.name] ?? {}), ...Object.fromEntries(w.target.entries) };
        const others = (p: Record<string, Record<string, string>>) => JSON.stringify(sorted(Object.fromEntries(Object.entries(p)
          .filter(([n]) => n !== w.target.name))));
        if ('error' in after[tool][i] || others(was) !== others(now) || JSON.stringify(sorted({ p: expected })) !== JSON.stringify(sorted({ p: now[w.target.name] }))) {
          problems.push({ file: w.c.name, tool, target: w.target.name, before: w.c.bytes.toString('utf8'), after: w.text, was, now });
        }
      }
      count(w.c.bytes.toString('utf8') === w.text ? 'written: unchanged' : profileOf(before.cli[w.index], w.target.name) ? 'written: merged into the profile' : 'written: appended');
    });
    fs.mkdirSync(path.join(__dirname, '..', '..', '..', 'test-reports'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, '..', '..', '..', 'test-reports', 'ini-differential.json'), JSON.stringify({ files: cases.length, writes: cases.length * 2, outcomes }, undefined, 2));
    expect(problems).toEqual([]);
    expect(outcomes['written: merged into the profile']).toBeGreaterThan(20);
    expect(outcomes['written: appended']).toBeGreaterThan(100);
  });
});

/**
 * Why the writer may refuse: a reason that the real tools' readings show, or one of the forms it will not edit.
 */
function refusalReason(message: string, c: Case, target: string, cli: ReadResult, sdk: ReadResult): string | undefined {
  const text = c.bytes.toString('utf8');
  if ('error' in cli) {
    return /unreadable to the AWS CLI v2/.test(message) ? 'the AWS CLI v2 cannot read the file' : undefined;
  }
  if (/makes the SDK v3 read none of the file/.test(message)) {
    return sdkRejected(c, sdk) ? 'the SDK v3 reads none of the file' : undefined;
  }
  if (/carriage return without a line feed/.test(message)) {
    return /\r(?!\n)/.test(text) ? 'a lone CR' : undefined;
  }
  if (/\[DEFAULT\]/.test(message)) {
    return /^\s*\[DEFAULT\]/m.test(text) ? '[DEFAULT] keys' : undefined;
  }
  if (/defines profile \S+ again/.test(message)) {
    return 'the profile is defined twice';
  }
  if (/sub-settings/.test(message)) {
    return 'sub-settings in the way';
  }
  if (/to the AWS CLI v2 but not to the SDK v3/.test(message)) {
    return profileOf(cli, target) !== undefined && profileOf(sdk, target) === undefined ? 'a header only the AWS CLI v2 reads' : undefined;
  }
  if (/to the SDK v3 but not to the AWS CLI v2/.test(message)) {
    return profileOf(sdk, target) !== undefined && profileOf(cli, target) === undefined ? 'a header only the SDK v3 reads' : undefined;
  }
  // The SDK v3 holds no empty values: the AWS CLI v2's empty value and the SDK's none agree.
  const a = Object.fromEntries(Object.entries(profileOf(cli, target) ?? {}).filter(([, v]) => v !== ''));
  const b = profileOf(sdk, target) ?? {};
  return JSON.stringify(sorted(a)) !== JSON.stringify(sorted(b)) ? 'the two tools read the profile differently' : undefined;
}

function profilesOf(r: ReadResult): Record<string, Record<string, string>> {
  return 'profiles' in r ? r.profiles : {};
}

function sorted(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  return Object.fromEntries(Object.entries(value as Record<string, unknown>)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sorted(v)]));
}
