// Oracle runner for the `transforms` and `data` categories (owned by the data/vision helper).
// `handles(c)` says whether a case is ours; `run(c)` reproduces it with Board (test/oracle/data-runner.ts)
// and throws on the first mismatch (test/oracle/compare.ts tolerance rules), or when an `expected_error` case
// does not raise an error containing PyTorch's message.
import type { OracleCase } from './compare.ts';
import { expectValue } from './compare.ts';
import { handlesDataCase, runDataCase } from './data-runner.ts';
import type { OracleCase as DataCase } from './data-runner.ts';

export function handles(c: OracleCase): boolean {
  return handlesDataCase(c as unknown as DataCase);
}

export function run(c: OracleCase): void {
  if (c.expected_error) {
    let err: unknown = null;
    try {
      runDataCase(c as unknown as DataCase);
    } catch (e) {
      err = e;
    }
    if (!err) throw new Error(`${c.name}: expected ${c.expected_error.type}: ${c.expected_error.message}, but nothing was raised`);
    const msg = (err as Error).message;
    if (!msg.includes(c.expected_error.message))
      throw new Error(`${c.name}: error message differs:\n  got:      ${msg}\n  expected: ${c.expected_error.message}`);
    return;
  }
  const actual = runDataCase(c as unknown as DataCase);
  expectValue(actual, c.expected, c.tol, c.name);
}
