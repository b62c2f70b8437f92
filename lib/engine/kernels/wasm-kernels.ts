// The WebAssembly backend's memory-bound training kernels: ReLU forward/backward, 2-D max pooling with indices and
// its scatter backward, and the SGD / Adam(W) updates, as generated SIMD-128 code (wasm-emitter.ts). They mirror the
// native addon's kernels (native/src/board_native.c) argument for argument, and compute in float32 with one rounding
// per operation as PyTorch's CPU loops do (no FMA here: these passes are bound by memory, not arithmetic).
//
// Why staging in chunks: wasm code sees only its own linear memory, while tensors live in ordinary typed arrays. Each
// call streams its arrays through a small staging area (CHUNK floats per operand: a few hundred KiB in all, so it stays
// in L2): copy a chunk in with TypedArray.set (a memcpy), run the kernel on it, copy the results out. Main-memory
// traffic is then what an in-place C loop has (each array read once, each result written once); the extra copies hit
// cache only. No allocation per element; a handful of subarray views per chunk.
//
// Elementwise kernels process whole f32x4 vectors: a chunk's tail lanes past its length compute on stale staging data
// and are never copied out.

import { buildModule, FunctionBuilder, ValType, type Local } from './wasm-emitter.ts';
import type { ConvGeom } from './im2col.ts';
import { align4, SHARED_MAX_PAGES } from './wasm-sgemm.ts';
import { existingWasmHeap, type WasmHeap } from './wasm-heap.ts';

const { i32, f32, v128 } = ValType;

/** Floats per operand per chunk (32 KiB): Adam's five operands use 160 KiB of staging. */
export const CHUNK = 8192;

type Ptr = number;
interface Exports {
  reluFwd: (x: Ptr, y: Ptr, nv: number) => void;
  zeroFill: (p: Ptr, nv: number) => void;
  reluBwd: (y: Ptr, g: Ptr, dx: Ptr, nv: number) => void;
  sgd: (w: Ptr, g: Ptr, nv: number, lr: number, sign: number, wd: number) => void;
  sgdNoWd: (w: Ptr, g: Ptr, nv: number, lr: number, sign: number) => void;
  sgdMom: (w: Ptr, g: Ptr, buf: Ptr, nv: number, lr: number, mom: number, damp: number, wd: number, sign: number) => void;
  sgdMomFirst: (w: Ptr, g: Ptr, buf: Ptr, nv: number, lr: number, mom: number, damp: number, wd: number, sign: number) => void;
  sgdNesterov: (w: Ptr, g: Ptr, buf: Ptr, nv: number, lr: number, mom: number, damp: number, wd: number, sign: number) => void;
  sgdNesterovFirst: (w: Ptr, g: Ptr, buf: Ptr, nv: number, lr: number, mom: number, damp: number, wd: number, sign: number) => void;
  adam: (w: Ptr, g: Ptr, m: Ptr, v: Ptr, vmax: Ptr, nv: number, ...c: number[]) => void;
  adamAmsgrad: (w: Ptr, g: Ptr, m: Ptr, v: Ptr, vmax: Ptr, nv: number, ...c: number[]) => void;
  maxPool2x2: (x: Ptr, y: Ptr, idx: Ptr, planes: number, inH: number, inW: number, oH: number, oW4: number) => void;
  maxPool2d: (
    x: Ptr,
    y: Ptr,
    idx: Ptr,
    planes: number,
    inH: number,
    inW: number,
    kH: number,
    kW: number,
    sH: number,
    sW: number,
    oH: number,
    oW: number,
  ) => void;
  im2col: (
    x: Ptr,
    col: Ptr,
    tab: Ptr,
    C: number,
    inH: number,
    inW: number,
    kH: number,
    kW: number,
    sH: number,
    pH: number,
    dH: number,
    oH: number,
    oW: number,
    N: number,
    ldBytes: number,
    sW: number,
  ) => void;
  col2im: (
    x: Ptr,
    col: Ptr,
    tab: Ptr,
    C: number,
    inH: number,
    inW: number,
    kH: number,
    kW: number,
    sH: number,
    pH: number,
    dH: number,
    oH: number,
    oW: number,
    N: number,
    ldBytes: number,
    sW: number,
  ) => void;
  scatter: (gy: Ptr, idx: Ptr, gx: Ptr, planes: number, outPlane: number, inPlane: number, zero: number) => void;
  sumRows: (out: Ptr, rows: Ptr, ldBytes: number, nRows: number, nv: number) => void;
}

/**
 * Emits `name(p0, ..., p{k-1}, nv, ...scalars)`: a loop over nv f32x4 vectors with k byte pointers bumped by 16 per
 * iteration. `body` gets the function, the pointer locals and the scalar params splatted to vectors.
 */
function vectorLoop(
  name: string,
  nPtrs: number,
  nScalars: number,
  body: (f: FunctionBuilder, p: Local[], s: Local[]) => void,
): FunctionBuilder {
  const f = new FunctionBuilder(name, [...new Array<ValType>(nPtrs).fill(i32), i32, ...new Array<ValType>(nScalars).fill(f32)]);
  const p = f.params.slice(0, nPtrs);
  const nv = f.params[nPtrs]!;
  const s = f.params.slice(nPtrs + 1).map((sc) => {
    const l = f.local(v128);
    f.get(sc).f32x4Splat().set(l);
    return l;
  });
  f.block();
  f.get(nv).i32Eqz().brIf(0);
  f.loop();
  body(f, p, s);
  for (const q of p) f.addConst(q, 16);
  f.get(nv).i32Const(1).i32Sub().tee(nv).brIf(0);
  f.end();
  f.end();
  return f;
}

function emitRelu(): FunctionBuilder[] {
  // y = x > 0 ? x : 0 (NaN -> 0, as the TypeScript and C kernels); dx = y > 0 ? g : 0.
  const fwd = vectorLoop('reluFwd', 2, 0, (f, [x, y]) => {
    const t = f.local(v128);
    f.get(y).get(x).v128Load().tee(t).get(t).v128Zero().f32x4Gt().v128And().v128Store();
  });
  const bwd = vectorLoop('reluBwd', 3, 0, (f, [y, g, dx]) => {
    f.get(dx).get(g).v128Load().get(y).v128Load().v128Zero().f32x4Gt().v128And().v128Store();
  });
  return [fwd, bwd];
}

/** p[0..4·nv) = 0: zeroes resident arrays (TypedArray.fill on a SharedArrayBuffer runs element by element). */
function emitZeroFill(): FunctionBuilder {
  return vectorLoop('zeroFill', 1, 0, (f, [p]) => {
    f.get(p).v128Zero().v128Store();
  });
}

