import { consecutiveCodes, otpauthUri, totpCode } from '../lib/handler/totp';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');
const RFC_SEED_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('totpCode', () => {
  test('the RFC 6238 seed is the base32 form of the ASCII test key', () => {
    // THEN
    expect(base32Encode(RFC_SEED)).toEqual(RFC_SEED_BASE32);
  });

  test.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('matches the RFC 6238 Appendix B SHA-1 vector at T=%d', (seconds, expected) => {
    // WHEN
    const code = totpCode(RFC_SEED_BASE32, seconds * 1000, 8);

    // THEN
    expect(code).toEqual(expected);
  });

  test('gives 6 digits by default (the last 6 digits of the 8-digit vector)', () => {
    // WHEN
    const code = totpCode(RFC_SEED_BASE32, 1111111109 * 1000);

    // THEN
    expect(code).toEqual('081804');
  });

  test('keeps leading zeros', () => {
    // GIVEN: the 8-digit code at T=1111111109 is 07081804
    // WHEN
    const code = totpCode(RFC_SEED_BASE32, 1111111109 * 1000, 8);

    // THEN
    expect(code).toHaveLength(8);
    expect(code.startsWith('0')).toBe(true);
  });

  test('is the same for every moment of one 30 s step', () => {
    // GIVEN: 1111111110 s is the start of a step (37037037 * 30)
    const start = 1111111110 * 1000;

    // THEN
    expect(totpCode(RFC_SEED_BASE32, start)).toEqual(totpCode(RFC_SEED_BASE32, start + 29_999));
    expect(totpCode(RFC_SEED_BASE32, start)).not.toEqual(totpCode(RFC_SEED_BASE32, start + 30_000));
  });

  test('ignores case, spaces and padding of the seed', () => {
    // GIVEN
    const messy = 'gezd gnbv gy3t qojq gezd gnbv gy3t qojq====';

    // THEN
    expect(totpCode(messy, 59_000)).toEqual(totpCode(RFC_SEED_BASE32, 59_000));
  });

  test('fails for a seed that is not base32, without quoting the seed', () => {
    // WHEN
    const attempt = () => totpCode('GEZD-GNBV', 59_000);

    // THEN
    expect(attempt).toThrow('The TOTP seed is not valid base32 (RFC 4648: letters A-Z and digits 2-7).');
  });

  test('fails for an empty seed', () => {
    // THEN
    expect(() => totpCode('', 59_000)).toThrow('The TOTP seed is empty.');
  });
});

describe('consecutiveCodes', () => {
  test('are the 6-digit codes of the previous and the current 30 s step', () => {
    // GIVEN
    const now = 1234567890 * 1000;

    // WHEN
    const [first, second] = consecutiveCodes(RFC_SEED_BASE32, now);

    // THEN
    expect(first).toEqual(totpCode(RFC_SEED_BASE32, now - 30_000));
    expect(second).toEqual(totpCode(RFC_SEED_BASE32, now));
    expect(second).toEqual('005924');
    expect(first).toMatch(/^\d{6}$/);
    expect(first).not.toEqual(second);
  });

  test('step T-1 is the step just before T even at the very start of a step', () => {
    // GIVEN: the first millisecond of a step
    const now = 1111111110 * 1000;

    // WHEN
    const [first] = consecutiveCodes(RFC_SEED_BASE32, now);

    // THEN
    expect(first).toEqual(totpCode(RFC_SEED_BASE32, now - 1));
  });
});

describe('otpauthUri', () => {
  test('names issuer, account, secret and the AWS parameters', () => {
    // WHEN
    const uri = otpauthUri({ seed: RFC_SEED_BASE32, account: 'toolkit-user@111111111111', issuer: 'Amazon Web Services' });

    // THEN
    expect(uri).toEqual('otpauth://totp/Amazon%20Web%20Services:toolkit-user%40111111111111'
      + `?issuer=Amazon%20Web%20Services&secret=${RFC_SEED_BASE32}&algorithm=SHA1&digits=6&period=30`);
  });

  test('escapes the issuer and the account', () => {
    // WHEN
    const uri = new URL(otpauthUri({ seed: RFC_SEED_BASE32, account: 'a:b c/d?', issuer: 'A&B Co' }));

    // THEN
    expect(uri.protocol).toEqual('otpauth:');
    expect(uri.host).toEqual('totp');
    expect(uri.pathname).toEqual('/A%26B%20Co:a%3Ab%20c%2Fd%3F');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'A&B Co',
      secret: RFC_SEED_BASE32,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });

  test('writes the seed in canonical base32', () => {
    // WHEN
    const uri = new URL(otpauthUri({ seed: 'gezd gnbv gy3t qojq gezd gnbv gy3t qojq', account: 'u', issuer: 'i' }));

    // THEN
    expect(uri.searchParams.get('secret')).toEqual(RFC_SEED_BASE32);
  });
});

/** An independent RFC 4648 base32 encoder, to check the test key. */
function base32Encode(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  return (bits.match(/.{1,5}/g) ?? []).map((chunk) => alphabet[parseInt(chunk.padEnd(5, '0'), 2)]).join('');
}
