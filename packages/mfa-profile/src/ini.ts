import { CliError } from './errors';

/**
 * The shared AWS files: `config` names a profile `[profile NAME]` (but `[default]`), `credentials` names it `[NAME]`.
 */
export type AwsFileKind = 'config' | 'credentials';

/**
 * A profile to write: its name and its `key = value` lines, in order.
 */
export interface ProfileSection {
  readonly name: string;
  readonly entries: ReadonlyArray<readonly [string, string]>;
}

/**
 * How the AWS tools read a file (this module reads it twice, as each of them does):
 *
 * - the AWS CLI v2 (`awscli/botocore/configloader.py`): Python's `configparser.RawConfigParser` in strict mode
 *   (duplicate sections or keys, a key line outside a section, a line that is not `key = value` or `key: value`, text
 *   that is not UTF-8, and a byte order mark make the whole file unreadable), keys lower-cased, values spanning every
 *   more-indented line after them, no inline comments, `[DEFAULT]` giving its keys to every section, profile names split
 *   like a shell would (`shlex`), one level of sub-settings (`s3 =` and indented `key = value` lines);
 * - the AWS SDK for JavaScript v3 (`@smithy/core`'s `shared-ini-file-loader/parseIni.js`): line by line, ` #` and
 *   ` ;` start a comment anywhere, a section is a line that starts with `[` and ends with `]`, `[profile NAME]` needs
 *   one space and a name of `\w-@+.%:/`, only `=` separates, repeated sections and keys merge, the later one winning.
 *
 * A profile is what a tool reads: its keys (sub-settings as `parent.key`), the header lines that define it.
 */
export interface ToolProfile {
  /** The lines (1-based) of the section headers that define the profile, in file order. */
  readonly headers: number[];
  /** Key → value; sub-settings as `parent.key`. */
  readonly keys: Record<string, string>;
  /** Key → the line (1-based) that set it. */
  readonly lines: Record<string, number>;
}

/** What one tool reads from a file: every profile, and every other section by its full name. */
export interface ToolView {
  readonly profiles: Map<string, ToolProfile>;
  readonly others: Map<string, ToolProfile>;
  /**
   * The header lines of every profile's sections, also of sections without keys, which the SDK v3 does not count as
   * profiles (the AWS CLI v2 does).
   */
  readonly headers: Map<string, number[]>;
}

/** A section of the file as the AWS CLI v2 parses it, with the lines each key spans (for editing). */
interface BotoSection {
  /** The name in brackets (`profile mfa`). */
  readonly name: string;
  /** 0-based index of the header line. */
  readonly header: number;
  readonly options: BotoOption[];
}

interface BotoOption {
  /** The key, lower-cased. */
  readonly key: string;
  /** 0-based index of the `key = value` line. */
  readonly line: number;
  /** 0-based index of the last line of the value that is not blank (continuation lines). */
  last: number;
  /** The indentation of the key line (the column of its first non-space character). */
  readonly indent: number;
  /** The value's lines, joined by `\n` when read. */
  readonly parts: string[];
}

interface Line {
  readonly text: string;
  readonly eol: string;
}

/**
 * A config or credentials file, read as the AWS CLI v2 and the SDK v3 read it. `parseAwsFile` fails, naming the line,
 * where the AWS CLI v2 or the SDK v3 cannot read the file at all.
 */
export interface AwsFile {
  readonly kind: AwsFileKind;
  /** The file's name, for messages. */
  readonly label: string;
  readonly lines: readonly Line[];
  /** The line end of the file (the first one), used for new lines. */
  readonly eol: string;
  readonly sections: readonly BotoSection[];
  /** The `[DEFAULT]` sections' keys: the AWS CLI v2 gives them to every section. */
  readonly defaults: readonly BotoOption[];
  /** What the AWS CLI v2 reads. */
  readonly cli: ToolView;
  /** What the SDK v3 reads. */
  readonly sdk: ToolView;
}

