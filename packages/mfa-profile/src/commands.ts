import { ensureAccessKey } from './access-key';
import * as aws from './aws';
import { CliError } from './errors';
import { configFile, credentialsFile, editAwsFile, Io, readAwsFile } from './files';
import { AwsFileKind, checkProfileName, ProfileSection, renderSections } from './ini';
import { requireValue } from './outputs';
import { updateFile, UpdateResult } from './profile-file';
import { accessKeySection, checkDuration, credentialsStyle, knownRoleProfiles, RoleProfile, sessionSection, sourceProfileName } from './profiles';
import { accessKeyOf, seedOf } from './secrets';
import { loadSource, onlyDelegation, SourceOptions, unknownOutputs } from './source';
import { OTPAUTH_ISSUER, otpauthAccountLabel, TOTP } from '../../../lib/contract';

export type { Io } from './files';

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
  /** Take over `[default]` or a profile that holds other credentials (removing those keys). */
  readonly force?: boolean;
  /** Replace the profile's keys instead of merging into them (the old behaviour). */
  readonly replace?: boolean;
}

/**
 * The keys that make a config profile someone else's way to credentials: `write` and `setup` do not take such a
 * profile over without `--force` (and then remove them).
 */
export const NOT_A_ROLE_PROFILE = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'credential_source', 'credential_process',
  'sso_session', 'sso_start_url', 'sso_account_id', 'sso_role_name', 'sso_region', 'web_identity_token_file'];

/**
 * Write role profiles into the config file, merging into existing ones; `default` and profiles holding other
 * credentials are refused unless `force`.
 */
export async function writeRoleProfiles(file: string, profiles: readonly RoleProfile[],
  options: { readonly force?: boolean; readonly replace?: boolean }):
  Promise<UpdateResult> {
  const existing = (await readAwsFile(file, 'config')).cli.profiles;
  for (const profile of profiles) {
    if (profile.name === 'default' && !options.force) {
      throw new CliError(`The role profile would be [default] in ${file}, which this command does not take over: name another with --profile, or pass --force.`);
    }
    const foreign = Object.keys(existing.get(profile.name)?.keys ?? {}).filter((k) => NOT_A_ROLE_PROFILE.includes(k));
    if (foreign.length > 0 && !options.force) {
      throw new CliError(`Profile ${profile.name} in ${file} holds ${foreign.join(', ')}: it gets its credentials another way and is not this command's `
        + 'to change; name another with --profile, or pass --force to replace those keys.');
    }
  }
  return editAwsFile(file, 'config', profiles.map((p) => ({ ...p, replace: options.replace, remove: options.force ? NOT_A_ROLE_PROFILE : [] })));
}

/**
 * `mfa-profile write`: the role profile of each delegation, into the config file (or printed).
 */
