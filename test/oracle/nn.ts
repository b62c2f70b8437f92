// Oracle runner for the nn, loss, optim, lr_scheduler and init categories, and the module/optimizer reprs of printing.
// `handles(c)` says whether a case is ours; `run(c)` reproduces it with Board and throws on the first mismatch.
import { Tensor, grad } from '../../lib/engine/index.ts';
import * as nn from '../../lib/nn/index.ts';
import * as optim from '../../lib/optim/index.ts';
import { buildModule, buildOptimizer, parsePython, evalModule, snakeToCamel } from './nn-build.ts';
import { createTorchEnv, toTs } from './torchenv.ts';
import { PyFloat, PyFunction, type PyEnv } from './pyeval.ts';
import {
  decodeNumber,
  decodeTensor,
  expectClose,
  isEncodedTensor,
  type EncodedTensor,
  type OracleCase,
  type Tolerance,
} from './compare.ts';

const F = nn.functional;

/** The fields of nn/loss/optim/scheduler/init cases this runner reads (schema sections 4.2-4.4, 4.6). */
interface NnCase extends OracleCase {
  expected?: any;
  grad_output?: any;
  expected_grads?: Record<string, any>;
  expected_buffers?: Record<string, any>;
  grad_fn?: any;
  module?: {
    ctor_args: unknown[];
    ctor_kwargs: Record<string, unknown>;
    training: boolean;
    state_dict: Record<string, any>;
    python: string;
  };
  module_layers?: Array<{ op: string; ctor_args: unknown[]; ctor_kwargs: Record<string, unknown> }>;
  n_forward?: number;
  [k: string]: any;
}

const MINE = new Set(['nn', 'loss', 'optim', 'lr_scheduler', 'init']);

export function handles(c: OracleCase): boolean {
  if (MINE.has(c.category)) return true;
  return c.category === 'printing' && c.op === 'repr';
}

// ---- values ----------------------------------------------------------------------------------------------------

const isTensorJson = (v: any): boolean => isEncodedTensor(v) && (v as EncodedTensor).container === undefined;
const num = decodeNumber;
const toTensor = (v: any): Tensor => decodeTensor(v as EncodedTensor);

/** Decodes args/kwargs: tensors become Tensors, arrays recurse, non-finite strings become numbers. */
export function decode(v: any): any {
  if (isTensorJson(v)) return toTensor(v);
  if (Array.isArray(v)) return v.map(decode);
  if (v === 'nan' || v === 'inf' || v === '-inf') return num(v);
  if (typeof v === 'object' && v !== null) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- an LR lambda from a checked-in PyTorch case, e.g. '0.95 ** epoch'
    if (typeof v.lambda === 'string') return new Function('epoch', `return ${v.lambda};`);
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = decode(x);
    return o;
  }
  return v;
}

function fail(path: string, msg: string): never {
  throw new Error(`${path}: ${msg}`);
}

export function compareTensor(path: string, actual: unknown, exp: any, tol: Tolerance): void {
  expectClose(actual, exp as EncodedTensor, tol, path);
}

/** Structural comparison: tensors with tol, numbers with tol, everything else exactly. */
export function compareValue(path: string, actual: any, exp: any, tol: Tolerance): void {
  if (isTensorJson(exp)) return compareTensor(path, actual, exp, tol);
  if (exp === null) {
    if (actual !== null && actual !== undefined) fail(path, `expected null, got ${String(actual)}`);
    return;
  }
  if (Array.isArray(exp)) {
    if (!Array.isArray(actual)) fail(path, `expected a list, got ${typeof actual}`);
    if (actual.length !== exp.length) fail(path, `length ${actual.length} != ${exp.length}`);
    exp.forEach((e, i) => compareValue(`${path}.${i}`, actual[i], e, tol));
    return;
  }
  if (typeof exp === 'number' || exp === 'nan' || exp === 'inf' || exp === '-inf') {
    const y = num(exp),
      x = actual instanceof Tensor ? Number(actual.item()) : Number(actual);
    if (Number.isNaN(y) && Number.isNaN(x)) return;
    const rtol = 'rtol' in tol ? tol.rtol : 0,
      atol = 'atol' in tol ? tol.atol : 0;
    if (!(x === y || Math.abs(x - y) <= atol + rtol * Math.abs(y))) fail(path, `${x} != expected ${y}`);
    return;
  }
  if (typeof exp === 'object') {
    if (typeof actual !== 'object' || actual === null) fail(path, `expected an object, got ${String(actual)}`);
    const ak = Object.keys(actual).sort(),
      ek = Object.keys(exp).sort();
    if (ak.join(',') !== ek.join(',')) fail(path, `keys [${ak}] != expected [${ek}]`);
    for (const k of ek) compareValue(`${path}.${k}`, actual[k], exp[k], tol);
    return;
  }
  if (actual !== exp) fail(path, `${JSON.stringify(actual)} != expected ${JSON.stringify(exp)}`);
}

