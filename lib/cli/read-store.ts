// A store opened without ingesting, for `board serve --no_ingest` and `board export --db` without a
// logdir: a PostgreSQL URL (pooled queries, and the LISTEN change feed of every ingester), or an
// existing SQLite store file (read-only; it has no cross-process feed).
import { existsSync } from 'node:fs';
import type { StoreChange, StoreQueries } from '../store/types.ts';
import { isPgUrl } from '../store/pg/url.ts';

export interface ReadStore {
  queries: StoreQueries;
  /** Changes committed by ingesters; null when the store cannot tell (a SQLite file). */
  onChange: ((listener: (c: StoreChange) => void) => () => void) | null;
  close(): Promise<void>;
}

export async function openReadStore(db: string, opts: { listen?: boolean } = {}): Promise<ReadStore> {
  if (isPgUrl(db)) {
    const { openPgReadStore } = await import('../store/pg/index.ts');
    const s = await openPgReadStore(db, { listen: opts.listen ?? true });
    return { queries: s.queries, onChange: opts.listen === false ? null : (l) => s.onChange(l), close: () => s.close() };
  }
  if (db === ':memory:' || !existsSync(db)) throw new Error(`--db ${db}: no such store (give a postgres:// URL or an existing store file)`);
  const { openQueries } = await import('../store/queries.ts');
  const q = openQueries(db);
  return {
    queries: q,
    onChange: null,
    async close() {
      q.close();
    },
  };
}
