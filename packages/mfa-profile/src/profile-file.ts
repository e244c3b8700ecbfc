import { randomBytes } from 'crypto';
import { promises as fs, Stats } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliError } from './errors';

/**
 * How `updateFile` writes.
 */
export interface UpdateFileOptions {
  /** Keep the previous content as `FILE.bak`. @default true */
  readonly backup?: boolean;
  /** The rename that puts the new file in place (tests inject a failing one). @default fs.promises.rename */
  readonly rename?: (from: string, to: string) => Promise<void>;
  /** How long to wait for another run that holds the lock, in milliseconds. @default 10000 */
  readonly lockWaitMs?: number;
}

/**
 * What `updateFile` did.
 */
export interface UpdateResult {
  /** The file written (a symbolic link is followed). */
  readonly path: string;
  /** The file did not exist before. */
  readonly created: boolean;
  /** The content changed (an unchanged file is not written, and gets no backup). */
  readonly changed: boolean;
  /** Where the previous content was kept. */
  readonly backup?: string;
}

/**
 * The files' text is handled as latin1, so that every byte (UTF-8 or not) comes back unchanged.
 */
const ENCODING = 'latin1';
const NEW_FILE_MODE = 0o600;
const NEW_DIR_MODE = 0o700;

/**
 * Replace the content of a file with `transform(current)`, safely:
 *
 * - under a lock (`FILE.lock`, proper-lockfile), and the file is read again under the lock, so that runs at the
 *   same time apply their changes one after the other;
 * - atomically: a temporary file in the same folder, written and fsynced, is renamed over the file;
 * - the file keeps its mode (and owner, when run as root); a new file is 0600 and a new folder 0700;
 * - the previous content is kept as `FILE.bak`;
 * - on any error the file is left as it was.
 *
 * `transform` gets `undefined` for a file that does not exist. The text is latin1 (one char per byte).
 */
export async function updateFile(
  file: string,
  transform: (current: string | undefined) => string,
  options: UpdateFileOptions = {},
): Promise<UpdateResult> {
  const target = await realTarget(path.resolve(file));
  await fs.mkdir(path.dirname(target), { recursive: true, mode: NEW_DIR_MODE });
  const held = await lock(target, options.lockWaitMs ?? 10_000);
  const rename = options.rename ?? fs.rename;
  try {
    const stat = await statOrUndefined(target);
    const current = stat ? await fs.readFile(target, ENCODING) : undefined;
    const next = transform(current);
    if (next === current) {
      return { path: target, created: false, changed: false };
    }
    const backup = current !== undefined && options.backup !== false ? `${target}.bak` : undefined;
    if (backup !== undefined && current !== undefined) {
      await writeAtomic(backup, current, stat, fs.rename);
    }
    await writeAtomic(target, next, stat, async (from, to) => {
      held.check();
      await rename(from, to);
    });
    return { path: target, created: stat === undefined, changed: true, backup };
  } finally {
    await held.release();
  }
}

/**
 * The path to write: a symbolic link (a dotfiles manager's `~/.aws/config`) is followed, so the link stays a link.
 */
async function realTarget(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    return file;
  }
}

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) {
      throw new CliError(`${file} is not a regular file.`);
    }
    return stat;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw e;
  }
}

/**
 * Write a temporary file next to `file` (mode and owner of `like`, else 0600), fsync it, rename it over `file`, fsync
 * the folder. When anything fails, the temporary file is removed and `file` is untouched.
 */
async function writeAtomic(file: string, text: string, like: Stats | undefined, rename: (from: string, to: string) => Promise<void>): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const mode = like ? like.mode % 0o10000 : NEW_FILE_MODE;
  try {
    const handle = await fs.open(temp, 'wx', mode);
    try {
      await handle.chmod(mode);
      if (like && process.getuid?.() === 0 && like.uid !== 0) {
        await handle.chown(like.uid, like.gid);
      }
      await handle.writeFile(text, ENCODING);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (e) {
    await fs.rm(temp, { force: true });
    const reason = e instanceof CliError ? e.message : (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new CliError(`Could not write ${file} (${reason}); it is unchanged.`);
  }
  await syncFolder(path.dirname(file));
}

async function syncFolder(dir: string): Promise<void> {
  if (os.platform() === 'win32') {
    return;
  }
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface Lock {
  /** Fail when the lock was lost (another run took it over as stale): call it right before the rename. */
  check(): void;
  release(): Promise<void>;
}

/**
 * Take `FILE.lock` (proper-lockfile, loaded only when a file is written), waiting up to `waitMs` for another run.
 */
async function lock(file: string, waitMs: number): Promise<Lock> {
  // Loaded here, not at the top: `--print` and `--help` never pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lockfile: typeof import('proper-lockfile') = require('proper-lockfile');
  let compromised = false;
  try {
    const release = await lockfile.lock(file, {
      realpath: false,
      stale: 10_000,
      retries: { retries: Math.ceil(waitMs / 50), factor: 1, minTimeout: 25, maxTimeout: 75, randomize: true },
      onCompromised: () => {
        compromised = true;
      },
    });
    return {
      check: () => {
        if (compromised) {
          throw new CliError(`the lock ${file}.lock was lost`);
        }
      },
      release: () => release().catch(() => undefined),
    };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new CliError(`${file} is locked by another run (${file}.lock); try again, or remove ${file}.lock if no other run is going.`);
    }
    throw e;
  }
}
