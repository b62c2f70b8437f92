// Malformed protobuf inside records with valid CRCs (a buggy writer): the reader never throws or
// hangs; each bad record is reported 'undecodable' (or 'bad-value' for one value) and the others are read.
import { expect, test } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from '../helpers/tfevents-corpus.ts';
import { decodeEventBuffer, isEventFileName, RunNormalizer } from '../../lib/tfevents/index.ts';
import { encodeRecord, scanRecords } from '../../lib/tfevents/record.ts';

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : isEventFileName(n) ? [p] : [];
  });
}

test('mutated payloads with valid CRCs decode or are reported undecodable, never throw', () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const payloads: Uint8Array[] = [];
  for (const f of allFiles(CORPUS_DIR)) {
    const buf = new Uint8Array(readFileSync(f));
    scanRecords(buf, 0, f, {
      onRecord: (b, s, e) => {
        if (e - s < 20000) payloads.push(b.slice(s, e));
      },
      onCorrupt: () => {},
    });
  }
  expect(payloads.length).toBeGreaterThan(100);
  let undecodable = 0;
  for (let iter = 0; iter < 3000; iter++) {
    const p = payloads[rand(payloads.length)]!.slice();
    const flips = 1 + rand(4);
    for (let k = 0; k < flips; k++) p[rand(p.length)] = rand(256);
    const cut = rand(5) === 0 ? p.subarray(0, rand(p.length + 1)) : p;
    const good = encodeRecord(payloads[0]!);
    const file = new Uint8Array([...encodeRecord(cut), ...good]);
    const res = decodeEventBuffer(file, { file: 'fuzz', baseOffset: 0, normalizer: new RunNormalizer(), onValue: () => {} });
    expect(res.records).toBe(2);
    // A malformed event is 'undecodable'; a malformed value inside an intact event is 'bad-value'
    // (the event's other values are kept). Either way it is the mutated record at offset 0.
    expect(res.corrupt.every((c) => (c.reason === 'undecodable' || c.reason === 'bad-value') && c.offset === 0)).toBe(true);
    const lost = res.corrupt.filter((c) => c.reason === 'undecodable').length;
    expect(lost).toBeLessThanOrEqual(1);
    expect(res.events).toBe(2 - lost);
    undecodable += res.corrupt.length;
  }
  expect(undecodable).toBeGreaterThan(0);
});

test('random bytes: one corrupt report per resynchronization, bounded time, valid records after garbage found', () => {
  let seed = 99;
  const garbage = Uint8Array.from({ length: 200_000 }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed >>> 16) & 0xff;
  });
  const good = encodeRecord(new Uint8Array([0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]));
  const file = new Uint8Array([...garbage, ...good, ...good]);
  const t0 = performance.now();
  const res = decodeEventBuffer(file, { file: 'g', baseOffset: 0, normalizer: new RunNormalizer(), onValue: () => {} });
  expect(performance.now() - t0).toBeLessThan(5000);
  expect(res.corrupt.length).toBe(1);
  expect(res.corrupt[0]).toMatchObject({ offset: 0, reason: 'length-crc' });
  expect(res.records).toBe(2);
  expect(res.endOffset).toBe(file.length);
});
