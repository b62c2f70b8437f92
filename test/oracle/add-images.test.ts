// TensorBoard's add_images grid as an oracle scenario (test/fixtures/oracle/add-images/generate.py computes the
// expected images with numpy from the grid's definition). The shared oracle names such a case but does not ship it.
import { expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURES } from '../helpers/shared.ts';
import type { OracleCase } from './compare.ts';
import { handles, run } from './data.ts';

const doc = JSON.parse(readFileSync(resolve(FIXTURES, 'oracle/add-images/cases.json'), 'utf8')) as { cases: OracleCase[] };
for (const c of doc.cases) {
  test(c.name, () => {
    expect(handles(c)).toBe(true);
    run(c);
  });
}

test('a wrong pixel in the expected grid is reported', () => {
  const c = structuredClone(doc.cases[0]!) as OracleCase & { expected: { data: number[] } };
  c.expected.data[7] = (c.expected.data[7]! + 1) % 256;
  expect(() => run(c)).toThrow();
});
