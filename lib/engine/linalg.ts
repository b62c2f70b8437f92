// Matrix products. Every float product goes through the gemm kernels (lib/engine/kernels), with transposed
// views passed as transpose flags (no copies); only views that are strided in both dims get copied.
import { allocate, scalarTypeName, type DType, type TypedArray } from './dtype.ts';
import { shapeStr, broadcastShapes, numelOf } from './layout.ts';
import { Tensor } from './tensor.ts';
import { record, clock } from './graph.ts';
import { emptyRaw } from './creation.ts';
import { copyRaw, reshape, expand } from './movement.ts';
import { sgemm, dgemm } from './kernels/index.ts';

interface GemmOperand {
  arr: TypedArray;
  off: number;
  ld: number;
  trans: boolean;
}

/** Describe a 2-D (rows x cols) strided matrix for gemm: row-major, or column-major as a transpose flag. */
function operand(storage: TypedArray, off: number, rows: number, cols: number, rs: number, cs: number): GemmOperand | null {
  if (cs === 1 || cols === 1) return { arr: storage, off, ld: Math.max(cols === 1 && cs !== 1 ? rs : rs, cols, 1), trans: false };
  if (rs === 1 || rows === 1) return { arr: storage, off, ld: Math.max(cs, rows, 1), trans: true };
  return null;
}

function fixLd(op: GemmOperand, rows: number, cols: number, rs: number, cs: number): GemmOperand {
  // Row-major needs ld >= cols; a size-1 dim's stride is arbitrary, so use a safe ld in that case.
  if (!op.trans) return { ...op, ld: rows === 1 ? Math.max(cols, 1) : rs };
  return { ...op, ld: cols === 1 ? Math.max(rows, 1) : cs };
}

function checkSameDtype(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new TypeError(
      `${op}: expected scalar type ${scalarTypeName(a.dtype)} but found ${scalarTypeName(b.dtype)} (operands ${a.dtype} ${shapeStr(a.shape)} and ${b.dtype} ${shapeStr(b.shape)})`,
    );
  }
}

/**
 * C[cOff..] (M x N, row stride ldc) = alpha * A * B + beta * C for 2-D strided views given by (storage, offset, strides).
 * Integer dtypes run a plain loop in double.
 */
function gemmInto(
  dtype: DType,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: Tensor,
  aOff: number,
  ars: number,
  acs: number,
  b: Tensor,
  bOff: number,
  brs: number,
  bcs: number,
  beta: number,
  C: TypedArray,
  cOff: number,
  ldc: number,
): void {
  if (M === 0 || N === 0) return;
  if (dtype !== 'float32' && dtype !== 'float64') {
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.storage[aOff + i * ars + k * acs]! * b.storage[bOff + k * brs + j * bcs]!;
        const c = cOff + i * ldc + j;
        C[c] = alpha * s + (beta === 0 ? 0 : beta * C[c]!);
      }
    return;
  }
  let A = operand(a.storage, aOff, M, K, ars, acs),
    B = operand(b.storage, bOff, K, N, brs, bcs);
  let aS = a.storage,
    bS = b.storage;
  if (!A) {
    const c = copyRaw(new Tensor(a.storage, [M, K], [ars, acs], aOff, dtype));
    aS = c.storage;
    A = { arr: aS, off: 0, ld: K, trans: false };
  } else A = fixLd(A, M, K, ars, acs);
  if (!B) {
    const c = copyRaw(new Tensor(b.storage, [K, N], [brs, bcs], bOff, dtype));
    bS = c.storage;
    B = { arr: bS, off: 0, ld: N, trans: false };
  } else B = fixLd(B, K, N, brs, bcs);
  if (K === 0) {
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C[cOff + i * ldc + j] = beta === 0 ? 0 : beta * C[cOff + i * ldc + j]!;
    return;
  }
  if (dtype === 'float32') {
    sgemm(
      A.trans,
      B.trans,
      M,
      N,
      K,
      alpha,
      A.arr as Float32Array,
      A.off,
      A.ld,
      B.arr as Float32Array,
      B.off,
      B.ld,
      beta,
      C as Float32Array,
      cOff,
      ldc,
    );
  } else {
    dgemm(
      A.trans,
      B.trans,
      M,
      N,
      K,
      alpha,
      A.arr as Float64Array,
      A.off,
      A.ld,
      B.arr as Float64Array,
      B.off,
      B.ld,
      beta,
      C as Float64Array,
      cOff,
      ldc,
    );
  }
}

function mmRaw(a: Tensor, b: Tensor): Tensor {
  const [M, K] = a.shape as [number, number],
    N = b.shape[1]!;
  const out = emptyRaw([M, N], a.dtype);
  gemmInto(a.dtype, M, N, K, 1, a, a.offset, a.strides[0]!, a.strides[1]!, b, b.offset, b.strides[0]!, b.strides[1]!, 0, out.storage, 0, N);
  return out;
}

