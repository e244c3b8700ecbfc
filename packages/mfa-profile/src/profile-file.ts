import { randomBytes } from 'crypto';
import { constants as fsConstants, promises as fs, Stats } from 'fs';
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
  /**
   * The file holds a secret (access keys, a session, a seed's QR code): it and its backup are written 0600, whatever
   * mode the file had. @default false: the file keeps its mode
   */
  readonly secret?: boolean;
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
  /** The mode the file had, when `secret` made it 0600. */
  readonly tightenedFrom?: number;
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
 * - a symbolic link is followed (also a dangling one: its target is created), so the link stays a link;
 * - a file that cannot be written as it is is refused, with one sentence, and never chmod-ed or chown-ed to make it
 *   so: a read-only file, a file of another owner (unless run as root, which gives the new file the old owner), a file
 *   with hard links (an atomic write would break them), a folder that is not writable, something that is not a
 *   regular file (`/dev/null`);
 * - under a lock (`FILE.lock`, proper-lockfile), and the file is read again under the lock, so that runs at the
 *   same time apply their changes one after the other; temporary files left by killed runs are removed;
 * - atomically: a temporary file in the same folder, written and fsynced, is renamed over the file;
 * - the file keeps its mode and owner; a new file is 0600 and a new folder 0700; with `secret`, the file (and its
 *   backup) is 0600 whatever it was;
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
  const before = await writableOrUndefined(target);
  await makeFolder(path.dirname(target));
  const held = await lock(target, options.lockWaitMs ?? 10_000);
  const rename = options.rename ?? fs.rename;
  try {
    await removeStaleTemporaries(target);
    const stat = await writableOrUndefined(target);
    if ((before === undefined) !== (stat === undefined)) {
      throw new CliError(`${target} was ${stat ? 'created' : 'removed'} by something else while this run waited for it; run this again.`);
    }
    const current = stat ? await fs.readFile(target, ENCODING) : undefined;
    const next = transform(current);
    const mode = options.secret || !stat ? NEW_FILE_MODE : stat.mode % 0o10000;
    const tightenedFrom = stat && options.secret && stat.mode % 0o10000 !== NEW_FILE_MODE ? stat.mode % 0o10000 : undefined;
    if (next === current && tightenedFrom === undefined) {
      return { path: target, created: false, changed: false };
    }
    const backup = current !== undefined && next !== current && options.backup !== false ? `${target}.bak` : undefined;
    if (backup !== undefined && current !== undefined) {
      await writeAtomic(backup, current, mode, stat, fs.rename);
    }
    await writeAtomic(target, next, mode, stat, async (from, to) => {
      held.check();
      await rename(from, to);
    });
    const tightened = tightenedFrom === undefined ? {} : { tightenedFrom };
    return { path: target, created: stat === undefined, changed: next !== current, backup, ...tightened };
  } finally {
    await held.release();
  }
}

/**
 * Read a file that may be missing (empty text), `/dev/null` (empty text) or unreadable (one sentence); latin1.
 */
export async function readFileIfAny(file: string): Promise<string> {
  try {
    return await fs.readFile(file, ENCODING);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return '';
    }
    throw new CliError(code === 'EACCES' || code === 'EPERM'
      ? `Cannot read ${file}: you do not have read permission on it (or on its folder).`
      : `Cannot read ${file} (${code ?? (e as Error).message}).`);
  }
}

/** How many symbolic links `realTarget` follows, as Linux does (ELOOP after 40). */
const MAX_LINKS = 40;

/**
 * The path to write: symbolic links are followed (a dotfiles manager's `~/.aws/config`), also a dangling one, whose
 * target is then created; the link stays a link.
 */
async function realTarget(file: string): Promise<string> {
  let current = file;
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let link: string;
    try {
      link = await fs.readlink(current);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EINVAL' || code === 'ENOENT') {
        // Not a link (or missing): resolve the folders' links, keep the name.
        const dir = await fs.realpath(path.dirname(current)).catch(() => path.dirname(current));
        return path.join(dir, path.basename(current));
      }
      throw permissionError(e, current, 'read');
    }
    current = path.resolve(path.dirname(current), link);
  }
  throw new CliError(`${file} is a symbolic link in a loop (more than ${MAX_LINKS} links): point it at a file.`);
}

/**
 * The file's stat when it exists and this run may write it as it is; undefined when it does not exist.
 */
