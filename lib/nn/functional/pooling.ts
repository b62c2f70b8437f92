// Pooling: F.max_pool1d/2d/3d, avg_pool1d/2d/3d, adaptive_avg/max_pool1d/2d, max_unpool1d/2d. The 2-D and 3-D ops
// are fused kernels with PyTorch's grad_fn names; the 1-D ops run the 2-D kernel on an unsqueezed input, as PyTorch does
// (so their grad_fn is SqueezeBackward1).
import { Tensor, customOp } from '../../engine/index.ts';
import {
  maxPoolForward,
  scatterByIndex,
  gatherByIndex,
  avgPool,
  adaptiveAvg,
  adaptiveMax,
  adaptiveAvg3d,
  adaptiveMax3d,
  poolOutSize,
  type PoolGeom,
} from '../kernels/pool.ts';
import { ntuple, floatData, checkFloat, wrap, shapeStr, prod } from './util.ts';

export interface MaxPoolOptions {
  stride?: number | number[] | null;
  padding?: number | number[];
  dilation?: number | number[];
  ceilMode?: boolean;
  returnIndices?: boolean;
}

export interface AvgPoolOptions {
  stride?: number | number[] | null;
  padding?: number | number[];
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

function to3(v: number[], fill: number): [number, number, number] {
  const out = [fill, fill, fill];
  for (let i = 0; i < v.length; i++) out[3 - v.length + i] = v[i]!;
  return out as [number, number, number];
}

function poolGeom(
  op: string,
  x: Tensor,
  nd: number,
  kernel: number | number[],
  o: { stride?: number | number[] | null; padding?: number | number[]; dilation?: number | number[]; ceilMode?: boolean },
): { geom: PoolGeom; out: number[] } {
  if (x.dim() !== nd + 1 && x.dim() !== nd + 2) {
    throw new Error(`${op}: Expected ${nd + 1}D or ${nd + 2}D input, got input of size ${shapeStr(x.shape)}`);
  }
  const k = ntuple(kernel, nd, 'kernel_size');
  const s =
    o.stride === undefined || o.stride === null || (Array.isArray(o.stride) && o.stride.length === 0) ? k : ntuple(o.stride, nd, 'stride');
  const p = ntuple(o.padding ?? 0, nd, 'padding');
  const d = ntuple(o.dilation ?? 1, nd, 'dilation');
  p.forEach((pp, i) => {
    if (pp * 2 > k[i]!)
      throw new Error(`${op}: pad should be at most half of effective kernel size, but got pad=${pp}, kernel_size=${k[i]}`);
  });
  const spatial = x.shape.slice(x.dim() - nd);
  const out = spatial.map((inp, i) => poolOutSize(inp, k[i]!, p[i]!, s[i]!, d[i]!, o.ceilMode ?? false));
  if (out.some((v) => v <= 0))
    throw new Error(`${op}: Given input size ${shapeStr(x.shape)}, calculated output size ${shapeStr(out)} is too small`);
  const NC = prod(x.shape.slice(0, x.dim() - nd));
  const [inD, inH, inW] = to3(spatial, 1);
  const [kD, kH, kW] = to3(k, 1);
  const [sD, sH, sW] = to3(s, 1);
  const [pD, pH, pW] = to3(p, 0);
  const [dD, dH, dW] = to3(d, 1);
  const [oD, oH, oW] = to3(out, 1);
  return { geom: { NC, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW }, out };
}

function maxPoolNd(nd: 2 | 3, x: Tensor, kernel: number | number[], o: MaxPoolOptions): Tensor | [Tensor, Tensor] {
  const op = `max_pool${nd}d`;
  const { geom, out } = poolGeom(op, x, nd, kernel, o);
  const outShape = [...x.shape.slice(0, x.dim() - nd), ...out];
  const inPlane = geom.inD * geom.inH * geom.inW;
  const outPlane = geom.oD * geom.oH * geom.oW;
  let idx: Int32Array | null = null;
  const y = customOp(
    `MaxPool${nd}DWithIndicesBackward0`,
    [x],
    () => {
      const r = maxPoolForward(floatData(x, op), geom);
      idx = r.idx;
      return wrap(r.y, outShape);
    },
    ([gy]) => [wrap(scatterByIndex(floatData(gy!.contiguous(), op), idx!, geom.NC, outPlane, inPlane), x.shape)],
    { op, attrs: { kernel, stride: o.stride, padding: o.padding ?? 0 } },
  ) as Tensor;
  if (!o.returnIndices) return y;
  return [y, Tensor.fromTypedArray(Float64Array.from(idx!), outShape, 'int64')];
}

export function maxPool2d(x: Tensor, kernelSize: number | number[], opts: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: number | number[], opts?: MaxPoolOptions): Tensor;
export function maxPool2d(x: Tensor, kernelSize: number | number[], opts: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  return maxPoolNd(2, x, kernelSize, opts);
}

export function maxPool3d(x: Tensor, kernelSize: number | number[], opts: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool3d(x: Tensor, kernelSize: number | number[], opts?: MaxPoolOptions): Tensor;
export function maxPool3d(x: Tensor, kernelSize: number | number[], opts: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  return maxPoolNd(3, x, kernelSize, opts);
}

const one = (v: number | number[] | null | undefined): number[] | null | undefined =>
  v === undefined || v === null ? v : [1, ...(typeof v === 'number' ? [v] : v)];

export function maxPool1d(x: Tensor, kernelSize: number | number[], opts: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(x: Tensor, kernelSize: number | number[], opts?: MaxPoolOptions): Tensor;
export function maxPool1d(x: Tensor, kernelSize: number | number[], opts: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  if (x.dim() !== 2 && x.dim() !== 3) throw new Error(`max_pool1d: Expected 2D or 3D input, got ${shapeStr(x.shape)}`);
  const r = maxPoolNd(2, x.unsqueeze(-2), one(kernelSize)!, {
    ...opts,
    stride: one(opts.stride),
    padding: [0, ...ntuple(opts.padding ?? 0, 1, 'padding')],
    dilation: [1, ...ntuple(opts.dilation ?? 1, 1, 'dilation')],
  });
  if (Array.isArray(r)) return [r[0].squeeze(-2), r[1].squeeze(-2)];
  return r.squeeze(-2);
}

function avgPoolNd(nd: 2 | 3, x: Tensor, kernel: number | number[], o: AvgPoolOptions): Tensor {
  const op = `avg_pool${nd}d`;
  const { geom, out } = poolGeom(op, x, nd, kernel, { ...o, dilation: 1 });
  const outShape = [...x.shape.slice(0, x.dim() - nd), ...out];
  if (o.divisorOverride !== undefined && o.divisorOverride !== null && o.divisorOverride === 0)
    throw new Error(`${op}: divisor must be not zero`);
  const ao = { countIncludePad: o.countIncludePad ?? true, divisorOverride: o.divisorOverride ?? null };
  return customOp(
    `AvgPool${nd}DBackward0`,
    [x],
    () => wrap(avgPool(floatData(x, op), geom, ao, false), outShape),
    ([gy]) => [wrap(avgPool(floatData(gy!.contiguous(), op), geom, ao, true), x.shape)],
    { op },
  ) as Tensor;
}

export function avgPool2d(x: Tensor, kernelSize: number | number[], opts: AvgPoolOptions = {}): Tensor {
  return avgPoolNd(2, x, kernelSize, opts);
}
export function avgPool3d(x: Tensor, kernelSize: number | number[], opts: AvgPoolOptions = {}): Tensor {
  return avgPoolNd(3, x, kernelSize, opts);
}
export function avgPool1d(x: Tensor, kernelSize: number | number[], opts: Omit<AvgPoolOptions, 'divisorOverride'> = {}): Tensor {
  if (x.dim() !== 2 && x.dim() !== 3) throw new Error(`avg_pool1d: Expected 2D or 3D input, got ${shapeStr(x.shape)}`);
  return avgPoolNd(2, x.unsqueeze(-2), one(kernelSize)!, {
    ...opts,
    stride: one(opts.stride),
    padding: [0, ...ntuple(opts.padding ?? 0, 1, 'padding')],
  }).squeeze(-2);
}

/** Output size for adaptive pooling; null entries keep the input size (PyTorch's None). */
function adaptiveOut(x: Tensor, size: number | (number | null)[], op: string): [number, number] {
  if (x.dim() !== 3 && x.dim() !== 4) throw new Error(`${op}: Expected 3D or 4D tensor, but got ${shapeStr(x.shape)}`);
  const s = typeof size === 'number' ? [size, size] : size.length === 1 ? [size[0]!, size[0]!] : size;
  const inH = x.shape[x.dim() - 2]!,
    inW = x.shape[x.dim() - 1]!;
  return [s[0] ?? inH, s[1] ?? inW];
}

export function adaptiveAvgPool2d(x: Tensor, outputSize: number | (number | null)[]): Tensor {
  const [oH, oW] = adaptiveOut(x, outputSize, 'adaptive_avg_pool2d');
  const inH = x.shape[x.dim() - 2]!,
    inW = x.shape[x.dim() - 1]!;
  const lead = x.shape.slice(0, x.dim() - 2);
  const NC = prod(lead);
  const op = 'adaptive_avg_pool2d';
  if (oH === 1 && oW === 1) {
    // PyTorch computes a 1x1 output as a mean over H and W (MeanBackward1), not with the adaptive kernel.
    checkFloat(x, op);
    return x.mean([-2, -1], true);
  }
  return customOp(
    'AdaptiveAvgPool2DBackward0',
    [x],
    () => wrap(adaptiveAvg(floatData(x, op), NC, inH, inW, oH, oW, false), [...lead, oH, oW]),
    ([gy]) => [wrap(adaptiveAvg(floatData(gy!.contiguous(), op), NC, inH, inW, oH, oW, true), x.shape)],
    { op },
  ) as Tensor;
}

export function adaptiveAvgPool1d(x: Tensor, outputSize: number | number[]): Tensor {
  if (x.dim() !== 2 && x.dim() !== 3) throw new Error(`adaptive_avg_pool1d: Expected 2D or 3D input, got ${shapeStr(x.shape)}`);
  const o = typeof outputSize === 'number' ? outputSize : outputSize[0]!;
  return adaptiveAvgPool2d(x.unsqueeze(-2), [1, o]).squeeze(-2);
}

export function adaptiveMaxPool2d(x: Tensor, outputSize: number | (number | null)[], returnIndices: true): [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: number | (number | null)[], returnIndices?: false): Tensor;
export function adaptiveMaxPool2d(x: Tensor, outputSize: number | (number | null)[], returnIndices = false): Tensor | [Tensor, Tensor] {
  const op = 'adaptive_max_pool2d';
  const [oH, oW] = adaptiveOut(x, outputSize, op);
  const inH = x.shape[x.dim() - 2]!,
    inW = x.shape[x.dim() - 1]!;
  const lead = x.shape.slice(0, x.dim() - 2);
  const NC = prod(lead);
  let idx: Int32Array | null = null;
  const y = customOp(
    'AdaptiveMaxPool2DBackward0',
    [x],
    () => {
      const r = adaptiveMax(floatData(x, op), NC, inH, inW, oH, oW);
      idx = r.idx;
      return wrap(r.y, [...lead, oH, oW]);
    },
    ([gy]) => [wrap(scatterByIndex(floatData(gy!.contiguous(), op), idx!, NC, oH * oW, inH * inW), x.shape)],
    { op },
  ) as Tensor;
  return returnIndices ? [y, Tensor.fromTypedArray(Float64Array.from(idx!), [...lead, oH, oW], 'int64')] : y;
}

export function adaptiveMaxPool1d(x: Tensor, outputSize: number | number[], returnIndices = false): Tensor | [Tensor, Tensor] {
  if (x.dim() !== 2 && x.dim() !== 3) throw new Error(`adaptive_max_pool1d: Expected 2D or 3D input, got ${shapeStr(x.shape)}`);
  const o = typeof outputSize === 'number' ? outputSize : outputSize[0]!;
  const [y, i] = adaptiveMaxPool2d(x.unsqueeze(-2), [1, o], true);
  return returnIndices ? [y.squeeze(-2), i.squeeze(-2)] : y.squeeze(-2);
}

/** Output size for 3-D adaptive pooling; null entries keep the input size. */
function adaptiveOut3d(x: Tensor, size: number | (number | null)[], op: string): [number, number, number] {
  if (x.dim() !== 4 && x.dim() !== 5) throw new Error(`${op}(): Expected 4D or 5D tensor, but got ${shapeStr(x.shape)}`);
  const s = typeof size === 'number' ? [size, size, size] : size.length === 1 ? [size[0]!, size[0]!, size[0]!] : size;
  if (s.length !== 3) throw new Error(`${op}: output_size must be 3 (got ${s.length})`);
  const n = x.dim();
  return [s[0] ?? x.shape[n - 3]!, s[1] ?? x.shape[n - 2]!, s[2] ?? x.shape[n - 1]!];
}

export function adaptiveAvgPool3d(x: Tensor, outputSize: number | (number | null)[]): Tensor {
  const op = 'adaptive_avg_pool3d';
  const [oD, oH, oW] = adaptiveOut3d(x, outputSize, op);
  const n = x.dim(),
    inD = x.shape[n - 3]!,
    inH = x.shape[n - 2]!,
    inW = x.shape[n - 1]!;
  const lead = x.shape.slice(0, n - 3);
  const NC = prod(lead);
  return customOp(
    'AdaptiveAvgPool3DBackward0',
    [x],
    () => wrap(adaptiveAvg3d(floatData(x.contiguous(), op), NC, inD, inH, inW, oD, oH, oW, false), [...lead, oD, oH, oW]),
    ([gy]) => [wrap(adaptiveAvg3d(floatData(gy!.contiguous(), op), NC, inD, inH, inW, oD, oH, oW, true), x.shape)],
    { op },
  ) as Tensor;
}

export function adaptiveMaxPool3d(x: Tensor, outputSize: number | (number | null)[], returnIndices: true): [Tensor, Tensor];
export function adaptiveMaxPool3d(x: Tensor, outputSize: number | (number | null)[], returnIndices?: false): Tensor;
export function adaptiveMaxPool3d(x: Tensor, outputSize: number | (number | null)[], returnIndices = false): Tensor | [Tensor, Tensor] {
  const op = 'adaptive_max_pool3d';
  const [oD, oH, oW] = adaptiveOut3d(x, outputSize, op);
  const n = x.dim(),
    inD = x.shape[n - 3]!,
    inH = x.shape[n - 2]!,
    inW = x.shape[n - 1]!;
  const lead = x.shape.slice(0, n - 3);
  const NC = prod(lead);
  let idx: Int32Array | null = null;
  const y = customOp(
    'AdaptiveMaxPool3DBackward0',
    [x],
    () => {
      const r = adaptiveMax3d(floatData(x.contiguous(), op), NC, inD, inH, inW, oD, oH, oW);
      idx = r.idx;
      return wrap(r.y, [...lead, oD, oH, oW]);
    },
    ([gy]) => [wrap(scatterByIndex(floatData(gy!.contiguous(), op), idx!, NC, oD * oH * oW, inD * inH * inW), x.shape)],
    { op },
  ) as Tensor;
  return returnIndices ? [y, Tensor.fromTypedArray(Float64Array.from(idx!), [...lead, oD, oH, oW], 'int64')] : y;
}

export interface MaxUnpoolOptions {
  stride?: number | number[] | null;
  padding?: number | number[];
  outputSize?: number[] | null;
}

function maxUnpoolNd(nd: 1 | 2 | 3, x: Tensor, indices: Tensor, kernel: number | number[], o: MaxUnpoolOptions): Tensor {
  const op = `max_unpool${nd}d`;
  if (x.shape.length !== indices.shape.length || x.shape.some((s, i) => s !== indices.shape[i])) {
    throw new Error(
      `${op}: Expected shape of indices to be same as that of the input tensor (${shapeStr(x.shape)}) but got indices tensor with shape: ${shapeStr(indices.shape)}`,
    );
  }
  const k = ntuple(kernel, nd, 'kernel_size');
  const s = o.stride === undefined || o.stride === null ? k : ntuple(o.stride, nd, 'stride');
  const p = ntuple(o.padding ?? 0, nd, 'padding');
  const spatial = x.shape.slice(x.dim() - nd);
  let out = spatial.map((inp, i) => (inp - 1) * s[i]! - 2 * p[i]! + k[i]!);
  if (o.outputSize) {
    const given = o.outputSize.slice(o.outputSize.length - nd);
    given.forEach((g, i) => {
      const min = out[i]! - s[i]!,
        max = out[i]! + s[i]!;
      if (g <= min || g >= max)
        throw new Error(`${op}: invalid output_size ${shapeStr(o.outputSize!)} (dim ${i} must be between ${min} and ${max})`);
    });
    out = given;
  }
  const lead = x.shape.slice(0, x.dim() - nd);
  const NC = prod(lead);
  const inPlane = prod(spatial),
    outPlane = prod(out);
  const idx = Float64Array.from(indices.dataSync() as ArrayLike<number>);
  for (let i = 0; i < idx.length; i++) {
    if (idx[i]! < 0 || idx[i]! >= outPlane)
      throw new Error(`${op}: Found an invalid max index: ${idx[i]} (output volumes are of size ${out.join('x')})`);
  }
  // PyTorch runs max_unpool1d through the 2-D kernel, so both record MaxUnpool2DBackward0
  const name = nd === 3 ? 'MaxUnpool3DBackward0' : 'MaxUnpool2DBackward0';
  return customOp(
    name,
    [x],
    () => wrap(scatterByIndex(floatData(x.contiguous(), op), idx, NC, inPlane, outPlane), [...lead, ...out]),
    ([gy]) => [wrap(gatherByIndex(floatData(gy!.contiguous(), op), idx, NC, inPlane, outPlane), x.shape)],
    { op },
  ) as Tensor;
}

export function maxUnpool2d(x: Tensor, indices: Tensor, kernelSize: number | number[], opts: MaxUnpoolOptions = {}): Tensor {
  return maxUnpoolNd(2, x, indices, kernelSize, opts);
}
export function maxUnpool3d(x: Tensor, indices: Tensor, kernelSize: number | number[], opts: MaxUnpoolOptions = {}): Tensor {
  return maxUnpoolNd(3, x, indices, kernelSize, opts);
}
export function maxUnpool1d(x: Tensor, indices: Tensor, kernelSize: number | number[], opts: MaxUnpoolOptions = {}): Tensor {
  return maxUnpoolNd(1, x, indices, kernelSize, opts);
}
