import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdxUint8, parseIdx, readMaybeGzip } from '../../lib/vision/datasets/idx.ts';
import { createTar, extractTar, readTar } from '../../lib/vision/datasets/tar.ts';

describe('IDX', () => {
  it('round-trips uint8 arrays with the exact header bytes', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const bytes = encodeIdxUint8(data, [2, 3, 4]);
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
    const a = parseIdx(bytes);
    expect(a.shape).toEqual([2, 3, 4]);
    expect(a.type).toBe('uint8');
    expect(Array.from(a.data)).toEqual(Array.from(data));
  });

  it('reads big-endian int32 and float32 payloads', () => {
    const buf = new Uint8Array(4 + 4 + 8);
    buf[2] = 0x0c;
    buf[3] = 1;
    const v = new DataView(buf.buffer);
    v.setUint32(4, 2, false);
    v.setInt32(8, -5, false);
    v.setInt32(12, 70000, false);
    expect(Array.from(parseIdx(buf).data)).toEqual([-5, 70000]);
    buf[2] = 0x0d;
    v.setFloat32(8, 1.5, false);
    v.setFloat32(12, -2.25, false);
    expect(Array.from(parseIdx(buf).data)).toEqual([1.5, -2.25]);
  });

  it('names the problem in corrupt files', () => {
    expect(() => parseIdx(Uint8Array.of(1, 2, 8, 1), 'x.idx')).toThrow(/x\.idx: bad IDX magic at offset 0/);
    expect(() => parseIdx(Uint8Array.of(0, 0, 0x42, 1, 0, 0, 0, 1), 'x.idx')).toThrow(/unknown IDX type code 0x42/);
    const truncated = encodeIdxUint8(new Uint8Array(10), [10]).subarray(0, 12);
    expect(() => parseIdx(truncated, 'y.idx')).toThrow(/y\.idx: truncated IDX payload.*needs 18 bytes, file has 12/);
    expect(() => parseIdx(Uint8Array.of(0, 0, 8, 3, 0), 'z')).toThrow(/truncated IDX header/);
  });

  it('reads gzipped and plain files alike', () => {
    const dir = mkdtempSync(join(tmpdir(), 'board-idx-'));
    const bytes = encodeIdxUint8(Uint8Array.of(1, 2, 3), [3]);
    writeFileSync(join(dir, 'a'), bytes);
    writeFileSync(join(dir, 'a.gz'), gzipSync(bytes));
    expect(Array.from(readMaybeGzip(join(dir, 'a')))).toEqual(Array.from(bytes));
    expect(Array.from(readMaybeGzip(join(dir, 'a.gz')))).toEqual(Array.from(bytes));
    writeFileSync(join(dir, 'bad.gz'), Uint8Array.of(0x1f, 0x8b, 1, 2, 3));
    expect(() => readMaybeGzip(join(dir, 'bad.gz'))).toThrow(/bad\.gz: corrupt gzip/);
  });
});

describe('tar', () => {
  it('writes and reads ustar archives, gzipped or not', () => {
    const files = [
      { name: 'cifar-10-batches-bin/a.bin', data: Uint8Array.from({ length: 700 }, (_, i) => i & 255) },
      { name: 'cifar-10-batches-bin/b.txt', data: new TextEncoder().encode('hello') },
    ];
    const tar = createTar(files);
    for (const archive of [tar, gzipSync(tar)]) {
      const entries = readTar(archive);
      expect(entries.map((e) => e.name)).toEqual(files.map((f) => f.name));
      expect(Array.from(entries[0].data)).toEqual(Array.from(files[0].data));
    }
    const dir = mkdtempSync(join(tmpdir(), 'board-tar-'));
    expect(extractTar(gzipSync(tar), dir)).toHaveLength(2);
  });

  it('refuses entries escaping the destination', () => {
    const dir = mkdtempSync(join(tmpdir(), 'board-tar-'));
    expect(() => extractTar(createTar([{ name: '../evil', data: new Uint8Array(1) }]), dir)).toThrow(/outside/);
  });
});