function gradFnNames(out: any): any {
  if (out instanceof Tensor) return out.gradFn ? out.gradFn.name : null;
  if (Array.isArray(out)) return out.map(gradFnNames);
  return null;
}

/** Backprop grad_output through the outputs and compare gradients of inputs and parameters. */
function checkGrads(c: NnCase, out: any, leaves: Map<string, Tensor>): void {
  const outs: Tensor[] = [];
  const gos: Tensor[] = [];
  const pair = (o: any, g: any) => {
    if (g === null || g === undefined) return;
    if (isTensorJson(g)) {
      if (o instanceof Tensor && o.requiresGrad) {
        outs.push(o);
        gos.push(toTensor(g));
      }
      return;
    }
    if (Array.isArray(g)) g.forEach((gg, i) => pair(o[i], gg));
  };
  pair(out, c.grad_output);
  const paths = Object.keys(c.expected_grads ?? {});
  const targets = paths.map((p) => leaves.get(p));
  paths.forEach((p, i) => {
    if (!targets[i]) fail(`grads.${p}`, 'no such input or parameter');
  });
  const grads = outs.length ? grad(outs, targets as Tensor[], { gradOutputs: gos, allowUnused: true }) : targets.map(() => null);
  paths.forEach((p, i) => {
    const exp = c.expected_grads![p];
    if (exp === null) {
      if (grads[i] !== null && grads[i] !== undefined) fail(`grads.${p}`, 'expected no gradient');
      return;
    }
    compareTensor(`grads.${p}`, grads[i], exp, c.tol);
  });
}

// ---- module and functional cases ---------------------------------------------------------------------------------

/** Forward keyword arguments, by module, in the order the TS forward takes them positionally. */
const FORWARD_KWARGS: Record<string, string[]> = {
  MaxUnpool1d: ['output_size'],
  MaxUnpool2d: ['output_size'],
  ConvTranspose1d: ['output_size'],
  ConvTranspose2d: ['output_size'],
  ConvTranspose3d: ['output_size'],
};

function runModuleCase(c: NnCase): void {
  const m = c.module!;
  const children = c.module_layers?.map((l) => buildModule(l.op, decode(l.ctor_args), decode(l.ctor_kwargs)));
  const mod = buildModule(c.op, decode(m.ctor_args), decode(m.ctor_kwargs), children);
  const sd: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(m.state_dict)) sd[k] = toTensor(v);
  mod.loadStateDict(sd);
  mod.train(m.training);
  const args = decode(c.args ?? []) as unknown[];
  const name = c.op.replace(/^nn\./, '');
  const kw = c.kwargs ?? {};
  const extra = (FORWARD_KWARGS[name] ?? []).map((k) => (k in kw ? decode(kw[k]) : undefined));
  while (extra.length && extra[extra.length - 1] === undefined) extra.pop();
  for (const k of Object.keys(kw)) if (!(FORWARD_KWARGS[name] ?? []).includes(k)) fail('kwargs', `unsupported forward kwarg ${k}`);
  const call = (): any => (mod.call as (...a: unknown[]) => unknown)(...args, ...extra);
  let out: any;
  if (c.n_forward) {
    const all: any[] = [];
    for (let i = 0; i < c.n_forward; i++) all.push(call());
    out = all;
    compareValue('expected', all, c.expected, c.tol);
    out = all[all.length - 1];
  } else {
    out = call();
    compareValue('expected', out, c.expected, c.tol);
  }
  if (c.expected_buffers) {
    const own = mod.stateDict();
    for (const [k, v] of Object.entries(c.expected_buffers)) compareTensor(`buffers.${k}`, own[k], v, c.tol);
  }
  if (c.grad_fn !== undefined && c.grad_output !== undefined) compareValue('grad_fn', gradFnNames(out), c.grad_fn, { exact: true });
  if (c.expected_grads) {
    const leaves = new Map<string, Tensor>();
    const addArgs = (v: any, p: string) => {
      if (v instanceof Tensor) leaves.set(p, v);
      else if (Array.isArray(v)) v.forEach((x, i) => addArgs(x, `${p}.${i}`));
    };
    args.forEach((a, i) => addArgs(a, `args.${i}`));
    for (const [k, p] of mod.namedParameters()) leaves.set(`params.${k}`, p);
    checkGrads(c, out, leaves);
  }
}

