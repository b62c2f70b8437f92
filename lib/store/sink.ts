// The ingest side of a store: what the loader (lib/ingest/run-loader.ts) and the live ingester
// need from whatever keeps the data. StoreWriter (SQLite, synchronous) and PgWriter (PostgreSQL,
// asynchronous) both implement it; callers await every call that may touch the database, so the
// synchronous implementation pays one microtask per call and nothing else.
import type { DecodedSlice } from '../ingest/slice.ts';
import type { FileProgress, FileRecord } from './writer.ts';
import type { StoreChange } from './types.ts';

export type MaybePromise<T> = T | Promise<T>;

export interface IngestSink {
  /** Subscribe to committed changes (this process's own commits). */
  onChange(listener: (c: StoreChange) => void): () => void;

  // Cached state (answered from memory: the sink is the only writer of its files).
  hasRun(name: string): boolean;
  getFile(path: string): FileRecord | undefined;
  filesOfRun(run: string): FileRecord[];
  allFiles(): FileRecord[];

  /** (tag, plugin) of the run's tags that have a plugin, to seed a fresh normalizer. */
  pluginsOfRun(run: string): MaybePromise<[string, string][]>;
  ensureFile(run: string, path: string, rel: string): MaybePromise<FileRecord>;
  /**
   * Shared stores only: take ownership of a file for this process (false when another process
   * owns it and this one must leave it alone). Called before any read or reset of the file.
   */
  claim?(file: FileRecord): MaybePromise<boolean>;
  /** Whether the user deleted this file (same path and identity) from the store. */
  isTombstoned(path: string, ino: number): MaybePromise<boolean>;

  // One transaction per slice: begin, addSlice, commit (or rollback).
  /** Optional: let the slices of many files (and the creation of their runs and files) share one
   *  transaction until endGroup, so a sweep of small files pays a commit's fixed costs once per
   *  group. Each file's offset still commits with its data; rollback abandons the whole group. */
  beginGroup?(): MaybePromise<void>;
  endGroup?(): MaybePromise<void>;
  begin(file: FileRecord): MaybePromise<void>;
  addSlice(file: FileRecord, sl: DecodedSlice): MaybePromise<void>;
  commit(file: FileRecord, p: FileProgress): MaybePromise<void>;
  rollback(): MaybePromise<void>;
  /** Drop cached partial chunks of a file; they are reloaded on its next append. */
  releaseFile(file: FileRecord): void;

  /** Delete everything read from a file and rewind it to offset 0 (replaced or truncated). */
  resetFile(file: FileRecord): MaybePromise<void>;
  /** Forget a file (gone from its logdir); removes its run when no file is left. */
  removeFile(file: FileRecord, tombstoneIno?: number): MaybePromise<void>;
  /** Remove a run and its files' data; `tombstones` maps path -> identity to ignore from now on. */
  removeRun(name: string, tombstones?: Map<string, number>): MaybePromise<boolean>;
}