async function writableOrUndefined(file: string): Promise<Stats | undefined> {
  let stat: Stats;
  try {
    stat = await fs.stat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw permissionError(e, file, 'read');
  }
  if (!stat.isFile()) {
    throw new CliError(`${file} is not a regular file (${kindOf(stat)}): nothing can be written to it; name a regular file.`);
  }
  const mode = stat.mode % 0o10000;
  const uid = process.getuid?.();
  // The owner's write bit (0o200).
  if (Math.floor(mode / 0o200) % 2 === 0) {
    throw new CliError(`${file} is read-only (mode ${octal(mode)}): this command does not change its permissions; `
      + `make it writable (chmod u+w ${file}) and run this again, or print the profile with --print.`);
  }
  if (uid !== undefined && uid !== 0 && stat.uid !== uid) {
    throw new CliError(`${file} belongs to user ${stat.uid}, not to you (${uid}): writing it would make it yours; `
      + 'ask its owner, or name a file of yours.');
  }
  if (stat.nlink > 1) {
    throw new CliError(`${file} has ${stat.nlink} hard links: an atomic write would break them (the other names would keep the old content); `
      + 'replace the hard links by symbolic links, or name a file without links.');
  }
  try {
    await fs.access(file, fsConstants.R_OK);
    await fs.access(file, fsConstants.W_OK);
  } catch (e) {
    throw permissionError(e, file, 'write');
  }
  return stat;
}

async function makeFolder(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: NEW_DIR_MODE });
    await fs.access(dir, fsConstants.W_OK);
    await fs.access(dir, fsConstants.X_OK);
  } catch (e) {
    throw permissionError(e, dir, 'write in');
  }
}

/**
 * Remove the temporary files that killed runs left next to the file (`.NAME.<pid>.<hex>.tmp` of a process that is gone).
 */
async function removeStaleTemporaries(file: string): Promise<void> {
  const pattern = new RegExp(`^\\.${escapeRegExp(path.basename(file))}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
  for (const name of await fs.readdir(path.dirname(file))) {
    const pid = pattern.exec(name)?.[1];
    if (pid !== undefined && !alive(Number(pid))) {
      await fs.rm(path.join(path.dirname(file), name), { force: true });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Write a temporary file next to `file` (mode `mode`, the owner of `like` when run as root), fsync it, rename it over
 * `file`, fsync the folder. When anything fails, the temporary file is removed and `file` is untouched.
 */
async function writeAtomic(file: string, text: string, mode: number, like: Stats | undefined,
  rename: (from: string, to: string) => Promise<void>): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx', mode);
    try {
      await handle.chmod(mode);
      const uid = process.getuid?.();
      if (like && (uid === 0 ? like.uid !== 0 || like.gid !== 0 : like.gid !== process.getgid?.())) {
        await handle.chown(uid === 0 ? like.uid : uid ?? like.uid, like.gid);
      }
      await handle.writeFile(text, ENCODING);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (e) {
    await fs.rm(temp, { force: true });
    if (e instanceof CliError) {
      throw new CliError(`Could not write ${file} (${e.message}); it is unchanged.`);
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPERM' && like) {
      throw new CliError(`Could not write ${file}: it belongs to group ${like.gid}, which you cannot give a new file; it is unchanged.`);
    }
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw permissionError(e, path.dirname(file), 'write in');
    }
    throw new CliError(`Could not write ${file} (${code ?? (e as Error).message}); it is unchanged.`);
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

/** One sentence for a failed file-system call. */
function permissionError(e: unknown, file: string, verb: 'read' | 'write' | 'write in'): CliError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new CliError(`Cannot ${verb} ${file}: you do not have ${verb === 'read' ? 'read' : 'write'} permission on it`
      + `${verb === 'write in' ? '' : ' or its folder'}; nothing was changed.`);
  }
  if (code === 'EROFS') {
    return new CliError(`Cannot ${verb} ${file}: it is on a read-only file system; nothing was changed.`);
  }
  if (code === 'ENOTDIR') {
    return new CliError(`Cannot ${verb} ${file}: a part of its path is a file, not a folder; nothing was changed.`);
  }
  return new CliError(`Cannot ${verb} ${file} (${code ?? (e as Error).message}); nothing was changed.`);
}

function kindOf(stat: Stats): string {
  return stat.isCharacterDevice() ? 'a character device' : stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a pipe' : stat.isSocket() ? 'a socket' : 'not a file';
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
    throw permissionError(e, path.dirname(file), 'write in');
  }
}
