// The scalar fast path (tfevents/scalar-record.ts, used by decodeSlice) must give exactly the
// slice the generic decoder gives: same points, tags, plugins, other values and warnings, for the
// whole tfevents corpus and for hand-made records at the edges of the shape it accepts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeSlice } from '../../lib/ingest/slice.ts';
import { RunNormalizer } from '../../lib/tfevents/normalize.ts';
import { encodeEvent, encodeScalarTensor, encodeSummary, type ValueFieldsOut } from '../../lib/tfevents/event-encode.ts';
import { encodeRecord } from '../../lib/tfevents/record.ts';
import { parseScalarRecord, ScalarRecord } from '../../lib/tfevents/scalar-record.ts';
import { DT } from '../../lib/tfevents/dtypes.ts';
import { encodeTensor } from '../../lib/tfevents/event-encode.ts';
import type { Step } from '../../lib/tfevents/types.ts';
import { CORPUS_DIR } from '../helpers/tfevents-corpus.ts';

const STAT = { size: 0, mtimeMs: 1, ino: 2 };

/** Both decodes of `bytes`, read in slices of `sliceBytes` with one normalizer per path, as a run is read. */
function bothWays(bytes: Uint8Array, sliceBytes = bytes.length) {
  const out = [true, false].map((fast) => {
    const norm = new RunNormalizer();
    const slices = [];
    let from = 0;
    for (;;) {
      const end = Math.min(bytes.length, from + sliceBytes);
      const sl = decodeSlice(bytes.subarray(from, end), from, 'f', norm, { ...STAT, size: bytes.length }, fast);
      slices.push(sl);
      if (sl.endOffset === from || sl.endOffset >= bytes.length) break;
      from = sl.endOffset;
    }
    return { slices, tags: norm.knownTags() };
  });
  return { fast: out[0]!, generic: out[1]! };
}

function plain(x: unknown): unknown {
  return JSON.parse(
    JSON.stringify(x, (_k, v: unknown) =>
      typeof v === 'bigint'
        ? `${v}n`
        : ArrayBuffer.isView(v)
          ? Array.from(v as unknown as ArrayLike<number>, (e) => (Number.isNaN(e) ? 'NaN' : e))
          : v instanceof Map
            ? [...(v as Map<unknown, unknown>)]
            : v,
    ),
  );
}

function eventFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...eventFiles(p));
    else if (e.name.includes('tfevents')) out.push(p);
  }
  return out.sort();
}

