// More golden cases for the data/vision runner, beyond the shared oracle (test/fixtures/oracle/data-extra/generate.py):
// - data: default_collate over nested dicts, tuples of ints/floats/bools, numpy arrays, strings and error cases, and
//   DataLoader with other batch sizes / drop_last / dataset widths, all from real PyTorch 1.13;
// - transforms: Normalize, CenterCrop, Pad modes, Resize, Grayscale, ToTensor, ConvertImageDtype, flips, RandomCrop and
//   Compose chains. torchvision was not installed on the generator, so these expected values come from the torch calls
//   torchvision 0.14's tensor path makes (spelled out in generate.py; each case's note says so).
// They run through the same runner as test/oracle.test.ts, so they stay checked without Python.
import { test } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURES } from '../helpers/shared.ts';
import type { OracleCase } from './compare.ts';
import { handles, run } from './data.ts';

const doc = JSON.parse(readFileSync(resolve(FIXTURES, 'oracle/data-extra/cases.json'), 'utf8')) as { cases: OracleCase[] };
for (const c of doc.cases) {
  test(`${c.category}: ${c.name}`, () => {
    if (!handles(c)) throw new Error(`data runner does not handle category '${c.category}' op '${c.op}'`);
    run(c);
  });
}
