// Masked CRC-32C (Castagnoli) as TFRecord framing uses it. Hardware crc32c from @node-rs/crc32 when
// its native binary loads; a slicing-by-8 table implementation otherwise (same results, slower).
import { createRequire } from 'node:module';

type Crc32cFn = (input: Uint8Array, initialState?: number) => number;

const POLY = 0x82f63b78; // reflected Castagnoli polynomial

/** Slicing-by-8 tables, flattened: T[k * 256 + b]. */
const T: Uint32Array = (() => {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let s = 1; s < 8; s++) t[s * 256 + i] = (t[(s - 1) * 256 + i]! >>> 8) ^ t[t[(s - 1) * 256 + i]! & 0xff]!;
  }
  return t;
})();

/** Pure TypeScript crc32c over buf[start, end). */
export function crc32cJs(buf: Uint8Array, start = 0, end = buf.length, initial = 0): number {
  const t = T;
  let crc = ~initial;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^
      t[512 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
  }
  if (i + 4 <= end) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc = t[768 + (a & 0xff)]! ^ t[512 + ((a >>> 8) & 0xff)]! ^ t[256 + ((a >>> 16) & 0xff)]! ^ t[a >>> 24]!;
    i += 4;
  }
  for (; i < end; i++) crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function loadNative(): Crc32cFn | null {
  if (process.env.BOARD_CRC32C === 'js') return null;
  try {
    const require = createRequire(import.meta.url);
    const mod = require('@node-rs/crc32') as { crc32c: Crc32cFn };
    // Guard against a binary that loads but computes something else.
    return mod.crc32c(new TextEncoder().encode('123456789')) === 0xe3069283 ? mod.crc32c : null;
  } catch {
    return null;
  }
}

const native = loadNative();

/** Which implementation is in use ('native' or 'js'); the benchmark prints it. */
export const crc32cImplementation: 'native' | 'js' = native ? 'native' : 'js';

/**
 * A native call costs a fixed ~250-300 ns here (N-API + subarray); the table loop costs ~1.2 ns/B.
 * They break even near 256 B (measured 2026-11-26 on the 2-core CI machine, see bench/RESULTS.md).
 */
const NATIVE_MIN_BYTES = 256;

/** crc32c over buf[start, end). */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  if (native !== null && end - start >= NATIVE_MIN_BYTES) return native(buf.subarray(start, end)) >>> 0;
  return crc32cJs(buf, start, end);
}

const MASK_DELTA = 0xa282ead8;

/** TFRecord's masking: rotate right by 15 bits, add a constant (so CRCs of CRCs stay useful). */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

/** Masked crc32c of buf[start, end), as stored in a TFRecord. */
export function maskedCrc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  return maskCrc(crc32c(buf, start, end));
}
