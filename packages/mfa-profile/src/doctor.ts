import { promises as fs } from 'fs';
import { NOT_AN_ACCESS_KEY } from './access-key';
import * as aws from './aws';
import { SESSION_EXPIRES_KEY } from './commands';
import { CliError } from './errors';
import { configFile, credentialsFile, Io, readAwsFile } from './files';
import { AwsFile, checkProfileAgreement } from './ini';

export interface DoctorOptions {
  /** The role profile to check. @default mfa */
  readonly profile?: string;
  /** A code, to try `AssumeRole` through the profile. */
  readonly code?: string;
  /** The stack whose device handler to check for changes made outside CloudFormation. */
  readonly stack?: string;
  readonly region?: string;
  readonly configFile?: string;
  readonly credentialsFile?: string;
}

/** One check's result: one line each. */
export interface Finding {
  readonly status: 'ok' | 'warn' | 'FAIL';
  readonly text: string;
}

/** The TOTP window: a code is accepted for about 30 seconds either side of its time. */
const CLOCK_SKEW_LIMIT_MS = 30_000;
/** Session credentials that outlive this are reported as long-lived. */
const LONG_SESSION_MS = 3_600_000;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const MFA_SERIAL = /^arn:(aws[a-z-]*):iam::(\d{12}):mfa\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,256}$/;

/**
 * `mfa-profile doctor`: checks a profile chain, one line per check saying what is wrong and how to fix it. Exit
 * status 1 when a check fails. Checks: both files readable by both AWS tools; the profile exists and both tools read it
 * alike; `role_arn`, `mfa_serial`, `role_session_name` well-formed and belonging together; the source profile holds an
 * access key; session credentials on disk (long-lived ones reported); the access key works and the local clock is
 * within the TOTP window of STS's; with `--code`, `AssumeRole` through the profile; with `--stack`, whether the
 * device handler was changed outside CloudFormation (drift).
 */