/** Names of profiles this tool writes: what IAM allows in a user name and both tools read in `[profile NAME]`. */
const PROFILE_NAME = /^[\w+.@-]+$/;
const KEY = /^[a-z][a-z0-9_]*$/;
/** Values are printable ASCII without spaces (ARNs, names, keys, numbers, regions). */
const VALUE = /^[\x21-\x7e]+$/;

/** Python's whitespace (`str.isspace`, `re`'s `\s` on text): JavaScript's `\s` has U+FEFF, Python has U+001C-U+001F and U+0085. */
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
const PY_RSTRIP = new RegExp(`[${PY_SPACE}]+$`);
const PY_NONSPACE = new RegExp(`[^${PY_SPACE}]`);
/** configparser's `OPTCRE`, on a stripped line: the key up to the first `=` or `:`. */
const PY_OPTION = new RegExp(`^(.*?)[${PY_SPACE}]*([=:])[${PY_SPACE}]*(.*)$`, 's');
/** configparser's `SECTCRE`: `[`, anything (greedy, so up to the last `]`), `]`; text after it is ignored. */
const PY_SECTION = /^\[(.+)\]/;
/** `str.splitlines()` boundaries (used by botocore on sub-settings). */
const PY_SPLITLINES = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/;
/** The SDK's section names: `prefix NAME` with one whitespace character and an optional pair of quotes. */
const SDK_PREFIXED = /^([\w-]+)\s(["'])?([\w-@+.%:/]+)\2$/;
const SDK_SECTION_TYPES = ['profile', 'sso-session', 'services'];
const SDK_BLOCKED = ['__proto__', 'profile __proto__'];

const pyStrip = (s: string) => s.replace(PY_STRIP, '');

/**
 * The header of a profile section, e.g. `[profile mfa]` in the config file, `[mfa]` in the credentials file, `[default]` in both.
 */
export function sectionHeader(kind: AwsFileKind, name: string): string {
  return kind === 'config' && name !== 'default' ? `[profile ${name}]` : `[${name}]`;
}

/**
 * The text of profile sections, each ended by `eol`, separated by a blank line.
 */
export function renderSections(kind: AwsFileKind, sections: readonly ProfileSection[], eol = '\n'): string {
  return sections.map((s) => renderSection(kind, s, eol)).join(eol);
}

/**
 * Check a profile name: letters, digits and `_+.@-` (what IAM allows in a user name, but `=` and `,`, which the SDK
 * v3 does not read in `[profile NAME]`).
 */
export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new CliError(`The profile name "${name}" is not valid: use letters, digits and _+.@- only.`);
  }
  return name;
}

/**
 * Read a file's text as both AWS tools do. Fails, naming the line, when the AWS CLI v2 cannot parse it (it then
 * reads no profile of it), when the SDK v3 rejects it, or when the two split its lines differently.
 */
export function parseAwsFile(text: string, kind: AwsFileKind, label: string): AwsFile {
  const lines = splitLines(text);
  const loneCr = lines.findIndex((l) => l.text.includes('\r'));
  if (loneCr !== -1) {
    throw refusal(label, loneCr + 1, 'holds a carriage return without a line feed, which the AWS CLI v2 reads as a line end and the SDK v3 does not; '
      + 'save the file with LF or CRLF line ends');
  }
  const { sections, defaults } = parseBoto(lines, label);
  const cli = botoView(sections, defaults, kind, label);
  const sdk = sdkView(lines, kind, label);
  return { kind, label, lines, eol: lines.find((l) => l.eol !== '')?.eol ?? '\n', sections, defaults, cli, sdk };
}

/**
 * The text of a file's bytes: UTF-8, which the AWS CLI v2 requires (it reads none of a file with other bytes). Fails
 * naming the line of the first byte that is not UTF-8. A byte order mark is kept (and refused by `parseAwsFile`).
 */
export function decodeAwsFile(bytes: Uint8Array, label: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    let line = 1;
    for (let i = 0; i < bytes.length; i++) {
      try {
        new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, i + 1), { stream: true });
      } catch {
        break;
      }
      if (bytes[i] === 0x0a) {
        line++;
      }
    }
    throw refusal(label, line, 'holds bytes that are not UTF-8 text, which makes the whole file unreadable to the AWS CLI v2; save the file as UTF-8');
  }
}

