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
  for (const [s, e] of [[0, 0], [0, 1], [3, 11], [1, 300], [7, 4999], [0, 5000], [100, 356]] as const) {
    expect(crc32c(data, s, e)).toBe(crc32cJs(data, s, e));
  }
});
