// F.conv1d/2d/3d, F.conv_transpose1d/2d/3d and F.pad: fused ops with their own backward (grad_fn
// ConvolutionBackward0, as PyTorch), running on im2col + GEMM kernels.
import { Tensor, customOp, isGradEnabled, leafGradBuffer } from '../../engine/index.ts';
import { uninitFloat32 } from '../../engine/kernels/alloc.ts';
import {
  convForward,
  convBackward,
  nativeConv,
  convTransposeForward,
  convTransposeBackward,
  padPlanes,
  type ConvCall,
  type PadMode,
} from '../kernels/conv.ts';
import { convOutSize, fusedKernels, type ConvGeom } from '../../engine/kernels/index.ts';
import { ntuple, floatData, wrap, shapeStr, sameDtype, prod } from './util.ts';

export interface ConvOptions {
  stride?: number | number[];
  padding?: number | number[] | 'same' | 'valid';
  dilation?: number | number[];
  groups?: number;
}

export interface ConvTransposeOptions {
  stride?: number | number[];
  padding?: number | number[];
  outputPadding?: number | number[];
  dilation?: number | number[];
  groups?: number;
}

/** Pads 1-3 spatial dims to three (leading dims of size 1). */
function to3(v: number[], fill: number): [number, number, number] {
  const out = [fill, fill, fill];
  for (let i = 0; i < v.length; i++) out[3 - v.length + i] = v[i]!;
  return out as [number, number, number];
}

function batchify(input: Tensor, nd: number, op: string): { x: Tensor; unbatched: boolean } {
  if (input.dim() === nd + 1) return { x: input.unsqueeze(0), unbatched: true };
  if (input.dim() !== nd + 2) {
    throw new Error(
      `${op}: Expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input, but got input of size: ${shapeStr(input.shape)}`,
    );
  }
  return { x: input, unbatched: false };
}

function convNd(nd: number, op: string, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvOptions): Tensor {
  const { x, unbatched } = batchify(input, nd, op);
  sameDtype(op, x, weight, bias);
  const groups = opts.groups ?? 1;
  const [N, Cin] = x.shape as [number, number];
  const spatial = x.shape.slice(2);
  const Cout = weight.shape[0]!;
  const k = weight.shape.slice(2);
  if (weight.dim() !== nd + 2) throw new Error(`${op}: weight must be ${nd + 2}-D, got ${shapeStr(weight.shape)}`);
  if (weight.shape[1]! * groups !== Cin) {
    throw new Error(
      `${op}: Given groups=${groups}, weight of size ${shapeStr(weight.shape)}, expected input${shapeStr(x.shape)} to have ${weight.shape[1]! * groups} channels, but got ${Cin} channels instead`,
    );
  }
  if (Cout % groups !== 0) throw new Error(`${op}: out_channels (${Cout}) must be divisible by groups (${groups})`);
  if (bias && (bias.dim() !== 1 || bias.shape[0] !== Cout))
    throw new Error(`${op}: bias must have shape [${Cout}], got ${shapeStr(bias.shape)}`);
  const stride = ntuple(opts.stride ?? 1, nd, 'stride');
  const dil = ntuple(opts.dilation ?? 1, nd, 'dilation');
  let before: number[];
  let after: number[];
  const pad = opts.padding ?? 0;
  if (pad === 'valid') {
    before = after = new Array<number>(nd).fill(0);
  } else if (pad === 'same') {
    if (stride.some((s) => s !== 1)) throw new Error(`${op}: padding='same' is not supported for strided convolutions`);
    const total = k.map((kk, i) => dil[i]! * (kk - 1));
    before = total.map((t) => Math.floor(t / 2));
    after = total.map((t, i) => t - before[i]!);
  } else {
    before = after = ntuple(pad, nd, 'padding');
  }
  const out = spatial.map((s, i) => convOutSize(s, k[i]!, stride[i]!, before[i]!, after[i]!, dil[i]!));
  if (out.some((o) => o <= 0)) {
    throw new Error(`${op}: Calculated output size ${shapeStr(out)} is too small for input ${shapeStr(x.shape)} and kernel ${shapeStr(k)}`);
  }
  const [inD, inH, inW] = to3(spatial, 1);
  const [kD, kH, kW] = to3(k, 1);
  const [sD, sH, sW] = to3(stride, 1);
  const [pD, pH, pW] = to3(before, 0);
  const [dD, dH, dW] = to3(dil, 1);
  const [oD, oH, oW] = to3(out, 1);
  const geom: ConvGeom = { C: Cin / groups, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW };
  const call: ConvCall = { N, groups, geom, Cin, Cout };
  let cols: ReturnType<typeof convForward>['cols'] = null;
  const b = bias ?? null;
  // Keep the column matrix for the weight gradient only when a graph is being recorded (not in inference).
  // On the native and wasm backends im2col is a cheap C / WebAssembly pass, so the weight gradient recomputes the columns into the shared
  // scratch instead of keeping a batch-sized buffer alive until backward (6.5 MB per step for the benchmark CNN's
  // conv2: garbage-collector work and fresh pages every step).
  const keepCols = weight.requiresGrad && isGradEnabled() && fusedKernels() === null;
  const y = customOp(
    'ConvolutionBackward0',
    [x, weight, b],
    () => {
      const xs = floatData(x, op),
        ws = floatData(weight, op),
        bs = b ? floatData(b, op) : null;
      const nat = nativeConv(call, xs, ws, bs);
      if (nat) return wrap(nat.forward(xs as Float32Array, ws as Float32Array, bs as Float32Array | null), [N, Cout, ...out]);
      const r = convForward(call, xs, ws, bs, keepCols);
      cols = r.cols;
      return wrap(r.y, [N, Cout, ...out]);
    },
    ([gy]) => {
      const need = { x: x.requiresGrad, w: weight.requiresGrad, b: !!b && b.requiresGrad };
      const gs = floatData(gy!.contiguous(), op),
        xs = floatData(x, op),
        ws = floatData(weight, op);
      const nat = isGradEnabled() ? null : nativeConv(call, gs, xs, ws);
      if (nat) {
        // Weight and bias gradients go straight into .grad where the engine allows it (leafGradBuffer).
        const dx = need.x ? uninitFloat32(xs.length) : null;
        const wSink = need.w ? leafGradBuffer(weight) : null,
          bSink = need.b ? leafGradBuffer(b) : null;
        const dw = need.w && !wSink ? uninitFloat32(ws.length) : null,
          db = need.b && !bSink ? uninitFloat32(Cout) : null;
        nat.backward(
          gs as Float32Array,
          xs as Float32Array,
          ws as Float32Array,
          dx,
          (wSink?.data as Float32Array | undefined) ?? dw,
          wSink && !wSink.fresh ? 1 : 0,
          (bSink?.data as Float32Array | undefined) ?? db,
          bSink && !bSink.fresh ? 1 : 0,
        );
        wSink?.done();
        bSink?.done();
        return [dx ? wrap(dx, x.shape) : null, dw ? wrap(dw, weight.shape) : null, db ? wrap(db, [Cout]) : null];
      }
      const g = convBackward(call, gs, xs, ws, cols, need);
      return [g.dx ? wrap(g.dx, x.shape) : null, g.dw ? wrap(g.dw, weight.shape) : null, g.db ? wrap(g.db, [Cout]) : null];
    },
    { op, attrs: { stride, padding: pad, dilation: dil, groups } },
  ) as Tensor;
  return unbatched ? y.squeeze(0) : y;
}

