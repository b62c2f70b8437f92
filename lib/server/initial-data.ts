// Runs and tags for the first render: the root layout embeds them in the page so the run list
// and the cards appear without waiting for a second round trip. Server-only.
// Fails the Next build if a client component imports this module (the store and its data stay on the server).
import 'server-only';
import type { RunSummary, TagSummary } from '../store/types.ts';
import { getActiveStore } from './registry.ts';

/** Tag summaries without empty optional fields (100 runs x 20 tags is ~2000 entries). */
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

export async function initialRunsAndTags(): Promise<{ runs: RunSummary[]; tags: TagSummary[] } | null> {
  const store = getActiveStore();
  if (!store) return null;
  try {
    const [runs, tags] = await Promise.all([store.queries.listRuns(), store.queries.listTags()]);
    return { runs, tags: slimTags(tags) };
  } catch {
    return null; // the client fetches (and reports) instead
  }
}
