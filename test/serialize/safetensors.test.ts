import { describe, expect, test } from 'vitest';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from '../../lib/serialize/safetensors.ts';

/** A file assembled byte by byte from the format description, not by our encoder. */
function handBuilt(): Uint8Array {
  const header =
    '{"__metadata__":{"format":"pt"},"b":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},' +
    '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const h = new TextEncoder().encode(header);
  const bytes = [
    h.length & 0xff,
    (h.length >> 8) & 0xff,
    0,
    0,
    0,
    0,
    0,
    0, // u64 LE header size
    ...h,
    0x00,
    0x00,
    0x80,
    0x3f, // 1.0f
    0x00,
    0x00,
    0x00,
    0xc0, // -2.0f
    0x07,
    0,
    0,
    0,
    0,
    0,
    0,
    0, // 7
    0xfd,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff, // -3
  ];
  return Uint8Array.from(bytes);
}

describe('safetensors codec', () => {
  test('reads a file built from the specification bytes', () => {
    const { tensors, metadata } = decodeSafetensors(handBuilt());
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.a!.dtype).toBe('float32');
    expect(Array.from(tensors.a!.data)).toEqual([1, -2]);
    expect(tensors.b!.dtype).toBe('int64');
    expect(Array.from(tensors.b!.data)).toEqual([7, -3]);
  });

  test('writes the documented layout: u64 LE length, space-padded JSON, raw LE data', () => {
    const bytes = encodeSafetensors({ w: { dtype: 'float32', shape: [1], data: new Float32Array([1]) } }, { k: 'v' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ __metadata__: { k: 'v' }, w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
    expect(Array.from(bytes.subarray(8 + n))).toEqual([0x00, 0x00, 0x80, 0x3f]);
  });

  test('round trips every dtype bit for bit', () => {
    const f32 = new Float32Array([0.1, -0, NaN, Infinity, 3.4e38, 1e-45]);
    const f64 = new Float64Array([Math.PI, -1e-300, 2 ** 53]);
    const src = {
      f32: { dtype: 'float32' as const, shape: [2, 3], data: f32 },
      f64: { dtype: 'float64' as const, shape: [3], data: f64 },
      i64: { dtype: 'int64' as const, shape: [2], data: new Float64Array([-(2 ** 53), 42]) },
      i32: { dtype: 'int32' as const, shape: [1], data: new Int32Array([-7]) },
      u8: { dtype: 'uint8' as const, shape: [2], data: new Uint8Array([0, 255]) },
      b: { dtype: 'bool' as const, shape: [2], data: new Uint8Array([1, 0]) },
      scalar: { dtype: 'float32' as const, shape: [], data: new Float32Array([5]) },
      empty: { dtype: 'float32' as const, shape: [0, 3], data: new Float32Array(0) },
    };
    const { tensors } = decodeSafetensors(encodeSafetensors(src));
    for (const [k, t] of Object.entries(src)) {
      expect(tensors[k]!.dtype).toBe(t.dtype);
      expect(tensors[k]!.shape).toEqual(t.shape);
      const a = new Uint8Array(tensors[k]!.data.buffer, tensors[k]!.data.byteOffset, tensors[k]!.data.byteLength);
      const b = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  test('reads F16 as float16 and BF16 by widening to float32', () => {
    const header = '{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]}}';
    const h = new TextEncoder().encode(header);
    const buf = Uint8Array.from([h.length, 0, 0, 0, 0, 0, 0, 0, ...h, 0x00, 0x3c, 0x00, 0xc0, 0x80, 0x3f]);
    const { tensors } = decodeSafetensors(buf);
    expect(tensors.h!.dtype).toBe('float16');
    expect(Array.from(tensors.h!.data)).toEqual([1, -2]);
    expect(tensors.b!.dtype).toBe('float32');
    expect(Array.from(tensors.b!.data)).toEqual([1]);
  });

  test('rejects holes, overlaps, bad sizes and truncation with a clear message', () => {
    const mk = (header: string, data: number[]) => {
      const h = new TextEncoder().encode(header);
      return Uint8Array.from([h.length, 0, 0, 0, 0, 0, 0, 0, ...h, ...data]);
    };
    expect(() => decodeSafetensors(mk('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', [0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(
      /starts at data offset 4, expected 0/,
    );
    expect(() => decodeSafetensors(mk('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0]))).toThrow(/needs 8/);
    expect(() => decodeSafetensors(mk('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0, 9]))).toThrow(
      /cover 4 data bytes but the file holds 5/,
    );
    expect(() => decodeSafetensors(Uint8Array.from([200, 0, 0, 0, 0, 0, 0, 0, 0x7b]))).toThrow(SafetensorsError);
    expect(() => decodeSafetensors(new Uint8Array(3))).toThrow(/too short/);
  });
});
