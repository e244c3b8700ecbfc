import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as aws from './aws';
import { CliError } from './errors';
import { AwsFileKind, checkProfileName, ProfileSection, readProfiles, renderSections, upsertSections } from './ini';
import { requireValue } from './outputs';
import { updateFile, UpdateResult } from './profile-file';
import { accessKeySection, checkDuration, credentialsStyle, roleProfiles, sessionSection, sourceProfileName } from './profiles';
import { accessKeyOf, seedOf, updatedSeedSecret } from './secrets';
import { loadSource, onlyDelegation, SourceOptions, unknownOutputs } from './source';
import { OTPAUTH_ISSUER, otpauthAccountLabel, TOTP } from '../../../lib/contract';

/**
 * The outside world of a command: environment, stdout (results), stderr (talk), and the terminal.
 */
export interface Io {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Write a result to stdout. */
  readonly out: (text: string) => void;
  /** Write a line of talk to stderr. */
  readonly say: (text: string) => void;
  /** Ask a question on the terminal; undefined when there is no terminal. */
  readonly ask?: (question: string) => Promise<string>;
}

export interface WriteOptions extends SourceOptions {
  readonly profile?: string;
  readonly sourceProfile?: string;
  readonly durationSeconds?: number;
  readonly roleSessionName?: string;
  readonly profileRegion?: string;
  readonly configFile?: string;
  readonly print?: boolean;
  readonly credentialsStyle?: boolean;
  readonly json?: boolean;
}

/**
 * `mfa-profile write`: the role profile of each delegation, into the config file (or printed).
 */
export async function write(options: WriteOptions, io: Io): Promise<void> {
  const source = await loadSource(options, { accountProfiles: true });
  const unknown = unknownOutputs(source);
  if (unknown.length > 0 && !options.json) {
    io.say(`Known only after deploy (${source.origin}):`);
    unknown.forEach(([key, reason]) => io.say(`  ${key}: ${reason}`));
  }
  const profiles = roleProfiles(source.delegations, {
    profile: options.profile,
    sourceProfile: options.sourceProfile,
    durationSeconds: options.durationSeconds,
    roleSessionName: options.roleSessionName,
    region: options.profileRegion,
  });
  const summary = profiles.map((p) => ({
    name: p.name,
    delegation: p.delegation.id,
    sourceProfile: p.sourceProfile,
    settings: Object.fromEntries(p.entries),
  }));
  const unknownBeforeDeploy = Object.fromEntries(unknown);
  if (options.print || options.credentialsStyle) {
    const [kind, sections]: [AwsFileKind, ProfileSection[]] = options.credentialsStyle ? ['credentials', profiles.map(credentialsStyle)] : ['config', profiles];
    if (options.json) {
      io.out(json({ stackName: source.stackName, profiles: summary, unknownBeforeDeploy }));
    } else {
      io.out(renderSections(kind, sections));
    }
    if (options.credentialsStyle) {
      io.say(`The source profile ${profiles.map((p) => `[${p.sourceProfile}]`).join(', ')} with the access key goes in the same file: `
        + '`mfa-profile credentials` writes it.');
    }
    return;
  }
  const file = configFile(options.configFile, io.env);
  const result = await updateFile(file, (current) => upsertSections(current ?? '', 'config', profiles));
  if (options.json) {
    io.out(json({ stackName: source.stackName, file: result.path, profiles: summary, unknownBeforeDeploy, ...fileFacts(result) }));
    return;
  }
  profiles.forEach((p) => io.out(written(result, `profile ${p.name} (source profile ${p.sourceProfile})`)));
  sayBackup(result, io);
}

export interface CredentialsOptions extends SourceOptions {
  readonly sourceProfile?: string;
  readonly credentialsFile?: string;
  readonly print?: boolean;
  readonly showSecret?: boolean;
  readonly json?: boolean;
}

/**
 * `mfa-profile credentials`: the access key from its secret, as the source profile in the credentials file.
 * The secret access key is printed only with `showSecret`.
 */
export async function credentials(options: CredentialsOptions, io: Io): Promise<void> {
  const delegation = onlyDelegation(await loadSource(options));
  const secretArn = requireValue(delegation, 'MfaAccessKeySecretArn');
  const key = accessKeyOf(await aws.secretAccess(secretArn).read(), secretArn);
  const name = options.sourceProfile ?? sourceProfileName(delegation);
  const section = accessKeySection(name, key.accessKeyId, key.secretAccessKey);
  if (options.print || options.showSecret) {
    const shown = options.showSecret ? section : accessKeySection(name, key.accessKeyId, '****');
    io.out(options.json ? json({ profile: name, settings: Object.fromEntries(shown.entries) }) : renderSections('credentials', [shown]));
    if (!options.showSecret) {
      io.say('The secret access key is hidden: add --show-secret to print it.');
    }
    return;
  }
  const file = credentialsFile(options.credentialsFile, io.env);
  const result = await updateFile(file, (current) => upsertSections(current ?? '', 'credentials', [section]));
  if (options.json) {
    io.out(json({ profile: name, accessKeyId: key.accessKeyId, file: result.path, ...fileFacts(result) }));
    return;
  }
  io.out(written(result, `profile ${name} (access key ${key.accessKeyId})`));
  sayBackup(result, io);
}

