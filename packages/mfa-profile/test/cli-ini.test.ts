import { readFixture } from './support/cli';
import { checkProfileName, decodeAwsFile, parseAwsFile, readProfiles, renderSections, sectionHeader, setProfiles } from '../src/ini';

const TOOLKIT = {
  name: 'mfa',
  entries: [
    ['role_arn', 'arn:aws:iam::111111111111:role/toolkit-role'],
    ['source_profile', 'toolkit-user'],
    ['mfa_serial', 'arn:aws:iam::111111111111:mfa/toolkit-user'],
    ['role_session_name', 'toolkit-user'],
  ] as Array<[string, string]>,
};
const DEPLOY = {
  name: 'deploy',
  entries: [
    ['role_arn', 'arn:aws:iam::111111111111:role/deploy/deploy-role'],
    ['source_profile', 'deploy-user'],
    ['mfa_serial', 'arn:aws:iam::111111111111:mfa/deploy-user'],
    ['role_session_name', 'deploy-user'],
  ] as Array<[string, string]>,
};
const TOOLKIT_TEXT = '[profile mfa]\n'
  + 'role_arn = arn:aws:iam::111111111111:role/toolkit-role\n'
  + 'source_profile = toolkit-user\n'
  + 'mfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\n'
  + 'role_session_name = toolkit-user\n';
const KEY = { name: 'toolkit-user', entries: [['aws_access_key_id', 'AKIAI44QH8DHBEXAMPLE'], ['aws_secret_access_key', 'new-secret']] as Array<[string, string]> };

describe('section headers', () => {
  test('a config profile is [profile NAME], but [default] stays [default]', () => {
    expect(sectionHeader('config', 'mfa')).toEqual('[profile mfa]');
    expect(sectionHeader('config', 'default')).toEqual('[default]');
  });

  test('a credentials profile is [NAME]', () => {
    expect(sectionHeader('credentials', 'toolkit-user')).toEqual('[toolkit-user]');
  });
});

describe('setProfiles merges', () => {
  test('writes a new file as the section alone', () => {
    expect(setProfiles('', 'config', [TOOLKIT])).toEqual(TOOLKIT_TEXT);
  });

  test('sets the keys it owns in place, keeps the user\'s keys, comments and spacing, adds missing keys after the last one, and appends a new profile', () => {
    const result = setProfiles(readFixture('config-existing.ini'), 'config', [TOOLKIT, DEPLOY]);
    expect(result).toEqual(readFixture('config-existing.expected.ini'));
  });

  test('keeps CRLF line ends and uses them for the new lines', () => {
    const crlf = (text: string) => text.replace(/\n/g, '\r\n');
    const result = setProfiles(crlf(readFixture('config-existing.ini')), 'config', [TOOLKIT, DEPLOY]);
    expect(result).toEqual(crlf(readFixture('config-existing.expected.ini')));
  });

  test('adds keys with the indentation of the section\'s keys, so that the AWS CLI v2 does not read them as part of a value', () => {
    expect(setProfiles('[profile mfa]\n  region = eu-west-1\n  [profile next]\n  region = x\n', 'config', [TOOLKIT]))
      .toEqual('[profile mfa]\n  region = eu-west-1\n'
        + '  role_arn = arn:aws:iam::111111111111:role/toolkit-role\n  source_profile = toolkit-user\n'
        + '  mfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\n  role_session_name = toolkit-user\n'
        + '  [profile next]\n  region = x\n');
  });

  test('adds keys after a header that has no keys yet, and after a last line without a line end', () => {
    expect(setProfiles('[profile mfa]', 'config', [TOOLKIT])).toEqual(TOOLKIT_TEXT.replace(/\n$/, ''));
  });

  test('appends after a last line without a line end, with one blank line between', () => {
    expect(setProfiles('[default]\nregion = eu-west-1', 'config', [TOOLKIT])).toEqual(`[default]\nregion = eu-west-1\n\n${TOOLKIT_TEXT}`);
  });

  test('appends without another blank line when the file already ends with one', () => {
    expect(setProfiles('[default]\nregion = eu-west-1\n\n', 'config', [TOOLKIT])).toEqual(`[default]\nregion = eu-west-1\n\n${TOOLKIT_TEXT}`);
  });

  test('with replace, removes the section\'s other keys but keeps its comments', () => {
    expect(setProfiles('[toolkit-user]\n# mine\naws_access_key_id = AKIAOLD\nregion = us-east-2\naws_secret_access_key = old\n', 'credentials', [{ ...KEY, replace: true }]))
      .toEqual('[toolkit-user]\n# mine\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = new-secret\n');
  });

  test('removes the keys asked for, with their sub-settings', () => {
    expect(setProfiles('[profile mfa]\ncredential_source = Environment\ns3 =\n  a = b\nregion = x\n', 'config', [{ ...TOOLKIT, remove: ['credential_source', 's3'] }]))
      .toEqual(`[profile mfa]\nregion = x\n${TOOLKIT_TEXT.slice('[profile mfa]\n'.length)}`);
  });

  test('writing the same keys again changes nothing', () => {
    const once = setProfiles(readFixture('config-existing.ini'), 'config', [TOOLKIT]);
    expect(setProfiles(once, 'config', [TOOLKIT])).toEqual(once);
  });

  test('[profile default] is the default profile in the config file, for both tools', () => {
    const section = { name: 'default', entries: [['region', 'us-east-1']] as Array<[string, string]> };
    expect(setProfiles('[profile default]\nregion = eu-west-1\n# end\n', 'config', [section])).toEqual('[profile default]\nregion = us-east-1\n# end\n');
  });
});

