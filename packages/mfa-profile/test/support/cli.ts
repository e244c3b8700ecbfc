import { execFile } from 'child_process';
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
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: env.HOME ?? tempDir(),
    TS_NODE_PREFER_TS_EXTS: 'true',
    TS_NODE_TRANSPILE_ONLY: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, ['-r', 'ts-node/register/transpile-only', CLI, ...args], {
      cwd: ROOT,
      env: childEnv,
      timeout: timeoutMs,
      encoding: 'utf8',
    }, (error, stdout, stderr) => {
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
