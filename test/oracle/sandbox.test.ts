// The oracle sandbox: a case that runs forever or allocates without bound fails with the limit it hit, and the
// cases after it still run. A snippet the evaluator cannot parse fails naming the construct.
import { afterAll, expect, test } from 'vitest';
import { CaseSandbox } from './sandbox.ts';
import type { OracleCase } from './compare.ts';

// two sandboxes: a short time limit for the loop, and a long one for the memory cases (the CI machine may be slow)
const sandbox = new CaseSandbox({ timeMs: 4_000, heapMb: 1024, rssGrowthMb: 2048 });
const memSandbox = new CaseSandbox({ timeMs: 120_000, heapMb: 256, rssGrowthMb: 300 });
afterAll(() => Promise.all([sandbox.close(), memSandbox.close()]));

const scenario = (name: string, python: string, expected: unknown = { y: 1 }): OracleCase =>
  ({
    name,
    category: 'autograd',
    op: 'autograd.scenario',
    python,
    expected,
    tol: { exact: true },
  }) as unknown as OracleCase;
const good = scenario('good', 'y = 1');

test('a normal case passes in the sandbox, and a wrong expectation fails', async () => {
  await expect(sandbox.run(good)).resolves.toBeUndefined();
  await expect(sandbox.run(scenario('wrong', 'y = 2'))).rejects.toThrow(/y/);
});

test('an endless loop stops at the time limit; the next case runs', async () => {
  const t0 = Date.now();
  await expect(sandbox.run(scenario('endless', 'import itertools\nfor i in itertools.count():\n    pass'))).rejects.toThrow(/time limit/);
  expect(Date.now() - t0).toBeLessThan(12_000);
  await expect(sandbox.run(good)).resolves.toBeUndefined();
}, 30_000);

test('unbounded tensor allocation stops at the memory guard; the next case runs', async () => {
  await expect(memSandbox.run(scenario('hog', 'xs = []\nwhile True:\n    xs.append(torch.ones(4000000))'))).rejects.toThrow(/memory limit/);
  await expect(memSandbox.run(good)).resolves.toBeUndefined();
}, 180_000);

test('unbounded Python allocation stops at the heap limit; the next case runs', async () => {
  await expect(memSandbox.run(scenario('heap', 'xs = []\nwhile True:\n    xs.append([0] * 100000)'))).rejects.toThrow(/memory limit/);
  await expect(memSandbox.run(good)).resolves.toBeUndefined();
}, 180_000);

test('a construct the evaluator does not implement fails naming it', async () => {
  await expect(sandbox.run(scenario('async', 'async def f():\n    pass'))).rejects.toThrow(/unsupported construct: async/);
  await expect(sandbox.run(scenario('unterminated', "y = 'abc"))).rejects.toThrow(/unterminated string literal \(line 1\)/);
});
