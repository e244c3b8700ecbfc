#!/usr/bin/env node
import * as readline from 'readline/promises';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { version } from '../package.json';
import * as commands from './commands';
import { doctor } from './doctor';
import { CliError } from './errors';
import { revoke, RevokeOptions } from './revoke';
import { setup, SetupOptions } from './setup';

/**
 * `mfa-profile`: from the outputs of `MfaDelegation` to a working AWS profile. A thin shell over `commands.ts`.
 * Everything it prints goes through `io`, help and usage errors too; where it would end the process it throws a
 * `CommanderError` with the exit code instead (`run` turns it into the exit code).
 */
export function program(io: commands.Io): Command {
  // Set before the subcommands are added: each takes these settings from its parent when it is made.
  const root = new Command('mfa-profile')
    .description('Turn the outputs of an MfaDelegation stack into AWS profiles that assume its role with MFA.')
    .version(version, '--version', 'print the version of mfa-profile')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text),
      writeErr: (text) => io.say(text.replace(/\n$/, '')),
      outputError: (text, write) => write(`mfa-profile: ${text.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError();

  sourceOptions(root.command('setup'), 'the only one')
    .description('One command from a deployed stack to a working, verified profile: role profile, access key, MFA device, a test AssumeRole, '
      + 'then the seed is forgotten.')
    .option('--profile <name>', 'the role profile\'s name (default: the MfaRoleProfile output, "mfa")')
    .option('--source-profile <name>', 'the source profile\'s name (default: the MfaSourceProfile output, the user name)')
    .option('--duration-seconds <seconds>', 'write duration_seconds (900 up to the role\'s maximum session duration)', integer)
    .option('--profile-region <region>', 'write region into the role profile')
    .option('--config-file <file>', 'the config file (default: AWS_CONFIG_FILE, else ~/.aws/config)')
    .option('--credentials-file <file>', 'the credentials file (default: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)')
    .option('--png <file>', 'write the QR code to a PNG file (mode 0600) instead of the terminal')
    .option('--no-qr', 'do not show the QR code')
    .option('--code1 <code>', 'to enable a device created with enable: false: the first of two consecutive codes')
    .option('--code2 <code>', 'the second code')
    .option('--code <code>', 'a new code to verify the profile with (asked for on a terminal)')
    .option('--no-verify', 'do not try AssumeRole (the seed is then kept)')
    .option('--keep-seed', 'keep the seed secret after a verified run')
    .option('--force', 'take over [default] or a profile that holds other credentials')
    .option('-y, --yes', 'do not wait for Enter after the QR code')
    .addHelpText('after', [
      '',
      'Examples:',
      '  cdk deploy --outputs-file o.json && mfa-profile setup --outputs-file o.json',
      '  mfa-profile setup --stack MfaDelegationExample --region eu-west-1',
      '  mfa-profile setup --outputs-file o.json --member alice --png alice.png --code 123456',
    ].join('\n'))
    .action((options: SetupOptions) => setup(options, io));

  root.command('doctor')
    .description('Check a profile chain, one line per check: files, profile, source key, clock, sessions on disk; with --code, AssumeRole.')
    .option('--profile <name>', 'the role profile to check', 'mfa')
    .option('--code <code>', 'a code from the authenticator app, to try AssumeRole through the profile')
    .option('--stack <name>', 'also check the stack\'s device handler for changes made outside CloudFormation')
    .option('--region <region>', 'the region of STS and of --stack (default: AWS_REGION)')
    .option('--config-file <file>', 'the config file (default: AWS_CONFIG_FILE, else ~/.aws/config)')
    .option('--credentials-file <file>', 'the credentials file (default: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)')
    .action(async (options) => {
      const findings = await doctor(options, io);
      if (findings.some((f) => f.status === 'FAIL')) {
        // Each failed check has said why.
        throw new CommanderError(1, 'mfa-profile.checkFailed', '');
      }
    });

  sourceOptions(root.command('write'), 'every one in the stack')
    .description('Write the role profile ([profile mfa]: role_arn, source_profile, mfa_serial) into the AWS config file.')
    .option('--profile <name>', 'the role profile\'s name (default: the MfaRoleProfile output, "mfa")')
    .option('--source-profile <name>', 'the source profile\'s name (default: the MfaSourceProfile output, the user name)')
    .option('--duration-seconds <seconds>', 'write duration_seconds (900 up to the role\'s maximum session duration)', integer)
    .option('--role-session-name <name>', 'write role_session_name')
    .option('--profile-region <region>', 'write region')
    .option('--config-file <file>', 'the config file (default: AWS_CONFIG_FILE, else ~/.aws/config)')
    .option('--print', 'print the sections instead of writing them')
    .option('--credentials-style', 'print the role profile as the AWS Toolkit for Visual Studio guide puts it in the credentials file')
    .option('--force', 'take over [default] or a profile that holds other credentials (removing those keys)')
    .option('--replace', 'replace the profile\'s keys instead of merging into them')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', [
      '',
      'Examples:',
      '  mfa-profile write --outputs-file cdk-outputs.json',
      '  mfa-profile write --stack MfaDelegationExample --region eu-west-1 --profile admin-mfa',
      '  mfa-profile write --template cdk.out/MfaDelegationExample.template.json --account 111111111111 --print',
      '  mfa-profile write --outputs-file cdk-outputs.json --member alice',
      '  mfa-profile write --stack MfaOrgIdentity --member alice --accounts prod=222222222222,dev=333333333333',
    ].join('\n'))
    .action((options: commands.WriteOptions) => commands.write(options, io));

  sourceOptions(root.command('credentials'), 'the only one')
    .description('Create the user\'s access key with your IAM rights and write it (0600) into the credentials file as the source profile; '
      + 'a key the file holds is kept while IAM lists it.')
    .option('--source-profile <name>', 'the profile\'s name (default: the MfaSourceProfile output, the user name)')
    .option('--credentials-file <file>', 'the credentials file (default: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)')
    .option('--print', 'print the section (secret access key hidden) instead of writing it')
    .option('--show-secret', 'print the section with the secret access key instead of writing it (stacks before 0.2 only)')
    .option('--force', 'take over [default], a profile that holds other credentials, or a key IAM does not list for the user')
    .option('--json', 'print the result as JSON')
    .action((options: commands.CredentialsOptions) => commands.credentials(options, io));

  sourceOptions(root.command('mfa-setup'), 'the only one')
    .description('Show the MFA seed as a QR code; enable a device created with enable: false; optionally forget the seed.')
    .option('--png <file>', 'write the QR code to a PNG file (mode 0600) instead of the terminal')
    .option('--no-qr', 'do not show the QR code')
    .option('--show-uri', 'also print the otpauth:// URI (it holds the seed)')
    .option('--code1 <code>', 'the first of two consecutive codes, to enable the device (asked for when missing)')
    .option('--code2 <code>', 'the second code')
    .option('--forget', 'then delete the seed secret for good (no recovery window), so that only the authenticator app holds the seed')
    .option('--json', 'print the result as JSON (no QR code)')
    .action((options: commands.MfaSetupOptions) => commands.mfaSetup(options, io));

  root.command('session')
    .description('Get temporary credentials with MFA (aws sts get-session-token) into a profile of the credentials file.')
    .requiredOption('--profile <name>', 'the source profile with the user\'s access key')
    .option('--token-code <code>', 'the code the authenticator app shows (asked for when missing)')
    .option('--serial-number <arn>', 'the MFA device (default: the mfa_serial of a profile whose source_profile is --profile)')
    .option('--session-profile <name>', 'the profile to write (default: PROFILE-mfa)')
    .option('--duration-seconds <seconds>', 'how long the credentials last (900 to 129600; default 3600)', integer)
    .option('--region <region>', 'the STS region (default: AWS_REGION, else the profile\'s region)')
    .option('--config-file <file>', 'the config file (default: AWS_CONFIG_FILE, else ~/.aws/config)')
    .option('--credentials-file <file>', 'the credentials file (default: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  mfa-profile session --profile toolkit-user --token-code 123456')
    .action((options: commands.SessionOptions) => commands.session(options, io));

  root.command('revoke')
    .description('Deny every session of a role (or of one member) issued before now, as AWS\'s "revoke active sessions" does.')
    .requiredOption('--role <name-or-arn>', 'the role (a role ARN for another partition)')
    .option('--member <user>', 'only the sessions of this member (sessions are named after their user)')
    .option('--before <time>', 'cut at this UTC time (ISO 8601) instead of now')
    .option('--clear', 'remove the policy with every cut instead (before cdk destroy: CloudFormation cannot delete a role with it)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', [
      '',
      'Writes the inline policy cdk-mfa-delegation-revoke-sessions of the role with your own IAM rights (iam:GetRolePolicy,',
      'iam:PutRolePolicy). Sessions issued later, with a new MFA code, are not affected: nothing needs lifting.',
      '',
      'Examples:',
      '  mfa-profile revoke --role toolkit-role',
      '  mfa-profile revoke --role arn:aws:iam::111111111111:role/mfa-team/Platform/admin --member alice',
      '  mfa-profile revoke --role toolkit-role --clear',
    ].join('\n'))
    .action((options: RevokeOptions) => revoke(options, io));

  return root;
}

function sourceOptions(command: Command, delegationDefault: string): Command {
  return command
    .option('--outputs-file <file>', 'read the outputs from a `cdk deploy --outputs-file` file')
    .option('--stack-name <name>', 'the stack to read in the outputs file, or the stack name of a --template preview')
    .option('--stack <name>', 'read the outputs of a deployed stack (CloudFormation DescribeStacks)')
    .option('--template <file>', 'preview from a synthesized template (cdk.out/STACK.template.json) before any deploy')
    .option('--account <id>', 'the 12-digit account of a --template preview')
    .option('--region <region>', 'the region of --stack (default: AWS_REGION or the profile\'s), or of a --template preview')
    .option('--partition <partition>', 'the partition of a --template preview (default: aws)')
    .option('--delegation <id>', `the MfaDelegation to use, by its output prefix (e.g. Toolkit; default: ${delegationDefault})`)
    .option('--member <userName>', 'use the profiles of this member of an MfaTeam (one role profile per role it may assume)')
    .option('--team <id>', 'the MfaTeam of --member, by its output prefix (default: the only team of the stack)')
    .option('--accounts <ids>', 'the accounts of roles in other accounts, each optionally named for its profiles: prod=222222222222,333333333333 '
      + '(default: the accounts the outputs list; for a role of a whole organization, its accounts from AWS Organizations)');
}

function integer(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new InvalidArgumentError('expected a whole number of seconds.');
  }
  return Number(value);
}

/**
 * The terminal's lines, read by one interface for the whole run, so that codes typed (or pasted) ahead are kept.
 */
let terminal: readline.Interface | undefined;
let lines: AsyncIterator<string> | undefined;

async function ask(question: string): Promise<string> {
  process.stderr.write(question);
  terminal ??= readline.createInterface({ input: process.stdin, terminal: false });
  lines ??= terminal[Symbol.asyncIterator]();
  const line = await lines.next();
  if (line.done) {
    throw new CliError('The input ended before an answer was typed.');
  }
  return line.value;
}

/**
 * Run `mfa-profile` with the arguments `args` (those after the script's name) and `io`; resolves to the exit code.
 * An error is one sentence on stderr: a `CliError`'s own, any other as an unexpected error.
 */
export async function run(args: readonly string[], io: commands.Io): Promise<number> {
  try {
    await program(io).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help, --version, a usage error or a failed check: commander or the command has already said what it had to.
      return e.exitCode;
    }
    io.say(`mfa-profile: ${e instanceof CliError ? e.message : `unexpected error: ${(e as Error).message}`}`);
    return 1;
  }
}

/**
 * The `Io` of a run: results to `stdout` (a line each), talk to `stderr`, questions through `question` (on a terminal).
 */
export function streamIo(env: commands.Io['env'], stdout: (text: string) => void, stderr: (text: string) => void,
  question?: commands.Io['ask']): commands.Io {
  return {
    env,
    out: (text) => stdout(text.endsWith('\n') ? text : `${text}\n`),
    say: (text) => stderr(`${text}\n`),
    ask: question,
  };
}

/**
 * Run the command with this process's arguments, streams and environment (bin/mfa-profile.js calls it).
 */
export function main(): void {
  const io = streamIo(process.env, (text) => process.stdout.write(text), (text) => process.stderr.write(text), process.stdin.isTTY ? ask : undefined);
  void run(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  }).finally(() => terminal?.close());
}

if (require.main === module) {
  main();
}
