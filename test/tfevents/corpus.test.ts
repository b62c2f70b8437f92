// Reads every file of the tfevents corpus and checks it against EXPECTED.json (ground truth
// computed without our parser): records, CRCs, event kinds, tags with counts, kinds, plugins,
// step ranges, first/last values, graph presence.
import { describe, expect, test } from 'vitest';
import { resolve } from 'node:path';
import { HAS_SHARED, sharedOrSkipNotice } from '../helpers/shared.ts';
import {
  CORPUS_DIR,
  expectedFloat,
  expectedStep,
  FIXTURE_CORPUS_DIR,
  KIND_OF_CATEGORY,
  loadExpected,
  stepMax,
  stepMin,
  summarizeFile,
} from '../helpers/tfevents-corpus.ts';
import { scanRecords } from '../../lib/tfevents/record.ts';
import { readFileSync } from 'node:fs';

sharedOrSkipNotice('the unlicensed half of the tfevents corpus');
const expected = loadExpected();

test('the corpus is not empty', () => {
  expect(Object.keys(expected).length).toBeGreaterThanOrEqual(HAS_SHARED ? 23 : 11);
});

test('the fixture copies are byte-identical to their EXPECTED.json entries', () => {
  const fixtures = loadExpected(FIXTURE_CORPUS_DIR);
  for (const [rel, e] of Object.entries(fixtures)) {
    expect(readFileSync(resolve(FIXTURE_CORPUS_DIR, rel)).length, rel).toBe(e.size);
    expect(['MIT', 'Apache-2.0']).toContain(e.source.license);
  }
});

describe.each(Object.keys(expected))('%s', (rel) => {
  const e = expected[rel]!;
  const path = resolve(CORPUS_DIR, rel);
  const s = summarizeFile(path);

  test('framing: records, CRCs, record layout, no trailing bytes', () => {
    expect(s.records).toBe(e.records);
    expect(s.corrupt).toBe(e.crc.bad_length_crc_records.length + e.crc.bad_data_crc_records.length + e.undecodable_records.length);
    expect(e.crc.all_valid).toBe(true);
    expect(s.incompleteBytes).toBe(e.bytes_after_last_record);
    const lengths: number[] = [];
    let lastOffset = -1;
    const buf = readFileSync(path);
    scanRecords(buf, 0, path, {
      onRecord: (_b, st, en, off) => {
        lengths.push(en - st);
        lastOffset = off;
      },
      onCorrupt: () => {},
    });
    expect(lengths.slice(0, 3)).toEqual(e.first_record_lengths);
    expect(Math.max(...lengths)).toBe(e.max_record_length);
    expect(lastOffset).toBe(e.last_record_offset);
  });

  test('events: kinds, file versions, writers, wall times', () => {
    expect(s.events).toBe(e.events);
    expect(s.eventKinds).toEqual(e.event_kinds);
    expect(s.fileVersions).toEqual(e.file_versions);
    expect(s.sourceWriters).toEqual([...e.source_metadata_writers].sort());
    expect(s.eventsWithoutWallTime).toBe(e.events_without_wall_time);
    expect((s.eventKinds.graph_def ?? 0) > 0).toBe(e.has_graph_def);
    expect((s.eventKinds.tagged_run_metadata ?? 0) > 0).toBe(e.has_tagged_run_metadata);
    expect((s.eventKinds.meta_graph_def ?? 0) > 0).toBe(e.has_meta_graph_def);
    const graphs = s.values.filter((v) => v.kind === 'graph');
    expect(graphs.map((g) => (g.data as { graphDef: Uint8Array }).graphDef.length)).toEqual(e.graph_def_sizes);
    const rm = s.values.filter((v) => v.kind === 'run_metadata').map((v) => v.tag);
    expect(rm).toEqual(e.tagged_run_metadata_tags);
  });

  test('steps: file and summary ranges', () => {
    expect(stepMin(s.steps)).toEqual(expectedStep(e, 'step_min'));
    expect(stepMax(s.steps)).toEqual(expectedStep(e, 'step_max'));
    if (s.summarySteps.length) {
      expect(stepMin(s.summarySteps)).toEqual(expectedStep(e, 'summary_step_min'));
      expect(stepMax(s.summarySteps)).toEqual(expectedStep(e, 'summary_step_max'));
    }
  });

  test('tags: counts, kinds, plugins, step ranges, first and last values', () => {
    expect([...s.tags.keys()].sort()).toEqual(Object.keys(e.tags).sort());
    for (const [tag, te] of Object.entries<Record<string, any>>(e.tags)) {
      const t = s.tags.get(tag)!;
      expect(t.count, tag).toBe(te.count);
      expect(t.kind, tag).toBe(KIND_OF_CATEGORY[te.category]);
      expect(t.plugin, tag).toBe(te.plugin);
      expect(stepMin(t.steps), tag).toEqual(expectedStep(te, 'step_min'));
      expect(stepMax(t.steps), tag).toEqual(expectedStep(te, 'step_max'));
      expect(t.first!.step, tag).toEqual(expectedStep(te, 'first_step'));
      expect(t.last!.step, tag).toEqual(expectedStep(te, 'last_step'));
      if (te.first_value !== undefined) {
        expect(t.first!.data, tag).toEqual({ kind: 'scalar', value: expectedFloat(te.first_value) });
        expect(t.last!.data, tag).toEqual({ kind: 'scalar', value: expectedFloat(te.last_value) });
      }
      const d = t.first!.data;
      if (te.first_string_val !== undefined) {
        if (d.kind === 'text') expect(d.texts[0]).toBe(te.first_string_val);
        else if (d.kind === 'image') expect(String(d.images[0]!.width)).toBe(te.first_string_val);
        else if (d.kind === 'unknown_plugin') {
          const v = (d.tensor!.values as string[])[0]!;
          expect(te.first_string_val.startsWith(v.slice(0, 200))).toBe(true);
        }
      }
      if (te.tensor_shape !== undefined && d.kind === 'histogram') expect([d.counts.length, 3]).toEqual(te.tensor_shape);
      if (te.tensor_shape !== undefined && d.kind === 'pr_curve') expect([6, d.numThresholds]).toEqual(te.tensor_shape);
      if (te.tensor_shape !== undefined && d.kind === 'text') expect(d.shape).toEqual(te.tensor_shape);
      if (te.image) {
        expect(d.kind).toBe('image');
        if (d.kind === 'image') {
          const im = d.images[0]!;
          expect({ w: im.width, h: im.height, c: im.colorspace, n: im.encoded.length }).toEqual({
            w: te.image.width,
            h: te.image.height,
            c: te.image.colorspace,
            n: te.image.encoded_bytes,
          });
        }
      }
      if (te.histo) {
        expect(d.kind).toBe('histogram');
        if (d.kind === 'histogram') {
          expect({ buckets: d.counts.length, min: d.min, max: d.max, num: d.num, sum: d.sum }).toEqual(te.histo);
        }
      }
      if (te.category === 'hparams') {
        expect(d.kind).toBe('hparams');
        if (d.kind === 'hparams') expect(tag.endsWith(d.part === 'experiment' ? 'experiment' : `${d.part}_info`)).toBe(true);
      }
    }
  });
});