type Fn = (args: any[], kw: Record<string, any>) => any;
const FUNCTIONS: Record<string, Fn> = {
  'F.mse_loss': ([x, y], kw) => F.mseLoss(x, y, kw.reduction),
  'F.l1_loss': ([x, y], kw) => F.l1Loss(x, y, kw.reduction),
  'F.smooth_l1_loss': ([x, y], kw) => F.smoothL1Loss(x, y, kw.reduction, kw.beta),
  'F.huber_loss': ([x, y], kw) => F.huberLoss(x, y, kw.reduction, kw.delta),
  'F.nll_loss': ([x, y, w], kw) => F.nllLoss(x, y, { weight: w ?? kw.weight, ignoreIndex: kw.ignore_index, reduction: kw.reduction }),
  'F.cross_entropy': ([x, y, w], kw) =>
    F.crossEntropy(x, y, {
      weight: w ?? kw.weight,
      ignoreIndex: kw.ignore_index,
      reduction: kw.reduction,
      labelSmoothing: kw.label_smoothing,
    }),
  'F.binary_cross_entropy': ([x, y, w], kw) => F.binaryCrossEntropy(x, y, w ?? kw.weight ?? null, kw.reduction),
  'F.binary_cross_entropy_with_logits': ([x, y, w], kw) =>
    F.binaryCrossEntropyWithLogits(x, y, { weight: w ?? kw.weight, reduction: kw.reduction, posWeight: kw.pos_weight }),
  'F.kl_div': ([x, y], kw) => F.klDiv(x, y, kw.reduction, kw.log_target),
  'F.margin_ranking_loss': ([a, b, y], kw) => F.marginRankingLoss(a, b, y, kw.margin, kw.reduction),
  'F.hinge_embedding_loss': ([x, y], kw) => F.hingeEmbeddingLoss(x, y, kw.margin, kw.reduction),
  'F.soft_margin_loss': ([x, y], kw) => F.softMarginLoss(x, y, kw.reduction),
  'F.cosine_embedding_loss': ([a, b, y], kw) => F.cosineEmbeddingLoss(a, b, y, kw.margin, kw.reduction),
  'F.triplet_margin_loss': ([a, p, n], kw) =>
    F.tripletMarginLoss(a, p, n, { margin: kw.margin, p: kw.p, eps: kw.eps, swap: kw.swap, reduction: kw.reduction }),
  'F.poisson_nll_loss': ([x, y], kw) =>
    F.poissonNllLoss(x, y, { logInput: kw.log_input, full: kw.full, eps: kw.eps, reduction: kw.reduction }),
  'F.linear': ([x, w, b], kw) => F.linear(x, w, b ?? kw.bias ?? null),
  'F.bilinear': ([a, b, w, bias], kw) => F.bilinear(a, b, w, bias ?? kw.bias ?? null),
  'F.conv1d': ([x, w, b], kw) =>
    F.conv1d(x, w, b ?? kw.bias, { stride: kw.stride, padding: kw.padding, dilation: kw.dilation, groups: kw.groups }),
  'F.conv_transpose2d': ([x, w, b], kw) =>
    F.convTranspose2d(x, w, b ?? kw.bias, {
      stride: kw.stride,
      padding: kw.padding,
      outputPadding: kw.output_padding,
      dilation: kw.dilation,
      groups: kw.groups,
    }),
  'F.batch_norm': ([x, rm, rv, w, b], kw) =>
    F.batchNorm(x, {
      runningMean: rm ?? kw.running_mean,
      runningVar: rv ?? kw.running_var,
      weight: w ?? kw.weight,
      bias: b ?? kw.bias,
      training: kw.training,
      momentum: kw.momentum,
      eps: kw.eps,
    }),
  'F.group_norm': ([x, g, w, b], kw) => F.groupNorm(x, g ?? kw.num_groups, w ?? kw.weight ?? null, b ?? kw.bias ?? null, kw.eps),
  'F.max_pool1d': ([x, k], kw) =>
    F.maxPool1d(x, k ?? kw.kernel_size, {
      stride: kw.stride,
      padding: kw.padding,
      dilation: kw.dilation,
      ceilMode: kw.ceil_mode,
      returnIndices: kw.return_indices,
    }),
  'F.avg_pool1d': ([x, k], kw) =>
    F.avgPool1d(x, k ?? kw.kernel_size, {
      stride: kw.stride,
      padding: kw.padding,
      ceilMode: kw.ceil_mode,
      countIncludePad: kw.count_include_pad,
    }),
  'F.adaptive_max_pool2d': ([x, s], kw) => F.adaptiveMaxPool2d(x, s ?? kw.output_size, kw.return_indices ?? false),
  'F.sigmoid': ([x]) => F.sigmoid(x),
  'F.tanh': ([x]) => F.tanh(x),
  'F.silu': ([x]) => F.silu(x),
  'F.hardtanh': ([x], kw) => F.hardtanh(x, kw.min_val, kw.max_val),
  'F.relu6': ([x]) => F.relu6(x),
  'F.logsigmoid': ([x]) => F.logsigmoid(x),
  'F.relu': ([x]) => F.relu(x),
  'F.gelu': ([x], kw) => F.gelu(x, kw.approximate),
  'F.leaky_relu': ([x, s], kw) => F.leakyRelu(x, s ?? kw.negative_slope),
  'F.elu': ([x, a], kw) => F.elu(x, a ?? kw.alpha),
  'F.softplus': ([x], kw) => F.softplus(x, kw.beta, kw.threshold),
  'F.softmax': ([x, d], kw) => F.softmax(x, d ?? kw.dim),
  'F.log_softmax': ([x, d], kw) => F.logSoftmax(x, d ?? kw.dim),
  'F.dropout': ([x], kw) => F.dropout(x, kw.p, kw.training),
  'F.pad': ([x, p], kw) => F.pad(x, p ?? kw.pad, kw.mode, kw.value),
  'F.conv2d': ([x, w, b], kw) =>
    F.conv2d(x, w, b ?? kw.bias, { stride: kw.stride, padding: kw.padding, dilation: kw.dilation, groups: kw.groups }),
  'F.max_pool2d': ([x, k], kw) =>
    F.maxPool2d(x, k ?? kw.kernel_size, {
      stride: kw.stride,
      padding: kw.padding,
      dilation: kw.dilation,
      ceilMode: kw.ceil_mode,
      returnIndices: kw.return_indices,
    }),
  'F.avg_pool2d': ([x, k], kw) =>
    F.avgPool2d(x, k ?? kw.kernel_size, {
      stride: kw.stride,
      padding: kw.padding,
      ceilMode: kw.ceil_mode,
      countIncludePad: kw.count_include_pad,
      divisorOverride: kw.divisor_override,
    }),
  'F.adaptive_avg_pool2d': ([x, s], kw) => F.adaptiveAvgPool2d(x, s ?? kw.output_size),
  'F.layer_norm': ([x, s, w, b], kw) => F.layerNorm(x, s ?? kw.normalized_shape, w ?? kw.weight ?? null, b ?? kw.bias ?? null, kw.eps),
  'F.embedding': ([i, w], kw) => F.embedding(i, w, { paddingIdx: kw.padding_idx }),
};

