/**
 * One process at a time on an embedded database's directory. The lock is a file holding the
 * owner's pid, created atomically (`wx`: O_CREAT | O_EXCL), so of two processes starting at once
 * one gets it. It is removed when the owner closes the store, and on any exit of the process that
 * still runs JavaScript; a lock left by a process that died (SIGKILL, a crash of the machine) names
 * a pid that no longer runs, and the next process takes it over.
 */
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
  fsyncSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'service.lock';

export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number | null,
    readonly lockFile: string,
  ) {
    super(
      `The data directory ${dir} is in use by another process${pid === null ? '' : ` (pid ${pid})`}: ` +
        `the embedded database belongs to one process at a time. Stop that process first (or run this ` +
        `command through it), or point DATA_DIR at another directory. If no such process is running, ` +
        `delete ${lockFile}.`,
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock if it is still this process's; idempotent. */
  release(): void;
}

/** True when a process with this pid runs (one of another user counts: it exists). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): number | null | 'absent' {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
}

/** A holder that no longer runs, or this very pid (a restarted container's pid 1 finds its own old lock). */
const isStale = (pid: number): boolean => pid === process.pid || !running(pid);

function create(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Moves a stale lock aside, atomically. Of two processes taking over the same stale lock, the
 * second may move the first's fresh one: it sees a live pid in what it moved and puts it back.
 */
function takeOver(file: string, stalePid: number): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const moved = readHolder(aside);
    if (moved !== stalePid && moved !== 'absent') {
      try {
        linkSync(aside, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // already gone
    }
  }
}

/**
 * Takes the lock of `dir` (which must exist) or throws `DataDirInUseError` at once, having
 * written nothing.
 */
export function lockDataDir(dir: string): DataDirLock {
  const shown = resolve(dir);
  const file = join(shown, LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if (create(file)) return heldLock(file);
    const holder = readHolder(file);
    if (holder === 'absent') continue;
    // An empty file is a lock being written this very moment: in use.
    if (holder === null || !isStale(holder)) throw new DataDirInUseError(shown, holder, file);
    takeOver(file, holder);
  }
  throw new DataDirInUseError(shown, null, file);
}

function heldLock(file: string): DataDirLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      if (readHolder(file) === process.pid) unlinkSync(file);
    } catch {
      // Nothing to remove, or not ours any more.
    }
  };
  // Covers exits that skip closing the store (process.exit after a fatal error, say).
  process.on('exit', release);
  return { file, release };
}
