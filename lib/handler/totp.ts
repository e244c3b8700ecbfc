import * as OTPAuth from 'otpauth';
import { TOTP } from '../contract';

/**
 * Length of a TOTP time step in seconds (RFC 6238 default, the only value AWS virtual MFA devices use).
 */
export const TOTP_PERIOD_SECONDS: number = TOTP.periodSeconds;

/**
 * Number of digits of an AWS MFA code.
 */
export const TOTP_DIGITS: number = TOTP.digits;

/**
 * The TOTP code (HMAC-SHA1, 30 s steps) of a base32 seed at a point in time.
 *
 * @param seedBase32 the shared secret in base32 (RFC 4648), as IAM's `Base32StringSeed`
 * @param timeMs the time in milliseconds since the epoch
 * @param digits the length of the code
 */
export function totpCode(seedBase32: string, timeMs: number, digits = TOTP_DIGITS): string {
  return OTPAuth.TOTP.generate({
    secret: secretOf(seedBase32),
    algorithm: TOTP.algorithm,
    digits,
    period: TOTP_PERIOD_SECONDS,
    timestamp: timeMs,
  });
}

/**
 * The codes of the previous and the current time step: what `EnableMFADevice` and `ResyncMFADevice` want as
 * `AuthenticationCode1` and `AuthenticationCode2`.
 *
 * @param seedBase32 the shared secret in base32
 * @param nowMs the current time in milliseconds since the epoch
 */
export function consecutiveCodes(seedBase32: string, nowMs: number): [string, string] {
  return [totpCode(seedBase32, nowMs - TOTP_PERIOD_SECONDS * 1000), totpCode(seedBase32, nowMs)];
}

/**
 * What an `otpauth://` URI names.
 */
export interface OtpauthUriOptions {
  /** The shared secret in base32. */
  readonly seed: string;
  /** The account label shown by the authenticator app, e.g. `toolkit-user@111111111111`. */
  readonly account: string;
  /** The issuer shown by the authenticator app, e.g. `Amazon Web Services`. */
  readonly issuer: string;
}

/**
 * The `otpauth://totp/...` URI (Key Uri Format) that authenticator apps import, usually as a QR code:
 * `otpauth://totp/<issuer>:<account>?issuer=<issuer>&secret=<seed>&algorithm=SHA1&digits=6&period=30`.
 */
export function otpauthUri(options: OtpauthUriOptions): string {
  return new OTPAuth.TOTP({
    issuer: options.issuer,
    label: options.account,
    secret: secretOf(options.seed),
    algorithm: TOTP.algorithm,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}

/**
 * The secret of a base32 seed (case and spaces ignored). The error never quotes the seed.
 */
function secretOf(seedBase32: string): OTPAuth.Secret {
  let secret: OTPAuth.Secret;
  try {
    secret = OTPAuth.Secret.fromBase32(seedBase32);
  } catch {
    throw new Error('The TOTP seed is not valid base32 (RFC 4648: letters A-Z and digits 2-7).');
  }
  if (secret.bytes.length === 0) {
    throw new Error('The TOTP seed is empty.');
  }
  return secret;
}
