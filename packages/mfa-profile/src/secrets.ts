import { CliError } from './errors';
import { isJsonObject, parseJson } from './outputs';
import { AccessKeySecretValue, PENDING_SECRET_KEY, SeedSecretValue } from '../../../lib/contract';

/**
 * The access key in a secret (DESIGN.md): the access key secret `{ "userName", "accessKeyId", "secretAccessKey" }`, or
 * the seed secret of a device that keeps its user's access key too (`VirtualMfaDevice`'s `accessKey`, an `MfaTeam`
 * member), which has the same three fields besides the seed's.
 */
export interface AccessKey {
  readonly userName?: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * The seed secret (DESIGN.md), as written by the custom resource handler and changed by `mfa-setup`; it may hold an
 * access key too (`accessKeyId`, `secretAccessKey`), which `raw` keeps.
 */
export interface SeedSecret {
  readonly serialNumber: string;
  readonly userName: string;
  readonly seed: string;
  readonly otpauthUri?: string;
  readonly enabled: boolean;
  /** Every key of the secret, to write it back with only the intended changes. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * The access key in a secret's `SecretString`. Errors name the secret, never its content.
 */
export function accessKeyOf(secretString: string, secretArn: string): AccessKey {
  const raw: Partial<Record<keyof AccessKeySecretValue, unknown>> = objectOf(secretString, secretArn);
  if (PENDING_SECRET_KEY in raw) {
    throw new CliError(`The secret ${secretArn} holds no access key yet: the MFA device that keeps it there has not been created.`);
  }
  if (typeof raw.accessKeyId !== 'string' || typeof raw.secretAccessKey !== 'string' || raw.accessKeyId === '' || raw.secretAccessKey === '') {
    throw new CliError(`The secret ${secretArn} does not hold an access key (accessKeyId and secretAccessKey).`);
  }
  return {
    userName: typeof raw.userName === 'string' ? raw.userName : undefined,
    accessKeyId: raw.accessKeyId,
    secretAccessKey: raw.secretAccessKey,
  };
}

/**
 * The MFA seed in a secret's `SecretString`; a placeholder (the device does not exist yet) or a forgotten seed fail.
 */
export function seedOf(secretString: string, secretArn: string): SeedSecret {
  const raw: Partial<Record<keyof SeedSecretValue, unknown>> = objectOf(secretString, secretArn);
  if (PENDING_SECRET_KEY in raw) {
    throw new CliError(`The secret ${secretArn} holds no seed yet: the MFA device has not been created.`);
  }
  if (raw.forgotten === true) {
    throw new CliError(`The seed was removed from the secret ${secretArn} (mfa-setup --forget): only the authenticator app holds it.`);
  }
  const { serialNumber, userName, seed, otpauthUri, enabled } = raw;
  if (typeof serialNumber !== 'string' || typeof userName !== 'string' || typeof seed !== 'string' || seed === '') {
    throw new CliError(`The secret ${secretArn} does not hold an MFA seed (serialNumber, userName and seed).`);
  }
  return {
    serialNumber,
    userName,
    seed,
    otpauthUri: typeof otpauthUri === 'string' ? otpauthUri : undefined,
    enabled: enabled !== false,
    raw,
  };
}

function objectOf(secretString: string, secretArn: string): Record<string, unknown> {
  const raw = parseJson(secretString, `The secret ${secretArn}`);
  if (!isJsonObject(raw)) {
    throw new CliError(`The secret ${secretArn} does not hold a JSON object.`);
  }
  return raw;
}