function emitSgd(): FunctionBuilder[] {
  // No momentum: w -= lr * (sign*g + wd*w), or w -= lr * (sign*g) when wd == 0 (as board_native.c's sgd_f32).
  const plain = vectorLoop('sgd', 2, 3, (f, [w, g], [lr, sign, wd]) => {
    const wv = f.local(v128);
    f.get(w).get(w).v128Load().tee(wv);
    f.get(lr).get(sign).get(g).v128Load().f32x4Mul().get(wd).get(wv).f32x4Mul().f32x4Add().f32x4Mul();
    f.f32x4Sub().v128Store();
  });
  const noWd = vectorLoop('sgdNoWd', 2, 2, (f, [w, g], [lr, sign]) => {
    f.get(w).get(w).v128Load();
    f.get(lr).get(sign).get(g).v128Load().f32x4Mul().f32x4Mul();
    f.f32x4Sub().v128Store();
  });
  // Momentum: d = sign*g + wd*w; b = first ? d : mom*buf + damp*d; buf = b; w -= lr * (nesterov ? d + mom*b : b).
  const mom = (name: string, first: boolean, nesterov: boolean) =>
    vectorLoop(name, 3, 5, (f, [w, g, buf], [lr, m, damp, wd, sign]) => {
      const wv = f.local(v128),
        d = f.local(v128),
        b = f.local(v128);
      f.get(w).v128Load().set(wv);
      f.get(sign).get(g).v128Load().f32x4Mul().get(wd).get(wv).f32x4Mul().f32x4Add().set(d);
      if (first) f.get(d).set(b);
      else f.get(m).get(buf).v128Load().f32x4Mul().get(damp).get(d).f32x4Mul().f32x4Add().set(b);
      f.get(buf).get(b).v128Store();
      f.get(w).get(wv).get(lr);
      if (nesterov) f.get(d).get(m).get(b).f32x4Mul().f32x4Add();
      else f.get(b);
      f.f32x4Mul().f32x4Sub().v128Store();
    });
  return [
    plain,
    noWd,
    mom('sgdMom', false, false),
    mom('sgdMomFirst', true, false),
    mom('sgdNesterov', false, true),
    mom('sgdNesterovFirst', true, true),
  ];
}

function emitSumRows(): FunctionBuilder {
  // out[j] += rows[0][j] + rows[1][j] + ... in that order (nRows >= 1), four columns per vector: each column is summed
  // sequentially, as the TypeScript loop and board_native.c's sum_rows do, so every backend gives the same bits.
  const f = new FunctionBuilder('sumRows', [i32, i32, i32, i32, i32]);
  const [out, rows, ld, nRows, nv] = f.params as [Local, Local, Local, Local, Local];
  const p = f.local(i32),
    r = f.local(i32),
    acc = f.local(v128);
  f.block();
  f.get(nv).i32Eqz().brIf(0);
  f.loop();
  {
    f.get(out).v128Load().set(acc);
    f.get(rows).set(p);
    f.get(nRows).set(r);
    f.loop();
    {
      f.get(acc).get(p).v128Load().f32x4Add().set(acc);
      f.addLocal(p, ld);
      f.get(r).i32Const(1).i32Sub().tee(r).brIf(0);
    }
    f.end();
    f.get(out).get(acc).v128Store();
    f.addConst(out, 16).addConst(rows, 16);
    f.get(nv).i32Const(1).i32Sub().tee(nv).brIf(0);
  }
  f.end();
  f.end();
  return f;
}

function emitAdam(amsgrad: boolean): FunctionBuilder {
  // gi = sign*g + l2*w; m = b1*m + c1*gi; v = b2*v + c2*gi*gi; [vmax = max(vmax, v)];
  // w -= stepSize*m / (sqrt(v or vmax)*invBc2 + eps)   (adam_f32 in board_native.c)
  return vectorLoop(amsgrad ? 'adamAmsgrad' : 'adam', 5, 9, (f, [w, g, m, v, vmax], [sign, l2, b1, b2, c1, c2, step, invBc2, eps]) => {
    const wv = f.local(v128),
      gi = f.local(v128),
      mi = f.local(v128),
      vi = f.local(v128);
    f.get(w).v128Load().set(wv);
    f.get(sign).get(g).v128Load().f32x4Mul().get(l2).get(wv).f32x4Mul().f32x4Add().set(gi);
    f.get(m).get(b1).get(m).v128Load().f32x4Mul().get(c1).get(gi).f32x4Mul().f32x4Add().tee(mi).v128Store();
    f.get(v).get(b2).get(v).v128Load().f32x4Mul().get(c2).get(gi).f32x4Mul().get(gi).f32x4Mul().f32x4Add().tee(vi).v128Store();
    if (amsgrad) {
      // vm = vi > vmax ? vi : vmax (bitselect on the comparison mask keeps NaN handling as the C ternary).
      const old = f.local(v128);
      f.get(vmax).v128Load().set(old);
      f.get(vmax).get(vi).get(old).get(vi).get(old).f32x4Gt().v128Bitselect().tee(vi).v128Store();
    }
    f.get(w).get(wv);
    f.get(step).get(mi).f32x4Mul();
    f.get(vi).f32x4Sqrt().get(invBc2).f32x4Mul().get(eps).f32x4Add();
    f.f32x4Div().f32x4Sub().v128Store();
  });
}

/**
 * `maxPool2d(x, y, idx, planes, inH, inW, kH, kW, sH, sW, oH, oW)`: max pooling without padding or dilation over
 * `planes` consecutive planes; idx gets the flat index of the max within its input plane. First index on ties, and a
 * NaN wins and ends its window, as the TypeScript kernel (pool.ts maxPool2dPlain).
 */
