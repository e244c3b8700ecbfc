import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { AwsFileKind } from '../../src/ini';

/**
 * The SDK v3's own loader, from the copy of `@smithy/core` that the STS client (and so `fromIni`) loads.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadSharedConfigFiles }: typeof import('@smithy/core/config') = require(require.resolve('@smithy/core/config', {
  paths: [path.dirname(require.resolve('@aws-sdk/client-sts'))],
}));

/** The AWS CLI v2 from Debian's awscli package (an older 1.x may be earlier on PATH). */
export const AWS_CLI = '/usr/bin/aws';
const PYTHON = '/usr/bin/python3';
const READER = path.join(__dirname, 'awscli-read.py');

/** What a tool reads from one file: profile → key → value (sub-settings as `parent.key`), or that it cannot read it. */
export type ReadResult = { readonly profiles: Record<string, Record<string, string>> } | { readonly error: string };

/** Whether the AWS CLI v2 (its bundled botocore and Python) is installed; the differential tests need it. */
export function awsCliAvailable(): boolean {
  try {
    return fs.existsSync(AWS_CLI) && /aws-cli\/2\./.test(execFileSync(AWS_CLI, ['--version'], { encoding: 'utf8', timeout: 20_000 }));
  } catch {
    return false;
  }
}

/**
 * Read files with the AWS CLI v2's own parser (botocore's configloader, as bundled with the CLI), all in one Python run.
 */
export function readWithAwsCli(files: ReadonlyArray<{ readonly path: string; readonly kind: AwsFileKind }>): Promise<ReadResult[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, [READER], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))));
    child.stdin?.end(JSON.stringify(files));
  });
}

/**
 * Read a file with the SDK v3's own loader (`loadSharedConfigFiles` of `@smithy/core`, which `fromIni` uses). The SDK
 * reads a file it rejects as empty: that is `{ error }` here when the loader read nothing from a file with sections.
 */
export async function readWithSdk(file: string, kind: AwsFileKind): Promise<ReadResult> {
  const missing = path.join(path.dirname(file), '.missing-on-purpose');
  const loaded = await loadSharedConfigFiles(kind === 'config'
    ? { configFilepath: file, filepath: missing, ignoreCache: true }
    : { configFilepath: missing, filepath: file, ignoreCache: true });
  const data = (kind === 'config' ? loaded.configFile : loaded.credentialsFile) as Record<string, Record<string, string>>;
  const profiles: Record<string, Record<string, string>> = {};
  for (const [name, values] of Object.entries(data)) {
    // getConfigData keeps `sso-session.NAME` and `services.NAME` sections under their full names; they are not profiles.
    if (kind === 'credentials' || !/^(sso-session|services)\./.test(name)) {
      profiles[name] = { ...values };
    }
  }
  return { profiles };
}

/**
 * `aws configure get KEY --profile NAME` with the real AWS CLI v2 on one file (the other file absent): the value, or
 * undefined when the CLI prints nothing (exit status 1) or cannot parse the file (255: `{ error }`).
 */
export function awsConfigureGet(file: string, kind: AwsFileKind, profile: string, key: string): Promise<string | undefined | { error: string }> {
  const missing = path.join(path.dirname(file), '.missing-on-purpose');
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: path.dirname(file),
    LANG: 'C.UTF-8',
    AWS_CONFIG_FILE: kind === 'config' ? file : missing,
    AWS_SHARED_CREDENTIALS_FILE: kind === 'credentials' ? file : missing,
  };
  return new Promise((resolve) => {
    execFile(AWS_CLI, ['configure', 'get', key, '--profile', profile], { env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (!error) {
        resolve(stdout.replace(/\n$/, ''));
      } else if (error.code === 1 && stdout === '') {
        resolve(undefined);
      } else {
        resolve({ error: `${error.code}: ${stderr.trim()}` });
      }
    });
  });
}
