// TFRecord framing: corruption is reported once with its offset and reading resumes; a truncated
// tail is "incomplete", never corrupt; reading in chunks from endOffset gives the same values.
import { expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURE_CORPUS_DIR } from '../helpers/tfevents-corpus.ts';
import { decodeEventBuffer, readEventFile, RunNormalizer, streamEventFile, type NormalizedValue } from '../../lib/tfevents/index.ts';
import { streamEventSource } from '../../lib/tfevents/reader.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  scanRecords(buf, 0, 'f', {
    onRecord: (_b, _s, e, off) => spans.push([off, e + 4]),
    onCorrupt: () => {
      throw new Error('corrupt');
    },
  });
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
    // A bad header in the last record leaves no header to resynchronize on; its last 11 bytes stay
    // "incomplete" (a record could start there), everything else is consumed.
    const last = hit === spans[spans.length - 1];
    expect(res.incompleteBytes, `byte ${i}`).toBe(inHeader && last ? 11 : 0);
    expect(res.endOffset + res.incompleteBytes).toBe(buf.length);
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
    const res = decodeEventBuffer(buf.subarray(offset, available), {
      file: 'f',
      baseOffset: offset,
      normalizer,
      onValue: (v) => got.push(v),
    });
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

test('garbage after the last record is reported corrupt once it fills a header; its last 11 bytes wait', () => {
  const buf = new Uint8Array(readFileSync(SMALL));
  const withTail = new Uint8Array([...buf, ...new Uint8Array(40).fill(0xab)]);
  const res = decode(withTail);
  expect(res.corrupt).toEqual([{ file: 'f', offset: buf.length, reason: 'length-crc' }]);
  expect(res.endOffset).toBe(withTail.length - 11);
  expect(res.incompleteBytes).toBe(11);
  // Coming back from endOffset with the same bytes reports nothing new.
  const again = decodeEventBuffer(withTail.subarray(res.endOffset), {
    file: 'f',
    baseOffset: res.endOffset,
    normalizer: new RunNormalizer(),
    onValue: () => {},
  });
  expect([again.corrupt, again.endOffset, again.incompleteBytes]).toEqual([[], res.endOffset, 11]);
});

test('a record whose header straddles the end of the buffer after a corrupt region is not lost', () => {
  const a = encodeRecord(new Uint8Array([0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]));
  const bad = a.slice();
  bad[3]! ^= 0xff; // damaged length field
  const file = new Uint8Array([...bad, ...a]);
  // First read: the buffer ends 5 bytes into the second record's header.
  const cut = bad.length + 5;
  const first = decodeEventBuffer(file.subarray(0, cut), { file: 'f', baseOffset: 0, normalizer: new RunNormalizer(), onValue: () => {} });
  expect(first.corrupt).toEqual([{ file: 'f', offset: 0, reason: 'length-crc' }]);
  expect(first.endOffset).toBeLessThanOrEqual(bad.length);
  expect(first.inCorruptRegion).toBe(true);
  const second = decodeEventBuffer(file.subarray(first.endOffset), {
    file: 'f',
    baseOffset: first.endOffset,
    normalizer: new RunNormalizer(),
    onValue: () => {},
    inCorruptRegion: first.inCorruptRegion,
  });
  expect(second.corrupt).toEqual([]); // the region was reported once, by the first call
  expect(second.records).toBe(1);
  expect(second.endOffset).toBe(file.length);
  expect(second.inCorruptRegion).toBeUndefined();
});

test('streamEventFile (and streamEventSource, its async form for object stores) in tiny chunks equals one whole read, corruption included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'board-stream-'));
  try {
    const buf = new Uint8Array(readFileSync(MEDIUM));
    // Damage a header in the middle and garble a 300-byte stretch further on.
    const spans = recordSpans(buf);
    buf[spans[20]![0] + 2]! ^= 0x40;
    for (let i = spans[60]![0] + 5; i < spans[60]![0] + 305; i++) buf[i] = 0x5a;
    const path = join(dir, 'events.out.tfevents.x');
    writeFileSync(path, buf);
    const whole = readEventFile(path);
    for (const chunkBytes of [64, 100, 257, 4096]) {
      const got: NormalizedValue[] = [];
      const res = streamEventFile(path, { normalizer: new RunNormalizer(), onValue: (v) => got.push(v), chunkBytes });
      expect(got, `chunk ${chunkBytes}`).toEqual(whole.values);
      expect(res.corrupt, `chunk ${chunkBytes}`).toEqual(whole.corrupt);
      expect([res.records, res.endOffset, res.incompleteBytes]).toEqual([whole.records, whole.endOffset, whole.incompleteBytes]);
      const viaReads: NormalizedValue[] = [];
      const reads: number[] = [];
      const async = await streamEventSource(
        path,
        buf.length,
        async (from, length) => {
          reads.push(length);
          return buf.slice(from, from + length);
        },
        { normalizer: new RunNormalizer(), onValue: (v) => viaReads.push(v), chunkBytes },
      );
      expect(viaReads, `async chunk ${chunkBytes}`).toEqual(whole.values);
      expect(async.corrupt).toEqual(whole.corrupt);
      expect([async.records, async.endOffset, async.incompleteBytes]).toEqual([whole.records, whole.endOffset, whole.incompleteBytes]);
      expect(reads.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(buf.length);
    }
    expect(whole.corrupt.length).toBe(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