function runFunctionCase(c: NnCase): void {
  const f = FUNCTIONS[c.op];
  if (!f) fail('op', `no adapter for ${c.op}`);
  const args = decode(c.args ?? []) as any[];
  const kw = decode(c.kwargs ?? {}) as Record<string, any>;
  const out = f(args, kw);
  compareValue('expected', out, c.expected, c.tol);
  if (c.grad_fn !== undefined && c.grad_output !== undefined) compareValue('grad_fn', gradFnNames(out), c.grad_fn, { exact: true });
  if (c.expected_grads) {
    const leaves = new Map<string, Tensor>();
    args.forEach((a, i) => {
      if (a instanceof Tensor) leaves.set(`args.${i}`, a);
    });
    for (const [k, v] of Object.entries(kw)) if (v instanceof Tensor) leaves.set(`kwargs.${k}`, v);
    checkGrads(c, out, leaves);
  }
}

// ---- optimizers and schedulers --------------------------------------------------------------------------------

function runOptimCase(c: NnCase): void {
  if (!c.params) return runPyScenario(c);
  const params = (c.params as any[]).map((p) => toTensor(p).requiresGrad_());
  const kw = decode(c.kwargs ?? {}) as Record<string, unknown>;
  let opt: optim.Optimizer;
  if (c.param_groups) {
    const groups = (c.param_groups as any[]).map((g) => {
      const o: Record<string, unknown> = { params: (g.params as number[]).map((i) => params[i]!) };
      for (const [k, v] of Object.entries(g)) if (k !== 'params') o[snakeToCamel(k)] = decode(v);
      return o;
    });
    opt = buildOptimizer(c.op, groups, kw);
  } else if (c.add_param_group) {
    opt = buildOptimizer(c.op, [params[0]!], kw);
    const g: Record<string, unknown> = { params: params.slice(1) };
    for (const [k, v] of Object.entries(c.add_param_group as Record<string, unknown>)) g[snakeToCamel(k)] = decode(v);
    opt.addParamGroup(g as optim.ParamGroupInput);
  } else {
    opt = buildOptimizer(c.op, params, kw);
  }
  (c.grads as any[][]).forEach((stepGrads, s) => {
    params.forEach((p, i) => {
      p.grad = stepGrads[i] === null ? null : toTensor(stepGrads[i]);
    });
    opt.step();
    params.forEach((p, i) => compareTensor(`params[${s}][${i}]`, p.detach(), c.expected.params[s][i], c.tol));
  });
  compareValue('state_dict', opt.stateDict(), c.expected.state_dict, c.tol);
}