describe('setProfiles refuses, naming the line, what the AWS CLI v2 or the SDK v3 cannot read or read differently', () => {
  test.each([
    ['a repeated section', 'credentials', readFixture('credentials-duplicate.ini'), KEY,
      'the credentials file, line 9, repeats the section [toolkit-user], which makes the whole file unreadable to the AWS CLI v2; merge the two sections. The file is unchanged.'],
    ['a repeated key, in another case', 'config', '[profile mfa]\nregion = a\nRegion = b\n', TOOLKIT,
      'the config file, line 3, repeats the key region of [profile mfa], which makes the whole file unreadable to the AWS CLI v2; keep one. The file is unchanged.'],
    ['a byte order mark', 'config', '\ufeff[default]\nregion = a\n', TOOLKIT,
      'the config file, line 1, starts with a byte order mark (BOM), which makes the whole file unreadable to the AWS CLI v2; save the file as UTF-8 without BOM. The file is unchanged.'],
    ['a stray bracket', 'config', '[profile mfa]\nregion = a\n]\n[profile keep]\n', TOOLKIT,
      'the config file, line 3, is neither a [section], a key = value line nor a comment, which makes the whole file unreadable to the AWS CLI v2; remove it or make it a comment with #. The file is unchanged.'],
    ['a key before the first section', 'config', 'region = a\n[default]\n', TOOLKIT,
      'the config file, line 1, comes before the first [section], which makes the whole file unreadable to the AWS CLI v2; put it under a section or remove it. The file is unchanged.'],
    ['a header with trailing text, which the SDK v3 does not read as a header', 'config', '[profile mfa]\nregion = a\n[profile keep] (notes)\noutput = json\n', TOOLKIT,
      'the config file, line 4, is read differently by the AWS CLI v2 and the SDK v3 (output of profile mfa); fix the line so that both read it alike. The file is unchanged.'],
    ['[profile mfa] and [profile "mfa"]', 'config', '[profile mfa]\nregion = a\n\n[profile "mfa"]\nregion = b\n', TOOLKIT,
      'the config file, line 4, defines profile mfa again (first on line 1): the AWS CLI v2 reads only one of the sections and the SDK v3 merges them; keep one. The file is unchanged.'],
    ['[profile  mfa] with two spaces, a profile only to the AWS CLI v2', 'config', '[profile  mfa]\nregion = a\n', TOOLKIT,
      'the config file, line 1, is profile mfa to the AWS CLI v2 but not to the SDK v3, which reads [profile mfa] with one space and a name of letters, digits and _-@+.%:/; write the header as [profile mfa]. The file is unchanged.'],
    ['[profile.mfa], a profile only to the SDK v3', 'config', '[profile.mfa]\nregion = a\n', TOOLKIT,
      'the config file, line 1, is profile mfa to the SDK v3 but not to the AWS CLI v2; write the header as [profile mfa]. The file is unchanged.'],
    ['an inline comment in the profile', 'config', '[profile mfa]\nregion = us-east-1 # N. Virginia\n', TOOLKIT,
      'the config file, line 2, is read differently by the AWS CLI v2 and the SDK v3 (region of profile mfa: the SDK v3 ends the value at an inline comment, the AWS CLI v2 keeps the comment in the value; put the comment on its own line); fix the line so that both read it alike. The file is unchanged.'],
    ['an upper-case key', 'config', '[profile mfa]\nRegion = us-east-1\n', TOOLKIT,
      'the config file, line 2, is read differently by the AWS CLI v2 and the SDK v3 (region of profile mfa: the AWS CLI v2 lower-cases keys, the SDK v3 does not; write the key in lower case); fix the line so that both read it alike. The file is unchanged.'],
    ['a colon separator', 'config', '[profile mfa]\nregion: us-east-1\n', TOOLKIT,
      'the config file, line 2, is read differently by the AWS CLI v2 and the SDK v3 (region of profile mfa: the AWS CLI v2 also takes ":" as the separator, the SDK v3 only "="; use "="); fix the line so that both read it alike. The file is unchanged.'],
    ['an indented line that continues a value', 'config', '[profile mfa]\nregion = us-east-1\n  output = json\n', TOOLKIT,
      'the config file, line 2, is read differently by the AWS CLI v2 and the SDK v3 (region of profile mfa); fix the line so that both read it alike. The file is unchanged.'],
    ['[DEFAULT] keys', 'config', '[DEFAULT]\nregion = us-east-1\n', TOOLKIT,
      'the config file, line 2, is a key of [DEFAULT], which the AWS CLI v2 gives to every profile and the SDK v3 to none; move it into the profiles that need it. The file is unchanged.'],
    ['a profile named __proto__', 'config', '[profile __proto__]\nregion = a\n', TOOLKIT,
      'the config file, line 1, names the profile __proto__, which makes the SDK v3 read none of the file; rename it. The file is unchanged.'],
    ['a lone carriage return', 'config', '[default]\rregion = a\n', TOOLKIT,
      'the config file, line 1, holds a carriage return without a line feed, which the AWS CLI v2 reads as a line end and the SDK v3 does not; save the file with LF or CRLF line ends. The file is unchanged.'],
    ['sub-settings where a key of the profile goes', 'config', '[profile mfa]\nrole_arn =\n  a = b\n', TOOLKIT,
      'the config file, line 2, gives role_arn of profile mfa sub-settings; remove them, then run this again. The file is unchanged.'],
  ] as const)('fails for %s', (_, kind, text, update, message) => {
    expect(() => setProfiles(text, kind, [update])).toThrow(message);
  });

  test('fails for a file that is not UTF-8, naming the line of the first other byte', () => {
    expect(() => decodeAwsFile(Buffer.from('[default]\nregion = a\n# caf\xe9\n', 'latin1'), '/home/u/.aws/config'))
      .toThrow('/home/u/.aws/config, line 3, holds bytes that are not UTF-8 text, which makes the whole file unreadable to the AWS CLI v2; save the file as UTF-8. The file is unchanged.');
  });

  test('reads UTF-8 text byte for byte', () => {
    const bytes = Buffer.from('# café, 東京\n[default]\nregion = ap-northeast-1\n', 'utf8');
    expect(Buffer.from(decodeAwsFile(bytes, 'config'), 'utf8')).toEqual(bytes);
  });

  test('fails for a profile name that the SDK v3 would not read, or with spaces or brackets', () => {
    expect(() => setProfiles('', 'config', [{ name: 'my profile]', entries: [] }]))
      .toThrow('The profile name "my profile]" is not valid: use letters, digits and _+.@- only.');
    expect(() => checkProfileName('a=b')).toThrow('The profile name "a=b" is not valid: use letters, digits and _+.@- only.');
  });

  test('fails for a value with a line break, which would inject keys', () => {
    expect(() => setProfiles('', 'config', [{ name: 'mfa', entries: [['role_arn', 'x\nmfa_serial = y']] }]))
      .toThrow('The value of role_arn in profile mfa is empty or not printable ASCII without spaces.');
  });
});