/**
 * What one tool reads from a file's text (the AWS CLI v2: lines end at CR, LF or CRLF, as Python reads text); fails,
 * naming the line, where that tool cannot read the file.
 */
export function readAs(text: string, kind: AwsFileKind, tool: 'cli' | 'sdk', label = `the ${kind} file`): ToolView {
  if (tool === 'sdk') {
    return sdkView(splitLines(text), kind, label);
  }
  const lines = text === '' ? [] : text.split(/(?<=\r\n|\r(?!\n)|\n)/).map((raw) => {
    const eol = /(\r\n|\r|\n)$/.exec(raw)?.[0] ?? '';
    return { text: raw.slice(0, raw.length - eol.length), eol };
  });
  const { sections, defaults } = parseBoto(lines, label);
  return botoView(sections, defaults, kind, label);
}

/**
 * The profiles of a config or credentials file as the AWS CLI v2 reads them: name → key → value (sub-settings as
 * `parent.key`). A file the AWS CLI v2 cannot parse fails, naming the line.
 */
export function readProfiles(text: string, kind: AwsFileKind, label = `the ${kind} file`): Map<string, Record<string, string>> {
  const file = parseAwsFile(text, kind, label);
  return new Map([...file.cli.profiles].map(([name, p]) => [name, p.keys]));
}

/**
 * A profile to set in a file.
 */
export interface ProfileUpdate extends ProfileSection {
  /** Remove every other key of the section (the old `write` behaviour). @default false: every other key, comment and sub-setting is kept */
  readonly replace?: boolean;
  /** Keys to remove from the section, if present (e.g. credentials of another kind, with `--force`). */
  readonly remove?: readonly string[];
}

/**
 * The file's text with each profile set. A profile of that name is changed where it stands: the keys given are set
 * (in place when present, else after the section's last key, indented like it), and every other key, comment and
 * sub-setting stays, byte for byte; a new profile is appended after one blank line. The file's line ends are used.
 *
 * Refused, naming the line: a file the AWS CLI v2 or the SDK v3 cannot read; a profile the two read differently or
 * that more than one section defines; `[DEFAULT]` keys. The result is read again by both models: every other profile
 * and section must read exactly as before, and the profile the new keys plus the ones kept, for both tools.
 */
export function setProfiles(text: string, kind: AwsFileKind, updates: readonly ProfileUpdate[], label = `the ${kind} file`): string {
  return updates.reduce((current, update) => setProfile(current, kind, update, label), text);
}

/**
 * The same as `setProfiles`, for the old name of the function.
 */
export function upsertSections(text: string, kind: AwsFileKind, sections: readonly ProfileUpdate[], label?: string): string {
  return setProfiles(text, kind, sections, label);
}

/**
 * Check that the AWS CLI v2 and the SDK v3 read one profile of a parsed file alike; fails naming the first line where
 * they differ. A profile neither defines passes.
 */
