// The Scalars page's early requests (app/scalars/page.tsx): the server picks the first cards and
// builds their request bodies with the same pure functions the dashboard uses, and an inline
// script sends them before hydration. These check the pieces: selection, card order, bodies, the
// script's escaping, and that a card takes an early response exactly once.
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { firstCardTags, scalarCardLayout, xAxisParam } from '../../app/ui/scalars/card-layout.ts';
import { earlyRequestsScript, scalarsPostBodies, takeEarlyResponse, OVERVIEW_POINTS } from '../../app/ui/scalars/scalars-post.ts';
import { selectedRuns, selectionKeys, tagsOfKind } from '../../app/ui/selection.ts';
import { buildTagIndex } from '../../lib/store/tag-index.ts';
import type { RunSummary, TagSummary } from '../../lib/store/types.ts';

const run = (name: string): RunSummary => ({ name }) as RunSummary;
const row = (r: string, tag: string, kind: TagSummary['kind'] = 'scalar'): TagSummary => ({
  run: r,
  tag,
  kind,
  plugin: kind === 'scalar' ? 'scalars' : null,
  count: 3,
  minStep: 0,
  maxStep: 2,
});

describe('selection (shared by the run context and the server page)', () => {
  const names = ['a/train', 'a/eval', 'b/train', 'b/eval'];
  test('hide, sel, desel and the run filter narrow the runs, in run-list order', () => {
    expect(selectedRuns(names, selectionKeys(new URLSearchParams(''))).selected).toEqual(names);
    expect(selectedRuns(names, selectionKeys(new URLSearchParams('hide=a/eval&runFilter=EVAL'))).selected).toEqual(['b/eval']);
    expect(selectedRuns(names, selectionKeys(new URLSearchParams('sel=b/train&sel=a/train'))).selected).toEqual(['a/train', 'b/train']);
    expect(selectedRuns(names, selectionKeys(new URLSearchParams('desel=a/train'))).selected).toEqual(['a/eval', 'b/train', 'b/eval']);
    expect(selectedRuns(names, selectionKeys(new URLSearchParams('sel='))).selected).toEqual([]);
    const bad = selectedRuns(names, selectionKeys(new URLSearchParams('runFilter=(a)\\1')));
    expect(bad.filterError).toMatch(/RE2/);
    expect(bad.selected).toEqual(names);
  });

  test('tagsOfKind keeps the selected runs per tag, sorted by tag', () => {
    const runs = ['r1', 'r2', 'r3'].map(run);
    const index = buildTagIndex(runs, [row('r2', 'z'), row('r1', 'z'), row('r3', 'a'), row('r1', 'img', 'image')]);
    const map = tagsOfKind({ runs, tags: index.tags, selected: ['r1', 'r3'] }, ['scalar']);
    expect([...map.entries()]).toEqual([
      ['a', ['r3']],
      ['z', ['r1']],
    ]);
  });
});

describe('card layout', () => {
  const tagMap = new Map(['acc/top1', 'acc/top5', 'loss', 'loss/eval', 'loss/train'].map((t) => [t, ['r']]));
  test('pinned cards come first, then groups in order of their first tag', () => {
    const layout = scalarCardLayout(tagMap, '', ['loss/train'].join('\u0000'));
    expect(layout.pinnedTags).toEqual(['loss/train']);
    expect([...layout.groups.entries()]).toEqual([
      ['acc', ['acc/top1', 'acc/top5']],
      ['(top level)', ['loss']],
      ['loss', ['loss/eval']],
    ]);
    expect(firstCardTags(layout, 3)).toEqual(['loss/train', 'acc/top1', 'acc/top5']);
    expect(firstCardTags(layout, 10)).toEqual(['loss/train', 'acc/top1', 'acc/top5', 'loss', 'loss/eval']);
  });
  test('the tag filter narrows the cards; a bad filter is reported and filters nothing', () => {
    expect(firstCardTags(scalarCardLayout(tagMap, 'EVAL', ''), 4)).toEqual(['loss/eval']);
    const bad = scalarCardLayout(tagMap, '(x)\\1', '');
    expect(bad.tagError).toMatch(/RE2/);
    expect(bad.tags.length).toBe(5);
  });
  test('x axis from the URL', () => {
    expect(xAxisParam(new URLSearchParams('x=wall'))).toBe('wall');
    expect(xAxisParam(new URLSearchParams('x=bogus'))).toBe('step');
    expect(xAxisParam(new URLSearchParams(''))).toBe('step');
  });
});

