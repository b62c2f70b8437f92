// Builds Board modules and optimizers from the oracle's PyTorch descriptions (op name, positional ctor args, snake_case
// kwargs), and parses the small Python constructor expressions used by the repr cases.
import { Tensor, tensor } from '../../lib/engine/index.ts';
import * as nn from '../../lib/nn/index.ts';
import * as optim from '../../lib/optim/index.ts';

export const snakeToCamel = (s: string) => s.replace(/_([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * How each module's TS constructor takes PyTorch's arguments: `lead` positional parameters (PyTorch order), then an
 * options object holding the rest (`opts`), or every parameter positionally (`positional`).
 */
type Spec = { kind: 'opts'; params: string[]; lead: number } | { kind: 'positional'; params: string[] };
const opts = (lead: number, ...params: string[]): Spec => ({ kind: 'opts', params, lead });
const pos = (...params: string[]): Spec => ({ kind: 'positional', params });

const CONV = ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias', 'padding_mode'];
const CONVT = [
  'in_channels',
  'out_channels',
  'kernel_size',
  'stride',
  'padding',
  'output_padding',
  'groups',
  'bias',
  'dilation',
  'padding_mode',
];
const MAXP = ['kernel_size', 'stride', 'padding', 'dilation', 'return_indices', 'ceil_mode'];
const AVGP = ['kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad', 'divisor_override'];
const BN = ['num_features', 'eps', 'momentum', 'affine', 'track_running_stats'];
const RNNP = ['input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional'];

export const SPECS: Record<string, Spec> = {
  Identity: pos(),
  Linear: opts(2, 'in_features', 'out_features', 'bias'),
  Bilinear: opts(3, 'in1_features', 'in2_features', 'out_features', 'bias'),
  Flatten: pos('start_dim', 'end_dim'),
  Unflatten: pos('dim', 'unflattened_size'),
  Dropout: pos('p', 'inplace'),
  Dropout1d: pos('p', 'inplace'),
  Dropout2d: pos('p', 'inplace'),
  Dropout3d: pos('p', 'inplace'),
  Embedding: opts(2, 'num_embeddings', 'embedding_dim', 'padding_idx', 'max_norm', 'norm_type', 'scale_grad_by_freq', 'sparse'),
  Conv1d: opts(3, ...CONV),
  Conv2d: opts(3, ...CONV),
  Conv3d: opts(3, ...CONV),
  ConvTranspose1d: opts(3, ...CONVT),
  ConvTranspose2d: opts(3, ...CONVT),
  ConvTranspose3d: opts(3, ...CONVT),
  MaxPool1d: opts(1, ...MAXP),
  MaxPool2d: opts(1, ...MAXP),
  MaxPool3d: opts(1, ...MAXP),
  AvgPool1d: opts(1, ...AVGP.slice(0, 5)),
  AvgPool2d: opts(1, ...AVGP),
  AvgPool3d: opts(1, ...AVGP),
  AdaptiveAvgPool1d: pos('output_size'),
  AdaptiveAvgPool2d: pos('output_size'),
  AdaptiveMaxPool1d: pos('output_size', 'return_indices'),
  AdaptiveMaxPool2d: pos('output_size', 'return_indices'),
  MaxUnpool1d: opts(1, 'kernel_size', 'stride', 'padding'),
  MaxUnpool2d: opts(1, 'kernel_size', 'stride', 'padding'),
  BatchNorm1d: opts(1, ...BN),
  BatchNorm2d: opts(1, ...BN),
  BatchNorm3d: opts(1, ...BN),
  LayerNorm: opts(1, 'normalized_shape', 'eps', 'elementwise_affine'),
  GroupNorm: opts(2, 'num_groups', 'num_channels', 'eps', 'affine'),
  ReLU: pos('inplace'),
  ReLU6: pos('inplace'),
  SELU: pos('inplace'),
  SiLU: pos('inplace'),
  Sigmoid: pos(),
  Tanh: pos(),
  LogSigmoid: pos(),
  LeakyReLU: pos('negative_slope', 'inplace'),
  ELU: pos('alpha', 'inplace'),
  Hardtanh: pos('min_val', 'max_val'),
  Softplus: pos('beta', 'threshold'),
  GELU: pos('approximate'),
  Softmax: pos('dim'),
  LogSoftmax: pos('dim'),
  RNN: opts(2, 'input_size', 'hidden_size', 'num_layers', 'nonlinearity', 'bias', 'batch_first', 'dropout', 'bidirectional'),
  LSTM: opts(2, ...RNNP),
  GRU: opts(2, ...RNNP),
  RNNCell: opts(2, 'input_size', 'hidden_size', 'bias', 'nonlinearity'),
  LSTMCell: opts(2, 'input_size', 'hidden_size', 'bias'),
  GRUCell: opts(2, 'input_size', 'hidden_size', 'bias'),
  ConstantPad1d: pos('padding', 'value'),
  ConstantPad2d: pos('padding', 'value'),
  ConstantPad3d: pos('padding', 'value'),
  ZeroPad2d: pos('padding'),
  ReflectionPad1d: pos('padding'),
  ReflectionPad2d: pos('padding'),
  ReplicationPad1d: pos('padding'),
  ReplicationPad2d: pos('padding'),
  ReplicationPad3d: pos('padding'),
  MSELoss: opts(0, 'size_average', 'reduce', 'reduction'),
  L1Loss: opts(0, 'size_average', 'reduce', 'reduction'),
  SmoothL1Loss: opts(0, 'size_average', 'reduce', 'reduction', 'beta'),
  HuberLoss: opts(0, 'reduction', 'delta'),
  NLLLoss: opts(0, 'weight', 'size_average', 'ignore_index', 'reduce', 'reduction'),
  CrossEntropyLoss: opts(0, 'weight', 'size_average', 'ignore_index', 'reduce', 'reduction', 'label_smoothing'),
  BCELoss: opts(0, 'weight', 'size_average', 'reduce', 'reduction'),
  BCEWithLogitsLoss: opts(0, 'weight', 'size_average', 'reduce', 'reduction', 'pos_weight'),
  KLDivLoss: opts(0, 'size_average', 'reduce', 'reduction', 'log_target'),
  MarginRankingLoss: opts(0, 'margin', 'size_average', 'reduce', 'reduction'),
  HingeEmbeddingLoss: opts(0, 'margin', 'size_average', 'reduce', 'reduction'),
  SoftMarginLoss: opts(0, 'size_average', 'reduce', 'reduction'),
  CosineEmbeddingLoss: opts(0, 'margin', 'size_average', 'reduce', 'reduction'),
  TripletMarginLoss: opts(0, 'margin', 'p', 'eps', 'swap', 'size_average', 'reduce', 'reduction'),
  PoissonNLLLoss: opts(0, 'log_input', 'full', 'size_average', 'eps', 'reduce', 'reduction'),
};

/** Converts oracle-decoded option values: 'torch.float64' -> 'float64'. */
function optValue(v: unknown): unknown {
  if (typeof v === 'string' && v.startsWith('torch.')) return v.slice(6);
  return v;
}

/** Constructs nn.<name>(...args, **kwargs) from PyTorch-style arguments (values already decoded). */
export function buildModule(op: string, args: unknown[], kwargs: Record<string, unknown>, children?: nn.Module[]): nn.Module {
  const name = op.replace(/^(torch\.)?nn\./, '');
  const Cls = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[name];
  if (!Cls) throw new Error(`oracle: no module nn.${name}`);
  if (name === 'Sequential' || name === 'ModuleList')
    return children ? (name === 'Sequential' ? new nn.Sequential(...children) : new nn.ModuleList(children)) : new Cls(...args);
  const spec = SPECS[name];
  if (!spec) throw new Error(`oracle: no constructor spec for nn.${name}`);
  const named: Record<string, unknown> = {};
  args.forEach((a, i) => {
    const p = spec.params[i];
    if (p === undefined) throw new Error(`oracle: too many positional args for nn.${name}`);
    named[p] = a;
  });
  for (const [k, v] of Object.entries(kwargs)) named[k] = v;
  if (spec.kind === 'positional') {
    const vals = spec.params.map((p) => optValue(named[p]));
    while (vals.length && vals[vals.length - 1] === undefined) vals.pop();
    return new Cls(...vals);
  }
  const lead = spec.params.slice(0, spec.lead).map((p) => optValue(named[p]));
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(named)) {
    if (spec.params.indexOf(k) >= 0 && spec.params.indexOf(k) < spec.lead) continue;
    if (k === 'device') continue;
    o[snakeToCamel(k)] = optValue(v);
  }
  return new Cls(...lead, o);
}

// ---- a tiny parser for Python constructor expressions: nn.X(1, (2, 3), k=True, ...) and [expr for i in range(n)] ----

type Py = number | string | boolean | null | Py[] | { call: string; args: Py[]; kwargs: Record<string, Py> } | { ref: string };

export function parsePython(src: string): Py {
  let i = 0;
  const ws = () => {
    while (/\s/.test(src[i] ?? '')) i++;
  };
  const expect = (c: string) => {
    ws();
    if (src[i] !== c) throw new Error(`oracle python parse: expected '${c}' at ${i} in ${src}`);
    i++;
  };
  const value = (): Py => {
    ws();
    const c = src[i]!;
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: Py[] = [];
      ws();
      while (src[i] !== close) {
        const v = value();
        ws();
        if (src.startsWith('for ', i)) {
          // [expr for i in range(n)]
          const m = /^for\s+\w+\s+in\s+range\((\d+)\)/.exec(src.slice(i))!;
          i += m[0].length;
          ws();
          expect(close);
          return new Array(Number(m[1])).fill(0).map(() => reparse(v));
        }
        items.push(v);
        ws();
        if (src[i] === ',') i++;
        ws();
      }
      i++;
      return items;
    }
    if (c === "'" || c === '"') {
      const j = src.indexOf(c, i + 1);
      const s = src.slice(i + 1, j);
      i = j + 1;
      return s;
    }
    const num = /^-?\d+(\.\d*)?(e-?\d+)?/.exec(src.slice(i));
    if (num) {
      i += num[0].length;
      return Number(num[0]);
    }
    const id = /^[A-Za-z_][\w.]*/.exec(src.slice(i))![0];
    i += id.length;
    if (id === 'True') return true;
    if (id === 'False') return false;
    if (id === 'None') return null;
    ws();
    if (src[i] !== '(') return { ref: id };
    i++;
    const args: Py[] = [];
    const kwargs: Record<string, Py> = {};
    ws();
    while (src[i] !== ')') {
      const kw = /^([A-Za-z_]\w*)\s*=(?!=)/.exec(src.slice(i));
      if (kw) {
        i += kw[0].length;
        kwargs[kw[1]!] = value();
      } else {
        args.push(value());
      }
      ws();
      if (src[i] === ',') i++;
      ws();
    }
    i++;
    return { call: id, args, kwargs };
  };
  // Re-evaluation of a comprehension element: the parsed tree is data, so a deep copy is enough.
  const reparse = (v: Py): Py => JSON.parse(JSON.stringify(v)) as Py;
  return value();
}

/** The tutorial's model ("Build the Neural Network"), which repr cases may name as `NeuralNetwork()`. */
class NeuralNetwork extends nn.Module {
  declare flatten: nn.Flatten;
  declare linear_relu_stack: nn.Sequential;
  constructor() {
    super();
    this.flatten = new nn.Flatten();
    this.linear_relu_stack = new nn.Sequential(
      new nn.Linear(28 * 28, 512),
      new nn.ReLU(),
      new nn.Linear(512, 512),
      new nn.ReLU(),
      new nn.Linear(512, 10),
    );
  }
  override forward(x: Tensor): Tensor {
    return this.linear_relu_stack.call(this.flatten.call(x));
  }
}

/** Evaluates a parsed `nn.X(...)` tree into modules (nested containers included). */
export function evalModule(p: Py): nn.Module {
  if (typeof p !== 'object' || p === null || Array.isArray(p) || !('call' in p))
    throw new Error('oracle: expected a module constructor call');
  const name = p.call.replace(/^(torch\.)?nn\./, '');
  const conv = (v: Py): unknown => {
    if (Array.isArray(v)) {
      if (v.length && typeof v[0] === 'object' && v[0] !== null && !Array.isArray(v[0]) && 'call' in v[0])
        return v.map((m) => evalModule(m));
      return v.map(conv);
    }
    if (typeof v === 'object' && v !== null && 'call' in v) {
      if (v.call === 'torch.tensor') return tensor(v.args[0] as number[], { dtype: 'float32' });
      return evalModule(v);
    }
    if (typeof v === 'object' && v !== null && 'ref' in v) return optValue(v.ref);
    return v;
  };
  if (name === 'NeuralNetwork') return new NeuralNetwork();
  if (name === 'Sequential') return new nn.Sequential(...(p.args.map(conv) as nn.Module[]));
  if (name === 'ModuleList') return new nn.ModuleList(conv(p.args[0] ?? []) as nn.Module[]);
  const kwargs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p.kwargs)) kwargs[k] = conv(v);
  return buildModule(name, p.args.map(conv), kwargs);
}

/** Constructs optim.<name>(params, **kwargs). */
export function buildOptimizer(op: string, params: unknown, kwargs: Record<string, unknown>): optim.Optimizer {
  const name = op.replace(/^(torch\.)?optim\./, '');
  const Cls = (optim as unknown as Record<string, new (p: unknown, o: unknown) => optim.Optimizer>)[name];
  if (!Cls) throw new Error(`oracle: no optimizer optim.${name}`);
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) o[snakeToCamel(k)] = v;
  return new Cls(params, o);
}

export { Tensor, tensor };