export function mm(a: Tensor, b: Tensor): Tensor {
  const t0 = clock();
  if (a.dim() !== 2) throw new RangeError(`mm: self must be a matrix (got shape ${shapeStr(a.shape)})`);
  if (b.dim() !== 2) throw new RangeError(`mm: mat2 must be a matrix (got shape ${shapeStr(b.shape)})`);
  if (a.shape[1] !== b.shape[0])
    throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]})`);
  checkSameDtype('mm', a, b);
  const out = mmRaw(a, b);
  record('mm', 'MmBackward0', [a, b], [out], [b.requiresGrad ? a : null, a.requiresGrad ? b : null], {}, t0);
  return out;
}

export function bmm(a: Tensor, b: Tensor): Tensor {
  const t0 = clock();
  if (a.dim() !== 3 || b.dim() !== 3)
    throw new RangeError(`bmm: batch1 and batch2 must be 3D tensors (got ${shapeStr(a.shape)} and ${shapeStr(b.shape)})`);
  const [B, M, K] = a.shape as [number, number, number],
    N = b.shape[2]!;
  if (b.shape[0] !== B || b.shape[1] !== K)
    throw new RangeError(
      `bmm: Expected size for first two dimensions of batch2 tensor to be: [${B}, ${K}] but got: [${b.shape[0]}, ${b.shape[1]}]. (batch1 ${shapeStr(a.shape)}, batch2 ${shapeStr(b.shape)})`,
    );
  checkSameDtype('bmm', a, b);
  const out = emptyRaw([B, M, N], a.dtype);
  for (let i = 0; i < B; i++) {
    gemmInto(
      a.dtype,
      M,
      N,
      K,
      1,
      a,
      a.offset + i * a.strides[0]!,
      a.strides[1]!,
      a.strides[2]!,
      b,
      b.offset + i * b.strides[0]!,
      b.strides[1]!,
      b.strides[2]!,
      0,
      out.storage,
      i * M * N,
      N,
    );
  }
  record('bmm', 'BmmBackward0', [a, b], [out], [b.requiresGrad ? a : null, a.requiresGrad ? b : null], {}, t0);
  return out;
}

export function mv(a: Tensor, v: Tensor): Tensor {
  const t0 = clock();
  if (a.dim() !== 2 || v.dim() !== 1)
    throw new RangeError(
      `mv: vector + matrix @ vector expected, got ${a.dim()}, ${v.dim()} (shapes ${shapeStr(a.shape)} and ${shapeStr(v.shape)})`,
    );
  if (a.shape[1] !== v.shape[0])
    throw new RangeError(`size mismatch, got input (${a.shape[0]}), mat (${a.shape[0]}x${a.shape[1]}), vec (${v.shape[0]})`);
  checkSameDtype('mv', a, v);
  const M = a.shape[0]!,
    K = a.shape[1]!;
  const out = emptyRaw([M], a.dtype);
  gemmInto(a.dtype, M, 1, K, 1, a, a.offset, a.strides[0]!, a.strides[1]!, v, v.offset, v.strides[0]!, 1, 0, out.storage, 0, 1);
  record('mv', 'MvBackward0', [a, v], [out], [v.requiresGrad ? a : null, a.requiresGrad ? v : null], {}, t0);
  return out;
}

export function dot(a: Tensor, b: Tensor): Tensor {
  const t0 = clock();
  if (a.dim() !== 1 || b.dim() !== 1) throw new RangeError(`1D tensors expected, but got ${a.dim()}D and ${b.dim()}D tensors`);
  if (a.shape[0] !== b.shape[0])
    throw new RangeError(
      `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
    );
  checkSameDtype('dot', a, b);
  let s = 0;
  for (let i = 0; i < a.shape[0]!; i++) s += a.storage[a.offset + i * a.strides[0]!]! * b.storage[b.offset + i * b.strides[0]!]!;
  const arr = allocate(a.dtype, 1);
  arr[0] = s;
  const out = Tensor.fromTypedArray(arr, [], a.dtype);
  record('dot', 'DotBackward0', [a, b], [out], [a, b], {}, t0);
  return out;
}

