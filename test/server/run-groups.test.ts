import { expect, test } from 'vitest';
import { aggregateByStep, groupLabeler, groupRuns, hparamsByRun, UNGROUPED } from '../../lib/server/run-groups.ts';

test('regex groups use the first capture group, else the whole match; others go to (other)', () => {
  const runs = ['lr_0.1_seed_1', 'lr_0.1_seed_2', 'lr_0.01_seed_1', 'baseline'];
  expect([...groupRuns(runs, groupLabeler({ by: 'regex', pattern: 'lr_([\\d.]+)' })).entries()]).toEqual([
    ['0.01', ['lr_0.01_seed_1']],
    ['0.1', ['lr_0.1_seed_1', 'lr_0.1_seed_2']],
    [UNGROUPED, ['baseline']],
  ]);
  expect(groupLabeler({ by: 'regex', pattern: 'seed_\\d' })('lr_0.1_seed_2')).toBe('seed_2');
  expect(() => groupLabeler({ by: 'regex', pattern: '(' })).toThrow();
});

test('hparam groups: a session in a child run (add_hparams) labels its parent too', () => {
  const hp = hparamsByRun([
    { run: 'a/1700000000.1', hparams: { lr: 0.1 } },
    { run: 'b', hparams: { lr: 0.01 } },
  ]);
  const label = groupLabeler({ by: 'hparam', name: 'lr' }, hp);
  expect(['a', 'a/1700000000.1', 'b', 'c'].map(label)).toEqual(['lr=0.1', 'lr=0.1', 'lr=0.01', UNGROUPED]);
});

test('aggregateByStep: mean, min, max, population std and count per step; non-finite left out', () => {
  const a = aggregateByStep([
    { steps: [0, 1, 2], values: [1, 2, 3] },
    { steps: [0, 1, 3], values: [3, NaN, 5] },
  ]);
  expect(a.steps).toEqual([0, 1, 2, 3]);
  expect(a.mean).toEqual([2, 2, 3, 5]);
  expect(a.min).toEqual([1, 2, 3, 5]);
  expect(a.max).toEqual([3, 2, 3, 5]);
  expect(a.std).toEqual([1, 0, 0, 0]);
  expect(a.n).toEqual([2, 1, 1, 1]);
});
