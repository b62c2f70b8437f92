// Forward values, grad_fn names and gradients of many module configurations against PyTorch 1.13, beyond the oracle's
// cases. test/fixtures/nn/torch-parity.json was produced by real PyTorch:
//   /usr/bin/python3 test/nn/torch_parity.py < test/fixtures/nn/torch-parity.specs.json > test/fixtures/nn/torch-parity.json
// (seeded random parameters in ±0.5 and inputs; random output gradients are backpropagated).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { grad, Tensor } from '../../lib/engine/index.ts';
import { evalModule, parsePython } from '../oracle/nn-build.ts';
import { decodeTensor, expectClose, type EncodedTensor } from '../oracle/compare.ts';
import { FIXTURES } from '../helpers/shared.ts';

interface Row {
  expr: string;
  state: Record<string, EncodedTensor>;
  args: Array<EncodedTensor | EncodedTensor[]>;
  outputs: EncodedTensor[];
  grad_outputs: Array<EncodedTensor | null>;
  grad_fn: Array<string | null>;
  arg_grads: Array<EncodedTensor | null>;
  param_grads: Record<string, EncodedTensor | null>;
  buffers_after: Record<string, EncodedTensor>;
}

const specs = JSON.parse(readFileSync(resolve(FIXTURES, 'nn/torch-parity.specs.json'), 'utf8')) as Array<{
  training?: boolean;
  args: unknown[];
}>;
const rows = JSON.parse(readFileSync(resolve(FIXTURES, 'nn/torch-parity.json'), 'utf8')) as Row[];
const tol = { rtol: 1e-4, atol: 1e-5 };

function flat(o: unknown): Tensor[] {
  if (o instanceof Tensor) return [o];
  return (o as unknown[]).flatMap(flat);
}

describe('modules match PyTorch 1.13', () => {
  rows.forEach((r, i) => {
    test(r.expr, () => {
      const spec = specs[i]!;
      const mod = evalModule(parsePython(r.expr));
      const sd: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(r.state)) sd[k] = decodeTensor(v);
      mod.loadStateDict(sd);
      mod.train(spec.training ?? true);
      // inputs that PyTorch differentiated are exactly those with an arg grad
      let leafIdx = 0;
      const leaves: Tensor[] = [];
      const args = r.args.map((a) => {
        const one = (e: EncodedTensor) => {
          const t = decodeTensor(e);
          if (r.arg_grads[leafIdx++] !== null) t.requiresGrad_(true);
          leaves.push(t);
          return t;
        };
        return Array.isArray(a) ? a.map(one) : one(a);
      });
      const outs = flat((mod.call as (...a: unknown[]) => unknown)(...args));
      expect(outs.length).toBe(r.outputs.length);
      outs.forEach((o, k) => expectClose(o, r.outputs[k]!, tol, `output ${k}`));
      expect(outs.map((o) => (o.gradFn ? o.gradFn.name : null))).toEqual(r.grad_fn);
      for (const [k, v] of Object.entries(r.buffers_after)) expectClose(mod.stateDict()[k], v, tol, `buffer ${k}`);
      const pairs = outs.map((o, k) => [o, r.grad_outputs[k]] as const).filter(([, g]) => g !== null);
      const params = [...mod.namedParameters()];
      const targets = [...leaves.filter((_, k) => r.arg_grads[k] !== null), ...params.map(([, p]) => p)];
      if (!pairs.length || !targets.length) return;
      const grads = grad(
        pairs.map(([o]) => o),
        targets,
        { gradOutputs: pairs.map(([, g]) => decodeTensor(g!)), allowUnused: true },
      );
      const expected = [...r.arg_grads.filter((g) => g !== null), ...params.map(([k]) => r.param_grads[k] ?? null)];
      expected.forEach((e, k) => {
        if (e === null) expect(grads[k] ?? null).toBeNull();
        else
          expectClose(
            grads[k],
            e,
            tol,
            `grad ${k < targets.length - params.length ? `arg ${k}` : params[k - (targets.length - params.length)]![0]}`,
          );
      });
    });
  });
});
