// Run names in the selector: middle ellipsis parts, and addHparams child runs shown as sessions.
import { expect, test } from 'vitest';
import { hparamsSessionParents, middleEllipsisParts, withSessionsAfterParents } from '../../app/ui/run-names.ts';
import type { TagSummary } from '../../lib/store/types.ts';

test('long names keep their distinguishing end', () => {
  expect(middleEllipsisParts('short')).toEqual(['short', '']);
  const a = 'sweep_2026_resnet50_cosine_warmup_lr0.001_bs64_seed1';
  const b = 'sweep_2026_resnet50_cosine_warmup_lr0.001_bs64_seed2';
  const [ha, ta] = middleEllipsisParts(a),
    [hb, tb] = middleEllipsisParts(b);
  expect(ha + ta).toBe(a);
  expect(ta).not.toBe(tb); // the visible tails differ even though the heads truncate alike
  expect(ta.endsWith('seed1')).toBe(true);
  expect(hb).toBe(ha);
});

const tag = (run: string, kind: TagSummary['kind']): TagSummary => ({
  run,
  tag: 't',
  kind,
  plugin: null,
  count: 1,
  minStep: 0,
  maxStep: 0,
});

test("an addHparams child run is its parent's session and is listed after it", () => {
  const runs = ['a', 'a/1712345678.9', 'b', 'b/sub', 'c/1712345678.9', 'z'];
  const tags = [
    tag('a/1712345678.9', 'hparams'),
    tag('a/1712345678.9', 'scalar'),
    tag('b/sub', 'scalar'),
    tag('c/1712345678.9', 'hparams'),
  ];
  const parents = hparamsSessionParents(runs, tags);
  // b/sub holds no hparams (an ordinary nested run); c has no run of its own.
  expect([...parents]).toEqual([['a/1712345678.9', 'a']]);
  expect(withSessionsAfterParents(['a', 'b', 'z', 'a/1712345678.9'], parents)).toEqual(['a', 'a/1712345678.9', 'b', 'z']);
  // A session whose parent is filtered out is still listed.
  expect(withSessionsAfterParents(['a/1712345678.9', 'z'], parents)).toEqual(['a/1712345678.9', 'z']);
});