function runSchedulerCase(c: NnCase): void {
  const p = toTensor({ dtype: 'float32', shape: [1], data: [0] }).requiresGrad_();
  const opt = buildOptimizer(c.optimizer.op, [p], decode(c.optimizer.kwargs ?? {}));
  const name = c.op.replace(/^(optim\.)?lr_scheduler\./, '');
  const Cls = (optim.lrScheduler as unknown as Record<string, new (o: unknown, k: unknown) => any>)[name];
  if (!Cls) fail('op', `no scheduler ${name}`);
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.kwargs ?? {})) kw[snakeToCamel(k)] = decode(v);
  const sched = new Cls(opt, kw);
  const lr: number[] = [],
    last: number[] = [],
    mom: number[] = [];
  const momentum = () => {
    const g = opt.paramGroups[0]!;
    return (g.betas ? (g.betas as number[])[0] : g.momentum) as number;
  };
  for (let e = 0; e < c.epochs; e++) {
    if (c.metrics) {
      opt.step();
      sched.step(c.metrics[e]);
      lr.push(opt.paramGroups[0]!.lr);
    } else {
      lr.push(opt.paramGroups[0]!.lr);
      mom.push(momentum());
      opt.step();
      sched.step();
      last.push(sched.getLastLr()[0]);
    }
  }
  const actual: Record<string, number[]> = { lr };
  if (c.expected.last_lr_after_step) actual.last_lr_after_step = last;
  if (c.expected.momentum) actual.momentum = mom;
  compareValue('expected', actual, c.expected, c.tol);
}

// ---- init ----------------------------------------------------------------------------------------------------

