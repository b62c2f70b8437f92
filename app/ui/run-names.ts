// How run names are shown: long names keep their end visible (runs that share a long prefix differ
// at the end), and the child runs that SummaryWriter.addHparams writes (`<run>/<timestamp>`, as
// PyTorch does) are shown as sessions of their parent run rather than as unrelated runs.
import { forEachRunIndex, type TagIndexEntry } from '../../lib/store/tag-index.ts';
import type { RunSummary, TagSummary } from '../../lib/store/types.ts';

/** Characters always kept at the end of a long name; the head gets the CSS ellipsis. */
const TAIL = 16;

/** [head, tail] for a middle ellipsis: the head shrinks (ellipsis), the tail always shows. */
export function middleEllipsisParts(name: string, tail = TAIL): [string, string] {
  if (name.length <= tail + 3) return [name, ''];
  return [name.slice(0, name.length - tail), name.slice(name.length - tail)];
}

/**
 * child run -> parent run, for runs that hold hparams data and sit directly under another run
 * (what addHparams creates). A run with its own children is never a session.
 */
export function hparamsSessionParents(runNames: readonly string[], tags: readonly Pick<TagSummary, 'run' | 'kind'>[]): Map<string, string> {
  const runs = new Set(runNames);
  const withHparams = new Set(tags.filter((t) => t.kind === 'hparams').map((t) => t.run));
  const out = new Map<string, string>();
  for (const run of withHparams) {
    const slash = run.lastIndexOf('/');
    if (slash <= 0) continue;
    const parent = run.slice(0, slash);
    if (runs.has(parent) && runs.has(run)) out.set(run, parent);
  }
  return out;
}

/** Run names in display order: each parent followed by its sessions. */
export function withSessionsAfterParents(names: readonly string[], parents: ReadonlyMap<string, string>): string[] {
  const children = new Map<string, string[]>();
  for (const [child, parent] of parents) {
    const list = children.get(parent);
    if (list) list.push(child);
    else children.set(parent, [child]);
  }
  const out: string[] = [];
  const shown = new Set(names);
  const place = (n: string) => {
    out.push(n);
    for (const c of (children.get(n) ?? []).sort()) if (shown.has(c)) place(c);
  };
  for (const n of names) {
    const p = parents.get(n);
    if (p !== undefined && shown.has(p)) continue; // placed after its parent
    place(n);
  }
  return out;
}

/** The (run, 'hparams') rows of a tag index, for hparamsSessionParents. */
export function hparamsRows(runs: readonly RunSummary[], tags: readonly TagIndexEntry[]): Array<Pick<TagSummary, 'run' | 'kind'>> {
  const out: Array<Pick<TagSummary, 'run' | 'kind'>> = [];
  for (const t of tags) {
    if (t.kind !== 'hparams') continue;
    forEachRunIndex(t, (i) => {
      const run = runs[i]?.name;
      if (run !== undefined) out.push({ run, kind: 'hparams' });
    });
  }
  return out;
}