/** torch.outer = a.reshape(n, 1) * b (MulBackward0, as PyTorch). */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 1 || b.dim() !== 1)
    throw new RangeError(`outer: expected 1-D vectors, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  return reshape(a, [a.shape[0]!, 1]).mul(b);
}

/** beta * input + alpha * (m1 @ m2), input broadcast to the product's shape. AddmmBackward0. */
export function addmm(input: Tensor, m1: Tensor, m2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  const t0 = clock();
  const beta = opts.beta ?? 1,
    alpha = opts.alpha ?? 1;
  if (m1.dim() !== 2 || m2.dim() !== 2)
    throw new RangeError(`addmm: expected 2-D matrices, got ${shapeStr(m1.shape)} and ${shapeStr(m2.shape)}`);
  if (m1.shape[1] !== m2.shape[0])
    throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${m1.shape[0]}x${m1.shape[1]} and ${m2.shape[0]}x${m2.shape[1]})`);
  checkSameDtype('addmm', m1, m2);
  const M = m1.shape[0]!,
    K = m1.shape[1]!,
    N = m2.shape[1]!;
  const out = emptyRaw([M, N], m1.dtype);
  if (beta !== 0) {
    const bc = expand(input.detach(), [M, N]);
    const src = bc.contiguous().dataSync();
    for (let i = 0; i < M * N; i++) out.storage[i] = src[i]!;
  }
  gemmInto(
    m1.dtype,
    M,
    N,
    K,
    alpha,
    m1,
    m1.offset,
    m1.strides[0]!,
    m1.strides[1]!,
    m2,
    m2.offset,
    m2.strides[0]!,
    m2.strides[1]!,
    beta,
    out.storage,
    0,
    N,
  );
  record(
    'addmm',
    'AddmmBackward0',
    [input, m1, m2],
    [out],
    [m2.requiresGrad ? m1 : null, m1.requiresGrad ? m2 : null],
    { alpha, beta },
    t0,
  );
  return out;
}

/** torch.matmul with PyTorch 1.13's dispatch (dot, mv, mm, folded mm, broadcast bmm) and node names. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const da = a.dim(),
    db = b.dim();
  if (da === 0 || db === 0) throw new RangeError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  const kA = a.shape[da - 1]!,
    kB = db === 1 ? b.shape[0]! : b.shape[db - 2]!;
  if (kA !== kB) {
    const s = (t: Tensor) => (t.dim() === 1 ? `${t.shape[0]}` : `${numelOf(t.shape.slice(0, -1))}x${t.shape[t.dim() - 1]}`);
    if (da === 1 && db === 1)
      throw new RangeError(
        `inconsistent tensor size, expected tensor [${kA}] and src [${kB}] to have the same number of elements, but got ${kA} and ${kB} elements respectively`,
      );
    throw new RangeError(
      `mat1 and mat2 shapes cannot be multiplied (${da === 1 ? `1x${kA}` : s(a)} and ${db === 1 ? `${kB}x1` : `${b.shape[db - 2]}x${b.shape[db - 1]}`})`,
    );
  }
  if (da === 1 && db === 1) return dot(a, b);
  if (da === 2 && db === 1) return mv(a, b);
  if (da === 1 && db === 2) {
    const t0 = clock();
    const r = mm(reshape(a, [1, kA]), b);
    const out = r._view([r.shape[1]!], [r.strides[1]!], r.offset);
    record('reshape', 'SqueezeBackward3', [r], [out], [], {}, t0, 'squeeze');
    return out;
  }
  if (da === 2 && db === 2) return mm(a, b);
  if (da >= 3 && (db === 1 || db === 2)) {
    // Fold the batch dims into rows: one big mm (or mv), then an unsafe view back.
    const t0 = clock();
    const lead = a.shape.slice(0, -1);
    const folded = reshape(a, [-1, kA]);
    const r = db === 1 ? mv(folded, b) : mm(folded, b);
    const outShape = db === 1 ? lead : [...lead, b.shape[1]!];
    const out = r.detach().reshape(outShape).detach();
    record('reshape', 'UnsafeViewBackward0', [r], [out], [], {}, t0, 'matmul');
    return out;
  }
  // Batched: broadcast the batch dims, bmm, unsafe view back.
  const t0 = clock();
  const a2 = da === 1 ? reshape(a, [1, kA]) : a,
    b2 = db === 1 ? reshape(b, [kB, 1]) : b;
  const batchA = a2.shape.slice(0, -2),
    batchB = b2.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB, 'matmul');
  const M = a2.shape[a2.dim() - 2]!,
    N = b2.shape[b2.dim() - 1]!;
  const nb = numelOf(batch);
  const a3 = reshape(expand(a2, [...batch, M, kA]), [nb, M, kA]);
  const b3 = reshape(expand(b2, [...batch, kB, N]), [nb, kB, N]);
  const r = bmm(a3, b3);
  let outShape = [...batch, M, N];
  if (da === 1) outShape = [...batch, N];
  if (db === 1) outShape = [...batch, M];
  const out = r.detach().reshape(outShape).detach();
  record('reshape', 'UnsafeViewBackward0', [r], [out], [], {}, t0, 'matmul');
  return out;
}
