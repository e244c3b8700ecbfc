import { Duration, Token } from 'aws-cdk-lib';

/**
 * Validation helpers shared by the constructs. Each returns nothing and throws an Error whose message names the bad
 * value and what is allowed. Unresolved Tokens are skipped: they are only known at deploy time.
 */

const IAM_NAME = /^[\w+=,.@-]+$/;
const IAM_PATH = /^\/([\u0021-\u007E]*\/)?$/;
const ACCOUNT_ID = /^\d{12}$/;

/** The longest session that GetSessionToken gives an IAM user (36 hours), the upper bound for an MFA age. */
export const MAX_MFA_AGE_SECONDS = 129_600;

/**
 * An IAM user, role or MFA device name: 1 to 64 characters of `[A-Za-z0-9_+=,.@-]`.
 */
export function validateIamName(what: string, name: string | undefined, maxLength = 64): void {
  if (name === undefined || Token.isUnresolved(name)) {
    return;
  }
  if (name.length < 1 || name.length > maxLength || !IAM_NAME.test(name)) {
    throw new Error(`${what} must be 1 to ${maxLength} characters of letters, digits and _+=,.@- but got '${name}'`);
  }
}

/**
 * The name of an AWS profile that the stack outputs suggest to `mfa-profile`: an IAM-style name, and not `default`, the
 * profile every AWS tool uses when none is named, which `mfa-profile` never takes over. `derived` says where a name
 * that was not given comes from.
 */
export function validateProfileName(what: string, name: string | undefined, derived = ''): void {
  validateIamName(what, name);
  if (name === 'default') {
    throw new Error(`${what} is 'default'${derived}, the profile every AWS tool uses when none is named, which mfa-profile never takes over: `
      + 'choose any other name');
  }
}

/**
 * An IAM path: 1 to 512 characters, starting and ending with `/`, printable ASCII in between.
 */
export function validateIamPath(what: string, path: string | undefined): void {
  if (path === undefined || Token.isUnresolved(path)) {
    return;
  }
  if (path.length < 1 || path.length > 512 || !IAM_PATH.test(path)) {
    throw new Error(`${what} must be 1 to 512 characters that start and end with '/' (printable ASCII in between), but got '${path}'`);
  }
}

/**
 * An AWS account id: exactly 12 digits.
 */
export function validateAccountId(what: string, account: string | undefined): void {
  if (account === undefined || Token.isUnresolved(account)) {
    return;
  }
  if (!ACCOUNT_ID.test(account)) {
    throw new Error(`${what} must be a 12-digit AWS account id, but got '${account}'`);
  }
}

/**
 * A duration in whole seconds within [min, max].
 */
export function validateDuration(what: string, duration: Duration | undefined, minSeconds: number, maxSeconds: number): void {
  if (duration === undefined || Token.isUnresolved(duration.toSeconds({ integral: false }))) {
    return;
  }
  const seconds = duration.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < minSeconds || seconds > maxSeconds) {
    throw new Error(`${what} must be a whole number of seconds from ${minSeconds} to ${maxSeconds}, but got ${seconds}`);
  }
}

/**
 * An MFA device serial number: the ARN of a virtual device (`arn:aws:iam::123456789012:mfa/name`) or the serial of a
 * hardware device (9 to 256 characters of `[\w+=/:,.@-]`).
 */
export function validateMfaSerial(serialNumber: string): void {
  if (Token.isUnresolved(serialNumber)) {
    return;
  }
  const isArn = /^arn:aws[a-z-]*:iam::\d{12}:(mfa|u2f)\/[\u0021-\u007E]+$/.test(serialNumber);
  const isHardwareSerial = /^[\w+=/:,.@-]{9,256}$/.test(serialNumber) && !serialNumber.startsWith('arn:');
  if (!isArn && !isHardwareSerial) {
    throw new Error('serialNumber must be an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) or a hardware serial '
      + `(9 to 256 characters of letters, digits and _+=/:,.@-), but got '${serialNumber}'`);
  }
}