export function checkProfileAgreement(file: AwsFile, name: string): void {
  const cli = file.cli.profiles.get(name);
  const sdk = file.sdk.profiles.get(name);
  const headers = (p?: ToolProfile) => (p === cli ? file.cli.headers.get(name) : file.sdk.headers.get(name)) ?? [];
  const both = [...new Set([...headers(cli), ...headers(sdk)])].sort((a, b) => a - b);
  if (both.length > 1) {
    throw refusal(file.label, both[1], `defines profile ${name} again (first on line ${both[0]}): the AWS CLI v2 reads only one of the sections `
      + 'and the SDK v3 merges them; keep one');
  }
  const onlyCli = headers(cli).find((h) => !headers(sdk).includes(h));
  if (onlyCli !== undefined) {
    throw refusal(file.label, onlyCli, `is profile ${name} to the AWS CLI v2 but not to the SDK v3, which reads ${sdkHeaderHint(file.kind, name)}; `
      + `write the header as ${sectionHeader(file.kind, name)}`);
  }
  const onlySdk = headers(sdk).find((h) => !headers(cli).includes(h));
  if (onlySdk !== undefined) {
    throw refusal(file.label, onlySdk, `is profile ${name} to the SDK v3 but not to the AWS CLI v2; write the header as ${sectionHeader(file.kind, name)}`);
  }
  if (cli === undefined) {
    return;
  }
  if (file.defaults.length > 0) {
    throw refusal(file.label, file.defaults[0].line + 1, `is a key of [DEFAULT], which the AWS CLI v2 gives to profile ${name} (and every other) and the SDK v3 to none; `
      + 'move it into the profiles that need it');
  }
  const sdkKeys = sdk?.keys ?? {};
  const sdkLines = sdk?.lines ?? {};
  const keys = [...new Set([...Object.keys(cli.keys), ...Object.keys(sdkKeys)])];
  // The SDK v3 holds no empty value (`cli_pager =` starts sub-settings to it): an empty value and none agree.
  const differing = keys.filter((k) => cli.keys[k] !== sdkKeys[k] && !(cli.keys[k] === '' && sdkKeys[k] === undefined))
    .map((k) => ({ key: k, line: Math.min(cli.lines[k] ?? Infinity, sdkLines[k] ?? Infinity) }))
    .sort((a, b) => a.line - b.line);
  if (differing.length > 0) {
    const { key, line } = differing[0];
    throw refusal(file.label, line, `is read differently by the AWS CLI v2 and the SDK v3 (${key} of profile ${name}${disagreementHint(file, line, key, cli, sdk)}); `
      + 'fix the line so that both read it alike');
  }
}

function setProfile(text: string, kind: AwsFileKind, update: ProfileUpdate, label: string): string {
  checkProfileName(update.name);
  const rendered = renderSection(kind, update, '\n');
  const before = parseAwsFile(text, kind, label);
  if (before.defaults.length > 0) {
    throw refusal(label, before.defaults[0].line + 1, 'is a key of [DEFAULT], which the AWS CLI v2 gives to every profile and the SDK v3 to none; '
      + 'move it into the profiles that need it');
  }
  checkProfileAgreement(before, update.name);
  const existing = before.cli.profiles.get(update.name);
  const eol = before.eol;
  let next: string;
  if (existing === undefined) {
    next = append(text, rendered.replace(/\n/g, eol), eol);
  } else {
    const section = before.sections.find((s) => s.header + 1 === existing.headers[0]) as BotoSection;
    next = editSection(before, section, update).map((l) => l.text + l.eol).join('');
  }
  verify(before, parseAwsFileAfterEdit(next, kind, label, update.name), update);
  return next;
}

/**
 * The lines of the file with one section's keys set, removed or (with `replace`) replaced.
 */
function editSection(file: AwsFile, section: BotoSection, update: ProfileUpdate): Line[] {
  const lines = [...file.lines];
  const given = new Map(update.entries.map(([k, v]) => [k, v]));
  const drop = new Set(update.remove ?? []);
  const replacements = new Map<number, Line | undefined>();
  const removed = new Set<number>();
  for (const option of section.options) {
    if (botoValue(option).startsWith('\n') && given.has(option.key)) {
      throw refusal(file.label, option.line + 1, `gives ${option.key} of profile ${update.name} sub-settings; remove them, then run this again`);
    }
    const value = given.get(option.key);
    if (value !== undefined) {
      const original = lines[option.line];
      const match = /^(\s*)(.*?)(\s*=\s*)/.exec(original.text) as RegExpExecArray;
      replacements.set(option.line, { text: `${match[1]}${match[2]}${match[3]}${value}`, eol: original.eol || file.eol });
      for (let i = option.line + 1; i <= option.last; i++) {
        removed.add(i);
      }
      given.delete(option.key);
    } else if (update.replace || drop.has(option.key)) {
      for (let i = option.line; i <= option.last; i++) {
        removed.add(i);
      }
    }
  }
  const kept = section.options.filter((o) => !removed.has(o.line));
  const anchor = kept.length > 0 ? kept[kept.length - 1] : undefined;
  const after = anchor?.last ?? section.header;
  const indent = anchor === undefined ? '' : lines[anchor.line].text.slice(0, anchor.indent);
  if (anchor !== undefined && indent !== '' && (botoValue(anchor) === '' || botoValue(anchor).startsWith('\n')) && given.size > 0) {
    throw refusal(file.label, anchor.line + 1, `starts indented sub-settings of ${anchor.key}, so a key added after them would be one of them to the SDK v3; `
      + `remove the indentation of line ${anchor.line + 1}`);
  }
  const added = [...given].map(([k, v]) => ({ text: `${indent}${k} = ${v}`, eol: file.eol }));
  const out: Line[] = [];
  lines.forEach((line, index) => {
    if (removed.has(index)) {
      return;
    }
    const replaced = replacements.get(index);
    const own = replaced ?? line;
    if (index === after && added.length > 0) {
      out.push({ text: own.text, eol: own.eol || file.eol }, ...added.slice(0, -1), { ...added[added.length - 1], eol: own.eol === '' ? '' : file.eol });
    } else {
      out.push(own);
    }
  });
  return out;
}