export interface MfaSetupOptions extends SourceOptions {
  readonly png?: string;
  readonly qr?: boolean;
  readonly showUri?: boolean;
  readonly code1?: string;
  readonly code2?: string;
  readonly forget?: boolean;
  readonly json?: boolean;
}

/**
 * `mfa-profile mfa-setup`: the seed as a QR code (or PNG, or URI on request); enables a device created with
 * `enable: false` with two codes; `forget` removes the seed from its secret.
 */
export async function mfaSetup(options: MfaSetupOptions, io: Io): Promise<void> {
  const delegation = onlyDelegation(await loadSource(options));
  const secretArn = requireValue(delegation, 'MfaSeedSecretArn');
  const seedSecret = aws.secretAccess(secretArn);
  const secret = seedOf(await seedSecret.read(), secretArn);
  const uri = secret.otpauthUri ?? otpauthUriOf(secret.seed, secret.serialNumber);
  const codesGiven = options.code1 !== undefined || options.code2 !== undefined;
  if (secret.enabled && codesGiven) {
    throw new CliError(`The MFA device ${secret.serialNumber} is already enabled: --code1 and --code2 are not needed.`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const qrcode = (): typeof import('qrcode') => require('qrcode');
  if (options.png !== undefined) {
    const png = await qrcode().toBuffer(uri, { type: 'png' });
    const result = await updateFile(options.png, () => png.toString('latin1'), { backup: false });
    io.say(`Wrote the QR code of ${secret.serialNumber} to ${result.path}: it holds the seed, so delete it once scanned.`);
  } else if (options.qr !== false && !options.json) {
    io.say(`Scan this QR code with the authenticator app (MFA device ${secret.serialNumber} of ${secret.userName}):`);
    io.out(await qrcode().toString(uri, { type: 'terminal', small: true }));
  }
  if (options.showUri && !options.json) {
    io.out(uri);
  }
  const enabling = !secret.enabled;
  if (enabling) {
    const code1 = checkCode(options.code1 ?? await ask(io, 'First code from the authenticator app: ', '--code1 and --code2'), '--code1');
    const code2 = checkCode(options.code2 ?? await ask(io, 'The next code (wait for it to change): ', '--code1 and --code2'), '--code2');
    await aws.enableMfaDevice(secret.userName, secret.serialNumber, code1, code2);
    io.say(`Enabled the MFA device ${secret.serialNumber}.`);
  }
  if (enabling || options.forget) {
    await seedSecret.write(updatedSeedSecret(secret, { enabled: true, forget: options.forget === true }));
  }
  if (options.forget) {
    io.say(`Removed the seed from the secret ${secretArn}: only the authenticator app holds it now.`);
  }
  if (options.json) {
    io.out(json({
      serialNumber: secret.serialNumber,
      userName: secret.userName,
      // The device was enabled already, or has just been: a failure to enable it ends the command before this.
      enabled: true,
      forgotten: options.forget === true,
      png: options.png,
      otpauthUri: options.showUri ? uri : undefined,
    }));
  }
}

export interface SessionOptions {
  readonly profile: string;
  readonly tokenCode?: string;
  readonly serialNumber?: string;
  readonly sessionProfile?: string;
  readonly durationSeconds?: number;
  readonly region?: string;
  readonly configFile?: string;
  readonly credentialsFile?: string;
  readonly json?: boolean;
}

/** `GetSessionToken` of an IAM user: 15 minutes to 36 hours. */
const MAX_SESSION_TOKEN_SECONDS = 129600;

/**
 * `mfa-profile session`: `aws sts get-session-token` with the source profile's MFA serial; the temporary credentials
 * go into a profile of the credentials file (default `SOURCE-mfa`).
 */
export async function session(options: SessionOptions, io: Io): Promise<void> {
  const source = checkProfileName(options.profile);
  const target = checkProfileName(options.sessionProfile ?? `${source}-mfa`);
  if (target === source) {
    throw new CliError(`The session profile would replace the source profile ${source}: name it with --session-profile.`);
  }
  const durationSeconds = options.durationSeconds === undefined ? undefined : checkDuration(options.durationSeconds, MAX_SESSION_TOKEN_SECONDS);
  const config = configFile(options.configFile, io.env);
  const creds = credentialsFile(options.credentialsFile, io.env);
  const profiles = readProfiles(await readIfExists(config), 'config');
  if (!profiles.has(source) && !readProfiles(await readIfExists(creds), 'credentials').has(source)) {
    throw new CliError(`There is no profile ${source} in ${creds} or ${config}: write it with mfa-profile credentials first.`);
  }
  const serialNumber = options.serialNumber ?? mfaSerialOf(profiles, source);
  const region = options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? profiles.get(source)?.region ?? profiles.get('default')?.region
    ?? aws.regionOfArn(serialNumber) ?? 'us-east-1';
  const tokenCode = checkCode(options.tokenCode ?? await ask(io, `MFA code for ${serialNumber}: `, '--token-code'), '--token-code');
  // The SDK reads the source profile's keys from the files this command uses, and from nowhere else.
  process.env.AWS_CONFIG_FILE = config;
  process.env.AWS_SHARED_CREDENTIALS_FILE = creds;
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  delete process.env.AWS_SESSION_TOKEN;
  const temporary = await aws.getSessionToken({ profile: source, region, serialNumber, tokenCode, durationSeconds });
  const result = await updateFile(creds, (current) => upsertSections(current ?? '', 'credentials', [sessionSection(target, temporary)]));
  const expiration = temporary.expiration.toISOString();
  if (options.json) {
    io.out(json({ profile: target, file: result.path, accessKeyId: temporary.accessKeyId, expiration, ...fileFacts(result) }));
    return;
  }
  const hours = Math.round((temporary.expiration.getTime() - Date.now()) / 360_000) / 10;
  io.out(`Wrote temporary credentials to profile ${target} in ${result.path}; they expire at ${expiration} (in ${hours} hours).`);
  sayBackup(result, io);
}

/**
 * The MFA serial of a source profile in the config file: its own `mfa_serial`, else the one of the role profiles
 * whose `source_profile` it is (what `mfa-profile write` wrote).
 */
export function mfaSerialOf(profiles: ReadonlyMap<string, Record<string, string>>, source: string): string {
  const own = profiles.get(source)?.mfa_serial;
  if (own) {
    return own;
  }
  const serials = [...new Set([...profiles.values()].filter((p) => p.source_profile === source && p.mfa_serial).map((p) => p.mfa_serial))];
  if (serials.length === 1) {
    return serials[0];
  }
  throw new CliError(serials.length === 0
    ? `No profile in the config file names the MFA serial of ${source}: run mfa-profile write first, or pass --serial-number.`
    : `Profiles in the config file name several MFA serials for ${source} (${serials.join(', ')}): pass --serial-number.`);
}

/**
 * The config file: the option, else `AWS_CONFIG_FILE`, else `~/.aws/config`.
 */
export function configFile(option: string | undefined, env: Io['env']): string {
  return expandHome(option ?? env.AWS_CONFIG_FILE ?? '~/.aws/config', env);
}

/**
 * The credentials file: the option, else `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
 */
export function credentialsFile(option: string | undefined, env: Io['env']): string {
  return expandHome(option ?? env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials', env);
}

function expandHome(file: string, env: Io['env']): string {
  return path.resolve(file.replace(/^~(?=$|[\\/])/, env.HOME ?? os.homedir()));
}

async function readIfExists(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return '';
    }
    throw new CliError(`Cannot read ${file} (${(e as NodeJS.ErrnoException).code}).`);
  }
}

function checkCode(code: string, option: string): string {
  if (!/^\d{6}$/.test(code)) {
    throw new CliError(`${option} must be the 6 digits the authenticator app shows.`);
  }
  return code;
}

async function ask(io: Io, question: string, options: string): Promise<string> {
  if (!io.ask) {
    throw new CliError(`No terminal to ask for codes on: pass ${options}.`);
  }
  return (await io.ask(question)).trim();
}

/**
 * The `otpauth://` URI of a seed whose secret has none, with the label and parameters the device handler writes
 * (lib/contract.ts): `<user>@<account>`, issuer AWS.
 */
function otpauthUriOf(seed: string, serialNumber: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const OTPAuth: typeof import('otpauth') = require('otpauth');
  const [, , , , account = '', resource = ''] = serialNumber.split(':');
  let secret: InstanceType<typeof OTPAuth.Secret>;
  try {
    secret = OTPAuth.Secret.fromBase32(seed);
  } catch {
    throw new CliError(`The seed of the MFA device ${serialNumber} is not valid base32 (RFC 4648: letters A-Z and digits 2-7).`);
  }
  return new OTPAuth.TOTP({
    issuer: OTPAUTH_ISSUER,
    label: otpauthAccountLabel(resource.split('/').pop() ?? '', account),
    secret,
    algorithm: TOTP.algorithm,
    digits: TOTP.digits,
    period: TOTP.periodSeconds,
  }).toString();
}

function fileFacts(result: UpdateResult): { created: boolean; changed: boolean; backup?: string } {
  return { created: result.created, changed: result.changed, backup: result.backup };
}

function written(result: UpdateResult, what: string): string {
  return result.changed ? `Wrote ${what} to ${result.path}.` : `${result.path} already holds ${what}; it is unchanged.`;
}

function sayBackup(result: UpdateResult, io: Io): void {
  if (result.backup) {
    io.say(`The previous content is in ${result.backup}.`);
  }
}

function json(value: unknown): string {
  return JSON.stringify(value, undefined, 2);
}
