// The PostgreSQL store as the rest of Board sees it: queries for web servers, a writer for
// ingesters, and the cross-process change feed (LISTEN/NOTIFY) that reaches every web server.
import type pg from 'pg';
import { ChangeFeed } from '../../ingest/change-feed.ts';
import type { StoreChange } from '../types.ts';
import { CHANGE_CHANNEL, migrate, newClient, newPool, redactUrl } from './db.ts';
import { PgQueries } from './queries.ts';
import { PgWriter } from './writer.ts';

export { isPgUrl, redactUrl } from './db.ts';
export { PgQueries } from './queries.ts';
export { PgWriter } from './writer.ts';

/** Read side: pooled queries and the change feed of every ingester writing to the database. */
export interface PgReadStore {
  readonly url: string;
  readonly queries: PgQueries;
  /** Changes committed by any process (LISTEN); reconnects by itself after a lost connection. */
  onChange(listener: (c: StoreChange) => void): () => void;
  close(): Promise<void>;
}

/** Open the database for reading (migrating the schema first if needed). */
export async function openPgReadStore(url: string, opts: { listen?: boolean } = {}): Promise<PgReadStore> {
  const admin = await connectOrExplain(url);
  try {
    await migrate(admin);
  } finally {
    await admin.end();
  }
  const pool = newPool(url);
  const feed = new ChangeFeed();
  const listener = opts.listen === false ? null : new Listener(url, feed);
  if (listener) await listener.start();
  return {
    url,
    queries: new PgQueries(pool),
    onChange: (l) => feed.subscribe(l),
    async close() {
      await listener?.stop();
      feed.end();
      await pool.end();
    },
  };
}

/** Write side for one ingester: a dedicated connection (it holds the file locks) and a writer. */
export interface PgWriteStore {
  readonly writer: PgWriter;
  close(): Promise<void>;
}

export async function openPgWriteStore(url: string, inScope: (path: string) => boolean): Promise<PgWriteStore> {
  const c = await connectOrExplain(url);
  try {
    await migrate(c);
    c.on('error', (err) => console.error(`board ingest: postgres connection lost: ${err.message}`));
    const writer = await PgWriter.open(c, inScope);
    // Ending the session releases every advisory lock it holds (also when the process is killed).
    return {
      writer,
      async close() {
        await c.end().catch(() => {});
      },
    };
  } catch (err) {
    await c.end().catch(() => {});
    throw err;
  }
}

async function connectOrExplain(url: string): Promise<pg.Client> {
  try {
    return await newClient(url);
  } catch (err) {
    throw new Error(`cannot connect to ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
}

/** LISTEN on the change channel; after a lost connection, reconnect and tell clients to refetch. */
class Listener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: ReturnType<typeof setTimeout> | null = null;
  constructor(
    private readonly url: string,
    private readonly feed: ChangeFeed,
  ) {}

  async start(): Promise<void> {
    const c = await newClient(this.url);
    c.on('notification', (m) => {
      if (m.channel !== CHANGE_CHANNEL || !m.payload) return;
      let changes: StoreChange[];
      try {
        changes = JSON.parse(m.payload) as StoreChange[];
      } catch {
        return;
      }
      for (const ch of changes) this.feed.publish(ch);
    });
    c.on('error', () => this.reconnect());
    c.on('end', () => this.reconnect());
    await c.query(`LISTEN ${CHANGE_CHANNEL}`);
    this.client = c;
  }

  private reconnect(): void {
    if (this.stopped || this.retry) return;
    this.client = null;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.start().then(
        // Changes may have been missed while disconnected: a run-level 'data' makes pages refetch.
        () => this.feed.publish({ type: 'data', run: '' }),
        () => this.reconnect(),
      );
    }, 1000);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}