/**
 * Parse the edited text; a failure here is a bug of the edit, reported as such, and the file stays as it was.
 */
function parseAwsFileAfterEdit(text: string, kind: AwsFileKind, label: string, name: string): AwsFile {
  try {
    return parseAwsFile(text, kind, label);
  } catch (e) {
    throw new CliError(`Setting profile ${name} in ${label} would make the file unreadable (${(e as Error).message}); it is unchanged.`);
  }
}

/**
 * After an edit: every other profile and section reads as before, to each tool; the profile reads, to each tool, as
 * before with the keys given set and the ones removed gone (with `replace`: as the keys given).
 */
function verify(before: AwsFile, after: AwsFile, update: ProfileUpdate): void {
  const fail = (what: string) => {
    throw new CliError(`Setting profile ${update.name} in ${before.label} would change ${what}; the file is unchanged. Please report this.`);
  };
  const removed = new Set(update.remove ?? []);
  for (const tool of ['cli', 'sdk'] as const) {
    const name = tool === 'cli' ? 'AWS CLI v2' : 'SDK v3';
    for (const group of ['profiles', 'others'] as const) {
      const was = before[tool][group];
      const now = after[tool][group];
      for (const other of new Set([...was.keys(), ...now.keys()])) {
        if ((group !== 'profiles' || other !== update.name) && !sameKeys(was.get(other)?.keys, now.get(other)?.keys)) {
          fail(`how the ${name} reads ${group === 'profiles' ? 'profile' : 'section'} ${other}`);
        }
      }
    }
    const expected: Record<string, string> = {};
    for (const [k, v] of Object.entries(update.replace === true ? {} : before[tool].profiles.get(update.name)?.keys ?? {})) {
      if (!removed.has(k.split('.')[0])) {
        expected[k] = v;
      }
    }
    for (const [k, v] of update.entries) {
      expected[k] = v;
    }
    if (!sameKeys(expected, after[tool].profiles.get(update.name)?.keys)) {
      fail(`profile ${update.name}, as the ${name} reads it, in ways not asked for`);
    }
  }
}

function sameKeys(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  return ka.length === kb.length && ka.every((k) => (b ?? {})[k] === (a ?? {})[k]);
}

function append(text: string, rendered: string, eol: string): string {
  if (text === '') {
    return rendered;
  }
  const ended = /\n$/.test(text) ? text : text + eol;
  const lines = splitLines(ended);
  const lastIsBlank = /^\s*$/.test(lines[lines.length - 1].text);
  return ended + (lastIsBlank ? '' : eol) + rendered;
}

function renderSection(kind: AwsFileKind, section: ProfileSection, eol: string): string {
  checkProfileName(section.name);
  const lines = [sectionHeader(kind, section.name)];
  for (const [key, value] of section.entries) {
    if (!KEY.test(key)) {
      throw new CliError(`The key "${key}" of profile ${section.name} is not valid: use lower-case letters, digits and _.`);
    }
    if (!VALUE.test(value)) {
      throw new CliError(`The value of ${key} in profile ${section.name} is empty or not printable ASCII without spaces.`);
    }
    lines.push(`${key} = ${value}`);
  }
  return lines.map((l) => l + eol).join('');
}

