// The oracle harness: one vitest test per case of the PyTorch golden-value file (ORACLE_PATH, default
// ../shared/oracle/visible.json, falling back to the copy in test/fixtures/oracle/). Each case goes to the
// runner that handles its category; a case no runner handles fails with its category and op.
// Cases listed in test/oracle/known-failures.json run as test.fails, so fixing one forces its removal.
import { test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT, SHARED_DIR } from './helpers/shared.ts';
import type { OracleCase } from './oracle/compare.ts';
import * as tensorRunner from './oracle/tensor.ts';
import * as nnRunner from './oracle/nn.ts';
import * as dataRunner from './oracle/data.ts';

interface Runner { handles(c: OracleCase): boolean; run(c: OracleCase): void | Promise<void> }
const RUNNERS: Array<[string, Runner]> = [['tensor', tensorRunner], ['nn', nnRunner as unknown as Runner], ['data', dataRunner as unknown as Runner]];

function casePath(): string {
  if (process.env.ORACLE_PATH) return resolve(process.env.ORACLE_PATH);
  const shared = resolve(SHARED_DIR, 'oracle/visible.json');
  return existsSync(shared) ? shared : resolve(REPO_ROOT, 'test/fixtures/oracle/visible.json');
}

const file = casePath();
const doc = JSON.parse(readFileSync(file, 'utf8')) as { cases: OracleCase[] };
const knownFailures = JSON.parse(readFileSync(resolve(REPO_ROOT, 'test/oracle/known-failures.json'), 'utf8')) as Record<string, string>;

for (const c of doc.cases) {
  const runner = RUNNERS.find(([, r]) => r.handles(c));
  const body = async () => {
    if (!runner) throw new Error(`no oracle runner handles category '${c.category}' op '${c.op}'`);
    await runner[1].run(c);
  };
  if (c.name in knownFailures) test.fails(`${c.name} (known failure: ${knownFailures[c.name]})`, body);
  else test(c.name, body);
}
