// The compact tag index the UI loads: SQLite's grouped query against the generic grouping of
// listRuns() + listTags(), on a store with gaps in run membership, several kinds and big steps.
import { expect, test } from 'vitest';
import { openWriterDb } from '../../lib/store/schema.ts';
import { StoreWriter, type FileRecord } from '../../lib/store/writer.ts';
import { openQueries } from '../../lib/store/queries.ts';
import { buildTagIndex, forEachRunIndex, toRanges } from '../../lib/store/tag-index.ts';
import type { NormalizedValue, Step } from '../../lib/tfevents/types.ts';

const scalar = (tag: string, step: Step, value: number): NormalizedValue => ({
  tag,
  step,
  wallTime: 1000 + Number(step),
  kind: 'scalar',
  plugin: null,
  data: { kind: 'scalar', value },
});

test('toRanges merges consecutive positions', () => {
  expect(toRanges([5, 0, 1, 2, 7, 6, 9])).toEqual([0, 3, 5, 3, 9, 1]);
  expect(toRanges([])).toEqual([]);
});

test('SQLite tagIndex() equals the grouping of listTags(), with run ranges', async () => {
  const db = openWriterDb(':memory:');
  const w = new StoreWriter(db);
  const q = openQueries(db);
  let n = 0;
  const put = (run: string, values: NormalizedValue[]) => {
    const f: FileRecord = w.ensureFile(run, `/logs/${run}/ev.${n}`, `${run}/ev.${n++}`);
    w.begin();
    for (const v of values) w.addValue(f, v);
    w.commit(f, {
      offset: 100,
      size: 100,
      mtime: 1,
      ino: 1,
      headLen: 0,
      headCrc: 0,
      records: values.length,
      events: values.length,
      corrupt: 0,
    });
  };
  for (let r = 0; r < 12; r++) {
    const vs = [scalar('loss', r, 1), scalar('loss', r + 5, 2)];
    if (r % 3 !== 1) vs.push(scalar('acc', 1, 0.5)); // gaps: runs 1, 4, 7, 10 lack acc
    if (r === 11) vs.push(scalar('big', 2n ** 60n, 3));
    put(`run_${String(r).padStart(2, '0')}`, vs);
  }
  const fast = await q.tagIndex();
  const slow = buildTagIndex(await q.listRuns(), await q.listTags());
  expect(fast).toEqual(slow);
  const acc = fast.tags.find((t) => t.tag === 'acc')!;
  expect(acc.ranges).toEqual([0, 1, 2, 2, 5, 2, 8, 2, 11, 1]);
  const members: string[] = [];
  forEachRunIndex(acc, (i) => members.push(fast.runs[i]!.name));
  expect(members).toEqual(['run_00', 'run_02', 'run_03', 'run_05', 'run_06', 'run_08', 'run_09', 'run_11']);
  const loss = fast.tags.find((t) => t.tag === 'loss')!;
  expect([loss.ranges, loss.count, loss.minStep, loss.maxStep]).toEqual([[0, 12], 24, 0, 16]);
  expect(fast.tags.find((t) => t.tag === 'big')!.maxStep).toBe(String(2n ** 60n));
});