function runInitCase(c: NnCase): void {
  const e = c.expected as Record<string, any>;
  if (c.op === 'init.calculate_gain') {
    for (const [k, v] of Object.entries(e)) {
      const m = /^(\w+)(?:\(param=([\d.e-]+)\))?$/.exec(k)!;
      compareValue(k, nn.init.calculateGain(m[1] as nn.init.Nonlinearity, m[2] === undefined ? undefined : Number(m[2])), v, c.tol);
    }
    return;
  }
  if (c.op === 'init._calculate_fan_in_and_fan_out') {
    for (const [k, v] of Object.entries(e)) {
      const shape = JSON.parse(k) as number[];
      if (v.error) {
        let msg = '';
        try {
          nn.init.calculateFanInAndFanOut(shape);
        } catch (err) {
          msg = (err as Error).message;
        }
        if (msg !== v.message) fail(k, `error '${msg}' != '${v.message}'`);
      } else {
        compareValue(k, nn.init.calculateFanInAndFanOut(shape), v, c.tol);
      }
    }
    return;
  }
  if (c.op === 'init.default_bounds') {
    for (const [k, v] of Object.entries(e)) {
      const mod = evalModule(parsePython(k)) as nn.Linear;
      const w = mod.weight;
      compareValue(`${k}.weight_shape`, [...w.shape], v.weight_shape, { exact: true });
      compareValue(`${k}.fan_in`, nn.init.calculateFanInAndFanOut(w)[0], v.fan_in, { exact: true });
      const wb = nn.init.kaimingUniformBound(w, { a: Math.sqrt(5) });
      const bb = nn.init.biasBound(w.shape);
      compareValue(`${k}.weight_bound`, wb, v.weight_bound, c.tol);
      compareValue(`${k}.bias_bound`, bb, v.bias_bound, c.tol);
      checkWithin(k, w, wb);
      checkWithin(k, mod.bias!, bb);
    }
    return;
  }
  if (c.op === 'init.default_other') return runInitBounds(c, e);
  fail('case', `unknown init case ${c.name}`);
}

/** The default-init bound of a module's parameters, from Board's own modules (formula per layer family). */
function defaultBound(m: nn.Module): number {
  if (m instanceof nn.RNN || m instanceof nn.LSTM || m instanceof nn.GRU) return 1 / Math.sqrt(m.hiddenSize);
  if (m instanceof nn.RNNCell || m instanceof nn.LSTMCell || m instanceof nn.GRUCell) return 1 / Math.sqrt(m.hiddenSize);
  if (m instanceof nn.Bilinear) return 1 / Math.sqrt(m.in1Features);
  const w = (m as nn.Linear).weight;
  return nn.init.kaimingUniformBound(w, { a: Math.sqrt(5) });
}

/** Generic `default_other`-style cases: numeric entries keyed '<nn.X(...)> bound' (and similar); text entries skipped. */
function runInitBounds(c: NnCase, e: Record<string, any>): void {
  for (const [k, v] of Object.entries(e)) {
    if (typeof v !== 'number') continue;
    const expr = /^(nn\.\w+\(.*\))/.exec(k)?.[1];
    if (!expr) fail(k, 'unrecognized init entry');
    const m = evalModule(parsePython(expr));
    const b = defaultBound(m);
    compareValue(k, b, v, c.tol);
    for (const p of m.parameters())
      checkWithin(k, p, Math.max(b, p.dim() === 1 ? nn.init.biasBound((m as nn.Linear).weight?.shape ?? [1, 1]) : b));
  }
}

function checkWithin(what: string, t: Tensor, bound: number): void {
  const d = t.dataSync();
  let mx = 0;
  for (let i = 0; i < d.length; i++) mx = Math.max(mx, Math.abs(Number(d[i])));
  if (mx > bound * (1 + 1e-6)) fail(what, `values reach ${mx}, beyond the bound ${bound}`);
}

// ---- reprs ---------------------------------------------------------------------------------------------------

function runReprCase(c: NnCase): void {
  const om = /^repr\((optim\.\w+)\(\[p\](.*)\)\)$/.exec(c.python);
  if (om) {
    const kw = parsePython(`f(${om[2]!.replace(/^,\s*/, '')})`) as { kwargs: Record<string, any> };
    const p = toTensor({ dtype: 'float32', shape: [1], data: [0] }).requiresGrad_();
    compareValue('repr', String(buildOptimizer(om[1]!, [p], kw.kwargs)), c.expected, { exact: true });
    return;
  }
  const mod = evalModule(parsePython(c.python));
  compareValue('repr', String(mod), c.expected.repr, { exact: true });
  const keys = Object.entries(mod.stateDict()).map(([k, t]) => [k, [...t.shape]]);
  compareValue('state_dict_keys_and_shapes', keys, c.expected.state_dict_keys_and_shapes, { exact: true });
  let n = 0;
  for (const p of mod.parameters()) n += p.numel();
  compareValue('num_parameters', n, c.expected.num_parameters, { exact: true });
}

