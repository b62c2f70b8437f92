// TFRecord framing: corruption is reported once with its offset and reading resumes; a truncated
// tail is "incomplete", never corrupt; reading in chunks from endOffset gives the same values.
import { expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURE_CORPUS_DIR } from '../helpers/tfevents-corpus.ts';
import { decodeEventBuffer, RunNormalizer, type NormalizedValue } from '../../lib/tfevents/index.ts';
import { encodeRecord, scanRecords } from '../../lib/tfevents/record.ts';

const SMALL = resolve(FIXTURE_CORPUS_DIR, 'lightning/tb_logs/mnist_model_v0/version_0/events.out.tfevents.1721295726.pranjal.22988.0');
const MEDIUM = resolve(FIXTURE_CORPUS_DIR, 'reducer-torch/strict/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0');

function decode(buf: Uint8Array, baseOffset = 0) {
  const values: NormalizedValue[] = [];
  const res = decodeEventBuffer(buf, { file: 'f', baseOffset, normalizer: new RunNormalizer(), onValue: (v) => values.push(v) });
  return { ...res, values };
}

/** [offset, end) of every record in a valid file. */
function recordSpans(buf: Uint8Array): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  scanRecords(buf, 0, 'f', { onRecord: (_b, _s, e, off) => spans.push([off, e + 4]), onCorrupt: () => { throw new Error('corrupt'); } });
  return spans;
}

test('flipping a byte in the middle of a real file: exactly one corrupt record at its offset, the rest read', () => {
  const buf = new Uint8Array(readFileSync(MEDIUM));
  const spans = recordSpans(buf);
  const clean = decode(buf);
  const mid = Math.floor(buf.length / 2);
  const hit = spans.findIndex(([s, e]) => s <= mid && mid < e);
  const bad = buf.slice();
  bad[mid]! ^= 0x5a;
  const res = decode(bad);
  expect(res.corrupt).toEqual([{ file: 'f', offset: spans[hit]![0], reason: expect.stringMatching(/crc/) }]);
  expect(res.records).toBe(spans.length - 1);
  expect(res.incompleteBytes).toBe(0);
  expect(res.endOffset).toBe(buf.length);
  // Every value except the ones of the damaged record is read, in order.
  const lost = clean.values.filter((v) => !res.values.some((w) => w.step === v.step && w.tag === v.tag));
  expect(lost.length).toBeLessThanOrEqual(1);
  expect(res.values.length).toBe(clean.values.length - lost.length);
});

test('a flipped byte anywhere in a small file costs exactly that record (length-CRC failures resynchronize)', () => {
  const buf = new Uint8Array(readFileSync(SMALL));
  const spans = recordSpans(buf);
  for (let i = 0; i < buf.length; i++) {
    const bad = buf.slice();
    bad[i]! ^= 0xff;
    const res = decode(bad);
    const hit = spans.find(([s, e]) => s <= i && i < e)!;
    const inHeader = i - hit[0] < 12;
    expect(res.corrupt, `byte ${i}`).toEqual([{ file: 'f', offset: hit[0], reason: inHeader ? 'length-crc' : 'data-crc' }]);
    expect(res.records, `byte ${i}`).toBe(spans.length - 1);
    expect(res.incompleteBytes).toBe(0);
  }
});

test('truncating a small file at every byte: complete records read, the tail reported incomplete', () => {
  const buf = new Uint8Array(readFileSync(SMALL));
  const spans = recordSpans(buf);
  const all = decode(buf).values;
  for (let cut = 0; cut <= buf.length; cut++) {
    const res = decode(buf.subarray(0, cut));
    const complete = spans.filter(([, e]) => e <= cut);
    const boundary = complete.length ? complete[complete.length - 1]![1] : 0;
    expect(res.corrupt, `cut ${cut}`).toEqual([]);
    expect(res.records, `cut ${cut}`).toBe(complete.length);
    expect(res.endOffset, `cut ${cut}`).toBe(boundary);
    expect(res.incompleteBytes, `cut ${cut}`).toBe(cut - boundary);
    expect(res.values).toEqual(all.slice(0, res.values.length));
  }
});

test('reading in arbitrary chunks from endOffset gives the same values as one read', () => {
  const buf = new Uint8Array(readFileSync(MEDIUM));
  const whole = decode(buf).values;
  const normalizer = new RunNormalizer();
  const got: NormalizedValue[] = [];
  let offset = 0;
  let available = 0;
  let seed = 7;
  while (offset < buf.length) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    available = Math.min(buf.length, available + 1 + (seed % 300));
    const res = decodeEventBuffer(buf.subarray(offset, available), { file: 'f', baseOffset: offset, normalizer, onValue: (v) => got.push(v) });
    expect(res.corrupt).toEqual([]);
    expect(res.endOffset + res.incompleteBytes).toBe(available);
    offset = res.endOffset;
  }
  expect(got).toEqual(whole);
});

test('a data-CRC failure skips exactly that record; a record of garbage protobuf is undecodable', () => {
  const a = encodeRecord(new Uint8Array([0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f])); // wall_time 1.0
  const b = encodeRecord(new Uint8Array([0x09, 0, 0, 0, 0, 0, 0, 0, 0x40])); // wall_time 2.0
  const bad = b.slice();
  bad[14]! ^= 1;
  const garbage = encodeRecord(new Uint8Array([0x2a, 0x7f, 1])); // summary of length 127 in 3 bytes
  const buf = new Uint8Array([...a, ...bad, ...garbage, ...b]);
  const res = decode(buf, 1000);
  expect(res.corrupt).toEqual([
    { file: 'f', offset: 1000 + a.length, reason: 'data-crc' },
    { file: 'f', offset: 1000 + a.length + bad.length, reason: 'undecodable' },
  ]);
  expect(res.records).toBe(3);
  expect(res.events).toBe(2);
  expect(res.endOffset).toBe(1000 + buf.length);
});

test('garbage after the last record is reported corrupt (not incomplete) once it fills a header', () => {
  const buf = new Uint8Array(readFileSync(SMALL));
  const withTail = new Uint8Array([...buf, ...new Uint8Array(40).fill(0xab)]);
  const res = decode(withTail);
  expect(res.corrupt).toEqual([{ file: 'f', offset: buf.length, reason: 'length-crc' }]);
  expect(res.endOffset).toBe(withTail.length);
  expect(res.incompleteBytes).toBe(0);
});