const rec = (fields: Parameters<typeof encodeEvent>[0]) => encodeRecord(encodeEvent(fields));
const summary = (...values: ValueFieldsOut[]) => encodeSummary(values);
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe('scalar fast path', () => {
  test('the corpus decodes to the same slices with and without it (whole files and 4 KiB slices)', () => {
    const files = eventFiles(CORPUS_DIR).filter((f) => statSync(f).size < 64 << 20);
    expect(files.length).toBeGreaterThan(5);
    let points = 0;
    for (const f of files) {
      const bytes = new Uint8Array(readFileSync(f));
      for (const sliceBytes of [bytes.length, 4096]) {
        const { fast, generic } = bothWays(bytes, sliceBytes);
        expect(plain(fast), `${f} (${sliceBytes})`).toEqual(plain(generic));
        points += fast.slices.reduce((a, s) => a + s.n, 0);
      }
    }
    expect(points).toBeGreaterThan(1000);
  });

  test('edge records: steps, wall times, TF2 tensors, metadata, several values, bad tensors', () => {
    const steps: Step[] = [0, 1, 127, 128, 2 ** 31, 2 ** 48 - 1, 2 ** 49, 2 ** 53 - 1, 2n ** 60n, -1, -(2 ** 40)];
    const parts: Uint8Array[] = [rec({ wallTime: 1, fileVersion: 'brain.Event:2' })];
    steps.forEach((step, i) => parts.push(rec({ wallTime: 1.5 + i, step, summary: summary({ tag: `s/${i % 3}`, simpleValue: i / 3 }) })));
    // No wall time; a tag met again after others; a non-ASCII tag.
    parts.push(rec({ wallTime: 0, step: 5, summary: summary({ tag: 's/0', simpleValue: 2 }) }));
    parts.push(rec({ wallTime: 2, step: 6, summary: summary({ tag: 'é/ü', simpleValue: -0 }) }));
    // TF2: the plugin only on the first value of a tag; tensor before the plugin is known is not a point.
    parts.push(rec({ wallTime: 3, step: 1, summary: summary({ tag: 'tf2', tensor: encodeScalarTensor(0.25, false) }) }));
    parts.push(
      rec({
        wallTime: 3,
        step: 2,
        summary: summary({ tag: 'tf2', tensor: encodeScalarTensor(0.5, true), metadata: { pluginName: 'scalars' } }),
      }),
    );
    for (let s = 3; s < 6; s++)
      parts.push(rec({ wallTime: 3, step: s, summary: summary({ tag: 'tf2', tensor: encodeScalarTensor(s, s % 2 === 0) }) }));
    // A 'scalars' tensor holding a vector, an int, a string tensor, an empty tensor.
    parts.push(rec({ wallTime: 4, step: 7, summary: summary({ tag: 'tf2', tensor: encodeTensor(DT.FLOAT, [3], { floats: [1, 2, 3] }) }) }));
    parts.push(
      rec({
        wallTime: 4,
        step: 8,
        summary: summary({ tag: 'tf2', tensor: encodeTensor(DT.STRING, null, { strings: [new Uint8Array([65])] }) }),
      }),
    );
    parts.push(rec({ wallTime: 4, step: 9, summary: summary({ tag: 'tf2', tensor: new Uint8Array(0) }) }));
    parts.push(rec({ wallTime: 4, step: 10, summary: summary({ tag: 'tf2', tensor: new Uint8Array([0x08, 0x01, 0x22, 0x09]) }) }));
    // Several values in one event; simple_value with metadata; a display name.
    parts.push(rec({ wallTime: 5, step: 11, summary: summary({ tag: 's/1', simpleValue: 1 }, { tag: 's/2', simpleValue: 2 }) }));
    parts.push(rec({ wallTime: 5, step: 12, summary: summary({ tag: 'm', simpleValue: 3, metadata: { pluginName: 'scalars' } }) }));
    parts.push(rec({ wallTime: 5, step: 13, summary: summary({ tag: 'm', simpleValue: 4 }) }));
    parts.push(rec({ wallTime: 5, step: 14, summary: summary({ tag: 'n', simpleValue: NaN }, { tag: 'n2', simpleValue: Infinity }) }));
    const bytes = concat(parts);
    const { fast, generic } = bothWays(bytes);
    expect(plain(fast)).toEqual(plain(generic));
    const sl = fast.slices[0]!;
    expect(sl.n).toBeGreaterThan(20);
    expect(sl.bigSteps).not.toBeNull();
    expect(sl.scalarTags.find((t) => t.tag === 'tf2')?.plugin).toBe('scalars');
  });

  test('parseScalarRecord takes the common shapes and declines the rest', () => {
    const r = new ScalarRecord();
    const take = (ev: Uint8Array) => parseScalarRecord(ev, new DataView(ev.buffer, ev.byteOffset, ev.byteLength), 0, ev.length, r);
    expect(take(encodeEvent({ wallTime: 7, step: 300, summary: summary({ tag: 'a/b', simpleValue: 1.5 }) }))).toBe(true);
    expect([r.wall, r.step, r.value, r.tensorStart, r.tagEnd - r.tagStart]).toEqual([7, 300, 1.5, -1, 3]);
    expect(take(encodeEvent({ wallTime: 0, summary: summary({ tag: 't', tensor: encodeScalarTensor(2, false) }) }))).toBe(true);
    expect([r.wall, r.step, r.tensorStart > 0]).toEqual([NaN, 0, true]);
    expect(take(encodeEvent({ wallTime: 1, step: 2 ** 49, summary: summary({ tag: 'a', simpleValue: 1 }) }))).toBe(false);
    expect(take(encodeEvent({ wallTime: 1, step: -1, summary: summary({ tag: 'a', simpleValue: 1 }) }))).toBe(false);
    expect(take(encodeEvent({ wallTime: 1, summary: summary({ tag: 'a', simpleValue: 1 }, { tag: 'b', simpleValue: 1 }) }))).toBe(false);
    expect(take(encodeEvent({ wallTime: 1, summary: summary({ tag: 'a', simpleValue: 1, metadata: { pluginName: 'scalars' } }) }))).toBe(
      false,
    );
    expect(take(encodeEvent({ wallTime: 1, fileVersion: 'brain.Event:2' }))).toBe(false);
    // Truncated or lying lengths never read past the record.
    const ok = encodeEvent({ wallTime: 1, step: 3, summary: summary({ tag: 'abc', simpleValue: 1 }) });
    for (let cut = 0; cut < ok.length; cut++) expect(take(ok.subarray(0, cut))).toBe(false);
    const lying = ok.slice();
    lying[lying.indexOf(0x2a) + 1] += 1;
    expect(take(lying)).toBe(false);
  });
});
