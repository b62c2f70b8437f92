// Optimizer trajectories (10 steps: params after each step, final state_dict, repr) and scheduler lr/momentum curves
// against PyTorch 1.13. test/fixtures/optim/torch-parity.json was produced by real PyTorch:
//   /usr/bin/python3 test/optim/torch_optim_parity.py > test/fixtures/optim/torch-parity.json
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { optim } from 'board';
import { buildOptimizer, snakeToCamel } from '../oracle/nn-build.ts';
import { decodeTensor, type EncodedTensor } from '../oracle/compare.ts';
import { compareValue } from '../oracle/nn.ts';
import { FIXTURES } from '../helpers/shared.ts';

interface OptRow {
  name: string;
  kwargs: Record<string, unknown>;
  init: EncodedTensor[];
  grads: EncodedTensor[][];
  params: EncodedTensor[][];
  state_dict: unknown;
  repr: string;
}
interface SchedRow {
  name: string;
  kwargs: Record<string, unknown>;
  optimizer: [string, Record<string, unknown>];
  lr: number[];
  momentum: Array<number | null>;
}
const doc = JSON.parse(readFileSync(resolve(FIXTURES, 'optim/torch-parity.json'), 'utf8')) as { optim: OptRow[]; sched: SchedRow[] };
const tol = { rtol: 1e-5, atol: 1e-6 };

describe('optimizers match PyTorch 1.13 over 10 steps', () => {
  for (const r of doc.optim) {
    test(`${r.name} ${JSON.stringify(r.kwargs)}`, () => {
      const params = r.init.map((e) => decodeTensor(e).requiresGrad_(true));
      const opt = buildOptimizer(r.name, params, r.kwargs);
      r.grads.forEach((gs, s) => {
        params.forEach((p, i) => {
          p.grad = decodeTensor(gs[i]!);
        });
        opt.step();
        params.forEach((p, i) => compareValue(`step ${s} param ${i}`, p.detach(), r.params[s]![i], tol));
      });
      compareValue('state_dict', opt.stateDict(), r.state_dict, tol);
      expect(String(opt)).toBe(r.repr);
    });
  }
});

describe('lr schedulers match PyTorch 1.13 over 15 epochs', () => {
  for (const r of doc.sched) {
    test(`${r.name} ${JSON.stringify(r.kwargs)}`, () => {
      const opt = buildOptimizer(
        r.optimizer[0],
        [decodeTensor({ dtype: 'float32', shape: [1], data: [0] }).requiresGrad_(true)],
        r.optimizer[1],
      );
      const Cls = (optim.lrScheduler as unknown as Record<string, new (o: unknown, k: unknown) => { step(): void }>)[r.name]!;
      const kw = Object.fromEntries(Object.entries(r.kwargs).map(([k, v]) => [snakeToCamel(k), v]));
      const sched = new Cls(opt, kw);
      const lrs: number[] = [],
        moms: Array<number | null> = [];
      for (let e = 0; e < r.lr.length; e++) {
        const g = opt.paramGroups[0]!;
        lrs.push(g.lr);
        moms.push((g.betas ? (g.betas as number[])[0] : (g.momentum ?? null)) as number | null);
        opt.step();
        sched.step();
      }
      compareValue('lr', lrs, r.lr, { rtol: 1e-9, atol: 1e-12 });
      compareValue('momentum', moms, r.momentum, { rtol: 1e-9, atol: 1e-12 });
    });
  }
});
