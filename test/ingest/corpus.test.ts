// The whole tfevents corpus (event files written by other tools) ingests with the counts of
// EXPECTED.json: records and events per file, values per tag, step ranges, first/last scalars,
// graphs and run metadata, and no warnings.
import { collectRows } from '../helpers/rows.ts';
import { afterAll, beforeAll, expect, test } from 'vitest';
import Database from 'better-sqlite3';
import { join, posix } from 'node:path';
import { startIngest, type Ingester } from '../../lib/ingest/index.ts';
import { sharedOrSkipNotice } from '../helpers/shared.ts';
import { CORPUS_DIR, expectedFloat, loadExpected } from '../helpers/tfevents-corpus.ts';
import { tempDir } from './helpers.ts';

sharedOrSkipNotice('the unlicensed half of the tfevents corpus (ingesting the test/fixtures copies)');
const expected = loadExpected();
const files = Object.keys(expected);
const runOf = (rel: string) => posix.dirname(rel);

let ing: Ingester;
let dbPath: string;
const tmp = tempDir();
beforeAll(async () => {
  dbPath = join(tmp.dir, 'corpus.sqlite');
  ing = await startIngest({ logdir: CORPUS_DIR, db: dbPath, watch: false });
  await ing.initialScan;
});
afterAll(async () => {
  await ing?.close();
  tmp.cleanup();
});

test('every corpus file is a run file with the expected records and events, and no warnings', async () => {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db.prepare('SELECT rel, records, events, corrupt, offset, size FROM files ORDER BY rel').all() as {
      rel: string;
      records: number;
      events: number;
      corrupt: number;
      offset: number;
      size: number;
    }[];
    expect(rows.map((r) => r.rel).sort()).toEqual([...files].sort());
    for (const r of rows) {
      const e = expected[r.rel]!;
      expect([r.rel, r.records, r.events, r.corrupt, r.offset]).toEqual([r.rel, e.records, e.events, 0, e.size]);
    }
  } finally {
    db.close();
  }
  expect(await ing.queries.warnings()).toEqual([]);
  expect((await ing.queries.listRuns()).map((r) => r.name).sort()).toEqual([...new Set(files.map(runOf))].sort());
});

test('values per tag match EXPECTED.json (summed over the files of a run)', async () => {
  const want = new Map<string, number>();
  for (const rel of files) {
    for (const [tag, t] of Object.entries(expected[rel]!.tags as Record<string, { count: number }>)) {
      const k = `${runOf(rel)}\u0000${tag}`;
      want.set(k, (want.get(k) ?? 0) + t.count);
    }
  }
  const got = new Map<string, number>();
  for (const t of await ing.queries.listTags()) {
    if (t.kind === 'graph' || t.kind === 'run_metadata') continue; // Event-level, not Summary.Values
    const k = `${t.run}\u0000${t.tag}`;
    got.set(k, (got.get(k) ?? 0) + t.count);
  }
  expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...want].sort()));
});

test('scalar tags: kind, step range, first and last values (single-file runs)', async () => {
  const perRun = new Map<string, string[]>();
  for (const rel of files) perRun.set(runOf(rel), [...(perRun.get(runOf(rel)) ?? []), rel]);
  let checked = 0;
  for (const [run, rels] of perRun) {
    if (rels.length !== 1) continue;
    const e = expected[rels[0]!]!;
    const tags = await ing.queries.listTags(run);
    for (const [tag, t] of Object.entries(e.tags as Record<string, any>)) {
      if (t.category !== 'scalar') continue;
      const mine = tags.find((x) => x.tag === tag && x.kind === 'scalar');
      expect(mine, `${run} ${tag}`).toBeDefined();
      expect([mine!.minStep, mine!.maxStep]).toEqual([t.step_min, t.step_max]);
      const rows = await collectRows(
        ing.queries.exportScalars({ runs: new RegExp(`^${escape(run)}$`), tags: new RegExp(`^${escape(tag)}$`) }),
      );
      expect(rows.length).toBe(t.count);
      if (t.first_value !== undefined) {
        // Corpus steps only grow within a tag, so step order is file order here.
        expect(rows[0]!.value).toBe(expectedFloat(t.first_value));
        expect(rows.at(-1)!.value).toBe(expectedFloat(t.last_value));
      }
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(5);
});

test('graphs and tagged run metadata are stored and decode to nodes', async () => {
  for (const rel of files) {
    const e = expected[rel]!;
    const graphs = await ing.queries.graph(runOf(rel));
    if (e.has_graph_def) {
      const g = graphs.find((x) => x.source === 'graph_def');
      expect(g, rel).toBeDefined();
      expect(g!.error).toBeUndefined();
      expect(g!.nodes.length).toBeGreaterThan(0);
      expect(g!.nodes.every((n) => typeof n.name === 'string' && typeof n.op === 'string')).toBe(true);
    }
    expect(graphs.filter((x) => x.source === 'run_metadata').length).toBe(e.tagged_run_metadata_tags.length);
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('tiny slices (records larger than a slice), in-process and in the worker, store the same', async () => {
  const snapshot = async (i: Ingester) => ({
    tags: await i.queries.listTags(),
    rows: (await collectRows(i.queries.exportScalars({}))).length,
    graphs: (await i.queries.graph('wandb-keras-tf1')).length,
  });
  const want = await snapshot(ing);
  for (const decodeWorker of [false, true]) {
    const small = await startIngest({ logdir: CORPUS_DIR, db: ':memory:', watch: false, sliceBytes: 1024, decodeWorker });
    try {
      await small.initialScan;
      expect(await snapshot(small)).toEqual(want);
      expect(await small.queries.warnings()).toEqual([]);
    } finally {
      await small.close();
    }
  }
}, 30_000);