export async function doctor(options: DoctorOptions, io: Io): Promise<Finding[]> {
  const findings: Finding[] = [];
  const report = (status: Finding['status'], text: string) => {
    findings.push({ status, text });
    io.out(`${status.padEnd(4)} ${text}`);
  };
  const name = options.profile ?? 'mfa';
  const config = configFile(options.configFile, io.env);
  const creds = credentialsFile(options.credentialsFile, io.env);
  const files: Partial<Record<'config' | 'credentials', AwsFile>> = {};
  for (const [kind, file] of [['config', config], ['credentials', creds]] as const) {
    try {
      files[kind] = await readAwsFile(file, kind);
      report('ok', `${file} reads alike in the AWS CLI v2 and the SDK v3.`);
    } catch (e) {
      report('FAIL', (e as Error).message.replace(/ The file is unchanged\.$/, ''));
    }
  }
  const profile = files.config?.cli.profiles.get(name)?.keys;
  if (!files.config || !files.credentials) {
    return done(findings);
  }
  if (profile === undefined) {
    report('FAIL', `There is no profile ${name} in ${config}: run mfa-profile setup (or name the profile with --profile).`);
    return done(findings);
  }
  try {
    checkProfileAgreement(files.config, name);
    report('ok', `Profile ${name} reads the same in the AWS CLI v2 and the SDK v3.`);
  } catch (e) {
    report('FAIL', (e as Error).message.replace(/ The file is unchanged\.$/, ''));
  }
  const role = ROLE_ARN.exec(profile.role_arn ?? '');
  const serial = MFA_SERIAL.exec(profile.mfa_serial ?? '');
  report(role ? 'ok' : 'FAIL', role ? `role_arn is ${profile.role_arn}.` : `Profile ${name} has ${profile.role_arn === undefined ? 'no role_arn' : `a role_arn that is not a role ARN ("${profile.role_arn}")`}: run mfa-profile setup.`);
  report(serial ? 'ok' : 'FAIL', serial ? `mfa_serial is ${profile.mfa_serial}.`
    : `Profile ${name} has ${profile.mfa_serial === undefined ? 'no mfa_serial' : `an mfa_serial that is not an MFA device ARN ("${profile.mfa_serial}")`}: run mfa-profile setup.`);
  if (role && serial && role[1] !== serial[1]) {
    report('FAIL', `role_arn is in partition ${role[1]} and mfa_serial in ${serial[1]}: they do not belong together; run mfa-profile setup for the right stack.`);
  }
  const sourceName = profile.source_profile;
  const sourceKeys = sourceName === undefined ? undefined
    : files.credentials.cli.profiles.get(sourceName)?.keys ?? files.config.cli.profiles.get(sourceName)?.keys;
  if (sourceName === undefined) {
    report('FAIL', `Profile ${name} has no source_profile: run mfa-profile setup.`);
  } else if (sourceKeys === undefined) {
    report('FAIL', `The source profile ${sourceName} is in neither ${creds} nor ${config}: run mfa-profile setup (it creates the access key).`);
  } else if (!sourceKeys.aws_access_key_id || !sourceKeys.aws_secret_access_key
    || Object.keys(sourceKeys).some((k) => NOT_AN_ACCESS_KEY.includes(k))) {
    report('FAIL', `The source profile ${sourceName} does not hold just an access key (aws_access_key_id and aws_secret_access_key): run mfa-profile setup.`);
  } else {
    report('ok', `The source profile ${sourceName} holds the access key ${sourceKeys.aws_access_key_id}.`);
  }
  const mode = await fs.stat(creds).then((s) => s.mode % 0o1000).catch(() => undefined);
  // Any permission bit for the group or others (the last two octal digits).
  if (mode !== undefined && mode % 0o100 !== 0) {
    report('warn', `${creds} is readable by others (mode 0${mode.toString(8)}): it holds secrets; chmod 600 ${creds}.`);
  }
  sessionsOnDisk(files.credentials, creds, report);
  if (sourceKeys?.aws_access_key_id && sourceName !== undefined) {
    await checkSourceAndClock(sourceName, profile, serial, options, { configFile: config, credentialsFile: creds }, io, report);
  }
  if (options.code !== undefined) {
    if (!/^\d{6}$/.test(options.code)) {
      throw new CliError('--code must be the 6 digits the authenticator app shows.');
    }
    try {
      const region = stsRegion(options, io);
      const files2 = { configFile: config, credentialsFile: creds };
      const identity = await aws.assumeRoleProfile({ profile: name, code: options.code, region, files: files2 });
      report('ok', `AssumeRole with MFA through profile ${name} works: ${identity.arn}.`);
    } catch (e) {
      report('FAIL', (e as Error).message);
    }
  }
  if (options.stack !== undefined) {
    await checkHandler(options.stack, options.region, report);
  }
  return done(findings);
}

function done(findings: Finding[]): Finding[] {
  return findings;
}

