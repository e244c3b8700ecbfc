import * as os from 'os';
import * as path from 'path';
import { CliError } from './errors';
import { AwsFile, AwsFileKind, decodeAwsFile, parseAwsFile, ProfileUpdate, setProfiles } from './ini';
import { readFileIfAny, updateFile, UpdateResult } from './profile-file';

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

/**
 * The config file: the option, else `AWS_CONFIG_FILE`, else `~/.aws/config`. An empty value is refused: the AWS CLI
 * v2 then reads no config file at all and the SDK v3 reads `~/.aws/config`.
 */
export function configFile(option: string | undefined, env: Io['env']): string {
  return awsFile(option, '--config-file', env, 'AWS_CONFIG_FILE', '~/.aws/config');
}

/**
 * The credentials file: the option, else `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials` (an empty value is
 * refused, as for `configFile`).
 */
export function credentialsFile(option: string | undefined, env: Io['env']): string {
  return awsFile(option, '--credentials-file', env, 'AWS_SHARED_CREDENTIALS_FILE', '~/.aws/credentials');
}

function awsFile(option: string | undefined, flag: string, env: Io['env'], variable: string, fallback: string): string {
  if (option === '') {
    throw new CliError(`${flag} is empty: name a file.`);
  }
  if (option === undefined && env[variable] === '') {
    const kind = variable === 'AWS_CONFIG_FILE' ? 'config' : 'credentials';
    throw new CliError(`${variable} is set but empty: the AWS CLI v2 then reads no ${kind} file and the SDK v3 reads ${fallback}; `
      + `unset it (unset ${variable}) or set it to a file.`);
  }
  const file = option ?? env[variable] ?? fallback;
  return path.resolve(file.replace(/^~(?=$|[\\/])/, env.HOME || os.homedir()));
}

/**
 * Read a config or credentials file as both AWS tools do (a missing file or `/dev/null` is empty); fails, naming the
 * line, where they cannot read it.
 */
export async function readAwsFile(file: string, kind: AwsFileKind): Promise<AwsFile> {
  const bytes = Buffer.from(await readFileIfAny(file), 'latin1');
  return parseAwsFile(decodeAwsFile(bytes, file), kind, file);
}

/**
 * Set profiles in a config or credentials file (`setProfiles`), through `updateFile` (links, permissions, lock,
 * atomic write, backup). `secret` writes the file 0600.
 */
export async function editAwsFile(file: string, kind: AwsFileKind, updates: readonly ProfileUpdate[], options: { readonly secret?: boolean } = {}):
Promise<UpdateResult> {
  return updateFile(file, (current) => {
    const text = current === undefined ? '' : decodeAwsFile(Buffer.from(current, 'latin1'), file);
    return Buffer.from(setProfiles(text, kind, updates, file), 'utf8').toString('latin1');
  }, { secret: options.secret });
}
