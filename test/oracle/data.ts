// Oracle runner for the `transforms` and `data` categories (owned by the data/vision helper).
// `handles(c)` says whether a case is ours; `run(c)` reproduces it with Board (test/oracle/data-runner.ts)
// and throws on the first mismatch (test/oracle/compare.ts tolerance rules).
import type { OracleCase } from './compare.ts';
import { expectValue } from './compare.ts';
import { handlesDataCase, runDataCase } from './data-runner.ts';
import type { OracleCase as DataCase } from './data-runner.ts';

export function handles(c: OracleCase): boolean {
  return handlesDataCase(c as unknown as DataCase);
}

export function run(c: OracleCase): void {
  const actual = runDataCase(c as unknown as DataCase);
  expectValue(actual, c.expected, c.tol, c.name);
}
