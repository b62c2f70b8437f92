// Which scalar cards the Scalars page shows, and in what order: the tag filter narrows the tags,
// pinned tags come first, the rest group by the tag's first path segment. Pure (no React): the
// dashboard lays its cards out with it, and the server-rendered page uses the same order to start
// the first cards' data requests before the page hydrates (app/scalars/page.tsx).
import { compileFilter } from '../name-filter.ts';
import { groupOf } from '../time-series/model.ts';
import type { XAxisMode } from './math.ts';

const X_MODES: readonly XAxisMode[] = ['step', 'relative', 'wall'];

/** The x axis the URL asks for (`x`), step when absent or unknown. */
export function xAxisParam(params: URLSearchParams): XAxisMode {
  const x = params.get('x') as XAxisMode | null;
  return x !== null && X_MODES.includes(x) ? x : 'step';
}

export interface ScalarCardLayout {
  /** Tags passing the tag filter, sorted. */
  tags: string[];
  pinned: Set<string>;
  /** Pinned tags passing the filter, in tag order. */
  pinnedTags: string[];
  /** Unpinned tags by group, groups in order of their first tag. */
  groups: Map<string, string[]>;
  tagError: string | null;
}

/**
 * `tagMap`: tag -> runs (tagsOfKind's answer, sorted by tag); `tagFilterSrc`: the `tagFilter`
 * parameter; `pinnedKey`: the `pin` parameters joined by NUL.
 */
export function scalarCardLayout(
  tagMap: ReadonlyMap<string, readonly string[]>,
  tagFilterSrc: string,
  pinnedKey: string,
): ScalarCardLayout {
  const { re, error } = compileFilter(tagFilterSrc);
  const tags = [...tagMap.keys()].filter((t) => re === null || re.test(t));
  const pinned = new Set(pinnedKey ? pinnedKey.split('\u0000') : []);
  const groups = new Map<string, string[]>();
  for (const t of tags) {
    if (pinned.has(t)) continue;
    const g = groupOf(t);
    const list = groups.get(g);
    if (list) list.push(t);
    else groups.set(g, [t]);
  }
  return { tags, pinned, pinnedTags: tags.filter((t) => pinned.has(t)), groups, tagError: error };
}

/** The first `n` cards' tags in page order (pinned section, then each group). */
export function firstCardTags(layout: ScalarCardLayout, n: number): string[] {
  const out = layout.pinnedTags.slice(0, n);
  for (const list of layout.groups.values()) {
    if (out.length >= n) break;
    out.push(...list.slice(0, n - out.length));
  }
  return out;
}