/**
 * Python's `configparser.RawConfigParser._read` (strict, no inline comments, empty lines in values), line for line.
 */
function parseBoto(lines: readonly Line[], label: string): { sections: BotoSection[]; defaults: BotoOption[] } {
  const sections: BotoSection[] = [];
  const defaults: BotoOption[] = [];
  let current: BotoOption[] | undefined;
  let currentName: string | undefined;
  let option: BotoOption | undefined;
  let indentLevel = 0;
  let firstError: { line: number; why: string } | undefined;
  const seenSections = new Set<string>();
  const seenOptions = new Set<string>();
  lines.forEach(({ text: line }, index) => {
    const stripped = pyStrip(line);
    const fullComment = stripped.startsWith('#') || stripped.startsWith(';');
    const value = fullComment ? '' : stripped;
    if (value === '') {
      if (!fullComment && current !== undefined && option !== undefined) {
        option.parts.push('');
      }
      return;
    }
    const curIndent = PY_NONSPACE.exec(line)?.index ?? 0;
    if (current !== undefined && option !== undefined && curIndent > indentLevel) {
      option.parts.push(value);
      option.last = index;
      return;
    }
    indentLevel = curIndent;
    const header = PY_SECTION.exec(value);
    if (header) {
      const name = header[1];
      if (name === 'DEFAULT') {
        current = defaults;
      } else {
        if (seenSections.has(name)) {
          throw refusal(label, index + 1, `repeats the section [${name}], which makes the whole file unreadable to the AWS CLI v2; merge the two sections`);
        }
        seenSections.add(name);
        const section: BotoSection = { name, header: index, options: [] };
        sections.push(section);
        current = section.options;
      }
      currentName = name;
      option = undefined;
      return;
    }
    if (current === undefined) {
      throw refusal(label, index + 1, index === 0 && line.startsWith('\ufeff')
        ? 'starts with a byte order mark (BOM), which makes the whole file unreadable to the AWS CLI v2; save the file as UTF-8 without BOM'
        : 'comes before the first [section], which makes the whole file unreadable to the AWS CLI v2; put it under a section or remove it');
    }
    const match = PY_OPTION.exec(value);
    if (!match || match[1] === '') {
      firstError ??= {
        line: index + 1,
        why: 'is neither a [section], a key = value line nor a comment, which makes the whole file unreadable to the AWS CLI v2; '
        + 'remove it or make it a comment with #',
      };
      // configparser: a line without separator keeps the key before it open (later indented lines continue it); an
      // empty key closes it.
      option = match ? undefined : option;
      return;
    }
    const key = match[1].replace(PY_RSTRIP, '').toLowerCase();
    const id = `${currentName}\u0000${key}`;
    if (seenOptions.has(id)) {
      throw refusal(label, index + 1, `repeats the key ${key} of [${currentName}], which makes the whole file unreadable to the AWS CLI v2; keep one`);
    }
    seenOptions.add(id);
    option = { key, line: index, last: index, indent: curIndent, parts: [pyStrip(match[3])] };
    current.push(option);
  });
  if (firstError) {
    throw refusal(label, firstError.line, firstError.why);
  }
  return { sections, defaults };
}

/** The value configparser returns: the lines joined by `\n`, trailing whitespace removed. */
function botoValue(option: BotoOption): string {
  return option.parts.join('\n').replace(PY_RSTRIP, '');
}

/**
 * botocore's `raw_config_parse` (sub-settings) and, for the config file, `build_profile_map`.
 */
