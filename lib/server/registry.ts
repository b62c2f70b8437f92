// The bridge between the CLI process and Next's route handlers. Route handlers are bundled by
// webpack into .next/, so they get their own copy of every module: a module-level variable set by
// the CLI would be invisible to them. Both sides therefore meet on one globalThis slot.
import type { SampledPlugin } from '../domain/plugins.ts';
import type { StoreChange, StoreQueries } from '../store/types.ts';

/** Per-plugin caps from `--samples_per_plugin` (e.g. `scalars=1000,images=10`). */
export type SampleCaps = Partial<Record<SampledPlugin, number>>;

/** What the web app can reach of the running board: read-only queries plus a few actions. */
export interface ActiveStore {
  queries: StoreQueries;
  /** Subscribe to the ingester's change feed; returns the unsubscribe function. */
  onChange(listener: (change: StoreChange) => void): () => void;
  /** Removes a run from the store (and moves its files to the trash when asked). */
  deleteRun(run: string, opts: { trash: boolean }): Promise<void> | void;
  caps: SampleCaps;
  /** --logdir or --logdir_spec as given ('' when the board serves a database without one). */
  logdir: string;
  /** The log directories, each with its --logdir_spec name (null for --logdir); absent without any. */
  sources?: Array<{ name: string | null; path: string }>;
  version: string;
}

const SLOT = Symbol.for('board.activeStore');
type Slot = { [SLOT]?: ActiveStore };

export function setActiveStore(store: ActiveStore | undefined): void {
  (globalThis as Slot)[SLOT] = store;
}

/** The store the CLI registered, or undefined when the app runs without one (e.g. `next build`). */
export function getActiveStore(): ActiveStore | undefined {
  return (globalThis as Slot)[SLOT];
}
