import { readFixture } from './support/cli';
import { readProfiles, renderSections, sectionHeader, upsertSections } from '../src/ini';

const TOOLKIT = {
  name: 'mfa',
  entries: [
    ['role_arn', 'arn:aws:iam::111111111111:role/toolkit-role'],
    ['source_profile', 'toolkit-user'],
    ['mfa_serial', 'arn:aws:iam::111111111111:mfa/toolkit-user'],
  ] as Array<[string, string]>,
};
const DEPLOY = {
  name: 'deploy',
  entries: [
    ['role_arn', 'arn:aws:iam::111111111111:role/deploy/deploy-role'],
    ['source_profile', 'deploy-user'],
    ['mfa_serial', 'arn:aws:iam::111111111111:mfa/deploy-user'],
  ] as Array<[string, string]>,
};
const TOOLKIT_TEXT = '[profile mfa]\n'
  + 'role_arn = arn:aws:iam::111111111111:role/toolkit-role\n'
  + 'source_profile = toolkit-user\n'
  + 'mfa_serial = arn:aws:iam::111111111111:mfa/toolkit-user\n';

describe('section headers', () => {
  test('a config profile is [profile NAME], but [default] stays [default]', () => {
    expect(sectionHeader('config', 'mfa')).toEqual('[profile mfa]');
    expect(sectionHeader('config', 'default')).toEqual('[default]');
  });

  test('a credentials profile is [NAME]', () => {
    expect(sectionHeader('credentials', 'toolkit-user')).toEqual('[toolkit-user]');
  });
});

describe('upsertSections', () => {
  test('writes a new file as the section alone', () => {
    expect(upsertSections('', 'config', [TOOLKIT])).toEqual(TOOLKIT_TEXT);
  });

  test('replaces a same-named profile with odd spacing in place and appends a new one, keeping every other byte', () => {
    // GIVEN comments, [default], `[ profile  mfa ]`, a nested key, `[mfa]` (not a profile in config), an sso-session
    const existing = readFixture('config-existing.ini');

    // WHEN
    const result = upsertSections(existing, 'config', [TOOLKIT, DEPLOY]);

    // THEN
    expect(result).toEqual(readFixture('config-existing.expected.ini'));
  });

  test('keeps CRLF line ends and uses them for the new lines', () => {
    const crlf = (text: string) => text.replace(/\n/g, '\r\n');
    const result = upsertSections(crlf(readFixture('config-existing.ini')), 'config', [TOOLKIT, DEPLOY]);
    expect(result).toEqual(crlf(readFixture('config-existing.expected.ini')));
  });

  test('removes later sections of the same name, so that none of their keys wins over the new ones', () => {
    const result = upsertSections(readFixture('credentials-duplicate.ini'), 'credentials', [{
      name: 'toolkit-user',
      entries: [['aws_access_key_id', 'AKIAIOSFODNN7EXAMPLE'], ['aws_secret_access_key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']],
    }]);
    expect(result).toEqual(readFixture('credentials-duplicate.expected.ini'));
  });

  test('appends after a last line without a line end, with one blank line between', () => {
    expect(upsertSections('[default]\nregion = eu-west-1', 'config', [TOOLKIT])).toEqual(`[default]\nregion = eu-west-1\n\n${TOOLKIT_TEXT}`);
  });

  test('appends without another blank line when the file already ends with one', () => {
    expect(upsertSections('[default]\nregion = eu-west-1\n\n', 'config', [TOOLKIT])).toEqual(`[default]\nregion = eu-west-1\n\n${TOOLKIT_TEXT}`);
  });

  test('replaces [default] and [profile default] in the config file', () => {
    const section = { name: 'default', entries: [['region', 'us-east-1']] as Array<[string, string]> };
    expect(upsertSections('[profile default]\nregion = eu-west-1\n# end\n', 'config', [section])).toEqual('[default]\nregion = us-east-1\n# end\n');
  });

  test('replaces the last section of a file that has no final line end', () => {
    expect(upsertSections('# top\n[profile mfa]\nrole_arn = old', 'config', [TOOLKIT])).toEqual(`# top\n${TOOLKIT_TEXT}`);
  });

  test('writing the same section again changes nothing', () => {
    const once = upsertSections(readFixture('config-existing.ini'), 'config', [TOOLKIT]);
    expect(upsertSections(once, 'config', [TOOLKIT])).toEqual(once);
  });

  test('fails for a profile name with spaces or brackets', () => {
    expect(() => upsertSections('', 'config', [{ name: 'my profile]', entries: [] }]))
      .toThrow('The profile name "my profile]" is not valid: use letters, digits and _+=,.@- only.');
  });

  test('fails for a value with a line break, which would inject keys', () => {
    expect(() => upsertSections('', 'config', [{ name: 'mfa', entries: [['role_arn', 'x\nmfa_serial = y']] }]))
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
  test('reads first-level keys of config profiles, tolerant of spacing, ignoring other sections', () => {
    const profiles = readProfiles(readFixture('config-existing.ini'), 'config');
    expect([...profiles.keys()]).toEqual(['default', 'mfa', 'other']);
    expect(profiles.get('mfa')).toEqual({
      role_arn: 'arn:aws:iam::111111111111:role/old-role',
      source_profile: 'old-user',
      mfa_serial: 'arn:aws:iam::111111111111:mfa/old-user',
    });
    expect(profiles.get('other')).toEqual({ region: 'us-west-2', s3: '' });
  });

  test('merges sections of one name in the credentials file, the later key winning', () => {
    expect(readProfiles(readFixture('credentials-duplicate.ini'), 'credentials').get('toolkit-user')).toEqual({
      aws_access_key_id: 'AKIAOLDOLDOLDOLDOLD0',
      aws_secret_access_key: 'old-secret',
      region: 'us-east-2',
    });
  });
});
