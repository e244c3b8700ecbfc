import { execFile, spawn } from 'child_process';
import { EventEmitter } from 'events';
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
 * Run `mfa-profile` in this process, as a child process would run it: `run` of src/mfa-profile.ts with the arguments, a
 * clean environment (only PATH, HOME (a temp folder unless given), TMPDIR and `env`), no terminal, stdout and stderr
 * captured; resolves to the exit code and the output. Asynchronous, so that a loopback stub in this process can answer
 * it. Each run loads the CLI and the AWS SDK afresh (jest's isolated module registry): nothing cached in one run (the
 * SDK's cache of the config and credentials files, its clients, credential providers) is seen by the next. Runs take
 * their turn, one at a time, because the environment is the process's: it is swapped in for the run and restored after,
 * and so are the working folder and the exit code. A run that takes longer than `timeoutMs` ends the test's wait with
 * status -1 (it cannot be killed).
 *
 * What a spawned process would show beyond this (the package's bin, a terminal, signals, other users, two processes
 * at once) is run with `spawnCli`, `runCliInPty` and `runCliAsNobody`.
 */
export function runCli(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliRun> {
  const turn = queue.then(() => runInProcess(args, cliEnv({ HOME: env.HOME ?? tempDir(), ...env }), timeoutMs));
  queue = turn.catch(() => undefined);
  return turn;
}

/** The run before the next one may start (`runCli`). */
let queue: Promise<unknown> = Promise.resolve();

async function runInProcess(args: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<CliRun> {
  const restore = saveProcess();
  let stdout = '';
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  replaceEnv(env);
  process.chdir(ROOT);
  try {
    let status = -1;
    const finished = await Promise.race([
      jest.isolateModulesAsync(async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const cli: typeof import('../../src/mfa-profile') = require(CLI);
        status = await cli.run(args, cli.streamIo(process.env, (text) => { stdout += text; }, (text) => { stderr += text; }));
      }).then(() => true),
      new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); }),
    ]);
    return { status, stdout, stderr: finished ? stderr : `${stderr}(runCli: the run did not end within ${timeoutMs} ms)\n` };
  } finally {
    clearTimeout(timer);
    restore();
  }
}

/**
 * What a run may change in this process, saved; the function returned puts it back. Besides the environment, the
 * working folder and the exit code: the listeners a run's modules add to the process and the functions they wrap
 * (signal-exit, which proper-lockfile loads, adds a listener for each signal and wraps `process.emit` and
 * `process.reallyExit` in each fresh copy; its exit handlers live on an emitter it keeps on the process).
 */
function saveProcess(): () => void {
  const proc = process as NodeJS.Process & { reallyExit?: unknown; __signal_exit_emitter__?: EventEmitter };
  const env = { ...process.env };
  const cwd = process.cwd();
  const exitCode = process.exitCode;
  const { emit, reallyExit } = proc;
  const signalExit = proc.__signal_exit_emitter__;
  const restoreListeners = [saveListeners(process), ...(signalExit ? [saveListeners(signalExit)] : [])];
  return () => {
    restoreListeners.forEach((r) => r());
    proc.emit = emit;
    proc.reallyExit = reallyExit;
    if (signalExit === undefined) {
      delete proc.__signal_exit_emitter__;
    }
    process.exitCode = exitCode;
    process.chdir(cwd);
    replaceEnv(env);
  };
}

/** The listeners of an emitter, saved; the function returned removes those added since. */
function saveListeners(emitter: EventEmitter): () => void {
  const before = new Map(emitter.eventNames().map((event) => [event, new Set(emitter.rawListeners(event))]));
  return () => {
    for (const event of emitter.eventNames()) {
      for (const listener of emitter.rawListeners(event)) {
        if (!before.get(event)?.has(listener)) {
          emitter.removeListener(event, listener as (...a: unknown[]) => void);
        }
      }
    }
  };
}

/** Make `process.env` hold exactly `env` (the same object: modules keep a reference to it). */
function replaceEnv(env: Record<string, string | undefined>): void {
  for (const key of Object.keys(process.env)) {
    delete process.env[key];
  }
  Object.assign(process.env, env);
}

/**
 * Run `mfa-profile` in a child process (node, ts-node) with a clean environment: only PATH, HOME (a temp folder unless
 * given), TMPDIR and `env`. For what only a process shows: two runs at once, the exit of the process itself.
 */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliRun> {
  return execCli(process.execPath, ['-r', 'ts-node/register/transpile-only', CLI, ...args], { HOME: env.HOME ?? tempDir(), ...env }, timeoutMs);
}

/**
 * The environment of a run of `mfa-profile`: PATH, TMPDIR (the jest run's temporary folder), ts-node's switches, no
 * instance metadata, and `env`.
 */
function cliEnv(env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...(process.env.TMPDIR === undefined ? {} : { TMPDIR: process.env.TMPDIR }),
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