describe('request bodies', () => {
  test('split at 2,000 runs, each part within the server point cap, wall times as asked', () => {
    const runs = Array.from({ length: 2500 }, (_, i) => `run_${i}`);
    const bodies = scalarsPostBodies(runs, { tag: 'loss', maxPoints: OVERVIEW_POINTS, wallTimes: false }).map((b) => JSON.parse(b));
    expect(bodies.map((b) => b.runs.length)).toEqual([2000, 500]);
    expect(bodies.map((b) => b.maxPoints)).toEqual([1000, 1500]); // 2,000,000 points / 2,000 runs
    expect(bodies[0]).toMatchObject({ tag: 'loss', wallTimes: false, compact: true });
    expect('minStep' in bodies[0]).toBe(false);
    const zoom = JSON.parse(scalarsPostBodies(['a'], { tag: 't', minStep: 3, maxStep: 9, maxPoints: 10, wallTimes: true })[0]!);
    expect(zoom).toEqual({ runs: ['a'], tag: 't', minStep: 3, maxStep: 9, maxPoints: 10, wallTimes: true, compact: true });
  });
});

describe('early requests script', () => {
  const saved = (globalThis as { window?: unknown }).window;
  // The page's clock: a second after navigation (this process has run longer than that).
  beforeEach(() => {
    vi.spyOn(performance, 'now').mockReturnValue(1000);
  });
  afterEach(() => {
    (globalThis as { window?: unknown }).window = saved;
    vi.restoreAllMocks();
  });

  /** Runs the inline script against a fake window and fetch; returns the fetch calls. */
  function runScript(src: string): Array<{ url: string; body: string }> {
    const calls: Array<{ url: string; body: string }> = [];
    const win: Record<string, unknown> = {};
    (globalThis as { window?: unknown }).window = win;
    const fakeFetch = (url: string, init: { body: string; method: string }) => {
      expect(init.method).toBe('POST');
      calls.push({ url, body: init.body });
      return Promise.resolve(new Response(`{"n":${calls.length}}`));
    };
    runInNewContext(src, { window: win, fetch: fakeFetch });
    return calls;
  }

  test('sends each body once and a card with the same body takes the response, once', async () => {
    const bodies = scalarsPostBodies(['a', 'b'], { tag: 'loss', maxPoints: OVERVIEW_POINTS, wallTimes: false });
    const calls = runScript(earlyRequestsScript(bodies));
    expect(calls).toEqual([{ url: '/api/scalars', body: bodies[0] }]);
    expect(takeEarlyResponse(scalarsPostBodies(['a'], { tag: 'loss', maxPoints: OVERVIEW_POINTS, wallTimes: false })[0]!)).toBeUndefined();
    const res = takeEarlyResponse(bodies[0]!);
    expect(await (await res!).json()).toEqual({ n: 1 });
    expect(takeEarlyResponse(bodies[0]!)).toBeUndefined();
  });

  test('answers older than the page load are not used', () => {
    const bodies = scalarsPostBodies(['a'], { tag: 'loss', maxPoints: OVERVIEW_POINTS, wallTimes: false });
    runScript(earlyRequestsScript(bodies));
    vi.spyOn(performance, 'now').mockReturnValue(60_000);
    expect(takeEarlyResponse(bodies[0]!)).toBeUndefined();
    vi.spyOn(performance, 'now').mockReturnValue(1000);
    expect(takeEarlyResponse(bodies[0]!)).toBeUndefined(); // dropped, not kept for later
  });

  test('names cannot end the script element; they arrive unchanged', () => {
    const hostile = ['</script><img src=x onerror=alert(1)>', '<!--', 'a\u2028b', 'x&amp;y'];
    const bodies = scalarsPostBodies(hostile, { tag: '</SCRIPT>', maxPoints: 10, wallTimes: true });
    const src = earlyRequestsScript(bodies);
    expect(src).not.toMatch(/[<>&\u2028\u2029]/);
    const calls = runScript(src);
    expect(JSON.parse(calls[0]!.body)).toMatchObject({ runs: hostile, tag: '</SCRIPT>' });
  });
});
