import { ensureAccessKey } from './access-key';
import * as aws from './aws';
import { accessKeySentence, enableDevice, forgetSeed, legacyCredentials, otpauthUriOf, showSeed, writeRoleProfiles } from './commands';
import { CliError } from './errors';
import { configFile, credentialsFile, Io, readAwsFile } from './files';
import { renderSections } from './ini';
import { requireValue } from './outputs';
import { knownRoleProfiles, roleProfiles } from './profiles';
import { seedOf } from './secrets';
import { loadSource, SourceOptions, unknownOutputs } from './source';

export interface SetupOptions extends SourceOptions {
  readonly profile?: string;
  readonly sourceProfile?: string;
  readonly durationSeconds?: number;
  readonly profileRegion?: string;
  readonly configFile?: string;
  readonly credentialsFile?: string;
  readonly png?: string;
  readonly qr?: boolean;
  readonly code1?: string;
  readonly code2?: string;
  /** A fresh code to verify the chain with. */
  readonly code?: string;
  /** `--no-verify`: skip the AssumeRole. */
  readonly verify?: boolean;
  /** Keep the seed secret after a verified run. */
  readonly keepSeed?: boolean;
  readonly force?: boolean;
  /** Do not wait for Enter after the QR code. */
  readonly yes?: boolean;
}

/**
 * `mfa-profile setup`: from a deployed stack to a working, verified profile in one command. Every step says what it
 * did; re-running it is safe (profiles merge, the access key is kept while IAM lists it, an enabled device is not
 * enabled again, a forgotten seed is not asked for); without a terminal it never waits for input (codes by flag).
 *
 * 1. the role profile(s) into the config file (merged, `role_session_name` = the user name): one per role of a delegation or of
 *    a team member (`--member`), and one per account × role for its roles in other accounts;
 * 2. the source profile's access key (created with the caller's IAM rights into the credentials file, 0600);
 * 3. the seed as a QR code (terminal or `--png`), and two codes to enable a device created with `enable: false`;
 * 4. one code, and a real `AssumeRole` through the first profile written, as the AWS SDK v3 does it (`--no-verify` skips);
 *    the others share its source profile and MFA device;
 * 5. the seed secret deleted for good once the chain is verified (`--keep-seed` keeps it);
 * 6. the command to try.
 */
