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

const HEADER = /^\s*\[([^\]]*)\]\s*(?:[#;].*)?$/;
const IGNORABLE = /^\s*(?:[#;].*)?$/;
const PROFILE_NAME = /^[\w+=,.@-]+$/;
const KEY = /^[a-z][a-z0-9_]*$/;
/** Values are printable ASCII (ARNs, names, keys): the files are edited as latin1 text, so every other byte is kept. */
const VALUE = /^[\x21-\x7e]+$/;

interface Line {
  readonly text: string;
  readonly eol: string;
}

interface Range {
  /** The profile of the section, or undefined for a section that is not a profile (`[sso-session x]`, `[services x]`). */
  readonly profile: string | undefined;
  /** Index of the header line. */
  readonly start: number;
  /** Index after the last line that is neither blank nor a comment: trailing blank lines and comments stay outside. */
  end: number;
}

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
 * The text of the file with each section written: a profile section of the same name is replaced where it stands
 * (later sections of that name are removed); a new one is appended after one blank line. Every other byte is kept,
 * and the file's line ends (LF or CRLF) are used for the new lines.
 */
export function upsertSections(text: string, kind: AwsFileKind, sections: readonly ProfileSection[]): string {
  return sections.reduce((current, section) => upsertSection(current, kind, section), text);
}

/**
 * The profiles of a config or credentials file: name → key → value (first-level `key = value` lines only; a later
 * section or key of the same name wins, as in the AWS CLI).
 */
export function readProfiles(text: string, kind: AwsFileKind): Map<string, Record<string, string>> {
  const profiles = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const { text: line } of splitLines(text)) {
    const header = HEADER.exec(line);
    if (header) {
      const name = profileOf(kind, header[1]);
      current = undefined;
      if (name !== undefined) {
        current = profiles.get(name) ?? {};
        profiles.set(name, current);
      }
      continue;
    }
    const pair = /^(\S[^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (current && pair && !IGNORABLE.test(line)) {
      current[pair[1].toLowerCase()] = pair[2];
    }
  }
  return profiles;
}

/**
 * Check a profile name: letters, digits and `_+=,.@-` (what IAM allows in a user name).
 */
export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new CliError(`The profile name "${name}" is not valid: use letters, digits and _+=,.@- only.`);
  }
  return name;
}

function upsertSection(text: string, kind: AwsFileKind, section: ProfileSection): string {
  const lines = splitLines(text);
  const eol = /\r?\n/.exec(text)?.[0] ?? '\n';
  const rendered = renderSection(kind, section, eol);
  const ranges = sectionRanges(lines, kind).filter((r) => r.profile === section.name);
  if (ranges.length === 0) {
    return append(text, rendered, eol);
  }
  const join = (from: number, to: number) => lines.slice(from, to).map((l) => l.text + l.eol).join('');
  let out = '';
  let next = 0;
  for (const range of ranges) {
    out += join(next, range.start) + (range === ranges[0] ? rendered : '');
    next = range.end;
  }
  return out + join(next, lines.length);
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

function sectionRanges(lines: readonly Line[], kind: AwsFileKind): Range[] {
  const ranges: Range[] = [];
  lines.forEach((line, index) => {
    const header = HEADER.exec(line.text);
    if (header) {
      ranges.push({ profile: profileOf(kind, header[1]), start: index, end: index + 1 });
    } else if (ranges.length > 0 && !IGNORABLE.test(line.text)) {
      ranges[ranges.length - 1].end = index + 1;
    }
  });
  return ranges;
}

/**
 * The profile a header names, tolerant of spacing (`[ profile  mfa ]`), or undefined for other sections.
 */
function profileOf(kind: AwsFileKind, inside: string): string | undefined {
  const words = inside.trim().split(/\s+/);
  if (kind === 'credentials') {
    return words.length === 1 && words[0] !== '' ? words[0] : undefined;
  }
  if (words.length === 2 && words[0] === 'profile') {
    return words[1];
  }
  return words.length === 1 && words[0] === 'default' ? 'default' : undefined;
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
