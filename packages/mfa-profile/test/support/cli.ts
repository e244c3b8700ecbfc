import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** The CLI package (packages/mfa-profile). */
export const PACKAGE = path.resolve(__dirname, '..', '..');

/** The CLI source, run through ts-node (transpile only; `.ts` before a stale compiled `.js`). */
export const CLI = path.join(PACKAGE, 'src', 'mfa-profile.ts');

/** A fixture under packages/mfa-profile/test/fixtures. */
export function fixture(name: string): string {
  return path.join(PACKAGE, 'test', 'fixtures', name);
}

/** The text of a fixture. */
export function readFixture(name: string): string {
  return fs.readFileSync(fixture(name), 'utf8');
}

/** What a run of the CLI did. */
export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh temporary folder (the HOME of the child processes). */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-profile-'));
}

/**
 * Run `mfa-profile` in a child process with a clean environment: only PATH, HOME (a temp folder unless given) and
 * `env`. Asynchronous, so that a loopback stub in this process can answer it; killed after `timeoutMs`.
 */
export function runCli(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliRun> {
  return execCli(process.execPath, ['-r', 'ts-node/register/transpile-only', CLI, ...args], { HOME: env.HOME ?? tempDir(), ...env }, timeoutMs);
}

/** The environment of a child `mfa-profile`: PATH, ts-node's switches, no instance metadata, and `env`. */
function cliEnv(env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TS_NODE_PREFER_TS_EXTS: 'true',
    TS_NODE_TRANSPILE_ONLY: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env,
  };
}

/** Run a command in the repository with `cliEnv(env)`; its exit status, stdout and stderr. */
function execCli(file: string, args: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd: ROOT, env: cliEnv(env), timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** The environment for a child process that talks to a loopback stub only (fake keys, one attempt). */
export function stubEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'stub-secret-not-real',
    AWS_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    ...extra,
  };
}

/** One step of a terminal dialogue: when the output so far matches `when`, type `send()`. */
export interface Exchange {
  readonly when: RegExp;
  readonly send: () => string;
}

/**
 * Run `mfa-profile` in a real pseudo-terminal (`script`, util-linux): stdin, stdout and stderr are the terminal, so
 * `process.stdin.isTTY` holds and prompts are answered by typing. Each exchange waits for its prompt in the terminal's
 * output, in order. The output is the terminal's (CRLF line ends, echo of what was typed).
 */
export function runCliInPty(args: readonly string[], env: Record<string, string>, dialogue: readonly Exchange[], timeoutMs = 60_000):
Promise<{ status: number; output: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, '\'\\\'\'')}'`;
  const command = [process.execPath, '-r', 'ts-node/register/transpile-only', CLI, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: ROOT, env: cliEnv({ TERM: 'xterm', ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let step = 0;
    let consumed = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The pty run timed out after ${timeoutMs} ms at exchange ${step}; output so far:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      while (step < dialogue.length && dialogue[step].when.test(output.slice(consumed))) {
        consumed = output.length;
        child.stdin.write(dialogue[step].send());
        step++;
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, output });
    });
  });
}

/** Whether this process may run others as `nobody` (it is root, and `setpriv` exists): CI runs as root. */
export function canRunAsNobody(): boolean {
  return process.getuid?.() === 0 && fs.existsSync('/usr/bin/setpriv');
}

/** The uid and gid of `nobody`. */
export const NOBODY = { uid: 65534, gid: 65534 };

/**
 * Run `mfa-profile` as the unprivileged user `nobody` (setpriv, no supplementary groups), for permission cases.
 */
export function runCliAsNobody(args: readonly string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliRun> {
  return execCli('setpriv', [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', process.execPath, '-r', 'ts-node/register/transpile-only', CLI,
    ...args], env, timeoutMs);
}
