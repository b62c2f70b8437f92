// Oracle runner for creation, elementwise, linalg, shape, reduction, autograd and printing `str` cases.
// Every case is reproduced from its `python` snippet through pyeval + torchenv (so unseen cases of the same
// schema run too), then compared: forward value, grad_fn names, and gradients after backprop of grad_output.
import { Tensor, GradNode, backwardAll, printOptions } from '../../lib/engine/index.ts';
import * as nnLib from '../../lib/nn/index.ts';
import { createTorchEnv, PyDtype, pyStr, toTs, withFallback, functionalNamespace } from './torchenv.ts';
import { PyFloat, PyFunction, PyDict, type PyEnv } from './pyeval.ts';
import {
  decodeTensor,
  decodeNumber,
  expectClose,
  expectValue,
  isEncodedTensor,
  describe,
  type OracleCase,
  type Tolerance,
} from './compare.ts';

const CATEGORIES = new Set(['creation', 'elementwise', 'linalg', 'shape', 'reduction', 'autograd', 'python']);

export function handles(c: OracleCase): boolean {
  if (CATEGORIES.has(c.category)) return true;
  return c.category === 'printing' && c.op === 'str';
}

/** `nn.X(...)` constructs Board's module X (printing cases print parameters of small modules). */
function nnNamespace(): Record<string, unknown> {
  const ns: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(nnLib)) {
    if (typeof v === 'function' && /^[A-Z]/.test(k)) {
      ns[k] = new PyFunction(
        k,
        (a, kw) =>
          new (v as new (...args: unknown[]) => unknown)(
            ...a.map(toTs),
            ...(Object.keys(kw).length
              ? [
                  Object.fromEntries(
                    Object.entries(kw).map(([n, x]) => [n.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), toTs(x)]),
                  ),
                ]
              : []),
          ),
      );
    }
  }
  return ns;
}

/** Extra environment setup, registered by other runners if they like. */
export const envExtensions: Array<(env: PyEnv, torch: Record<string, unknown>) => void> = [
  (env, torch) => {
    const F = withFallback(functionalNamespace(), nnLib.functional as unknown as Record<string, unknown>);
    const nn = { ...nnNamespace(), functional: F };
    env.vars.set('nn', nn);
    env.vars.set('F', F);
    torch.nn = nn;
  },
];

/**
 * A few printing snippets use an object that only a trailing comment describes, e.g.
 * `str(lin.weight)  # nn.Linear(3, 1) with weight [[0.1, -0.2, 0.3]]`: build it from the comment.
 */
function describedObjectPreamble(src: string): string {
  const m = /^(.*?)\b([A-Za-z_]\w*)\.(\w+)(.*?)#\s*(nn\.\w+\(.*?\))\s+with\s+(\w+)\s+(\[.*\])\s*$/.exec(src);
  if (!m) return src;
  const [, , obj, , , ctor, attr, value] = m;
  return `${obj} = ${ctor}\n${obj}.${attr}.data = torch.tensor(${value})\n${src.replace(/#.*$/, '')}`;
}

export async function run(c: OracleCase): Promise<void> {
  const saved = { ...printOptions };
  try {
    await runCase(c);
  } finally {
    Object.assign(printOptions, saved);
  }
}

async function runCase(c: OracleCase): Promise<void> {
  const env = createTorchEnv((e, torch) => envExtensions.forEach((x) => x(e, torch)));
  if (c.op.startsWith('autograd.')) return runScenario(c, env);
  const leaves = bindInputs(c, env);
  const src = describedObjectPreamble(prepareSource(c.python));
  if (c.expected_error) {
    let err: unknown = null;
    try {
      env.run(src);
    } catch (e) {
      err = e;
    }
    if (!err) throw new Error(`expected ${c.expected_error.type}: ${c.expected_error.message}, but nothing was raised`);
    const msg = (err as Error).message;
    if (!msg.includes(c.expected_error.message))
      throw new Error(`error message differs:\n  got:      ${msg}\n  expected: ${c.expected_error.message}`);
    return;
  }
  const result = env.run(src);
  if (c.category === 'printing') {
    if (typeof result !== 'string') throw new Error(`printing: expected a string, got ${describe(result)}`);
    if (result !== c.expected)
      throw new Error(`str differs:\n  got:      ${JSON.stringify(result)}\n  expected: ${JSON.stringify(c.expected)}`);
    return;
  }
  expectValue(normalize(result), c.expected, c.tol, 'forward');
  if (c.grad_fn !== undefined) expectValue(gradFnNames(result), c.grad_fn, { exact: true }, 'grad_fn');
  if (c.grad_output !== undefined && c.grad_output !== null) {
    const roots: Tensor[] = [],
      grads: Tensor[] = [];
    pairOutputs(result, c.grad_output, roots, grads);
    if (roots.length) backwardAll(roots, grads);
  }
  if (c.expected_grads) {
    for (const [path, exp] of Object.entries(c.expected_grads)) {
      const leaf = leaves.get(path);
      if (!leaf) throw new Error(`expected_grads: no input at ${path}`);
      if (exp === null) {
        if (leaf.grad !== null) throw new Error(`grad ${path}: expected None, got ${describe(leaf.grad)}`);
      } else expectClose(leaf.grad, exp as never, c.tol, `grad ${path}`);
    }
  }
}