export async function write(options: WriteOptions, io: Io): Promise<void> {
  const source = await loadSource(options, { accountProfiles: true });
  // A preview writes the profiles it can make, and names each one it cannot, and why.
  const { profiles, notPreviewable } = knownRoleProfiles(source.delegations, {
    profile: options.profile,
    sourceProfile: options.sourceProfile,
    durationSeconds: options.durationSeconds,
    roleSessionName: options.roleSessionName,
    region: options.profileRegion,
  });
  const unknown = unknownOutputs(profiles.map((p) => p.delegation));
  if (!options.json) {
    notPreviewable.forEach((sentence) => io.say(sentence));
    if (unknown.length > 0) {
      io.say(`Known only after deploy (${source.origin}):`);
      unknown.forEach(([key, reason]) => io.say(`  ${key}: ${reason}`));
    }
  }
  const summary = profiles.map((p) => ({
    name: p.name,
    delegation: p.delegation.id,
    sourceProfile: p.sourceProfile,
    settings: Object.fromEntries(p.entries),
  }));
  const unknownBeforeDeploy = Object.fromEntries(unknown);
  const notPreviewed = notPreviewable.length > 0 ? { notPreviewable } : {};
  if (options.print || options.credentialsStyle) {
    const [kind, sections]: [AwsFileKind, ProfileSection[]] = options.credentialsStyle ? ['credentials', profiles.map(credentialsStyle)] : ['config', profiles];
    if (options.json) {
      io.out(json({ stackName: source.stackName, profiles: summary, unknownBeforeDeploy, ...notPreviewed }));
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
  const result = await writeRoleProfiles(file, profiles, options);
  if (options.json) {
    io.out(json({ stackName: source.stackName, file: result.path, profiles: summary, unknownBeforeDeploy, ...notPreviewed, ...fileFacts(result) }));
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
  readonly force?: boolean;
}

/**
 * `mfa-profile credentials`: the source profile's access key. For stacks of this version (`…MfaAccessKey` = `true`, a
 * team member with `accessKey`), the key is created with the caller's IAM rights and written (0600) into the
 * credentials file only, or the key the file holds is kept while IAM lists it (`ensureAccessKey`). Stacks of earlier
 * versions kept the key in a secret (`…MfaAccessKeySecretArn`): it is read from there, and the sentence says to update.
 */
export async function credentials(options: CredentialsOptions, io: Io): Promise<void> {
  const delegation = onlyDelegation(await loadSource(options));
  const name = checkProfileName(options.sourceProfile ?? sourceProfileName(delegation));
  const file = credentialsFile(options.credentialsFile, io.env);
  if (delegation.values.MfaAccessKey === undefined && ('MfaAccessKeySecretArn' in delegation.values || 'MfaAccessKeySecretArn' in delegation.unknown)) {
    await legacyCredentials(options, io, requireValue(delegation, 'MfaAccessKeySecretArn'), name, file);
    return;
  }
  if (delegation.values.MfaAccessKey !== 'true') {
    throw new CliError(`Stack ${delegation.stackName} gives ${delegation.id} no access key (accessKey: false): the source profile ${name} `
      + 'needs credentials of that user from elsewhere.');
  }
  if (options.print || options.showSecret) {
    throw new CliError('This stack keeps no access key anywhere to print: run mfa-profile credentials without --print to create one into the credentials file.');
  }
  const userName = requireValue(delegation, 'MfaUserName');
  const key = await ensureAccessKey({
    userName, userArn: delegation.values.MfaUserArn, profile: name, credentialsFile: file, force: options.force,
  }, io);
  if (options.json) {
    io.out(json({ profile: name, accessKeyId: key.accessKeyId, file: key.file, reused: key.reused, deleted: key.deleted }));
    return;
  }
  io.out(accessKeySentence(name, userName, key));
}

/** What `ensureAccessKey` did, in one sentence. */
export function accessKeySentence(profile: string, userName: string,
  key: { accessKeyId: string; reused: boolean; deleted: readonly string[]; file: string }): string {
  const deleted = key.deleted.length === 0 ? '' : ` Deleted ${key.deleted.join(', ')}, made by an earlier run and held by no file.`;
  return key.reused
    ? `Kept access key ${key.accessKeyId} of ${userName} in profile ${profile} of ${key.file}: IAM still lists it.`
    : `Created access key ${key.accessKeyId} for ${userName} and wrote it to profile ${profile} in ${key.file} (mode 0600); it is stored nowhere else.${deleted}`;
}

/** Stacks of earlier versions: the access key from its secret. */
export async function legacyCredentials(options: CredentialsOptions, io: Io, secretArn: string, name: string, file: string): Promise<void> {
  io.say(`This stack keeps the access key in a secret (${secretArn}), as versions before 0.2 did: update the stack with this version, `
    + 'which keeps no access key in AWS, then run mfa-profile setup.');
  const key = accessKeyOf(await aws.secretAccess(secretArn).read(), secretArn);
  const section = accessKeySection(name, key.accessKeyId, key.secretAccessKey);
  if (options.print || options.showSecret) {
    const shown = options.showSecret ? section : accessKeySection(name, key.accessKeyId, '****');
    io.out(options.json ? json({ profile: name, settings: Object.fromEntries(shown.entries) }) : renderSections('credentials', [shown]));
    if (!options.showSecret) {
      io.say('The secret access key is hidden: add --show-secret to print it.');
    }
    return;
  }
  const result = await editAwsFile(file, 'credentials', [section], { secret: true });
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
  const secret = seedOf(await aws.secretAccess(secretArn).read(), secretArn);
  const enabled = secret.enabled || await aws.isMfaDeviceEnabled(secret.userName, secret.serialNumber);
  const codesGiven = options.code1 !== undefined || options.code2 !== undefined;
  if (enabled && codesGiven) {
    throw new CliError(`The MFA device ${secret.serialNumber} is already enabled: --code1 and --code2 are not needed.`);
  }
  const combinedKey = secret.raw.accessKeyId;
  if (options.forget && typeof combinedKey === 'string') {
    const creds = credentialsFile(undefined, io.env);
    const held = [...(await readAwsFile(creds, 'credentials')).cli.profiles.values()].some((p) => p.keys.aws_access_key_id === combinedKey);
    if (!held) {
      throw new CliError(`The seed secret ${secretArn} also holds the access key ${combinedKey} of ${secret.userName} (a stack of a version before 0.2), `
        + `which ${creds} does not hold: write it first with mfa-profile credentials; then --forget deletes the secret with both.`);
    }
  }
  const uri = secret.otpauthUri ?? otpauthUriOf(secret.seed, secret.serialNumber);
  await showSeed(uri, secret, options, io);
  if (!enabled) {
    await enableDevice(secret, options, io);
  }
  if (options.forget) {
    await forgetSeed(secretArn, io);
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

/**
 * Show the seed: a PNG file (0600, whatever mode it had: it holds the seed), or a QR code on the terminal; the URI on request.
 */
export async function showSeed(uri: string, secret: { serialNumber: string; userName: string },
  options: { png?: string; qr?: boolean; json?: boolean; showUri?: boolean }, io: Io): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const qrcode = (): typeof import('qrcode') => require('qrcode');
  if (options.png !== undefined) {
    const png = await qrcode().toBuffer(uri, { type: 'png' });
    const result = await updateFile(options.png, () => png.toString('latin1'), { backup: false, secret: true });
    io.say(`Wrote the QR code of ${secret.serialNumber} to ${result.path} (mode 0600): it holds the seed, so delete it once scanned.`);
  } else if (options.qr !== false && !options.json) {
    io.say(`Scan this QR code with the authenticator app (MFA device ${secret.serialNumber} of ${secret.userName}):`);
    io.out(await qrcode().toString(uri, { type: 'terminal', small: true }));
  }
  if (options.showUri && !options.json) {
    io.out(uri);
  }
}

/** Enable a device created with `enable: false`: two consecutive codes, from options or asked for. */
export async function enableDevice(secret: { serialNumber: string; userName: string }, options: { code1?: string; code2?: string }, io: Io):
Promise<void> {
  const code1 = checkCode(options.code1 ?? await ask(io, 'First code from the authenticator app: ', '--code1 and --code2'), '--code1');
  const code2 = checkCode(options.code2 ?? await ask(io, 'The next code (wait for it to change): ', '--code1 and --code2'), '--code2');
  await aws.enableMfaDevice(secret.userName, secret.serialNumber, code1, code2);
  io.say(`Enabled the MFA device ${secret.serialNumber} for ${secret.userName}.`);
}

/**
 * Forget the seed: delete its secret at once and for good (`ForceDeleteWithoutRecovery`): no version, staging label or
 * recovery window keeps it (decision 3: the handler created the secret, not CloudFormation).
 */
export async function forgetSeed(secretArn: string, io: Io): Promise<void> {
  const result = await aws.deleteSecretForGood(secretArn);
  io.say(result === 'deleted'
    ? `Deleted the seed secret ${secretArn} with no recovery window: no version of it is left; only the authenticator app holds the seed now.`
    : `The seed secret ${secretArn} is already gone: only the authenticator app holds the seed.`);
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
  if (target === source || target === 'default') {
    throw new CliError(`The session profile would replace the profile ${target}: name another with --session-profile.`);
  }
  const durationSeconds = checkDuration(options.durationSeconds ?? DEFAULT_SESSION_SECONDS, MAX_SESSION_TOKEN_SECONDS);
  const config = configFile(options.configFile, io.env);
  const creds = credentialsFile(options.credentialsFile, io.env);
  const profiles = (await readAwsFile(config, 'config')).cli.profiles;
  const credentialProfiles = (await readAwsFile(creds, 'credentials')).cli.profiles;
  if (!profiles.has(source) && !credentialProfiles.has(source)) {
    throw new CliError(`There is no profile ${source} in ${creds} or ${config}: write it with mfa-profile setup first.`);
  }
  const existing = credentialProfiles.get(target)?.keys;
  if (existing !== undefined && existing.aws_session_token === undefined && Object.keys(existing).length > 0) {
    throw new CliError(`Profile ${target} in ${creds} holds long-term credentials, not a session: name another with --session-profile.`);
  }
  const serials = new Map([...profiles].map(([name, p]) => [name, p.keys]));
  const serialNumber = options.serialNumber ?? mfaSerialOf(serials, source);
  const region = options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? profiles.get(source)?.keys.region ?? profiles.get('default')?.keys.region
    ?? aws.regionOfArn(serialNumber) ?? 'us-east-1';
  const tokenCode = checkCode(options.tokenCode ?? await ask(io, `MFA code for ${serialNumber}: `, '--token-code'), '--token-code');
  // The SDK reads the source profile's keys from the files this command uses, and from nowhere else.
  process.env.AWS_CONFIG_FILE = config;
  process.env.AWS_SHARED_CREDENTIALS_FILE = creds;
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  delete process.env.AWS_SESSION_TOKEN;
  const temporary = await aws.getSessionToken({ profile: source, region, serialNumber, tokenCode, durationSeconds });
  const expiration = temporary.expiration.toISOString();
  const section = sessionSection(target, temporary);
  const result = await editAwsFile(creds, 'credentials', [{ ...section, entries: [...section.entries, [SESSION_EXPIRES_KEY, expiration]] }], { secret: true });
  if (options.json) {
    io.out(json({ profile: target, file: result.path, accessKeyId: temporary.accessKeyId, expiration, ...fileFacts(result) }));
    return;
  }
  const minutes = Math.round((temporary.expiration.getTime() - Date.now()) / 60_000);
  io.out(`Wrote temporary credentials to profile ${target} in ${result.path} (mode 0600); they last ${minutes < 120 ? `${minutes} minutes` : `${Math.round(minutes / 6) / 10} hours`}, `
    + `until ${expiration}: whoever copies the file can use them until then.`);
  sayBackup(result, io);
}

/** A key of the session profile that says when its credentials expire (the AWS tools ignore it; `doctor` reads it). */
export const SESSION_EXPIRES_KEY = 'x_mfa_profile_expires';
/** `session` asks for one hour unless told otherwise: whoever copies the file holds the session that long (#17). */
const DEFAULT_SESSION_SECONDS = 3600;

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
export function otpauthUriOf(seed: string, serialNumber: string): string {
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
