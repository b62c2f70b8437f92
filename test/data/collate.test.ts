import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/engine/index.ts';
import { defaultCollate, defaultConvert } from '../../lib/data/collate.ts';

describe('defaultCollate', () => {
  it('stacks tensors, turns integers into int64 and non-integers into float64', () => {
    const b = defaultCollate([
      { x: tensor([1.5, 2]), y: 0, name: 'a' },
      { x: tensor([3, 4.5]), y: 1, name: 'b' },
    ]);
    expect(b.x.shape).toEqual([2, 2]);
    expect(b.x.dtype).toBe('float32');
    expect(b.x.tolist()).toEqual([[1.5, 2], [3, 4.5]]);
    expect(b.y.dtype).toBe('int64');
    expect(b.y.tolist()).toEqual([0, 1]);
    expect(b.name).toEqual(['a', 'b']);
    const f = defaultCollate([1.5, 2.5]);
    expect(f.dtype).toBe('float64');
  });

  it('collates tuples per position and typed arrays by their dtype', () => {
    const b = defaultCollate([
      [Float64Array.of(1, 2), 1.5],
      [Float64Array.of(3, 4), 2.5],
    ]);
    expect(Array.isArray(b)).toBe(true);
    expect(b[0].dtype).toBe('float64');
    expect(b[0].shape).toEqual([2, 2]);
    expect(b[1].tolist()).toEqual([1.5, 2.5]);
    expect(defaultCollate([Uint8Array.of(1), Uint8Array.of(2)]).dtype).toBe('uint8');
    expect(defaultCollate([true, false]).dtype).toBe('bool');
  });

  it('keeps int64 tensors exact and nested structures', () => {
    const b = defaultCollate([[tensor([1], { dtype: 'int64' }), { a: [1, 2] }], [tensor([2], { dtype: 'int64' }), { a: [3, 4] }]]);
    expect(b[0].dtype).toBe('int64');
    expect(b[1].a[0].tolist()).toEqual([1, 3]);
  });

  it('explains bad batches', () => {
    expect(() => defaultCollate([tensor([1, 2]), tensor([1, 2, 3])])).toThrow(/equal size.*\[2\] at entry 0 and \[3\] at entry 1/);
    expect(() => defaultCollate([[1, 2], [1]])).toThrow(/equal size/);
    expect(() => defaultCollate([null])).toThrow(/found null/);
    expect(() => defaultCollate([])).toThrow(/empty/);
    expect(() => defaultCollate([tensor([1]), 3])).toThrow(/entry 1/);
  });

  it('defaultConvert turns typed arrays into tensors and leaves the rest', () => {
    const c = defaultConvert({ a: Float32Array.of(1, 2), b: 'x', n: 3 });
    expect(c.a.shape).toEqual([2]);
    expect(c.b).toBe('x');
    expect(c.n).toBe(3);
  });
});
