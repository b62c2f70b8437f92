// Every oracle case of the categories transforms and data (PyTorch 1.13 / torchvision 0.14 values).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, SHARED_DIR } from '../helpers/shared.ts';
import { compareResult, handlesDataCase, runDataCase } from '../oracle/data-runner.ts';
import type { OracleCase } from '../oracle/data-runner.ts';

const candidates = [resolve(SHARED_DIR, 'oracle/visible.json'), resolve(FIXTURES, 'oracle/visible.json')];
const path = candidates.find((p) => existsSync(p));
if (!path) console.warn(`[board tests] no oracle JSON (${candidates.join(', ')}): skipping the transforms/data oracle cases`);
const cases: OracleCase[] = path ? (JSON.parse(readFileSync(path, 'utf8')).cases as OracleCase[]).filter(handlesDataCase) : [];

describe.skipIf(!path)('oracle: transforms and data', () => {
  it('has the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
  });
  for (const c of cases) {
    it(c.name, () => {
      const actual = runDataCase(c);
      expect(compareResult(actual, c.expected, c.tol)).toBeNull();
    });
  }
});
