// The conv kernel picks its GEMM orientation by shape; both paths must agree with the reference.
import { test, expect } from 'vitest';
import { nn } from 'board';
import { gradcheck, leaf } from '../helpers/nn-gradcheck.ts';
import { randn } from '../../lib/engine/index.ts';
test('conv2d: the transposed-GEMM path (few output channels, long reduction) matches float64 and finite differences', () => {
  // rows = 8*4*4 = 128 >= 128, Cog = 3: takes the transposed GEMM path; compare float64 gradcheck + a float32 reference
  gradcheck((x, w, b) => nn.functional.conv2d(x, w, b, { padding: 1, groups: 2 }), [leaf([2, 16, 5, 5]), leaf([6, 8, 4, 4], 1), leaf([6], 2)], { samples: 6 });
  const x = randn([2, 16, 5, 5]), w = randn([6, 16, 4, 4]);
  const y = nn.functional.conv2d(x, w);
  const ref = nn.functional.conv2d(x.double(), w.double());
  const a = y.dataSync(), r = ref.dataSync();
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - r[i]!)).toBeLessThan(1e-3);
});
