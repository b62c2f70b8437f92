import { expect, test } from 'vitest';
import { crc32c, crc32cImplementation, crc32cJs, maskCrc, maskedCrc32c, unmaskCrc } from '../../lib/tfevents/crc32c.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURE_CORPUS_DIR } from '../helpers/tfevents-corpus.ts';

const ascii = (s: string) => new TextEncoder().encode(s);

test('crc32c check value of "123456789" is 0xE3069283 (both implementations)', () => {
  expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
  expect(crc32cJs(ascii('123456789'))).toBe(0xe3069283);
});

test('crc32c vectors of RFC 3720 (iSCSI) B.4', () => {
  expect(crc32cJs(new Uint8Array(32))).toBe(0x8a9136aa);
  expect(crc32cJs(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  expect(crc32cJs(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  expect(crc32cJs(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  expect(crc32cJs(new Uint8Array(0))).toBe(0);
});

test('masked CRC: TFRecord mask of known values, and unmask inverts it', () => {
  // mask(c) = ((c >>> 15) | (c << 17)) + 0xa282ead8, mod 2^32
  expect(maskCrc(0)).toBe(0xa282ead8);
  expect(maskCrc(0xe3069283)).toBe(0xc78ab0e5); // computed independently in Python
  for (const c of [0, 1, 0xffffffff, 0x12345678, 0xe3069283]) expect(unmaskCrc(maskCrc(c))).toBe(c);
});

test('the masked length CRC of a real record header matches the stored one', () => {
  const buf = readFileSync(resolve(FIXTURE_CORPUS_DIR, 'r-tfevents/events.out.tfevents.1687811641.v2'));
  expect(maskedCrc32c(buf, 0, 8)).toBe(buf.readUInt32LE(8));
  const len = Number(buf.readBigUInt64LE(0));
  expect(maskedCrc32c(buf, 12, 12 + len)).toBe(buf.readUInt32LE(12 + len));
});

test(`native (${crc32cImplementation}) and table implementations agree on all lengths and offsets`, () => {
  const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 2654435761) >>> 24);
  for (const [s, e] of [
    [0, 0],
    [0, 1],
    [3, 11],
    [1, 300],
    [7, 4999],
    [0, 5000],
    [100, 356],
  ] as const) {
    expect(crc32c(data, s, e)).toBe(crc32cJs(data, s, e));
  }
});

/** Bit-at-a-time CRC-32C: the definition, independent of the tables. */
function crc32cBitwise(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

test('table implementation equals the bitwise definition for every length 0..300 (8-, 4- and 1-byte steps)', () => {
  const data = Uint8Array.from({ length: 400 }, (_, i) => (i * 2654435761) >>> 24);
  for (let len = 0; len <= 300; len++) {
    const want = crc32cBitwise(data.subarray(5, 5 + len));
    expect(crc32cJs(data, 5, 5 + len), `len ${len}`).toBe(want);
    expect(crc32c(data, 5, 5 + len), `len ${len}`).toBe(want);
  }
});
