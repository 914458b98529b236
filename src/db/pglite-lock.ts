/**
 * A PGlite data directory is a single-process database: opening it from two processes corrupts it.
 * A lock file names the process that holds it, so a second process fails with a clear sentence.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface LockHolder { pid: number; command: string; started_at: string }

export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string, readonly holder: LockHolder) {
    super(`The embedded database in ${dataDir} is in use by "ticketbridge ${holder.command}" (pid ${holder.pid}, since ${holder.started_at}). ` +
      'Stop that process first, or set DATABASE_URL to a PostgreSQL server to run several processes at once.');
    this.name = 'DataDirLockedError';
  }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Takes the lock or throws DataDirLockedError; a lock left by a dead process is taken over. */
export function acquireDataDirLock(dataDir: string, command: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'ticketbridge.lock');
  const me: LockHolder = { pid: process.pid, command, started_at: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try { rmSync(file, { force: true }); } catch { /* already gone */ }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: LockHolder | undefined;
      try { holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder; } catch { holder = undefined; }
      if (holder && holder.pid !== process.pid && alive(holder.pid)) throw new DataDirLockedError(dataDir, holder);
      rmSync(file, { force: true }); // stale lock of a process that is gone
    }
  }
  throw new Error(`could not take the lock file ${file}`);
}