export async function setup(options: SetupOptions, io: Io): Promise<void> {
  // One profile per role, and per account × role for roles in other accounts (#14), all of one user.
  const source = await loadSource(options, { accountProfiles: true });
  const users = [...new Set(source.delegations.map((d) => d.values.MfaUserName ?? d.id))];
  if (users.length > 1) {
    throw new CliError(`Stack ${source.stackName} has delegations of ${users.length} users (${source.delegations.map((d) => d.id).join(', ')}): `
      + 'set up one at a time with --delegation.');
  }
  const profileOptions = {
    profile: options.profile, sourceProfile: options.sourceProfile, durationSeconds: options.durationSeconds, region: options.profileRegion,
  };
  if (options.template !== undefined) {
    const preview = knownRoleProfiles(source.delegations, profileOptions);
    io.say(`Preview from ${source.origin}: setup writes these profiles once the stack is deployed (run it with --outputs-file or --stack).`);
    preview.notPreviewable.forEach((sentence) => io.say(sentence));
    unknownOutputs(preview.profiles.map((p) => p.delegation)).forEach(([key, reason]) => io.say(`  ${key} is known only after deploy: ${reason}`));
    io.out(renderSections('config', preview.profiles));
    return;
  }
  const profiles = roleProfiles(source.delegations, profileOptions);
  const delegation = source.delegations[0];
  const userName = requireValue(delegation, 'MfaUserName');
  const sourceProfile = profiles[0].sourceProfile;
  const config = configFile(options.configFile, io.env);
  const creds = credentialsFile(options.credentialsFile, io.env);
  const seedSecretArn = delegation.values.MfaSeedSecretArn;
  if (!io.ask && options.verify !== false && options.code === undefined) {
    io.say('No terminal: the chain is not verified unless --code is given (or run mfa-profile doctor --code later).');
  }

  // 1. Role profiles.
  const written = await writeRoleProfiles(config, profiles, options);
  for (const p of profiles) {
    io.say(`${written.changed ? 'Wrote' : 'Kept'} profile ${p.name} in ${written.path}: role ${Object.fromEntries(p.entries).role_arn}, `
      + `source profile ${p.sourceProfile}, MFA device ${Object.fromEntries(p.entries).mfa_serial}, session name ${userName}.`);
  }

  // 2. The access key.
  if (delegation.values.MfaAccessKey === 'true') {
    const key = await ensureAccessKey({
      userName, userArn: delegation.values.MfaUserArn, profile: sourceProfile, credentialsFile: creds, force: options.force,
    }, io);
    io.say(accessKeySentence(sourceProfile, userName, key));
  } else if (delegation.values.MfaAccessKeySecretArn !== undefined) {
    // A stack of an earlier version: its key is read from the secret, and the sentence says to update the stack.
    await legacyCredentials({}, { ...io, out: io.say }, delegation.values.MfaAccessKeySecretArn, sourceProfile, creds);
  } else {
    const existing = (await readAwsFile(creds, 'credentials')).cli.profiles.get(sourceProfile)?.keys;
    if (!existing?.aws_access_key_id) {
      throw new CliError(`Stack ${source.stackName} gives ${userName} no access key (accessKey: false), and ${creds} has no profile ${sourceProfile} with one: `
        + `add the user's credentials as profile ${sourceProfile}, then run setup again.`);
    }
    io.say(`Uses the access key ${existing.aws_access_key_id} of profile ${sourceProfile} in ${creds} (the stack creates none).`);
  }

  // 3. The seed.
  let seedPresent = false;
  if (seedSecretArn === undefined) {
    io.say(`Uses the existing MFA device ${requireValue(delegation, 'MfaSerial')}: no seed to show.`);
  } else {
    const secretString = await aws.secretAccess(seedSecretArn).read().catch((e: Error) => {
      if (/does not exist/.test(e.message) || /marked for deletion/.test(e.message)) {
        return undefined;
      }
      throw e;
    });
    const serialNumber = requireValue(delegation, 'MfaSerial');
    if (secretString === undefined) {
      if (!await aws.isMfaDeviceEnabled(userName, serialNumber)) {
        throw new CliError(`The seed secret ${seedSecretArn} is gone and the MFA device ${serialNumber} is not enabled: no code can be made for it; `
          + 'replace the device (change its name in the stack and deploy), then run setup again.');
      }
      io.say(`The seed secret is gone already (forgotten by an earlier run): the authenticator app holds the seed of ${serialNumber}.`);
    } else {
      seedPresent = true;
      const secret = seedOf(secretString, seedSecretArn);
      await showSeed(secret.otpauthUri ?? otpauthUriOf(secret.seed, secret.serialNumber), secret, options, io);
      if (io.ask && options.png === undefined && options.qr !== false && !options.yes) {
        await io.ask('Press Enter once the authenticator app shows the account: ');
      }
      if (!(secret.enabled || await aws.isMfaDeviceEnabled(secret.userName, secret.serialNumber))) {
        await enableDevice(secret, options, io);
      } else {
        io.say(`The MFA device ${secret.serialNumber} is enabled for ${secret.userName}.`);
      }
    }
  }

  // 4. Verify.
  let verified = false;
  if (options.verify === false) {
    io.say('Not verified (--no-verify).');
  } else {
    const code = options.code ?? (io.ask ? (await io.ask(`A new code for ${profiles[0].name} (each code works once, so wait for the next one): `)).trim() : undefined);
    if (code !== undefined) {
      if (!/^\d{6}$/.test(code)) {
        throw new CliError('--code must be the 6 digits the authenticator app shows.');
      }
      const region = options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? aws.regionOfArn(profiles[0].delegation.values.MfaRoleArn ?? '') ?? 'us-east-1';
      const files = { configFile: config, credentialsFile: creds };
      const identity = await aws.assumeRoleProfile({ profile: profiles[0].name, code, region, files });
      verified = true;
      io.say(`Verified: profile ${profiles[0].name} assumed the role with MFA as ${identity.arn}.`);
    }
  }

  // 5. Forget.
  if (seedSecretArn !== undefined && seedPresent) {
    if (options.keepSeed) {
      io.say(`Kept the seed secret ${seedSecretArn} (--keep-seed): whoever may read it can make codes; forget it with mfa-profile mfa-setup --forget.`);
    } else if (verified) {
      await forgetSeed(seedSecretArn, io);
    } else {
      io.say(`Kept the seed secret ${seedSecretArn} because the chain is not verified yet: run setup again with a code (it deletes the seed then), `
        + 'or mfa-profile mfa-setup --forget.');
    }
  }

  // 6. What to try.
  io.out(`Try it: aws sts get-caller-identity --profile ${profiles[0].name}`);
}