// ---- other scenarios: run the case's python with the shared evaluator, then evaluate each expected key ----------

function camelKw(kw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(kw).map(([k, v]) => [snakeToCamel(k), toTs(v)]));
}

function pyNamespaces(): { optimNs: Record<string, unknown>; nnNs: Record<string, unknown> } {
  const optimNs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(optim)) {
    if (typeof v !== 'function' || !/^[A-Z]/.test(k)) continue;
    optimNs[k] = new PyFunction(k, (a, kw) => {
      const opt = buildOptimizer(k, toTs(a[0]), Object.fromEntries(Object.entries(kw).map(([n, x]) => [n, toTs(x)])));
      // the evaluator calls attributes found on the object as (args, kwargs): give `step` that calling convention
      Object.defineProperty(opt, 'step', {
        value: new PyFunction('step', (sa) => optim.Optimizer.prototype.step.call(opt, sa[0] as undefined)),
      });
      return opt;
    });
  }
  const sched: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(optim.lrScheduler)) {
    if (typeof v === 'function' && /^[A-Z]/.test(k))
      sched[k] = new PyFunction(k, (a, kw) => new (v as new (o: unknown, k: unknown) => unknown)(a[0], camelKw(kw)));
  }
  optimNs.lr_scheduler = sched;
  const nnNs: Record<string, unknown> = {};
  for (const k of Object.keys(nn)) {
    if (/^[A-Z]/.test(k))
      nnNs[k] = new PyFunction(k, (a, kw) =>
        buildModule(k, a.map(toTs), Object.fromEntries(Object.entries(kw).map(([n, x]) => [n, toTs(x)]))),
      );
  }
  return { optimNs, nnNs };
}

function plain(v: unknown): unknown {
  if (v instanceof PyFloat) return v.v;
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/**
 * An expected key is an expression ("p0", "opt.param_groups[0]['lr']"). A bare name the snippet never bound
 * ("state_dict") names a zero-argument method of the most recently bound object that has one: `opt.state_dict()`.
 */
function evalScenarioKey(env: PyEnv, key: string): unknown {
  if (!/^[A-Za-z_]\w*$/.test(key) || env.vars.has(key)) return env.evaluate(key);
  const names = [...env.vars.keys()].reverse();
  for (const n of names) {
    const v = env.vars.get(n);
    if (v === null || typeof v !== 'object' || v instanceof Tensor) continue;
    let m: unknown;
    try {
      m = env.getattr(v, key);
    } catch {
      continue;
    }
    if (m instanceof PyFunction) return m.fn([], {});
  }
  throw new Error(`${key}: neither an expression nor a method of an object the snippet created`);
}

function runPyScenario(c: NnCase): void {
  const { optimNs, nnNs } = pyNamespaces();
  const env = createTorchEnv((e, torch) => {
    e.vars.set('optim', optimNs);
    e.vars.set('nn', nnNs);
    e.vars.set('tensor', torch.tensor);
    torch.optim = optimNs;
  });
  for (const [k, v] of Object.entries(c.inputs ?? {})) env.vars.set(k, decode(v));
  env.run(c.python.replace(/<inputs\.(\w+)>/g, '$1'));
  if (typeof c.expected !== 'object' || c.expected === null) fail('expected', 'scenario expects a dict of expressions');
  for (const [key, exp] of Object.entries(c.expected as Record<string, unknown>)) {
    compareValue(key, plain(evalScenarioKey(env, key)), exp, c.tol);
  }
}

export function run(oc: OracleCase): void {
  const c = oc as NnCase;
  if (c.category === 'printing') return runReprCase(c);
  if (c.category === 'optim') return runOptimCase(c);
  if (c.category === 'lr_scheduler') return runSchedulerCase(c);
  if (c.category === 'init') return runInitCase(c);
  if (c.module) return runModuleCase(c);
  return runFunctionCase(c);
}
