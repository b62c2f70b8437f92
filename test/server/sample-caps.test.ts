import { expect, test } from 'vitest';
import { evenlySample, parseSampleCaps } from '../../lib/server/sample-caps.ts';

test('parses --samples_per_plugin', () => {
  expect(parseSampleCaps('scalars=500, images=10')).toEqual({ scalars: 500, images: 10 });
  expect(() => parseSampleCaps('audio=1')).toThrow(/unknown plugin 'audio'/);
  expect(() => parseSampleCaps('images')).toThrow(/expected PLUGIN=N, got 'images'/);
});

test('evenlySample keeps the newest item', () => {
  expect(evenlySample([1, 2, 3, 4, 5], 2)).toEqual([1, 5]);
  expect(evenlySample([1, 2, 3], 1)).toEqual([3]);
  expect(evenlySample([1, 2, 3], undefined)).toEqual([1, 2, 3]);
});
