import * as aws from './aws';
import { CliError } from './errors';
import { editAwsFile, Io, readAwsFile } from './files';
import { accessKeySection } from './profiles';

/**
 * The keys that make a credentials-file profile something other than a user's long-term access key: `setup` and
 * `credentials` do not take such a profile over without `--force` (and then remove them).
 */
export const NOT_AN_ACCESS_KEY = ['aws_session_token', 'role_arn', 'source_profile', 'credential_source', 'credential_process', 'mfa_serial',
  'sso_session', 'sso_start_url', 'sso_account_id', 'sso_role_name', 'web_identity_token_file', 'x_mfa_profile_expires'];

/**
 * The IAM console keeps an access key's description as a user tag keyed by the key's id; this command marks the keys
 * it creates the same way, so that a later run knows which keys it made.
 */
export const KEY_TAG_PREFIX = 'mfa-profile:';

export interface EnsureAccessKeyOptions {
  readonly userName: string;
  readonly userArn?: string;
  /** The source profile in the credentials file. */
  readonly profile: string;
  readonly credentialsFile: string;
  /** Take over `default` or a profile that holds other credentials, or a key IAM does not list for the user. */
  readonly force?: boolean;
}

export interface EnsuredAccessKey {
  readonly accessKeyId: string;
  /** The file already held a key that IAM still lists for the user. */
  readonly reused: boolean;
  /** The keys of earlier runs that no file held any more, deleted. */
  readonly deleted: readonly string[];
  readonly file: string;
}

/**
 * Make sure the source profile holds an active access key of the user, created with the caller's IAM rights and
 * written (0600) into the credentials file only — nowhere in AWS:
 *
 * - a key the profile holds that IAM still lists for the user is kept (re-running creates nothing);
 * - otherwise a key is created (`CreateAccessKey`), tagged as this command's, written, and then the keys this command
 *   made before that no file holds any more are deleted, so that it never leaves more than one key of its own;
 * - with two keys already (IAM's maximum) of which none is this command's, nothing is created: the sentence says which
 *   to delete;
 * - a profile that is `default`, holds other credentials, or holds a key IAM does not list for the user is refused
 *   unless `force`.
 *
 * If the file cannot be written, the new key is deleted again: no key is left that nobody holds.
 */
export async function ensureAccessKey(options: EnsureAccessKeyOptions, io: Io): Promise<EnsuredAccessKey> {
  const { userName, profile, credentialsFile } = options;
  const current = (await readAwsFile(credentialsFile, 'credentials')).cli.profiles.get(profile)?.keys;
  if (profile === 'default' && !options.force) {
    throw new CliError(`The source profile would be [default] in ${credentialsFile}, which this command does not take over: `
      + 'name another with --source-profile, or pass --force.');
  }
  const foreign = Object.keys(current ?? {}).filter((k) => NOT_AN_ACCESS_KEY.includes(k));
  if (foreign.length > 0 && !options.force) {
    throw new CliError(`Profile ${profile} in ${credentialsFile} holds ${foreign.join(', ')}, not just an access key: it is not this command's to `
      + 'change; name another with --source-profile, or pass --force to replace those keys.');
  }
  const iam = aws.userKeys(userName, options.userArn);
  const listed = await iam.list();
  const held = current?.aws_access_key_id;
  if (held !== undefined && current?.aws_secret_access_key && listed.some((k) => k.accessKeyId === held && k.status === 'Active')) {
    const result = await editAwsFile(credentialsFile, 'credentials', [], { secret: true });
    return { accessKeyId: held, reused: true, deleted: [], file: result.path };
  }
  if (held !== undefined && !listed.some((k) => k.accessKeyId === held) && !options.force) {
    throw new CliError(`Profile ${profile} in ${credentialsFile} holds the access key ${held}, which IAM does not list for ${userName} `
      + '(deleted, or another user\'s key): pass --force to replace it with a new key of this user.');
  }
  const tags = await iam.tags().catch((e: Error) => {
    io.say(`Could not read the tags of ${userName} (${e.message}): keys made by earlier runs are not recognised.`);
    return {} as Record<string, string>;
  });
  const ours = listed.filter((k) => tags[k.accessKeyId]?.startsWith(KEY_TAG_PREFIX));
  const deleted: string[] = [];
  if (listed.length >= 2) {
    if (ours.length === 0) {
      throw new CliError(`${userName} already has 2 access keys (${listed.map((k) => k.accessKeyId).join(', ')}), the most IAM allows, and `
        + `${credentialsFile} holds neither: delete one that is no longer used (aws iam delete-access-key --user-name ${userName} --access-key-id ID), `
        + 'then run this again.');
    }
    await deleteOurs(iam, ours[0].accessKeyId);
    deleted.push(ours[0].accessKeyId);
  }
  const created = await iam.create();
  await iam.tag(created.accessKeyId, `${KEY_TAG_PREFIX} profile ${profile}`.slice(0, 256)).catch((e: Error) => {
    io.say(`Could not tag the new key ${created.accessKeyId} as this command's (${e.message}): a later run will not delete it for you.`);
  });
  let file: string;
  try {
    const section = accessKeySection(profile, created.accessKeyId, created.secretAccessKey);
    const result = await editAwsFile(credentialsFile, 'credentials', [{ ...section, remove: options.force ? NOT_AN_ACCESS_KEY : [] }], { secret: true });
    file = result.path;
  } catch (e) {
    await deleteOurs(iam, created.accessKeyId).catch(() => undefined);
    throw new CliError(`${(e as Error).message} The new access key ${created.accessKeyId} was deleted again.`);
  }
  for (const key of ours) {
    if (!deleted.includes(key.accessKeyId)) {
      await deleteOurs(iam, key.accessKeyId);
      deleted.push(key.accessKeyId);
    }
  }
  return { accessKeyId: created.accessKeyId, reused: false, deleted, file };
}

async function deleteOurs(iam: aws.UserKeys, accessKeyId: string): Promise<void> {
  await iam.delete(accessKeyId);
  await iam.untag(accessKeyId).catch(() => undefined);
}
