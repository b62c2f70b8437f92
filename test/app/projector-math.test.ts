// The Projector's PCA and neighbour lists against direct computations.
import { expect, test } from 'vitest';
import { nearestNeighbours, normalizeCoords, pca } from '../../app/ui/projector/math.ts';

test('PCA finds the dominant directions and their explained variance', () => {
  // Points along (1, 1, 0) with a little spread along (0, 0, 1): PC1 ~ (1,1,0)/sqrt2 explains most.
  const n = 50,
    d = 3;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const t = i - 25;
    data[i * 3] = t;
    data[i * 3 + 1] = t;
    data[i * 3 + 2] = i % 2 ? 1 : -1;
  }
  const { coords, variance } = pca({ n, d, data }, 2);
  // Projection on PC1 is the centred t (mean -0.5) times sqrt(2); sign: largest loading positive.
  for (let i = 0; i < n; i++) expect(coords[i * 2]!).toBeCloseTo((i - 24.5) * Math.SQRT2, 1); // z is slightly correlated with t
  const sum = variance[0]! + variance[1]!;
  expect(sum).toBeCloseTo(1, 6);
  expect(variance[0]!).toBeGreaterThan(0.99);
});

test('nearest neighbours by cosine and euclidean distance', () => {
  const data = Float32Array.from([1, 0, 10, 0, 0, 1, 0.9, 0.1]);
  const p = { n: 4, d: 2, data };
  expect(nearestNeighbours(p, 0, 3, 'cosine').map((x) => x.index)).toEqual([1, 3, 2]); // (10,0) is the same direction
  expect(nearestNeighbours(p, 0, 3, 'euclidean').map((x) => x.index)).toEqual([3, 2, 1]);
  expect(nearestNeighbours(p, 0, 1, 'cosine')[0]!.distance).toBeCloseTo(0, 6);
});

test('normalizeCoords keeps aspect ratio and centres in [-1, 1]', () => {
  expect([...normalizeCoords(Float32Array.from([0, 0, 4, 2]), 2, 2)]).toEqual([-1, -0.5, 1, 0.5]);
});
