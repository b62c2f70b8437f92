// One ingester per store file, across processes: SQLite would serialize two writers, but both
// would read the same new bytes and store them twice. The lock is a file next to the database
// holding the owner's pid; a lock left by a dead process (SIGKILL) is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export class StoreLockedError extends Error {
  constructor(readonly dbPath: string, readonly pid: number) {
    super(`${dbPath} is being written by another board process (pid ${pid}); use --db to choose another store`);
    this.name = 'StoreLockedError';
  }
}

/** Take the writer lock of `dbPath`; returns its release function. Throws StoreLockedError. */
export function acquireWriterLock(dbPath: string): () => void {
  const lockPath = `${dbPath}.writer-lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => { if (!released) { released = true; try { unlinkSync(lockPath); } catch { /* gone already */ } } };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let pid = NaN;
    try { pid = Number(readFileSync(lockPath, 'utf8').trim()); } catch { continue; /* released meanwhile */ }
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) throw new StoreLockedError(dbPath, pid);
    try { unlinkSync(lockPath); } catch { /* someone else took it over first */ }
  }
  throw new Error(`${dbPath}: could not take the writer lock (${lockPath})`);
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}
