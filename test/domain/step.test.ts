// One step representation: number while safe, bigint beyond (memory), decimal string beyond (JSON).
import { expect, test } from 'vitest';
import { compareSteps, stepAsNumber, stepFromJson, stepOf, stepToJson } from '../../lib/domain/step.ts';
import { PLUGIN, SAMPLED_PLUGINS } from '../../lib/domain/plugins.ts';
import { parseSampleCaps } from '../../lib/server/sample-caps.ts';

const BIG = 2n ** 60n + 1n;

test('safe steps are numbers everywhere; bigger ones stay exact', () => {
  expect(stepOf(5n)).toBe(5);
  expect(stepOf(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  expect(stepOf(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toBe(BigInt(Number.MAX_SAFE_INTEGER) + 1n);
  expect(stepToJson(7)).toBe(7);
  expect(stepToJson(7n)).toBe(7);
  expect(stepToJson(BIG)).toBe('1152921504606846977');
  expect(stepFromJson('1152921504606846977')).toBe(BIG);
  expect(stepFromJson(stepToJson(-BIG))).toBe(-BIG);
  expect(stepAsNumber('1152921504606846977')).toBe(2 ** 60);
});

test('steps compare exactly, across representations', () => {
  expect(compareSteps(BIG, BIG - 1n)).toBe(1);
  expect(compareSteps(3, 2n ** 60n)).toBe(-1);
  expect(compareSteps(4, 4n)).toBe(0);
  expect([5, BIG, -1, 2n].sort(compareSteps)).toEqual([-1, 2n, 5, BIG]);
});

test('one plugin table: sample caps accept exactly the sampled plugins', () => {
  expect(PLUGIN.prCurves).toBe('pr_curves');
  for (const p of SAMPLED_PLUGINS) expect(parseSampleCaps(`${p}=3`)).toEqual({ [p]: 3 });
  expect(() => parseSampleCaps('graphs=3')).toThrow(/unknown plugin 'graphs' \(known: scalars, images, histograms, text, pr_curves\)/);
});
