// Which runner reproduces which oracle case: the tensor runner (creation … printing str), the nn runner
// (modules, losses, optimizers, schedulers, init, reprs) and the data runner (transforms, data, add_images).
import * as tensorRunner from './tensor.ts';
import * as nnRunner from './nn.ts';
import * as dataRunner from './data.ts';
import type { OracleCase } from './compare.ts';

interface Runner {
  handles(c: OracleCase): boolean;
  run(c: OracleCase): void | Promise<void>;
}
const RUNNERS: Runner[] = [tensorRunner, nnRunner as unknown as Runner, dataRunner as unknown as Runner];

/** Run one case; throws on the first mismatch, or when no runner handles its category and op. */
export async function runCase(c: OracleCase): Promise<void> {
  const runner = RUNNERS.find((r) => r.handles(c));
  if (!runner) throw new Error(`no oracle runner handles category '${c.category}' op '${c.op}'`);
  await runner.run(c);
}