function botoView(sections: readonly BotoSection[], defaults: readonly BotoOption[], kind: AwsFileKind, label: string): ToolView {
  const profiles = new Map<string, ToolProfile>();
  const others = new Map<string, ToolProfile>();
  for (const section of sections) {
    const keys: Record<string, string> = {};
    const lines: Record<string, number> = {};
    const own = new Set(section.options.map((o) => o.key));
    for (const option of [...defaults.filter((d) => !own.has(d.key)), ...section.options]) {
      const value = botoValue(option);
      if (value.startsWith('\n')) {
        for (const part of value.split(PY_SPLITLINES)) {
          const sub = pyStrip(part);
          if (sub === '') {
            continue;
          }
          const equals = sub.indexOf('=');
          if (equals === -1) {
            throw refusal(label, option.line + 1, `starts sub-settings of ${option.key} with a line that is not key = value ("${sub.length > 40 ? '…' : sub}" is not), `
              + 'which makes the whole file unreadable to the AWS CLI v2');
          }
          const subKey = `${option.key}.${pyStrip(sub.slice(0, equals))}`;
          keys[subKey] = pyStrip(sub.slice(equals + 1));
          lines[subKey] = option.line + 1;
        }
      } else {
        keys[option.key] = value;
        lines[option.key] = option.line + 1;
      }
    }
    const profile = { headers: [section.header + 1], keys, lines };
    const name = kind === 'credentials' ? section.name : botoProfileName(section.name);
    if (name === undefined) {
      others.set(section.name, profile);
    } else {
      // build_profile_map: sections in file order, a later section of the same profile replaces an earlier one.
      const earlier = profiles.get(name);
      profiles.set(name, { ...profile, headers: [...(earlier?.headers ?? []), section.header + 1] });
    }
  }
  return { profiles, others, headers: new Map([...profiles].map(([name, p]) => [name, p.headers])) };
}

/** `build_profile_map`: `default`, or `profile` + one more word as `shlex.split` sees it. */
function botoProfileName(section: string): string | undefined {
  if (section === 'default') {
    return 'default';
  }
  if (!section.startsWith('profile')) {
    return undefined;
  }
  const words = shlexSplit(section);
  return words !== undefined && words.length === 2 ? words[1] : undefined;
}

/**
 * Python's `shlex.split` (POSIX mode, no comments): words split at space, tab, CR and LF; quotes and backslashes;
 * undefined where it raises (an open quote, a final backslash).
 */
export function shlexSplit(s: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote === "'") {
      if (c === "'") {
        quote = undefined;
      } else {
        word += c;
      }
    } else if (quote === '"') {
      if (c === '"') {
        quote = undefined;
      } else if (c === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\')) {
        word += s[++i];
      } else if (c === '\\' && i + 1 === s.length) {
        return undefined;
      } else {
        word += c;
      }
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (word !== undefined) {
        words.push(word);
        word = undefined;
      }
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\') {
      if (i + 1 === s.length) {
        return undefined;
      }
      word = (word ?? '') + s[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote !== undefined) {
    return undefined;
  }
  if (word !== undefined) {
    words.push(word);
  }
  return words;
}

/**
 * `@smithy/core`'s `parseIni` (and `getConfigData` for the config file), line for line.
 */