/** `<inputs.x>` placeholders become variables. */
function prepareSource(src: string): string {
  return src.replace(/<inputs\.([A-Za-z_0-9]+)>/g, 'inputs_$1');
}

/** Bind a0, a1_0, k_name (and inputs_x) to decoded values; remember leaves by expected_grads path. */
function bindInputs(c: OracleCase, env: PyEnv): Map<string, Tensor> {
  const leaves = new Map<string, Tensor>();
  const decode = (v: unknown, path: string): unknown => {
    if (isEncodedTensor(v)) {
      const t = decodeTensor(v);
      leaves.set(path, t);
      return t;
    }
    if (Array.isArray(v)) return v.map((x, j) => decode(x, `${path}.${j}`));
    if (v === 'nan' || v === 'inf' || v === '-inf') return new PyFloat(decodeNumber(v));
    if (typeof v === 'number') return Number.isInteger(v) ? v : new PyFloat(v);
    if (typeof v === 'object' && v !== null && 'slice' in v) return v;
    return v;
  };
  (c.args ?? []).forEach((a, i) => {
    const v = decode(a, `args.${i}`);
    env.vars.set(`a${i}`, v);
    if (Array.isArray(v)) v.forEach((x, j) => env.vars.set(`a${i}_${j}`, x));
  });
  for (const [k, a] of Object.entries(c.kwargs ?? {})) env.vars.set(`k_${k}`, decode(a, `kwargs.${k}`));
  for (const [k, a] of Object.entries(c.inputs ?? {}))
    env.vars.set(`inputs_${k}`, isEncodedTensor(a) ? decodeTensor(a, { requiresGrad: false }) : decode(a, `inputs.${k}`));
  return leaves;
}

/** Named tuples are arrays carrying named fields (values/indices, min/max): the oracle encodes them as dicts. */
function namedFields(v: unknown[]): Record<string, unknown> | null {
  const r = v as unknown as Record<string, unknown>;
  return 'values' in r && 'indices' in r ? { values: r.values, indices: r.indices } : null;
}

/** Engine values -> what the oracle encodes (grad_fn objects as names, dtypes as strings, floats as numbers). */
function normalize(v: unknown): unknown {
  if (v instanceof Tensor) return v;
  if (v instanceof GradNode) return v.name;
  if (v instanceof PyDtype) return v.toString();
  if (v instanceof PyFloat) return v.v;
  if (v instanceof PyDict) return Object.fromEntries(v.entries().map(([k, x]) => [String(k), normalize(x)]));
  if (Array.isArray(v)) {
    const named = namedFields(v);
    return named ? normalize(named) : v.map(normalize);
  }
  if (typeof v === 'object' && v !== null && !(v instanceof Tensor)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}

function gradFnNames(v: unknown): unknown {
  if (v instanceof Tensor) return v.gradFn ? v.gradFn.name : null;
  if (Array.isArray(v)) {
    const named = namedFields(v);
    return named ? gradFnNames(named) : v.map(gradFnNames);
  }
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, gradFnNames(x)]));
  return null;
}

