// Runs and tags for the first render: the root layout embeds them in the page so the run list
// and the cards appear without waiting for a second round trip. Server-only.
// Fails the Next build if a client component imports this module (the store and its data stay on the server).
import 'server-only';
import type { TagSummary } from '../store/types.ts';
import { getActiveStore } from './registry.ts';
import type { TagIndex } from '../store/tag-index.ts';

/** Tag summaries without empty optional fields. */
export function slimTags(tags: TagSummary[]): TagSummary[] {
  return tags.map((t) => {
    const out: TagSummary = {
      run: t.run,
      tag: t.tag,
      kind: t.kind,
      plugin: t.plugin,
      count: t.count,
      minStep: t.minStep,
      maxStep: t.maxStep,
    };
    if (t.displayName) out.displayName = t.displayName;
    if (t.description) out.description = t.description;
    return out;
  });
}

// The index is cached per store until the change feed reports anything: a page load, a tab switch
// and the client's re-read after connecting then share one computation while nothing is written.
const cache = new WeakMap<object, { dirty: boolean; value: Promise<TagIndex> | null }>();

/** Runs and the compact tag index (lib/store/tag-index.ts) of the active store. */
export async function currentTagIndex(): Promise<TagIndex | null> {
  const store = getActiveStore();
  if (!store) return null;
  let entry = cache.get(store);
  if (!entry) {
    const e = { dirty: true, value: null as Promise<TagIndex> | null };
    store.onChange(() => {
      e.dirty = true;
    });
    cache.set(store, e);
    entry = e;
  }
  if (entry.dirty || !entry.value) {
    entry.dirty = false; // a change during the query marks it dirty again
    const e = entry;
    e.value = store.queries.tagIndex();
    e.value.catch(() => {
      e.dirty = true;
    }); // a failed read is retried next time
  }
  return entry.value;
}

export async function initialRunsAndTags(): Promise<TagIndex | null> {
  try {
    return await currentTagIndex();
  } catch {
    return null; // the client fetches (and reports) instead
  }
}
