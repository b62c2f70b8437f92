// More golden cases for the data/vision runner, beyond the shared oracle (test/fixtures/oracle/data-extra/generate.py):
// - data: default_collate over nested dicts, tuples of ints/floats/bools, numpy arrays, strings and error cases, and
//   DataLoader with other batch sizes / drop_last / dataset widths, all from real PyTorch 1.13;
// - transforms: Normalize, CenterCrop, Pad modes, Resize, Grayscale, ToTensor, ConvertImageDtype, flips, RandomCrop and
//   Compose chains. torchvision was not installed on the generator, so these expected values come from the torch calls
//   torchvision 0.14's tensor path makes (spelled out in generate.py; each case's note says so).
// They run through the same runner as test/oracle.test.ts, so they stay checked without Python.
import { expect, test } from 'vitest';
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

// The runner must be able to fail: a wrong dtype, value, string or error message in `expected` is reported.
test('data runner rejects wrong expectations', () => {
  const byName = (n: string): any => structuredClone(doc.cases.find((c) => c.name === n)!);
  const floats = byName('extra_collate_integral_python_floats');
  floats.expected.dtype = 'int64';
  const strings = byName('extra_collate_strings');
  strings.expected[1] = 'dgo';
  const loader = byName('extra_DataLoader_bs2_drop_last_True');
  loader.expected.batches[1][1].data[0] = 42;
  const error = byName('extra_collate_uneven_tensors_error');
  error.expected_error.message = 'some other message';
  const pad = byName('extra_Pad_reflect');
  pad.expected.data[0] += 0.01;
  for (const c of [floats, strings, loader, error, pad]) expect(() => run(c), c.name).toThrow();
});
