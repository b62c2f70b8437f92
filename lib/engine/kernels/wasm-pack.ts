// Generated WebAssembly packing routines (see wasm-sgemm.ts for the panel layout they produce).
//
// Why pack inside wasm: on Node 20, a JavaScript loop that stores into a typed array reloads the array's base and
// length on every element (~2 ns/element here), which made packing cost as much as a third of a 512^3 product.
// Instead the operands are copied into wasm memory with TypedArray.set (a memcpy) and packed here with SIMD:
// a panel is `w` rows (w = MR for A, NR for B) of a source matrix, written as kc steps of w consecutive floats.
//   packW: the w values of one k step are contiguous in the source (A^T, plain B): one v128 copy per 4 floats.
//   packK: the source rows are contiguous along k (plain A, B^T): 4x4 transposes with f32x4 shuffles.
// Only full panels are packed here; the (at most one) ragged edge panel is packed by a scalar JS loop.

import { FunctionBuilder, ValType, type Local } from './wasm-emitter.ts';

const { i32, v128 } = ValType;

function params5(f: FunctionBuilder): [Local, Local, Local, Local, Local] {
  return f.params as [Local, Local, Local, Local, Local];
}

/** `name(src, ldBytes, kc, nPanels, dst)`: dst[p][k][r] = src[p*w + r + k*ld] for w-float rows, nPanels, kc >= 1. */
export function emitPackW(name: string, w: number): FunctionBuilder {
  if (w % 4 !== 0) throw new Error(`emitPackW: panel width ${w} must be a multiple of 4`);
  const f = new FunctionBuilder(name, [i32, i32, i32, i32, i32]);
  const [src, ld, kc, nPanels, dst] = params5(f);
  const s = f.local(i32),
    k = f.local(i32);
  f.loop();
  {
    f.get(src).set(s);
    f.get(kc).set(k);
    f.loop();
    {
      for (let v = 0; v < w / 4; v++)
        f.get(dst)
          .get(s)
          .v128Load(v * 16)
          .v128Store(v * 16);
      f.addLocal(s, ld).addConst(dst, w * 4);
      f.get(k).i32Const(1).i32Sub().tee(k).brIf(0);
    }
    f.end();
    f.addConst(src, w * 4);
    f.get(nPanels).i32Const(1).i32Sub().tee(nPanels).brIf(0);
  }
  f.end();
  return f;
}

/** `name(src, ldBytes, kc, nPanels, dst)`: dst[p][k][r] = src[(p*w + r)*ld + k]: w source rows, contiguous in k. */
export function emitPackK(name: string, w: number): FunctionBuilder {
  if (w % 4 !== 0) throw new Error(`emitPackK: panel width ${w} must be a multiple of 4`);
  const f = new FunctionBuilder(name, [i32, i32, i32, i32, i32]);
  const [src, ld, kc, nPanels, dst] = params5(f);
  const k = f.local(i32),
    ko = f.local(i32);
  const rows: Local[] = Array.from({ length: w }, () => f.local(i32));
  const x = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const t = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  f.loop(); // panels
  {
    f.get(src).set(rows[0]!);
    for (let r = 1; r < w; r++)
      f.get(rows[r - 1]!)
        .get(ld)
        .i32Add()
        .set(rows[r]!);
    f.i32Const(0).set(ko);
    f.get(kc).set(k);
    // Four k steps at a time: for each group of 4 rows, a 4x4 transpose.
    f.block().loop();
    {
      f.get(k).i32Const(4).i32LtS().brIf(1);
      for (let g = 0; g < w / 4; g++) {
        for (let j = 0; j < 4; j++)
          f.get(rows[g * 4 + j]!)
            .get(ko)
            .i32Add()
            .v128Load()
            .set(x[j]!);
        f.get(x[0]!).get(x[1]!).f32x4Shuffle(0, 4, 1, 5).set(t[0]!); // a0 b0 a1 b1
        f.get(x[2]!).get(x[3]!).f32x4Shuffle(0, 4, 1, 5).set(t[1]!); // c0 d0 c1 d1
        f.get(x[0]!).get(x[1]!).f32x4Shuffle(2, 6, 3, 7).set(t[2]!); // a2 b2 a3 b3
        f.get(x[2]!).get(x[3]!).f32x4Shuffle(2, 6, 3, 7).set(t[3]!); // c2 d2 c3 d3
        const out: Array<[number, number, [number, number, number, number]]> = [
          [0, 1, [0, 1, 4, 5]],
          [0, 1, [2, 3, 6, 7]],
          [2, 3, [0, 1, 4, 5]],
          [2, 3, [2, 3, 6, 7]],
        ];
        out.forEach(([p, q, lanes], j) => {
          f.get(dst)
            .get(t[p]!)
            .get(t[q]!)
            .f32x4Shuffle(...lanes)
            .v128Store((j * w + g * 4) * 4);
        });
      }
      f.addConst(ko, 16)
        .addConst(dst, 4 * w * 4)
        .addConst(k, -4);
      f.br(0);
    }
    f.end().end();
    // Remaining k steps one float at a time.
    f.block().loop();
    {
      f.get(k).i32Eqz().brIf(1);
      for (let r = 0; r < w; r++)
        f.get(dst)
          .get(rows[r]!)
          .get(ko)
          .i32Add()
          .f32Load()
          .f32Store(r * 4);
      f.addConst(ko, 4)
        .addConst(dst, w * 4)
        .addConst(k, -1);
      f.br(0);
    }
    f.end().end();
    f.get(src).get(ld).i32Const(w).i32Mul().i32Add().set(src);
    f.get(nPanels).i32Const(1).i32Sub().tee(nPanels).brIf(0);
  }
  f.end();
  return f;
}