function emitMaxPool(): FunctionBuilder {
  const f = new FunctionBuilder('maxPool2d', [i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [x, y, idx, planes, inH, inW, kH, kW, sH, sW, oH, oW] = f.params as Local[] as [
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
  ];
  const oh = f.local(i32),
    ow = f.local(i32),
    h = f.local(i32),
    w = f.local(i32),
    h0 = f.local(i32),
    h1 = f.local(i32),
    w0 = f.local(i32),
    w1 = f.local(i32),
    bi = f.local(i32),
    pos = f.local(i32),
    planeBytes = f.local(i32);
  const best = f.local(f32),
    val = f.local(f32);
  f.get(inH).get(inW).i32Mul().i32Const(2).i32Shl().set(planeBytes);
  f.block();
  f.get(planes).i32Eqz().brIf(0);
  f.loop(); // planes
  {
    f.i32Const(0).set(oh);
    f.loop(); // oh
    {
      f.get(oh).get(sH).i32Mul().tee(h0).get(kH).i32Add().tee(h1);
      f.get(inH).get(h1).get(inH).i32LtS().select().set(h1); // h1 = min(h0 + kH, inH)
      f.i32Const(0).set(ow);
      f.loop(); // ow
      {
        f.get(ow).get(sW).i32Mul().tee(w0).get(kW).i32Add().tee(w1);
        f.get(inW).get(w1).get(inW).i32LtS().select().set(w1);
        f.f32Const(-Infinity).set(best);
        f.get(h0).get(inW).i32Mul().get(w0).i32Add().set(bi);
        f.block(); // window (a NaN branches out of it)
        {
          f.get(h0).set(h);
          f.block().loop(); // h
          {
            f.get(h).get(h1).i32GeS().brIf(1);
            f.get(h).get(inW).i32Mul().get(w0).i32Add().set(pos);
            f.get(w0).set(w);
            f.block().loop(); // w
            {
              f.get(w).get(w1).i32GeS().brIf(1);
              f.get(x).get(pos).i32Const(2).i32Shl().i32Add().f32Load().set(val);
              f.get(val).get(val).f32Ne().if();
              f.get(val).set(best).get(pos).set(bi).br(5); // to the window block's end
              f.end();
              f.get(val).get(best).f32Gt().if();
              f.get(val).set(best).get(pos).set(bi);
              f.end();
              f.addConst(pos, 1).addConst(w, 1).br(0);
            }
            f.end().end();
            f.addConst(h, 1).br(0);
          }
          f.end().end();
        }
        f.end();
        f.get(y).get(best).f32Store();
        f.get(idx).get(bi).i32Store();
        f.addConst(y, 4).addConst(idx, 4);
        f.addConst(ow, 1).get(ow).get(oW).i32LtS().brIf(0);
      }
      f.end();
      f.addConst(oh, 1).get(oh).get(oH).i32LtS().brIf(0);
    }
    f.end();
    f.addLocal(x, planeBytes);
    f.get(planes).i32Const(1).i32Sub().tee(planes).brIf(0);
  }
  f.end();
  f.end();
  return f;
}

/**
 * `maxPool2x2(x, y, idx, planes, inH, inW, oH, oW4)`: 2x2 windows with stride 2, four outputs per step (oW4 = oW / 4).
 * The window's four values are visited in the scalar kernel's order (row 0 left, right, row 1 left, right) with the
 * same rule: a later value wins when it is greater or NaN, unless the best so far is already NaN.
 */
function emitMaxPool2x2(): FunctionBuilder {
  const f = new FunctionBuilder('maxPool2x2', [i32, i32, i32, i32, i32, i32, i32, i32]);
  const [x, y, idx, planes, inH, inW, oH, oW4] = f.params as Local[] as [Local, Local, Local, Local, Local, Local, Local, Local];
  const oh = f.local(i32),
    q = f.local(i32),
    r0 = f.local(i32),
    r1 = f.local(i32),
    rowIdx = f.local(i32),
    planeB = f.local(i32),
    rowB = f.local(i32);
  const v0 = f.local(v128),
    v1 = f.local(v128),
    best = f.local(v128),
    bi = f.local(v128),
    iv = f.local(v128),
    cand = f.local(v128),
    mask = f.local(v128),
    inWv = f.local(v128),
    one = f.local(v128);
  f.get(inH).get(inW).i32Mul().i32Const(2).i32Shl().set(planeB);
  f.get(inW).i32Const(2).i32Shl().set(rowB);
  f.get(inW).i32x4Splat().set(inWv);
  f.i32Const(1).i32x4Splat().set(one);
  // best/bi update with candidate values `cand` at indices iv
  const consider = () => {
    f.get(cand).get(best).f32x4Gt().get(cand).get(cand).f32x4Ne().v128Or().get(best).get(best).f32x4Eq().v128And().set(mask);
    f.get(cand).get(best).get(mask).v128Bitselect().set(best);
    f.get(iv).get(bi).get(mask).v128Bitselect().set(bi);
  };
  f.block();
  f.get(planes).i32Eqz().brIf(0);
  f.loop(); // planes
  {
    f.i32Const(0).set(oh);
    f.loop(); // oh
    {
      f.get(x).get(oh).get(rowB).i32Mul().i32Const(1).i32Shl().i32Add().set(r0); // row 2·oh
      f.get(r0).get(rowB).i32Add().set(r1);
      f.get(oh).get(inW).i32Mul().i32Const(1).i32Shl().set(rowIdx);
      f.get(oW4).set(q);
      f.get(rowIdx).i32x4Splat().i32x4Const(0, 2, 4, 6).i32x4Add().set(iv);
      f.loop(); // four outputs at a time
      {
        f.get(r0).v128Load(0).set(v0);
        f.get(r0).v128Load(16).set(v1);
        f.get(v0).get(v1).f32x4Shuffle(0, 2, 4, 6).set(best);
        f.get(iv).set(bi);
        f.get(v0).get(v1).f32x4Shuffle(1, 3, 5, 7).set(cand);
        f.get(iv).get(one).i32x4Add().set(iv);
        consider();
        f.get(r1).v128Load(0).set(v0);
        f.get(r1).v128Load(16).set(v1);
        f.get(v0).get(v1).f32x4Shuffle(0, 2, 4, 6).set(cand);
        f.get(iv).get(one).i32x4Add().get(inWv).i32x4Add().set(iv); // back to the left column, next row
        f.get(iv).i32x4Const(-2, -2, -2, -2).i32x4Add().set(iv);
        consider();
        f.get(v0).get(v1).f32x4Shuffle(1, 3, 5, 7).set(cand);
        f.get(iv).get(one).i32x4Add().set(iv);
        consider();
        f.get(y).get(best).v128Store();
        f.get(idx).get(bi).v128Store();
        // next four outputs: indices move 8 columns right from this step's row-0 left column
        f.get(iv).get(inWv).i32x4Sub().i32x4Const(7, 7, 7, 7).i32x4Add().set(iv);
        f.addConst(r0, 32).addConst(r1, 32).addConst(y, 16).addConst(idx, 16);
        f.get(q).i32Const(1).i32Sub().tee(q).brIf(0);
      }
      f.end();
      f.addConst(oh, 1).get(oh).get(oH).i32LtS().brIf(0);
    }
    f.end();
    f.addLocal(x, planeB);
    f.get(planes).i32Const(1).i32Sub().tee(planes).brIf(0);
  }
  f.end();
  f.end();
  return f;
}

/** `scatter(gy, idx, gx, planes, outPlane, inPlane, zero)`: per plane, [gx = 0 if zero, then] gx[idx[j]] += gy[j]. */
function emitScatter(): FunctionBuilder {
  const f = new FunctionBuilder('scatter', [i32, i32, i32, i32, i32, i32, i32]);
  const [gy, idx, gx, planes, outPlane, inPlane, zero] = f.params as [Local, Local, Local, Local, Local, Local, Local];
  const j = f.local(i32),
    p = f.local(i32),
    end = f.local(i32);
  f.block();
  f.get(planes).i32Eqz().brIf(0);
  f.loop();
  {
    // zero the plane (inPlane floats; the staging area is padded to whole vectors)
    f.get(zero).if();
    f.get(gx).set(p);
    f.get(gx).get(inPlane).i32Const(2).i32Shl().i32Add().set(end);
    f.block().loop();
    f.get(p).get(end).i32GeS().brIf(1);
    f.get(p).f32Const(0).f32Store();
    f.addConst(p, 4).br(0);
    f.end().end();
    f.end();
    f.i32Const(0).set(j);
    f.block().loop();
    {
      f.get(j).get(outPlane).i32GeS().brIf(1);
      f.get(gx).get(idx).i32Load().i32Const(2).i32Shl().i32Add().tee(p);
      f.get(p).f32Load().get(gy).f32Load().f32Add().f32Store();
      f.addConst(gy, 4).addConst(idx, 4).addConst(j, 1).br(0);
    }
    f.end().end();
    f.get(gx).get(inPlane).i32Const(2).i32Shl().i32Add().set(gx);
    f.get(planes).i32Const(1).i32Sub().tee(planes).brIf(0);
  }
  f.end();
  f.end();
  return f;
}

/**
 * `im2col(x, col, tab, C, inH, inW, kH, kW, sH, pH, dH, oH, oW, N, ldBytes, sW)` for 2-D geometry (im2col.ts has the
 * formula), over N consecutive samples: sample n's columns start at col + n·L floats, rows ldBytes apart. `tab` holds
 * per kernel column e the int32 triple (wOff, ow0, ow1): its input column offset and valid output range, computed in
 * TypeScript. With `adjoint` (col2im) the columns are added into x instead and out-of-image positions skipped.
 */
function emitIm2col(adjoint: boolean): FunctionBuilder {
  const f = new FunctionBuilder(adjoint ? 'col2im' : 'im2col', new Array<ValType>(16).fill(i32));
  const [x, col, tab, C, inH, inW, kH, kW, sH, pH, dH, oH, oW, N, ld, sW] = f.params as Local[] as [
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
  ];
  const n = f.local(i32),
    c = f.local(i32),
    b = f.local(i32),
    e = f.local(i32),
    oh = f.local(i32),
    ow = f.local(i32);
  const xc = f.local(i32),
    rowPtr = f.local(i32),
    j = f.local(i32),
    ih = f.local(i32),
    src = f.local(i32);
  const wOff = f.local(i32),
    ow0 = f.local(i32),
    ow1 = f.local(i32),
    t = f.local(i32),
    sample = f.local(i32),
    planeB = f.local(i32);
  const sWB = f.local(i32);
  f.get(inH).get(inW).i32Mul().i32Const(2).i32Shl().set(planeB);
  f.get(sW).i32Const(2).i32Shl().set(sWB);
  f.get(oH).get(oW).i32Mul().i32Const(2).i32Shl().set(sample); // L floats, in bytes
  // zero-store helper: col[j + a .. j + b) = 0 (forward only)
  const zeroRange = (from: Local | null, to: Local) => {
    if (from) f.get(from).set(ow);
    else f.i32Const(0).set(ow);
    f.block().loop();
    f.get(ow).get(to).i32GeS().brIf(1);
    f.get(j).get(ow).i32Const(2).i32Shl().i32Add().f32Const(0).f32Store();
    f.addConst(ow, 1).br(0);
    f.end().end();
  };
  // The in-image run col[j + ow .. j + to) <-> x[src ...] from the current ow: four floats at a time (unaligned v128)
  // when the columns are unit-stride (always, or checked at run time), then one at a time. im2col copies; col2im adds
  // each column value into its own input position (distinct positions along a run, so the vector adds are the scalar
  // adds, in the same order per element).
  const run = (to: Local, unitStride: boolean) => {
    if (!unitStride) f.get(sW).i32Const(1).i32Eq().if();
    f.block().loop();
    f.get(ow).i32Const(4).i32Add().get(to).i32GtS().brIf(1);
    if (adjoint) f.get(src).get(src).v128Load().get(j).get(ow).i32Const(2).i32Shl().i32Add().v128Load().f32x4Add().v128Store();
    else f.get(j).get(ow).i32Const(2).i32Shl().i32Add().get(src).v128Load().v128Store();
    f.addConst(src, 16).addConst(ow, 4).br(0);
    f.end().end();
    if (!unitStride) f.end();
    f.block().loop();
    f.get(ow).get(to).i32GeS().brIf(1);
    if (adjoint) f.get(src).get(src).f32Load().get(j).get(ow).i32Const(2).i32Shl().i32Add().f32Load().f32Add().f32Store();
    else f.get(j).get(ow).i32Const(2).i32Shl().i32Add().get(src).f32Load().f32Store();
    if (unitStride) f.addConst(src, 4);
    else f.addLocal(src, sWB);
    f.addConst(ow, 1).br(0);
    f.end().end();
  };
  f.i32Const(0).set(n);
  f.block().loop(); // samples
  f.get(n).get(N).i32GeS().brIf(1);
  f.get(x).get(n).get(C).i32Mul().get(planeB).i32Mul().i32Add().set(xc);
  f.get(col).get(n).get(sample).i32Mul().i32Add().set(rowPtr);
  f.i32Const(0).set(c);
  f.block().loop(); // c
  f.get(c).get(C).i32GeS().brIf(1);
  f.i32Const(0).set(b);
  f.block().loop(); // b (kernel row)
  f.get(b).get(kH).i32GeS().brIf(1);
  f.i32Const(0).set(e);
  f.block().loop(); // e (kernel column)
  {
    f.get(e).get(kW).i32GeS().brIf(1);
    f.get(tab).get(e).i32Const(12).i32Mul().i32Add().tee(t).i32Load(0).set(wOff);
    f.get(t).i32Load(4).set(ow0);
    f.get(t).i32Load(8).set(ow1);
    f.get(rowPtr).set(j);
    f.i32Const(0).set(oh);
    // Fast path: unit stride, every output column of this kernel column inside the image (ow0 = 0, ow1 = oW) and the
    // input rows of the first and last output rows inside too. Then each output row is a plain run of oW floats
    // (a small CNN's rows are 8-24 floats, so the per-row bounds work and empty zero loops of the general path cost
    // as much as the copy). Same stores and the same additions per element as the general path.
    f.get(b).get(dH).i32Mul().get(pH).i32Sub().set(ih); // input row of output row 0
    f.get(sW).i32Const(1).i32Eq();
    f.get(ow0).i32Eqz().i32And();
    f.get(ow1).get(oW).i32Eq().i32And();
    f.get(ih).i32Const(0).i32GeS().i32And();
    f.get(oH).i32Const(1).i32Sub().get(sH).i32Mul().get(ih).i32Add().get(inH).i32LtS().i32And();
    f.if();
    {
      f.get(xc).get(ih).get(inW).i32Mul().get(wOff).i32Add().i32Const(2).i32Shl().i32Add().set(t); // row source
      f.block().loop(); // oh
      {
        f.get(oh).get(oH).i32GeS().brIf(1);
        f.get(t).set(src);
        f.i32Const(0).set(ow);
        run(oW, true);
        f.get(t).get(sH).get(inW).i32Mul().i32Const(2).i32Shl().i32Add().set(t);
        f.get(j).get(oW).i32Const(2).i32Shl().i32Add().set(j);
        f.addConst(oh, 1).br(0);
      }
      f.end().end();
    }
    f.end();
    f.block().loop(); // oh (general path; the fast path leaves oh = oH)
    {
      f.get(oh).get(oH).i32GeS().brIf(1);
      f.get(oh).get(sH).i32Mul().get(pH).i32Sub().get(b).get(dH).i32Mul().i32Add().set(ih);
      f.get(ih).i32Const(0).i32LtS().get(ih).get(inH).i32GeS().i32Or().if();
      if (!adjoint) zeroRange(null, oW);
      f.else();
      f.get(xc).get(ih).get(inW).i32Mul().get(wOff).i32Add().get(ow0).get(sW).i32Mul().i32Add().i32Const(2).i32Shl().i32Add().set(src);
      if (!adjoint) zeroRange(null, ow0);
      f.get(ow0).set(ow);
      run(ow1, false);
      if (!adjoint) zeroRange(ow1, oW);
      f.end();
      f.get(j).get(oW).i32Const(2).i32Shl().i32Add().set(j);
      f.addConst(oh, 1).br(0);
    }
    f.end().end();
    f.addLocal(rowPtr, ld);
    f.addConst(e, 1).br(0);
  }
  f.end().end();
  f.addConst(b, 1).br(0);
  f.end().end();
  f.get(xc).get(planeB).i32Add().set(xc);
  f.addConst(c, 1).br(0);
  f.end().end();
  f.addConst(n, 1).br(0);
  f.end().end();
  return f;
}

/** The module's bytes (exported for the validation test); `shared` imports a shared memory (wasm-threads.ts). */
export function kernelModuleBytes(shared = false): Uint8Array<ArrayBuffer> {
  return buildModule(
    [
      ...emitRelu(),
      emitZeroFill(),
      ...emitSgd(),
      emitAdam(false),
      emitAdam(true),
      emitMaxPool(),
      emitMaxPool2x2(),
      emitScatter(),
      emitSumRows(),
      emitIm2col(false),
      emitIm2col(true),
    ],
    1,
    shared ? SHARED_MAX_PAGES : undefined,
  );
}

/** The worker pool as these kernels see it (wasm-threads.ts implements it): im2col/col2im split over samples. */
export interface KernelPool {
  readonly memory: WebAssembly.Memory;
  /** Floats at the start of the memory held by resident matrices: im2col/col2im stage their operands after them. */
  readonly reservedFloats: number;
  /** The float offset of X in the memory when X is a resident view of it (read or written in place), else -1. */
  residentOffset(X: Float32Array): number;
  /** Ready workers. */
  ready(): number;
  /**
   * Runs export `fn` over `conv.N` samples in conv.nChunks chunks of consecutive samples (kernelChunkArgs), claimed
   * by the caller (`own(c)`) and the workers as they are free; returns when all are done.
   */
  runKernel(fn: 'im2col' | 'col2im', conv: ConvChunks, own: (chunk: number) => void): void;
}

/** A batched im2col/col2im call to split: the 16 arguments for all N samples, and each sample's byte steps. */
export interface ConvChunks {
  args: number[];
  planeBytes: number;
  colBytes: number;
  N: number;
  nChunks: number;
}

/** The arguments of chunk c of `conv` (samples [N·c/nChunks, N·(c+1)/nChunks)) into `out`. */
export function kernelChunkArgs(conv: ConvChunks, c: number, out: number[]): number[] {
  const n0 = Math.floor((conv.N * c) / conv.nChunks),
    n1 = Math.floor((conv.N * (c + 1)) / conv.nChunks);
  for (let i = 0; i < 16; i++) out[i] = conv.args[i]!;
  out[0] = conv.args[0]! + n0 * conv.planeBytes;
  out[1] = conv.args[1]! + n0 * conv.colBytes;
  out[13] = n1 - n0;
  return out;
}

/** Column-matrix elements (rows x N*L) below which a batched im2col/col2im stays on one thread. */
export const IM2COL_THREAD_MIN = 1 << 18;

const PAGE = 65536;

/** The compiled module for unshared memories, compiled once: instances share its (tiered-up) code. */
let plainModule: WebAssembly.Module | undefined;
function kernelModule(shared: boolean): WebAssembly.Module {
  if (shared) return new WebAssembly.Module(kernelModuleBytes(true));
  return (plainModule ??= new WebAssembly.Module(kernelModuleBytes(false)));
}

/** The kernels over the wasm heap's memory (wasm-heap.ts), for updates of resident arrays in place; made on first use. */
interface HeapKernels {
  heap: WasmHeap;
  ex: Exports;
}
let heapKernels: HeapKernels | undefined;
function heapKernelsFor(heap: WasmHeap): HeapKernels {
  if (heapKernels?.heap !== heap) {
    heapKernels = {
      heap,
      ex: new WebAssembly.Instance(kernelModule(true), { env: { memory: heap.memory } }).exports as unknown as Exports,
    };
  }
  return heapKernels;
}

/**
 * Where an update over resident arrays runs: the heap's kernels, a view of its whole memory, and the float offset of
 * a staging area of `floats` floats after its blocks (for operands that are not resident). Undefined unless every
 * one of `arrays` (null entries ignored) is in the heap.
 */
function onHeap(floats: number, ...arrays: (Float32Array | null)[]): { ex: Exports; f32: Float32Array; stage: number } | undefined {
  const heap = existingWasmHeap();
  if (heap === null) return undefined;
  for (const a of arrays) if (a !== null && heap.offsetOf(a) < 0) return undefined;
  const stage = align4(heap.reservedFloats);
  const have = heap.memory.buffer.byteLength;
  if ((stage + floats) * 4 > have) heap.memory.grow(Math.ceil(((stage + floats) * 4 - have) / PAGE));
  return { ex: heapKernelsFor(heap).ex, f32: new Float32Array(heap.memory.buffer), stage };
}

/**
 * Fills a resident array (a view of the wasm heap) with zeros; false, doing nothing, when `a` is not resident.
 * Whole vectors go through the kernel and the last 0-3 floats through fill().
 */
export function zeroResident(a: Float32Array): boolean {
  const heap = existingWasmHeap();
  if (heap === null || heap.offsetOf(a) < 0) return false;
  const nv = a.length >> 2;
  heapKernelsFor(heap).ex.zeroFill(a.byteOffset, nv);
  a.fill(0, nv * 4);
  return true;
}

/** Whether w (and g) can be updated in place: resident, and a whole number of vectors (the kernels write whole ones). */
function inPlace(...arrays: Float32Array[]): boolean {
  const heap = existingWasmHeap();
  if (heap === null) return false;
  for (const a of arrays) if (a.length % 4 !== 0 || heap.offsetOf(a) < 0) return false;
  return true;
}

/** The kernels with their own growable memory. One instance per process (wasmKernels() in index.ts). */
export class WasmKernels {
  private readonly memory: WebAssembly.Memory;
  private readonly pool: KernelPool | null;
  private readonly ex: Exports;
  private f32: Float32Array;
  private i32: Int32Array;
  /** The current batched im2col/col2im call and one chunk's arguments (reused). */
  private readonly conv: ConvChunks = { args: new Array<number>(16).fill(0), planeBytes: 0, colBytes: 0, N: 0, nChunks: 0 };
  private readonly chunkArgs = new Array<number>(16).fill(0);
  private convFn: 'im2col' | 'col2im' = 'im2col';
  /** Runs chunk c of the current batched call on the caller (bound once: no closure per call). */
  private readonly ownConvChunk = (c: number): void => this.callConv(this.convFn, kernelChunkArgs(this.conv, c, this.chunkArgs));

  /** With a pool: the kernels over its shared memory, and batched im2col/col2im split over samples between threads. */
  constructor(pool: KernelPool | null = null) {
    this.pool = pool;
    this.memory = pool ? pool.memory : new WebAssembly.Memory({ initial: 16 });
    this.ex = new WebAssembly.Instance(kernelModule(pool !== null), { env: { memory: this.memory } }).exports as unknown as Exports;
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /** The im2col export over this instance's memory (wasm-conv-samples.ts calls it per sample). */
  im2colExport(): (...args: number[]) => void {
    return this.ex.im2col as (...args: number[]) => void;
  }

  /** Makes room for `floats` floats of staging; grows geometrically so steady-state calls never grow. */
  private reserve(floats: number): void {
    if (floats * 4 <= this.f32.byteLength) return;
    const have = this.memory.buffer.byteLength;
    // (A shared memory may have been grown by the sgemm kernel sharing it: then only the views are stale.)
    if (floats * 4 > have) this.memory.grow(Math.ceil((Math.max(floats * 4, have * 1.5) - have) / PAGE));
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /**
   * Runs the im2col/col2im export over N samples, split over samples between the caller and the pool's ready workers
   * when the column matrix is large: each sample's columns (and, for col2im, its input plane) belong to one thread, so
   * the result is the same as one call.
   */
  private convCall(fn: 'im2col' | 'col2im', tab: number, xs: number, cs: number, g: ConvGeom, N: number, ldBytes: number): void {
    const L = g.oH * g.oW;
    const a = this.conv.args;
    a[0] = xs * 4;
    a[1] = cs * 4;
    a[2] = tab * 4;
    a[3] = g.C;
    a[4] = g.inH;
    a[5] = g.inW;
    a[6] = g.kH;
    a[7] = g.kW;
    a[8] = g.sH;
    a[9] = g.pH;
    a[10] = g.dH;
    a[11] = g.oH;
    a[12] = g.oW;
    a[13] = N;
    a[14] = ldBytes;
    a[15] = g.sW;
    const threads = this.pool && N > 1 && g.C * g.kH * g.kW * N * L >= IM2COL_THREAD_MIN ? 1 + this.pool.ready() : 1;
    if (threads <= 1) return this.callConv(fn, a);
    const conv = this.conv;
    conv.planeBytes = g.C * g.inH * g.inW * 4;
    conv.colBytes = L * 4;
    conv.N = N;
    conv.nChunks = Math.min(N, 4 * threads);
    this.convFn = fn;
    this.pool!.runKernel(fn, conv, this.ownConvChunk);
  }

  private callConv(fn: 'im2col' | 'col2im', a: number[]): void {
    this.ex[fn](a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!, a[15]!);
  }

  reluForward(x: Float32Array, y: Float32Array): void {
    sameLength('reluForward', x, y);
    const mem = this.f32,
      n = x.length;
    for (let i = 0; i < n; i += CHUNK) {
      const c = Math.min(CHUNK, n - i);
      mem.set(x.subarray(i, i + c), 0);
      this.ex.reluFwd(0, CHUNK * 4, (c + 3) >> 2);
      y.set(mem.subarray(CHUNK, CHUNK + c), i);
    }
  }

  reluBackward(y: Float32Array, g: Float32Array, dx: Float32Array): void {
    sameLength('reluBackward', y, g, dx);
    const mem = this.f32,
      n = y.length;
    for (let i = 0; i < n; i += CHUNK) {
      const c = Math.min(CHUNK, n - i);
      mem.set(y.subarray(i, i + c), 0);
      mem.set(g.subarray(i, i + c), CHUNK);
      this.ex.reluBwd(0, CHUNK * 4, 2 * CHUNK * 4, (c + 3) >> 2);
      dx.set(mem.subarray(2 * CHUNK, 2 * CHUNK + c), i);
    }
  }

  /**
   * As NativeAddon.sumRows: out[j] = beta·out[j] + Σ_i g[i·N + j] over an [M, N] matrix (beta 0 or 1), a bias
   * gradient. Columns go in strips of up to CHUNK floats; each strip's partial sums stay in staging while the rows
   * stream through in blocks (one copy when the strip is the whole row).
   */
  sumRows(g: Float32Array, M: number, N: number, out: Float32Array, beta: number): void {
    if (g.length < M * N || out.length < N) {
      throw new Error(`sumRows: need ${M * N} gradient and ${N} output elements, got ${g.length} and ${out.length}`);
    }
    if (N === 0) return;
    if (beta === 0) out.fill(0, 0, N);
    if (M === 0) return;
    const mem = this.f32,
      ex = this.ex;
    for (let j0 = 0; j0 < N; j0 += CHUNK) {
      const w = Math.min(CHUNK, N - j0),
        ld = w === N ? N : align4(w);
      const rowsAt = CHUNK,
        block = Math.max(1, Math.floor((4 * CHUNK) / ld));
      mem.set(out.subarray(j0, j0 + w), 0);
      for (let i0 = 0; i0 < M; i0 += block) {
        const r = Math.min(block, M - i0);
        if (w === N) mem.set(g.subarray(i0 * N, (i0 + r) * N), rowsAt);
        else for (let i = 0; i < r; i++) mem.set(g.subarray((i0 + i) * N + j0, (i0 + i) * N + j0 + w), rowsAt + i * ld);
        ex.sumRows(0, rowsAt * 4, ld * 4, r, (w + 3) >> 2);
      }
      out.set(mem.subarray(0, w), j0);
    }
  }

  /** As NativeAddon.sgdUpdate: dampening is the option (the kernel uses 1 - dampening). */
  sgdUpdate(
    w: Float32Array,
    g: Float32Array,
    buf: Float32Array | null,
    lr: number,
    momentum: number,
    dampening: number,
    weightDecay: number,
    nesterov: boolean,
    sign: number,
    first: boolean,
  ): void {
    sameLength('sgdUpdate', w, g, ...(buf ? [buf] : []));
    const n = w.length;
    // Resident state (and resident w and g) are updated in place by the heap's kernels; w and g are staged after
    // the heap's blocks when they are not resident.
    const direct = inPlace(w, g);
    const heap = buf ? onHeap(direct ? 0 : 2 * CHUNK, buf) : direct ? onHeap(0) : undefined;
    const mem = heap ? heap.f32 : this.f32,
      ex = heap ? heap.ex : this.ex;
    const damp = 1 - dampening;
    const momFn = nesterov ? (first ? ex.sgdNesterovFirst : ex.sgdNesterov) : first ? ex.sgdMomFirst : ex.sgdMom;
    if (heap && direct) {
      const W = w.byteOffset,
        G = g.byteOffset,
        nv = n >> 2;
      if (buf) momFn(W, G, buf.byteOffset, nv, lr, momentum, damp, weightDecay, sign);
      else if (weightDecay === 0) ex.sgdNoWd(W, G, nv, lr, sign);
      else ex.sgd(W, G, nv, lr, sign, weightDecay);
      return;
    }
    const S = heap ? heap.stage : 0;
    const W = S * 4,
      G = (S + CHUNK) * 4;
    for (let i = 0; i < n; i += CHUNK) {
      const c = Math.min(CHUNK, n - i),
        nv = (c + 3) >> 2;
      mem.set(w.subarray(i, i + c), S);
      mem.set(g.subarray(i, i + c), S + CHUNK);
      if (!buf) {
        if (weightDecay === 0) ex.sgdNoWd(W, G, nv, lr, sign);
        else ex.sgd(W, G, nv, lr, sign, weightDecay);
      } else if (heap) {
        momFn(W, G, buf.byteOffset + i * 4, nv, lr, momentum, damp, weightDecay, sign); // the buffer in place
      } else {
        if (!first) mem.set(buf.subarray(i, i + c), 2 * CHUNK);
        momFn(W, G, 2 * CHUNK * 4, nv, lr, momentum, damp, weightDecay, sign);
        buf.set(mem.subarray(2 * CHUNK, 2 * CHUNK + c), i);
      }
      w.set(mem.subarray(S, S + c), i);
    }
  }

  /** As NativeAddon.adamUpdate; m, v (and vmax) are updated in place when they are resident in the wasm heap. */
  adamUpdate(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    vmax: Float32Array | null,
    sign: number,
    l2: number,
    beta1: number,
    beta2: number,
    stepSize: number,
    bc2Sqrt: number,
    eps: number,
  ): void {
    sameLength('adamUpdate', w, g, m, v, ...(vmax ? [vmax] : []));
    const n = w.length;
    // Resident moments are updated in place by the heap's kernels, and so are w and g when they are resident too;
    // otherwise w and g are staged after the heap's blocks.
    const direct = inPlace(w, g);
    const heap = onHeap(direct ? 0 : 2 * CHUNK, m, v, vmax);
    const mem = heap ? heap.f32 : this.f32,
      ex = heap ? heap.ex : this.ex;
    const fn = vmax ? ex.adamAmsgrad : ex.adam;
    const c1 = 1 - beta1,
      c2 = 1 - beta2,
      invBc2 = 1 / bc2Sqrt;
    if (heap && direct) {
      const VM = vmax ? vmax.byteOffset : 0;
      fn(w.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, VM, n >> 2, sign, l2, beta1, beta2, c1, c2, stepSize, invBc2, eps);
      return;
    }
    const S = heap ? heap.stage : 0;
    for (let i = 0; i < n; i += CHUNK) {
      const c = Math.min(CHUNK, n - i),
        nv = (c + 3) >> 2;
      mem.set(w.subarray(i, i + c), S);
      mem.set(g.subarray(i, i + c), S + CHUNK);
      if (heap) {
        const at = i * 4;
        const VM = vmax ? vmax.byteOffset + at : 0;
        fn(S * 4, (S + CHUNK) * 4, m.byteOffset + at, v.byteOffset + at, VM, nv, sign, l2, beta1, beta2, c1, c2, stepSize, invBc2, eps);
        w.set(mem.subarray(S, S + c), i);
        continue;
      }
      mem.set(m.subarray(i, i + c), 2 * CHUNK);
      mem.set(v.subarray(i, i + c), 3 * CHUNK);
      if (vmax) mem.set(vmax.subarray(i, i + c), 4 * CHUNK);
      fn(0, CHUNK * 4, 2 * CHUNK * 4, 3 * CHUNK * 4, 4 * CHUNK * 4, nv, sign, l2, beta1, beta2, c1, c2, stepSize, invBc2, eps);
      w.set(mem.subarray(0, c), i);
      m.set(mem.subarray(2 * CHUNK, 2 * CHUNK + c), i);
      v.set(mem.subarray(3 * CHUNK, 3 * CHUNK + c), i);
      if (vmax) vmax.set(mem.subarray(4 * CHUNK, 4 * CHUNK + c), i);
    }
  }

  /** Whether im2col/col2im below handle this geometry (2-D or 1-D: no depth). */
  static planar(g: ConvGeom): boolean {
    return g.kD === 1 && g.inD === 1 && g.oD === 1 && g.pD === 0;
  }

  /** Writes the (wOff, ow0, ow1) table of emitIm2col at float offset `at`; returns the floats it takes. */
  private columnTable(g: ConvGeom, at: number): number {
    const t = this.i32;
    for (let e = 0; e < g.kW; e++) {
      const wOff = e * g.dW - g.pW;
      const ow0 = wOff >= 0 ? 0 : Math.min(g.oW, Math.ceil(-wOff / g.sW));
      t[at + 3 * e] = wOff;
      t[at + 3 * e + 1] = ow0;
      t[at + 3 * e + 2] = Math.max(ow0, Math.min(g.oW, Math.ceil((g.inW - wOff) / g.sW)));
    }
    return align4(3 * g.kW);
  }

  /** Where im2col/col2im stage: after the pool's resident region (0 without a pool). */
  private stageBase(): number {
    return this.pool ? align4(this.pool.reservedFloats) : 0;
  }

  /**
   * im2col.ts's im2col for N consecutive samples (planar geometry, bounds already checked): sample n's columns go to
   * col[colOff + n·L + r·ld]. One copy in, one copy out when the rows are dense; with a pool, a resident `col`
   * (WasmThreadPool.resident) is written in place, with no copy out.
   */
  im2col(x: Float32Array, xOff: number, g: ConvGeom, col: Float32Array, colOff: number, ld: number, N = 1): void {
    const L = g.oH * g.oW,
      rows = g.C * g.kH * g.kW,
      xLen = N * g.C * g.inH * g.inW,
      w = N * L;
    const res = this.pool ? this.pool.residentOffset(col) : -1;
    const base = this.stageBase();
    const tabLen = align4(3 * g.kW),
      xs = base + tabLen,
      cs = xs + align4(xLen);
    this.reserve(res >= 0 ? cs : cs + rows * w);
    this.columnTable(g, base);
    const mem = this.f32;
    mem.set(x.subarray(xOff, xOff + xLen), xs);
    if (res >= 0) return this.convCall('im2col', base, xs, res + colOff, g, N, ld * 4);
    this.convCall('im2col', base, xs, cs, g, N, w * 4);
    if (ld === w) col.set(mem.subarray(cs, cs + rows * w), colOff);
    else for (let r = 0; r < rows; r++) col.set(mem.subarray(cs + r * w, cs + (r + 1) * w), colOff + r * ld);
  }

  /** im2col.ts's col2im (adds into dx) for N consecutive samples, the adjoint of im2col above (a resident `col` is
   * read in place). */
  col2im(col: Float32Array, g: ConvGeom, dx: Float32Array, dxOff: number, colOff: number, ld: number, N = 1): void {
    const L = g.oH * g.oW,
      rows = g.C * g.kH * g.kW,
      xLen = N * g.C * g.inH * g.inW,
      w = N * L;
    const res = this.pool ? this.pool.residentOffset(col) : -1;
    const base = this.stageBase();
    const tabLen = align4(3 * g.kW),
      xs = base + tabLen,
      cs = xs + align4(xLen);
    this.reserve(res >= 0 ? cs : cs + rows * w);
    this.columnTable(g, base);
    const mem = this.f32;
    mem.set(dx.subarray(dxOff, dxOff + xLen), xs);
    if (res >= 0) this.convCall('col2im', base, xs, res + colOff, g, N, ld * 4);
    else {
      if (ld === w) mem.set(col.subarray(colOff, colOff + rows * w), cs);
      else for (let r = 0; r < rows; r++) mem.set(col.subarray(colOff + r * ld, colOff + r * ld + w), cs + r * w);
      this.convCall('col2im', base, xs, cs, g, N, w * 4);
    }
    dx.set(mem.subarray(xs, xs + xLen), dxOff);
  }

  /** As NativeAddon.maxPool2d: no padding or dilation; y and idx written in full. */
  maxPool2d(
    x: Float32Array,
    y: Float32Array,
    idx: Int32Array,
    NC: number,
    inH: number,
    inW: number,
    kH: number,
    kW: number,
    sH: number,
    sW: number,
    oH: number,
    oW: number,
  ): void {
    const plane = inH * inW,
      outPlane = oH * oW;
    if (NC === 0 || outPlane === 0) return;
    if (x.length < NC * plane || y.length < NC * outPlane || idx.length < NC * outPlane) {
      throw new Error(`maxPool2d: arrays too short for ${NC} planes of ${inH}x${inW} -> ${oH}x${oW}`);
    }
    // As many planes per chunk as fit 4 * CHUNK floats of input (at least one plane, whatever its size).
    const per = Math.max(1, Math.floor((4 * CHUNK) / plane));
    const xs = 0,
      ys = align4(per * plane),
      is = ys + align4(per * outPlane);
    this.reserve(is + align4(per * outPlane));
    const mem = this.f32,
      im = this.i32;
    // The common 2x2 / stride 2 window over rows of whole f32x4 output groups has a SIMD kernel.
    const fast = kH === 2 && kW === 2 && sH === 2 && sW === 2 && oW % 4 === 0 && 2 * oH <= inH && 2 * oW <= inW;
    for (let p = 0; p < NC; p += per) {
      const k = Math.min(per, NC - p);
      mem.set(x.subarray(p * plane, (p + k) * plane), xs);
      if (fast) this.ex.maxPool2x2(xs * 4, ys * 4, is * 4, k, inH, inW, oH, oW >> 2);
      else this.ex.maxPool2d(xs * 4, ys * 4, is * 4, k, inH, inW, kH, kW, sH, sW, oH, oW);
      y.set(mem.subarray(ys, ys + k * outPlane), p * outPlane);
      idx.set(im.subarray(is, is + k * outPlane), p * outPlane);
    }
  }

  /**
   * gx += gy at the recorded positions, plane by plane; with zeroFirst each plane is cleared first (gx may then be
   * uninitialised). idx must hold in-plane indices in [0, inPlane), as maxPool2d produces.
   */
  scatterByIndex(
    gy: Float32Array,
    idx: Int32Array,
    gx: Float32Array,
    NC: number,
    outPlane: number,
    inPlane: number,
    zeroFirst: boolean,
  ): void {
    if (gy.length < NC * outPlane || idx.length < NC * outPlane || gx.length < NC * inPlane) {
      throw new Error(`scatterByIndex: arrays too short for ${NC} planes of ${outPlane} -> ${inPlane}`);
    }
    if (NC === 0 || inPlane === 0) return;
    const per = Math.max(1, Math.floor((4 * CHUNK) / inPlane));
    const gs = 0,
      is = align4(per * outPlane),
      xs = is + align4(per * outPlane);
    this.reserve(xs + align4(per * inPlane));
    const mem = this.f32,
      im = this.i32;
    for (let p = 0; p < NC; p += per) {
      const k = Math.min(per, NC - p);
      mem.set(gy.subarray(p * outPlane, (p + k) * outPlane), gs);
      im.set(idx.subarray(p * outPlane, (p + k) * outPlane), is);
      if (!zeroFirst) mem.set(gx.subarray(p * inPlane, (p + k) * inPlane), xs);
      this.ex.scatter(gs * 4, is * 4, xs * 4, k, outPlane, inPlane, zeroFirst ? 1 : 0);
      gx.set(mem.subarray(xs, xs + k * inPlane), p * inPlane);
    }
  }
}

function sameLength(fn: string, first: Float32Array, ...rest: Float32Array[]): void {
  for (const a of rest) {
    if (a.length !== first.length) throw new Error(`${fn}: array lengths differ (${first.length} and ${a.length})`);
  }
}