export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd(1, 'conv1d', input, weight, bias, opts);
}
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd(2, 'conv2d', input, weight, bias, opts);
}
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd(3, 'conv3d', input, weight, bias, opts);
}

function convTransposeNd(
  nd: number,
  op: string,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  opts: ConvTransposeOptions,
): Tensor {
  const { x, unbatched } = batchify(input, nd, op);
  sameDtype(op, x, weight, bias);
  const groups = opts.groups ?? 1;
  const [N, Cin] = x.shape as [number, number];
  if (weight.dim() !== nd + 2) throw new Error(`${op}: weight must be ${nd + 2}-D, got ${shapeStr(weight.shape)}`);
  if (weight.shape[0] !== Cin) {
    throw new Error(
      `${op}: Given transposed=1, weight of size ${shapeStr(weight.shape)}, expected input${shapeStr(x.shape)} to have ${weight.shape[0]} channels, but got ${Cin} channels instead`,
    );
  }
  const Cout = weight.shape[1]! * groups;
  if (bias && (bias.dim() !== 1 || bias.shape[0] !== Cout))
    throw new Error(`${op}: bias must have shape [${Cout}], got ${shapeStr(bias.shape)}`);
  const spatial = x.shape.slice(2);
  const k = weight.shape.slice(2);
  const stride = ntuple(opts.stride ?? 1, nd, 'stride');
  const pad = ntuple(opts.padding ?? 0, nd, 'padding');
  const outPad = ntuple(opts.outputPadding ?? 0, nd, 'output_padding');
  const dil = ntuple(opts.dilation ?? 1, nd, 'dilation');
  outPad.forEach((p, i) => {
    if (p >= stride[i]! && p >= dil[i]!)
      throw new Error(`${op}: output padding must be smaller than either stride or dilation, but got output_padding=${p}`);
  });
  const out = spatial.map((s, i) => (s - 1) * stride[i]! - 2 * pad[i]! + dil[i]! * (k[i]! - 1) + outPad[i]! + 1);
  if (out.some((o) => o <= 0)) throw new Error(`${op}: output size ${shapeStr(out)} is non-positive`);
  // The equivalent forward conv runs from the output plane back to the input positions.
  const [inD, inH, inW] = to3(out, 1);
  const [kD, kH, kW] = to3(k, 1);
  const [sD, sH, sW] = to3(stride, 1);
  const [pD, pH, pW] = to3(pad, 0);
  const [dD, dH, dW] = to3(dil, 1);
  const [oD, oH, oW] = to3(spatial, 1);
  const geom: ConvGeom = { C: Cout / groups, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW };
  const call: ConvCall = { N, groups, geom, Cin, Cout };
  const b = bias ?? null;
  const y = customOp(
    'ConvolutionBackward0',
    [x, weight, b],
    () => {
      return wrap(convTransposeForward(call, floatData(x, op), floatData(weight, op), b ? floatData(b, op) : null), [N, Cout, ...out]);
    },
    ([gy]) => {
      const need = { x: x.requiresGrad, w: weight.requiresGrad, b: !!b && b.requiresGrad };
      const g = convTransposeBackward(call, floatData(gy!.contiguous(), op), floatData(x, op), floatData(weight, op), need);
      return [g.dx ? wrap(g.dx, x.shape) : null, g.dw ? wrap(g.dw, weight.shape) : null, g.db ? wrap(g.db, [Cout]) : null];
    },
    { op, attrs: { stride, padding: pad, outputPadding: outPad, dilation: dil, groups } },
  ) as Tensor;
  return unbatched ? y.squeeze(0) : y;
}

