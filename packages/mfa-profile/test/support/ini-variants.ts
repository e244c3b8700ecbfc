/**
 * Generated config and credentials files for the differential tests: line by line from the forms people (and tools)
 * write, including the ones on which the AWS CLI v2 and the SDK v3 part ways. Deterministic (seeded).
 */

/** A small seeded generator (mulberry32: bit operations are what it is). */
/* eslint-disable no-bitwise */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

const CONFIG_HEADERS = [
  '[default]', '[profile mfa]', '[profile keep]', '[profile other]', '[profile "mfa"]', "[profile 'keep']", '[profile  mfa]',
  '[ profile keep ]', '[profile\tkeep]', '[profile keep] # notes', '[profile keep] (notes)', '[sso-session corp]',
  '[services local]', '[DEFAULT]', '[profile a=b]', '[profile.dot]', '[profile default]', '[profilemfa]', '[mfa]',
  '[profile mfa]   ', '  [profile indented]', '[profile x.y@z]', '[profile keep];c',
];
const CREDENTIALS_HEADERS = [
  '[default]', '[toolkit-user]', '[keep]', '[other]', '[profile toolkit-user]', '[ toolkit-user ]', '[toolkit-user] # note',
  '[toolkit-user] (notes)', '[DEFAULT]', '[keep] x', '  [indented]', '[a=b]',
];
const KEYS = ['region', 'output', 'role_arn', 'source_profile', 'mfa_serial', 'cli_pager', 'Region', 'aws_access_key_id',
  'aws_secret_access_key', 's3', 'duration_seconds', 'x:y'];
const SEPARATORS = [' = ', '=', ' =', '= ', ': ', ':', '   =   ', '\t=\t'];
const VALUES = ['us-east-1', 'json', 'arn:aws:iam::111111111111:role/r', 'AKIAIOSFODNN7EXAMPLE', 'a b c', 'json # note',
  'json ; note', 'a#b', 'a;b', '', 'less -R', '3600', 'x=y', '"quoted"', 'üñí', 'v\u00a0', 'v\u0085', 'v\u000b'];
const INDENTS = ['', '', '', '', '  ', '\t', '    ', '\u00a0', '\u0085', '\ufeff', '\u001c'];
const OTHER_LINES = ['', '', '# comment', '; comment', '  # indented comment', '\t; tab comment', '   continued text',
  '    sub = value', '  max_concurrent_requests = 10', ']', 'just words', '=value', '\u00a0', ' ', '#'];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

/** The forms of a file that both tools read (a header at most once, a key at most once per section). */
const CLEAN_SEPARATORS = [' = ', '=', ' =', '= ', '   =   ', '\t=\t'];
const CLEAN_VALUES = ['us-east-1', 'json', 'arn:aws:iam::111111111111:role/r', 'AKIAIOSFODNN7EXAMPLE', 'a b c', 'a#b', 'less -R', '3600', 'x=y'];
const CLEAN_OTHER_LINES = ['', '', '# comment', '; comment', '  # indented comment', '    sub = value'];

/**
 * One generated file's text: 2 to 14 lines; the first is usually a header; LF or (one in five) CRLF line ends, and
 * one in ten without a final line end. `clean` files use only forms that the AWS CLI v2 parses (so that the writer
 * gets to merge into many of them); the others use every form.
 */
export function variant(seed: number, kind: 'config' | 'credentials', clean = false): string {
  const next = random(seed);
  const headers = kind === 'config' ? CONFIG_HEADERS : CREDENTIALS_HEADERS;
  const count = 2 + Math.floor(next() * 13);
  const lines: string[] = [];
  const used = new Set<string>();
  let keys = new Set<string>();
  for (let i = 0; i < count; i++) {
    const roll = next();
    if (i === 0 ? roll < 0.9 : roll < 0.2) {
      const header = next() < 0.5 ? headers[Math.floor(next() * 4)] : pick(next, headers);
      if (clean && used.has(header.trim())) {
        continue;
      }
      used.add(header.trim());
      keys = new Set();
      lines.push(header);
    } else if (roll < 0.75) {
      const key = pick(next, KEYS);
      if (clean && (keys.has(key.toLowerCase()) || key === 'x:y' || lines.length === 0)) {
        continue;
      }
      keys.add(key.toLowerCase());
      lines.push(clean
        ? `${pick(next, ['', '', '', '  '])}${key}${pick(next, CLEAN_SEPARATORS)}${pick(next, CLEAN_VALUES)}`
        : `${pick(next, INDENTS)}${key}${pick(next, SEPARATORS)}${pick(next, VALUES)}`);
    } else {
      lines.push(pick(next, clean ? CLEAN_OTHER_LINES : OTHER_LINES));
    }
  }
  const eol = next() < 0.2 ? '\r\n' : '\n';
  return lines.join(eol) + (next() < 0.1 ? '' : eol);
}
