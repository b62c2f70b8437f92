// nn.init: in-place initializers with PyTorch's formulas (gains, fans, bounds). All run without recording a graph.
import { Tensor, noGrad } from '../engine/index.ts';

export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

/** The recommended gain for a nonlinearity (tanh 5/3, relu √2, leaky_relu √(2/(1+slope²)), selu 3/4). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5.0 / 3;
    case 'relu':
      return Math.sqrt(2.0);
    case 'leaky_relu': {
      const slope = param === undefined || param === null ? 0.01 : param;
      if (typeof slope !== 'number') throw new Error(`negative_slope ${String(slope)} not a valid number`);
      return Math.sqrt(2.0 / (1 + slope ** 2));
    }
    case 'selu':
      return 3.0 / 4;
    default:
      throw new Error(`Unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

/** fan_in = size(1)·receptive field, fan_out = size(0)·receptive field; needs at least 2 dims. */
export function calculateFanInAndFanOut(shape: readonly number[] | Tensor): [number, number] {
  const s = shape instanceof Tensor ? shape.shape : shape;
  if (s.length < 2) throw new Error('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  let receptive = 1;
  for (let i = 2; i < s.length; i++) receptive *= s[i]!;
  return [s[1]! * receptive, s[0]! * receptive];
}

function fan(t: Tensor, mode: 'fan_in' | 'fan_out'): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new Error(`Mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
  const [fi, fo] = calculateFanInAndFanOut(t);
  return mode === 'fan_in' ? fi : fo;
}

export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return noGrad(() => t.uniform_(a, b));
}

export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return noGrad(() => t.normal_(mean, std));
}

export function constant_(t: Tensor, val: number): Tensor {
  return noGrad(() => t.fill_(val));
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Identity matrix into a 2-D tensor. */
export function eye_(t: Tensor): Tensor {
  if (t.dim() !== 2) throw new Error('Only tensors with 2 dimensions are supported');
  return noGrad(() => {
    t.fill_(0);
    const n = Math.min(t.shape[0]!, t.shape[1]!);
    for (let i = 0; i < n; i++) t.storage[t.offset + i * t.strides[0]! + i * t.strides[1]!] = 1;
    return t;
  });
}

/** Normal(mean, std) truncated to [a, b] by resampling out-of-range draws. */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  return noGrad(() => {
    t.normal_(mean, std);
    const c = t.contiguous();
    const d = c.dataSync();
    const draw = new Float64Array(1);
    for (let i = 0; i < d.length; i++) {
      while (d[i]! < a || d[i]! > b) {
        const tmp = Tensor.fromTypedArray(draw, [1], 'float64').normal_(mean, std);
        d[i] = tmp.dataSync()[0]!;
      }
    }
    if (c !== t) t.copy_(c);
    else t._bumpVersion();
    return t;
  });
}

/** bound = gain·√(6/(fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6.0 / (fi + fo));
  return uniform_(t, -a, a);
}

export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2.0 / (fi + fo)));
}

export interface KaimingOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

/** The kaiming_uniform_ bound: gain/√fan · √3. With a = √5 (the layers' default) this is 1/√fan_in. */
export function kaimingUniformBound(shape: readonly number[] | Tensor, opts: KaimingOptions = {}): number {
  const t = shape instanceof Tensor ? shape : ({ shape } as Tensor);
  const f = fan(t, opts.mode ?? 'fan_in');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return Math.sqrt(3.0) * (gain / Math.sqrt(f));
}

export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = kaimingUniformBound(t, opts);
  return uniform_(t, -bound, bound);
}

export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const f = fan(t, opts.mode ?? 'fan_in');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return normal_(t, 0, gain / Math.sqrt(f));
}

/** The bias bound the conv/linear layers use: 1/√fan_in (0 when fan_in is 0). */
export function biasBound(weightShape: readonly number[]): number {
  const [fi] = calculateFanInAndFanOut(weightShape);
  return fi > 0 ? 1 / Math.sqrt(fi) : 0;
}