function pairOutputs(out: unknown, go: unknown, roots: Tensor[], grads: Tensor[]): void {
  if (go === null || go === undefined) return;
  if (isEncodedTensor(go) || typeof go === 'number') {
    if (!(out instanceof Tensor)) throw new Error(`grad_output given for a non-tensor output ${describe(out)}`);
    if (!out.requiresGrad) return;
    grads.push(typeof go === 'number' ? out.onesLikeRaw().mul(go).detach() : decodeTensor(go, { requiresGrad: false }));
    roots.push(out);
    return;
  }
  if (Array.isArray(go)) {
    go.forEach((g, i) => pairOutputs((out as unknown[])[i], g, roots, grads));
    return;
  }
  if (typeof go === 'object')
    for (const [k, g] of Object.entries(go as object)) pairOutputs((out as Record<string, unknown>)[k], g, roots, grads);
}

// ---- scenarios -----------------------------------------------------------------------------------------

/**
 * Run a multi-statement snippet. Expected keys are evaluated as expressions afterwards ("w.grad", "y.grad_fn",
 * "a.grad_fn.next_functions"); attribute maps ("is_leaf": {x: ..}) apply per variable; other keys are
 * snapshots of the input leaf's .grad after each backward/zero_ statement, in order, and "error*" keys
 * the first error raised.
 */
function runScenario(c: OracleCase, env: PyEnv): void {
  bindInputs(c, env);
  const src = prepareSource(c.python);
  const snapshots: unknown[] = [];
  const errors: unknown[] = [];
  const inputNames = Object.keys(c.inputs ?? {});
  const trackName = inputNames.find((n) => n !== 'gradient') ?? 'x';
  env.onStatement = (s, err) => {
    if (err) {
      errors.push(err);
      return;
    }
    if (/backward\s*\(|zero_\s*\(/.test(s.src.replace(/\s+/g, ''))) {
      const t = env.vars.get(trackName);
      snapshots.push(t instanceof Tensor && t.grad ? t.grad.clone().detach() : null);
    }
  };
  const last = env.run(src, { continueOnError: true });
  if (typeof c.expected === 'string') {
    if (errors.length) throw errors[0];
    const s = typeof last === 'string' ? last : pyStr(last);
    if (s !== c.expected) throw new Error(`str differs:\n  got:      ${JSON.stringify(s)}\n  expected: ${JSON.stringify(c.expected)}`);
    return;
  }
  const expected = c.expected as Record<string, unknown>;
  const unexpected = errors.filter(() => !Object.keys(expected).some((k) => k.startsWith('error')));
  if (unexpected.length) throw unexpected[0];
  let snap = 0;
  for (const [key, exp] of Object.entries(expected)) {
    const tol: Tolerance = c.tol;
    if (key.startsWith('error')) {
      const e = errors[0] as Error | undefined;
      const want = exp as { message: string };
      if (!e) throw new Error(`${key}: expected an error (${want.message}), none was raised`);
      if (!e.message.includes(want.message))
        throw new Error(`${key}: error message differs:\n  got:      ${e.message}\n  expected: ${want.message}`);
      continue;
    }
    if (
      ['is_leaf', 'requires_grad', 'grad_fn', 'grad', 'retains_grad'].includes(key) &&
      typeof exp === 'object' &&
      exp !== null &&
      !isEncodedTensor(exp)
    ) {
      for (const [v, e] of Object.entries(exp)) expectValue(normalize(evalKey(env, `${v}.${key}`)), e, tol, `${key}[${v}]`);
      continue;
    }
    let actual: unknown;
    if (/^[A-Za-z_]\w*$/.test(key) && !env.vars.has(key)) {
      if (snap >= snapshots.length) throw new Error(`${key}: not an expression and no snapshot left (${snapshots.length} taken)`);
      actual = snapshots[snap++];
    } else actual = evalKey(env, key);
    // A string expected for a tensor-valued expression is its grad_fn's class name (grad_fn_names maps).
    if ((typeof exp === 'string' || c.op === 'autograd.grad_fn_names') && actual instanceof Tensor)
      actual = actual.gradFn ? actual.gradFn.name : null;
    expectValue(normalize(actual), exp, tol, key);
  }
}

/** Evaluate an expected-dict key as an expression; throws when it is a plain label ("after_1"). */
function evalKey(env: PyEnv, key: string): unknown {
  if (/^[A-Za-z_]\w*$/.test(key) && !env.vars.has(key)) throw new Error('a label, not an expression');
  return env.run(key);
}