export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd(1, 'conv_transpose1d', input, weight, bias, opts);
}
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd(2, 'conv_transpose2d', input, weight, bias, opts);
}
export function convTranspose3d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd(3, 'conv_transpose3d', input, weight, bias, opts);
}

const PAD_NODE: Record<string, string> = { reflect: 'ReflectionPad', replicate: 'ReplicationPad', circular: 'CircularPad' };

/**
 * F.pad. `pad` lists (before, after) pairs starting from the LAST dim, as PyTorch. 'constant' pads any dims;
 * 'reflect' / 'replicate' / 'circular' pad the last 1-3 dims of a batched or unbatched input.
 */
export function pad(input: Tensor, padding: number[], mode: 'constant' | PadMode = 'constant', value = 0): Tensor {
  if (padding.length % 2 !== 0) throw new Error(`pad: padding length must be divisible by 2, got ${padding.length}`);
  const nd = padding.length / 2;
  if (nd > input.dim()) throw new Error(`pad: padding length ${padding.length} is too large for a ${input.dim()}-D input`);
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < nd; i++) {
    before.unshift(padding[2 * i]!);
    after.unshift(padding[2 * i + 1]!);
  }
  const lead = input.shape.slice(0, input.dim() - nd);
  const spatial = input.shape.slice(input.dim() - nd);
  const outSpatial = spatial.map((s, i) => s + before[i]! + after[i]!);
  const outShape = [...lead, ...outSpatial];
  if (mode === 'constant') {
    if (before.some((p) => p < 0) || after.some((p) => p < 0)) throw new Error('pad: negative constant padding is not supported');
    // Constant padding of arbitrary dims: fill, then write the input into the interior via a slicing view.
    return customOp(
      'ConstantPadNdBackward0',
      [input],
      () => {
        const src = input.contiguous();
        const outArr = new (src.storage.constructor as Float32ArrayConstructor)(prod(outShape));
        if (value !== 0) outArr.fill(value);
        const y = Tensor.fromTypedArray(outArr, outShape, input.dtype);
        let view = y;
        for (let i = 0; i < nd; i++) view = view.narrow(lead.length + i, before[i]!, spatial[i]!);
        view.copy_(src);
        return y;
      },
      ([g]) => {
        let v = g!;
        for (let i = 0; i < nd; i++) v = v.narrow(lead.length + i, before[i]!, spatial[i]!);
        return [v.contiguous()];
      },
      { op: 'pad' },
    ) as Tensor;
  }
  if (nd < 1 || nd > 3) throw new Error(`pad: ${mode} padding supports 1 to 3 spatial dims, got ${nd}`);
  spatial.forEach((s, i) => {
    if (mode === 'reflect' && (before[i]! >= s || after[i]! >= s)) {
      throw new Error(
        `pad: Padding size should be less than the corresponding input dimension, but got: padding (${before[i]}, ${after[i]}) at dimension ${lead.length + i} of input ${shapeStr(input.shape)}`,
      );
    }
  });
  const NC = prod(lead);
  const inDims = to3(spatial, 1);
  const b3 = to3(before, 0);
  const a3 = to3(after, 0);
  const name = `${PAD_NODE[mode]}${nd}DBackward0`;
  return customOp(
    name,
    [input],
    () => wrap(padPlanes(floatData(input, 'pad'), NC, inDims, b3, a3, mode, false), outShape),
    ([g]) => [wrap(padPlanes(floatData(g!.contiguous(), 'pad'), NC, inDims, b3, a3, mode, true), input.shape)],
    { op: 'pad' },
  ) as Tensor;
}
