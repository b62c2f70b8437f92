// Finding 2 of issue 10: a declared size the bytes present cannot justify is a corrupt value
// (a warning with file and offset), never a huge allocation. The record's other values and the
// records after it are kept.
import { expect, test } from 'vitest';
import { decodeEventBuffer, RunNormalizer } from '../../lib/tfevents/index.ts';
import { MAX_FILL_ELEMENTS } from '../../lib/tfevents/tensor.ts';
import type { NormalizedValue } from '../../lib/tfevents/types.ts';
import { Bytes, concat, fileVersionRecord, scalarRecord, simpleValue, tensorValue, valuesRecord } from '../ingest/helpers.ts';

function decode(buf: Uint8Array) {
  const values: NormalizedValue[] = [];
  const res = decodeEventBuffer(buf, { file: 'f', baseOffset: 0, normalizer: new RunNormalizer(), onValue: (v) => values.push(v) });
  return { res, values };
}

test('a 52-byte record declaring 2,000,000 elements is a bad value, not 2,000,000 doubles', () => {
  const bad = valuesRecord(1, [tensorValue('t', { dims: [2_000_000], floats: [1.5] })]);
  expect(bad.length).toBeLessThan(60);
  const head = fileVersionRecord();
  const buf = concat(head, bad, scalarRecord(2, { loss: 0.5 }));
  const { res, values } = decode(buf);
  expect(res.corrupt).toHaveLength(1);
  expect(res.corrupt[0]).toMatchObject({ file: 'f', offset: head.length, reason: 'bad-value' });
  expect(res.corrupt[0]!.detail).toMatch(/tag "t".*2000000 elements but the record holds 1/);
  expect(values.map((v) => v.tag)).toEqual(['loss']);
  expect(res.events).toBe(3);
});

test('huge, negative and overflowing shapes are bad values; the event keeps its other values', () => {
  const shapes = [[1e15], [2 ** 40, 2 ** 40], [-5], [1_000_000, 3]];
  for (const dims of shapes) {
    const t0 = performance.now();
    const rec = valuesRecord(1, [
      simpleValue('before', 1),
      tensorValue('h', { dims, floats: [1, 2, 3], plugin: dims.length === 2 ? 'histograms' : undefined }),
      simpleValue('after', 2),
    ]);
    const { res, values } = decode(rec);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(
      res.corrupt.map((c) => c.reason),
      JSON.stringify(dims),
    ).toEqual(['bad-value']);
    expect(values.map((v) => v.tag)).toEqual(['before', 'after']);
  }
});

test('a text tensor declaring millions of strings is a bad value; a small fill still works as in TF', () => {
  const text = valuesRecord(1, [tensorValue('note', { dtype: 7, dims: [1, 50_000_000], strings: ['x'], plugin: 'text' })]);
  expect(decode(text).res.corrupt.map((c) => c.reason)).toEqual(['bad-value']);
  const filled = decode(valuesRecord(1, [tensorValue('c', { dims: [3], floats: [7] })])).values[0]!;
  expect(filled.data).toMatchObject({ kind: 'tensor', shape: [3] });
  expect(Array.from((filled.data as { values: Float64Array }).values)).toEqual([7, 7, 7]);
  const atLimit = decode(valuesRecord(1, [tensorValue('c', { dims: [MAX_FILL_ELEMENTS], floats: [1] })]));
  expect(atLimit.res.corrupt).toEqual([]);
});

test('a pr_curve declaring more thresholds than its tensor holds is a bad value', () => {
  const content = new Bytes()
    .tag(2, 0)
    .varint(2 ** 31)
    .done(); // num_thresholds = 2^31
  const rec = valuesRecord(1, [tensorValue('pr', { dims: [6, 2], floats: Array(12).fill(0.5), plugin: 'pr_curves', content })]);
  const { res, values } = decode(rec);
  expect(values).toEqual([]);
  expect(res.corrupt[0]).toMatchObject({ reason: 'bad-value' });
  expect(res.corrupt[0]!.detail).toMatch(/2147483648 thresholds/);
});

test('lying lengths inside nested messages stay inside the record: the next record is read', () => {
  // A histogram whose packed bucket field claims 8 doubles but holds 1 byte less than a double.
  const histo = new Bytes().double(1, 0).double(2, 1).bytes(7, new Uint8Array(7)).done();
  const v = new Bytes().string(1, 'h').bytes(5, histo).done();
  const { res, values } = decode(concat(valuesRecord(1, [v]), scalarRecord(2, { ok: 1 })));
  expect(res.corrupt.map((c) => c.reason)).toEqual(['bad-value']);
  expect(values.map((x) => x.tag)).toEqual(['ok']);
});
