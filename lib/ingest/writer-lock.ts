// One ingester per store file, across processes: SQLite would serialize two writers, but both
// would read the same new bytes and store them twice.
//
// The lock is an operating-system lock (POSIX fcntl / Windows LockFile, through SQLite's own file
// locking) held on `<db>.lock` by an open connection in EXCLUSIVE locking mode. Taking it is one
// atomic step, and the OS drops it when its process dies, even by SIGKILL, so there is no stale
// lock to detect and take over: the race of a pid file (a lock visible before its pid is written,
// two processes each deleting the other's fresh lock) cannot happen. The lock file is never
// deleted (deleting it would let a new file be locked while an old one still is).
import Database from 'better-sqlite3';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

export class StoreLockedError extends Error {
  constructor(
    readonly dbPath: string,
    readonly pid: number,
  ) {
    super(`${dbPath} is being written by another board process${pid > 0 ? ` (pid ${pid})` : ''}; use --db to choose another store`);
    this.name = 'StoreLockedError';
  }
}

/** Path of the lock file of a store. */
export function writerLockPath(dbPath: string): string {
  return `${dbPath}.lock`;
}

/** Take the writer lock of `dbPath`; returns its release function. Throws StoreLockedError. */
export function acquireWriterLock(dbPath: string): () => void {
  const lockPath = writerLockPath(dbPath);
  const pidPath = `${lockPath}.pid`;
  let db: Database.Database;
  try {
    db = new Database(lockPath);
  } catch (err) {
    throw new Error(`${dbPath}: cannot open the writer lock ${lockPath}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write under EXCLUSIVE locking mode takes the file's exclusive lock and keeps it
    // until the connection closes.
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS owner (pid INTEGER); DELETE FROM owner; COMMIT');
    db.prepare('INSERT INTO owner(pid) VALUES (?)').run(process.pid);
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw new StoreLockedError(dbPath, readPid(pidPath));
    if (code === 'SQLITE_NOTADB')
      throw new Error(`${dbPath}: ${lockPath} is not a Board lock file; remove it if no board process uses this store`, { cause: err });
    throw err;
  }
  // The pid is only for the message above: written whole (temp file + rename) while we hold the lock.
  try {
    writeFileSync(`${pidPath}.${process.pid}`, String(process.pid));
    renameSync(`${pidPath}.${process.pid}`, pidPath);
  } catch {
    /* informational */
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      unlinkSync(pidPath);
    } catch {
      /* gone already */
    }
    db.close(); // releases the OS lock
  };
}

function readPid(path: string): number {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}
