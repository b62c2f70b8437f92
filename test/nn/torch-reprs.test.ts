// Module reprs and state_dict keys/shapes against PyTorch 1.13 for many constructor forms.
// test/fixtures/nn/torch-reprs.json was produced by real PyTorch:
//   /usr/bin/python3 test/nn/torch_reprs.py < test/fixtures/nn/torch-reprs.specs.json > test/fixtures/nn/torch-reprs.json
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';
import { evalModule, parsePython } from '../oracle/nn-build.ts';
import { FIXTURES } from '../helpers/shared.ts';

const rows = JSON.parse(readFileSync(resolve(FIXTURES, 'nn/torch-reprs.json'), 'utf8')) as Array<{
  expr: string;
  repr: string;
  keys: Array<[string, number[]]>;
}>;

for (const r of rows) {
  test(r.expr, () => {
    const m = evalModule(parsePython(r.expr));
    expect(String(m)).toBe(r.repr);
    expect(Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape]])).toEqual(r.keys);
  });
}
