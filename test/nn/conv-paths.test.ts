// The conv kernel picks its GEMM orientation by shape; both paths must agree with the reference.
import { test, expect } from 'vitest';
import { nn } from 'board';
import { gradcheck, leaf } from '../helpers/nn-gradcheck.ts';
import { randn } from '../../lib/engine/index.ts';
test('conv2d: the transposed-GEMM path (few output channels, long reduction) matches float64 and finite differences', () => {
  // rows = 8*4*4 = 128 >= 128, Cog = 3: takes the transposed GEMM path; compare float64 gradcheck + a float32 reference
  gradcheck(
    (x, w, b) => nn.functional.conv2d(x, w, b, { padding: 1, groups: 2 }),
    [leaf([2, 16, 5, 5]), leaf([6, 8, 4, 4], 1), leaf([6], 2)],
    { samples: 6 },
  );
  const x = randn([2, 16, 5, 5]),
    w = randn([6, 16, 4, 4]);
  const y = nn.functional.conv2d(x, w);
  const ref = nn.functional.conv2d(x.double(), w.double());
  const a = y.dataSync(),
    r = ref.dataSync();
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - r[i]!)).toBeLessThan(1e-3);
});

test('conv2d: the batched GEMM path (many output channels, long reduction) and the per-sample path agree with references', () => {
  // rows = 16*3*3 = 144 >= 128 and Cout/groups = 65 > 64: one batched GEMM per group, then a reorder
  gradcheck((x, w, b) => nn.functional.conv2d(x, w, b, { padding: 1 }), [leaf([2, 16, 3, 3]), leaf([65, 16, 3, 3], 1), leaf([65], 2)], {
    samples: 5,
  });
  // rows = 2*2*2 = 8 < 128: per-sample GEMMs (with groups)
  gradcheck(
    (x, w, b) => nn.functional.conv2d(x, w, b, { stride: 2, groups: 2 }),
    [leaf([3, 4, 5, 5]), leaf([4, 2, 2, 2], 1), leaf([4], 2)],
  );
});