function stsRegion(options: DoctorOptions, io: Io): string {
  return options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/** Session credentials in the credentials file: whoever copies the file holds them until they expire. */
function sessionsOnDisk(file: AwsFile, label: string, report: (status: Finding['status'], text: string) => void): void {
  for (const [profile, { keys }] of file.cli.profiles) {
    if (keys.aws_session_token === undefined) {
      continue;
    }
    const expires = Date.parse(keys[SESSION_EXPIRES_KEY] ?? '');
    if (Number.isNaN(expires)) {
      report('warn', `Profile ${profile} in ${label} holds session credentials of unknown lifetime: whoever copies the file uses them until they expire; `
        + 'remove the profile when done.');
    } else if (expires <= Date.now()) {
      report('warn', `Profile ${profile} in ${label} holds session credentials that expired at ${new Date(expires).toISOString()}: remove the profile.`);
    } else if (expires - Date.now() > LONG_SESSION_MS) {
      report('warn', `Profile ${profile} in ${label} holds long-lived session credentials (until ${new Date(expires).toISOString()}): whoever copies the `
        + 'file uses them without MFA until then; remove the profile, and use mfa-profile session with at most an hour.');
    } else {
      report('ok', `Profile ${profile} in ${label} holds session credentials until ${new Date(expires).toISOString()}.`);
    }
  }
}

/** The access key works (GetCallerIdentity), its user is the one role_session_name names, and the clock is right. */
async function checkSourceAndClock(sourceName: string, profile: Record<string, string>, serial: RegExpExecArray | null, options: DoctorOptions,
  files: aws.ProfileFiles, io: Io, report: (status: Finding['status'], text: string) => void): Promise<void> {
  let identity: { arn: string; serverDate?: Date };
  try {
    identity = await aws.callerIdentity({ profile: sourceName, region: stsRegion(options, io), files });
  } catch (e) {
    report('FAIL', (e as Error).message);
    return;
  }
  report('ok', `The access key of ${sourceName} works: ${identity.arn}.`);
  const user = /^arn:[\w-]+:iam::(\d{12}):user\/(?:.*\/)?([\w+=,.@-]+)$/.exec(identity.arn);
  if (user && serial && user[1] !== serial[2]) {
    report('FAIL', `mfa_serial is a device of account ${serial[2]}, but the source profile is a user of account ${user[1]}: run mfa-profile setup for the right stack.`);
  }
  if (user && profile.role_session_name !== user[2]) {
    report('FAIL', `role_session_name is ${profile.role_session_name === undefined ? 'missing' : `"${profile.role_session_name}"`}, but the role trusts only `
      + `sessions named after the user (${user[2]}): run mfa-profile setup again.`);
  } else if (user) {
    report('ok', `role_session_name is the user name ${user[2]}.`);
  }
  if (identity.serverDate !== undefined) {
    const skew = Date.now() - identity.serverDate.getTime();
    const seconds = Math.round(skew / 1000);
    report(Math.abs(skew) <= CLOCK_SKEW_LIMIT_MS ? 'ok' : 'FAIL', Math.abs(skew) <= CLOCK_SKEW_LIMIT_MS
      ? `The clock of this computer is within ${Math.max(1, Math.abs(seconds))} s of STS's.`
      : `The clock of this computer is ${Math.abs(seconds)} s ${seconds > 0 ? 'ahead of' : 'behind'} STS's: codes are checked against a 30 s window; `
        + 'set the clock (NTP) on this computer, and check the phone\'s.');
  }
}

/**
 * Whether the stack's device handler function was changed outside CloudFormation: CloudFormation's drift detection of
 * the function (its configuration: role, environment, handler, runtime, layers, code location). Code uploaded in
 * place by `UpdateFunctionCode` changes no property CloudFormation compares, so it is not seen here.
 */
async function checkHandler(stack: string, region: string | undefined, report: (status: Finding['status'], text: string) => void): Promise<void> {
  try {
    const handlers = await aws.stackFunctions(stack, region, /^VirtualMfaDeviceHandler/);
    if (handlers.length === 0) {
      report('ok', `Stack ${stack} has no device handler function.`);
    }
    for (const handler of handlers) {
      const drift = await aws.resourceDrift(stack, handler, region);
      if (drift.status === 'IN_SYNC') {
        report('ok', `The device handler ${handler} of stack ${stack} is as CloudFormation deployed it (drift detection).`);
      } else {
        report('warn', `The device handler ${handler} of stack ${stack} was changed outside CloudFormation (${drift.status}${drift.properties.length > 0
          ? `: ${drift.properties.join(', ')}` : ''}): whoever changed it may act with its role; find who in CloudTrail (UpdateFunctionConfiguration, `
          + 'UpdateFunctionCode) and deploy the stack again.');
      }
    }
  } catch (e) {
    report('warn', `Could not tell whether the device handler of stack ${stack} was changed outside CloudFormation: ${(e as Error).message}`);
  }
}