describe('renderSections', () => {
  test('separates sections with a blank line', () => {
    expect(renderSections('credentials', [{ name: 'a', entries: [['k', 'v']] }, { name: 'b', entries: [['k', 'w']] }]))
      .toEqual('[a]\nk = v\n\n[b]\nk = w\n');
  });
});

describe('readProfiles', () => {
  test('reads config profiles as the AWS CLI v2 does: sub-settings as parent.key, other sections left out', () => {
    const profiles = readProfiles(readFixture('config-existing.ini'), 'config');
    expect([...profiles.keys()]).toEqual(['default', 'mfa', 'other']);
    expect(profiles.get('mfa')).toEqual({
      role_arn: 'arn:aws:iam::111111111111:role/old-role',
      source_profile: 'old-user',
      mfa_serial: 'arn:aws:iam::111111111111:mfa/old-user',
      region: 'us-west-1',
      cli_pager: '',
    });
    expect(profiles.get('other')).toEqual({ 'region': 'us-west-2', 's3.max_concurrent_requests': '20' });
  });

  test('fails for a credentials file with a repeated section, which the AWS CLI v2 cannot read', () => {
    expect(() => readProfiles(readFixture('credentials-duplicate.ini'), 'credentials', '/home/u/.aws/credentials'))
      .toThrow('/home/u/.aws/credentials, line 9, repeats the section [toolkit-user], which makes the whole file unreadable to the AWS CLI v2; merge the two sections. The file is unchanged.');
  });

  test('knows both readings of a file: the SDK v3 ends values at inline comments', () => {
    const file = parseAwsFile('[default]\nregion = us-east-1 # home\n', 'config', 'config');
    expect(file.cli.profiles.get('default')?.keys).toEqual({ region: 'us-east-1 # home' });
    expect(file.sdk.profiles.get('default')?.keys).toEqual({ region: 'us-east-1' });
  });
});