function sdkView(lines: readonly Line[], kind: AwsFileKind, label: string): ToolView {
  const sections = new Map<string, ToolProfile>();
  let current: string | undefined;
  let sub: string | undefined;
  lines.forEach(({ text: line }, index) => {
    const trimmed = line.split(/(^|\s)[;#]/)[0].trim();
    if (trimmed[0] === '[' && trimmed[trimmed.length - 1] === ']') {
      current = undefined;
      sub = undefined;
      const name = trimmed.substring(1, trimmed.length - 1);
      const prefixed = SDK_PREFIXED.exec(name);
      if (prefixed) {
        if (SDK_SECTION_TYPES.includes(prefixed[1])) {
          current = `${prefixed[1]}.${prefixed[3]}`;
        }
      } else {
        current = name;
      }
      if (SDK_BLOCKED.includes(name)) {
        throw refusal(label, index + 1, 'names the profile __proto__, which makes the SDK v3 read none of the file; rename it');
      }
      if (current !== undefined) {
        const section = sections.get(current) ?? { headers: [], keys: {}, lines: {} };
        section.headers.push(index + 1);
        sections.set(current, section);
      }
      return;
    }
    if (current === undefined) {
      return;
    }
    const equals = trimmed.indexOf('=');
    if (equals === 0 || equals === -1) {
      return;
    }
    const name = trimmed.substring(0, equals).trim();
    const value = trimmed.substring(equals + 1).trim();
    if (value === '') {
      sub = name;
      return;
    }
    if (sub !== undefined && line.trimStart() === line) {
      sub = undefined;
    }
    const key = sub !== undefined ? `${sub}.${name}` : name;
    const section = sections.get(current) as ToolProfile;
    section.keys[key] = value;
    section.lines[key] = index + 1;
  });
  const all = new Map<string, ToolProfile>();
  const others = new Map<string, ToolProfile>();
  if (kind === 'credentials') {
    sections.forEach((section, name) => all.set(name, section));
  } else {
    // getConfigData: `default`, then `profile.NAME` as NAME (so [profile default] wins over [default]); other typed
    // sections keep their full name; sections without a known type are dropped.
    for (const [name, section] of sections) {
      const dot = name.indexOf('.');
      const type = dot === -1 ? undefined : name.substring(0, dot);
      if (name === 'default' || type === 'profile') {
        const profile = name === 'default' ? 'default' : name.substring(dot + 1);
        const earlier = all.get(profile);
        const merged = earlier === undefined ? section : {
          headers: [...earlier.headers, ...section.headers].sort((a, b) => a - b),
          keys: name === 'default' ? (Object.keys(earlier.keys).length > 0 ? earlier.keys : section.keys) : (Object.keys(section.keys).length > 0 ? section.keys : earlier.keys),
          lines: name === 'default' ? (Object.keys(earlier.keys).length > 0 ? earlier.lines : section.lines) : (Object.keys(section.keys).length > 0 ? section.lines : earlier.lines),
        };
        all.set(profile, merged);
      } else if (type !== undefined && SDK_SECTION_TYPES.includes(type)) {
        others.set(name, section);
      }
    }
  }
  // parseIni creates a section's entry with its first key: a section without keys is no profile to the SDK.
  const profiles = new Map([...all].filter(([, p]) => Object.keys(p.keys).length > 0));
  return {
    profiles,
    others: new Map([...others].filter(([, p]) => Object.keys(p.keys).length > 0)),
    headers: new Map([...all].map(([n, p]) => [n, p.headers])),
  };
}

function sdkHeaderHint(kind: AwsFileKind, name: string): string {
  return kind === 'config' ? `[profile ${name}] with one space and a name of letters, digits and _-@+.%:/` : `[${name}]`;
}

function disagreementHint(file: AwsFile, line: number, key: string, cli: ToolProfile, sdk: ToolProfile | undefined): string {
  const text = file.lines[line - 1]?.text ?? '';
  if (/\s[#;]/.test(text) && cli.keys[key] !== undefined && sdk?.keys[key] !== undefined) {
    return ': the SDK v3 ends the value at an inline comment, the AWS CLI v2 keeps the comment in the value; put the comment on its own line';
  }
  if (Object.keys({ ...cli.keys, ...sdk?.keys }).some((k) => k !== k.toLowerCase() && k.toLowerCase() === key.toLowerCase())) {
    return ': the AWS CLI v2 lower-cases keys, the SDK v3 does not; write the key in lower case';
  }
  if (/^[^=]*:/.test(text.trim()) && !text.trim().startsWith('[')) {
    return ': the AWS CLI v2 also takes ":" as the separator, the SDK v3 only "="; use "="';
  }
  if (/^\s/.test(text)) {
    return ': the AWS CLI v2 reads an indented line as part of the value above it; remove the indentation';
  }
  return '';
}

function refusal(label: string, line: number, what: string): CliError {
  return new CliError(`${label}, line ${line}, ${what}. The file is unchanged.`);
}

function splitLines(text: string): Line[] {
  if (text === '') {
    return [];
  }
  return text.split(/(?<=\n)/).map((raw) => {
    const eol = /\r?\n$/.exec(raw)?.[0] ?? '';
    return { text: raw.slice(0, raw.length - eol.length), eol };
  });
}
