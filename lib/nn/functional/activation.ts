// Activations. relu/sigmoid/tanh/softmax/logSoftmax are engine primitives; the others are fused elementwise kernels
// with PyTorch's grad_fn names (LeakyReluBackward0, EluBackward0, GeluBackward0, SoftplusBackward0, ...). Each kernel
// is a plain loop over the whole array: no per-element callbacks.
import { Tensor, customOp } from '../../engine/index.ts';
import { fusedKernels, type FloatArray } from '../../engine/kernels/index.ts';
import { uninitLike } from '../../engine/kernels/alloc.ts';
import { floatData, wrap } from './util.ts';

function alloc(like: FloatArray, n: number): FloatArray {
  return like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** Runs a forward kernel (x -> y) and a backward kernel (x, y, gy -> gx) as one autograd node. */
function pointwise(
  name: string,
  op: string,
  x: Tensor,
  fwd: (x: FloatArray, y: FloatArray) => void,
  bwd: (x: FloatArray, y: FloatArray, g: FloatArray, dx: FloatArray) => void,
  fullWrite = false,
): Tensor {
  // fullWrite: fwd and bwd assign every element, so outputs can skip zero-filling (engine/kernels/alloc.ts).
  const make = fullWrite ? uninitLike : alloc;
  let xs: FloatArray | null = null;
  let ys: FloatArray | null = null;
  return customOp(
    name,
    [x],
    () => {
      xs = floatData(x, op);
      ys = make(xs, xs.length);
      fwd(xs, ys);
      return wrap(ys, x.shape);
    },
    ([gy]) => {
      const g = floatData(gy!.contiguous(), op);
      const dx = make(g, g.length);
      bwd(xs!, ys!, g, dx);
      return [wrap(dx, x.shape)];
    },
    { op },
  ) as Tensor;
}

/** max(x, 0) as one fused node (ReluBackward0); the gradient is 0 at x = 0, as PyTorch. */
export function relu(x: Tensor, inplace = false): Tensor {
  if (inplace) return x.relu_();
  if (x.dtype !== 'float32' && x.dtype !== 'float64') return x.relu();
  const nat = fusedKernels();
  return pointwise(
    'ReluBackward0',
    'relu',
    x,
    (a, y) => {
      if (nat && a instanceof Float32Array && y instanceof Float32Array) return nat.reluForward(a, y);
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        y[i] = v > 0 ? v : 0;
      }
    },
    (_a, y, g, dx) => {
      if (nat && y instanceof Float32Array && g instanceof Float32Array && dx instanceof Float32Array) return nat.reluBackward(y, g, dx);
      for (let i = 0; i < y.length; i++) dx[i] = y[i]! > 0 ? g[i]! : 0;
    },
    true,
  );
}
export function sigmoid(x: Tensor): Tensor {
  return x.sigmoid();
}
export function tanh(x: Tensor): Tensor {
  return x.tanh();
}

/** PyTorch's legacy implicit softmax dim: 0 for 0-, 1- and 3-D inputs, else 1. */
export function implicitSoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}
export function softmax(x: Tensor, dim?: number | null): Tensor {
  return x.softmax(dim ?? implicitSoftmaxDim(x.dim()));
}
export function logSoftmax(x: Tensor, dim?: number | null): Tensor {
  return x.logSoftmax(dim ?? implicitSoftmaxDim(x.dim()));
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const s = negativeSlope;
  return pointwise(
    'LeakyReluBackward0',
    'leaky_relu',
    x,
    (a, y) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        y[i] = v > 0 ? v : v * s;
      }
    },
    (a, _y, g, dx) => {
      for (let i = 0; i < a.length; i++) dx[i] = a[i]! > 0 ? g[i]! : g[i]! * s;
    },
  );
}

export function elu(x: Tensor, alpha = 1.0): Tensor {
  return pointwise(
    'EluBackward0',
    'elu',
    x,
    (a, y) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        y[i] = v > 0 ? v : alpha * Math.expm1(v);
      }
    },
    (a, _y, g, dx) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        dx[i] = v > 0 ? g[i]! : g[i]! * alpha * Math.exp(v);
      }
    },
  );
}

export function selu(x: Tensor): Tensor {
  const alpha = 1.6732632423543772,
    scale = 1.0507009873554805;
  return pointwise(
    'EluBackward0',
    'selu',
    x,
    (a, y) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        y[i] = scale * (v > 0 ? v : alpha * Math.expm1(v));
      }
    },
    (a, _y, g, dx) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        dx[i] = g[i]! * scale * (v > 0 ? 1 : alpha * Math.exp(v));
      }
    },
  );
}

export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return pointwise(
    'SoftplusBackward0',
    'softplus',
    x,
    (a, y) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        y[i] = v * beta > threshold ? v : Math.log1p(Math.exp(v * beta)) / beta;
      }
    },
    (a, _y, g, dx) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        if (v * beta > threshold) dx[i] = g[i]!;
        else {
          const z = Math.exp(v * beta);
          dx[i] = (g[i]! * z) / (z + 1);
        }
      }
    },
  );
}

/** erf with |error| < 1.2e-7 (Numerical Recipes erfc Chebyshev fit), enough for float32 GELU. */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}

export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  const k = Math.sqrt(2 / Math.PI);
  if (approximate === 'tanh') {
    return pointwise(
      'GeluBackward0',
      'gelu',
      x,
      (a, y) => {
        for (let i = 0; i < a.length; i++) {
          const v = a[i]!;
          y[i] = 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v)));
        }
      },
      (a, _y, g, dx) => {
        for (let i = 0; i < a.length; i++) {
          const v = a[i]!;
          const inner = k * (v + 0.044715 * v * v * v);
          const th = Math.tanh(inner);
          const dInner = k * (1 + 3 * 0.044715 * v * v);
          dx[i] = g[i]! * (0.5 * (1 + th) + 0.5 * v * (1 - th * th) * dInner);
        }
      },
    );
  }
  const invSqrt2 = Math.SQRT1_2;
  const invSqrt2Pi = 1 / Math.sqrt(2 * Math.PI);
  return pointwise(
    'GeluBackward0',
    'gelu',
    x,
    (a, y) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        y[i] = 0.5 * v * (1 + erf(v * invSqrt2));
      }
    },
    (a, _y, g, dx) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        dx[i] = g[i]! * (0.5 * (1 + erf(v * invSqrt2)) + v * invSqrt2Pi * Math.exp(-0.5 * v * v));
      }
    },
  );
}

export function silu(x: Tensor): Tensor {
  return pointwise(
    'SiluBackward0',
    'silu',
    x,
    (a, y) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        y[i] = v / (1 + Math.exp(-v));
      }
    },
    (a, _y, g, dx) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        const s = 1 / (1 + Math.exp(-v));
        dx[i] = g[i]! * s * (1 + v * (1 - s));
      }
    },
  );
}

export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  return pointwise(
    'HardtanhBackward0',
    'hardtanh',
    x,
    (a, y) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        y[i] = v < minVal ? minVal : v > maxVal ? maxVal : v;
      }
    },
    (a, _y, g, dx) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        dx[i] = v > minVal && v < maxVal ? g[i]! : 0;
      }
    },
  );
}

export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

export function logsigmoid(x: Tensor): Tensor {
  return pointwise(
    'LogSigmoidBackward0',
    'log_sigmoid',
    x,
    (a, y) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        y[i] = Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v)));
      }
    },
    (a, _y, g, dx) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        dx[i] = g[i]! / (1 + Math.exp(v));
      }
    },
  );
}
