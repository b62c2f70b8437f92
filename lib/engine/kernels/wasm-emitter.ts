// A tiny WebAssembly binary emitter: just the opcodes the gemm kernels need.
//
// Why generate bytes at runtime: no wasm toolchain (clang, wabt, a wasm32 Rust target) is available where Board is
// built or installed, and nothing may be downloaded at install. Emitting the module from TypeScript keeps the kernel
// readable (see wasm-sgemm.ts), lets us generate register-blocked variants from one template, and costs well under a
// millisecond at startup. Encoding follows the WebAssembly core spec (binary format, LEB128 integers) plus the
// fixed-width SIMD proposal (0xfd prefix), which Node >= 16.4 enables by default.

/** Value types. */
export const ValType = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** Unsigned LEB128 (section sizes, indices, memarg fields). */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 for i32.const immediates. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8Name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...uleb(bytes.length), ...bytes];
}

/** A local (or parameter) slot, by index, with its type so misuse is easy to spot when reading generated code. */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

/** Emits one function body. Methods append instructions; structured control flow nests like the text format. */
export class FunctionBuilder {
  readonly params: Local[] = [];
  readonly locals: Local[] = [];
  readonly results: ValType[];
  private readonly code: number[] = [];

  constructor(
    readonly name: string,
    paramTypes: ValType[],
    results: ValType[] = [],
  ) {
    paramTypes.forEach((type, index) => this.params.push({ index, type }));
    this.results = results;
  }

  /** Declares a new local of the given type. */
  local(type: ValType): Local {
    const l = { index: this.params.length + this.locals.length, type };
    this.locals.push(l);
    return l;
  }

  private emit(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
  private simd(op: number, ...imm: number[]): this {
    return this.emit(0xfd, ...uleb(op), ...imm);
  }

  // Variables.
  get(l: Local): this {
    return this.emit(0x20, ...uleb(l.index));
  }
  set(l: Local): this {
    return this.emit(0x21, ...uleb(l.index));
  }
  tee(l: Local): this {
    return this.emit(0x22, ...uleb(l.index));
  }

  // Control. Blocks/loops/ifs carry no value (block type 0x40).
  block(): this {
    return this.emit(0x02, 0x40);
  }
  loop(): this {
    return this.emit(0x03, 0x40);
  }
  if(): this {
    return this.emit(0x04, 0x40);
  }
  else(): this {
    return this.emit(0x05);
  }
  end(): this {
    return this.emit(0x0b);
  }
  br(depth: number): this {
    return this.emit(0x0c, ...uleb(depth));
  }
  brIf(depth: number): this {
    return this.emit(0x0d, ...uleb(depth));
  }

  // i32 arithmetic and comparisons.
  i32Const(v: number): this {
    return this.emit(0x41, ...sleb(v));
  }
  i32Eqz(): this {
    return this.emit(0x45);
  }
  i32Eq(): this {
    return this.emit(0x46);
  }
  i32Ne(): this {
    return this.emit(0x47);
  }
  i32LtS(): this {
    return this.emit(0x48);
  }
  i32GtS(): this {
    return this.emit(0x4a);
  }
  i32GeS(): this {
    return this.emit(0x4e);
  }
  i32Add(): this {
    return this.emit(0x6a);
  }
  i32Sub(): this {
    return this.emit(0x6b);
  }
  i32Mul(): this {
    return this.emit(0x6c);
  }
  /** local += constant (a very common step in pointer-bumping loops). */
  addConst(l: Local, c: number): this {
    return this.get(l).i32Const(c).i32Add().set(l);
  }
  /** local += other local. */
  addLocal(l: Local, other: Local): this {
    return this.get(l).get(other).i32Add().set(l);
  }

  // Scalar memory.
  f32Load(offset = 0): this {
    return this.emit(0x2a, 2, ...uleb(offset));
  }
  f32Store(offset = 0): this {
    return this.emit(0x38, 2, ...uleb(offset));
  }
  f32Add(): this {
    return this.emit(0x92);
  }
  f32Mul(): this {
    return this.emit(0x94);
  }

  f32Sub(): this {
    return this.emit(0x93);
  }
  f32Gt(): this {
    return this.emit(0x5e);
  }
  f32Ne(): this {
    return this.emit(0x5c);
  }
  f32Const(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.emit(0x43, ...b);
  }
  i32Load(offset = 0): this {
    return this.emit(0x28, 2, ...uleb(offset));
  }
  i32Store(offset = 0): this {
    return this.emit(0x36, 2, ...uleb(offset));
  }
  i32And(): this {
    return this.emit(0x71);
  }
  i32Or(): this {
    return this.emit(0x72);
  }
  i32Shl(): this {
    return this.emit(0x74);
  }
  i32LeS(): this {
    return this.emit(0x4c);
  }
  /** select(a, b, cond): a if cond != 0 else b (operands of any one numeric type). */
  select(): this {
    return this.emit(0x1b);
  }
  drop(): this {
    return this.emit(0x1a);
  }

  // SIMD (memarg alignment hint is log2 bytes; 4 = 16 bytes for v128, 2 = 4 bytes for splat loads).
  v128Load(offset = 0): this {
    return this.simd(0x00, 4, ...uleb(offset));
  }
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09, 2, ...uleb(offset));
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b, 4, ...uleb(offset));
  }
  v128Zero(): this {
    return this.simd(0x0c, ...new Array<number>(16).fill(0));
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  /** i8x16.shuffle expressed on f32 lanes: lanes 0-3 pick from the first operand, 4-7 from the second. */
  f32x4Shuffle(l0: number, l1: number, l2: number, l3: number): this {
    const bytes: number[] = [];
    for (const l of [l0, l1, l2, l3]) bytes.push(l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3);
    return this.simd(0x0d, ...bytes);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  f32x4Div(): this {
    return this.simd(0xe7);
  }
  f32x4Sqrt(): this {
    return this.simd(0xe3);
  }
  /** f32x4.gt: all-ones lanes where a > b (false for NaN), for masking with v128.and / bitselect. */
  f32x4Gt(): this {
    return this.simd(0x44);
  }
  f32x4Eq(): this {
    return this.simd(0x41);
  }
  f32x4Ne(): this {
    return this.simd(0x42);
  }
  v128Or(): this {
    return this.simd(0x50);
  }
  i32x4Splat(): this {
    return this.simd(0x11);
  }
  i32x4Add(): this {
    return this.simd(0xae);
  }
  i32x4Sub(): this {
    return this.simd(0xb1);
  }
  /** v128.const with four i32 lanes. */
  i32x4Const(a: number, b: number, c: number, d: number): this {
    return this.simd(0x0c, ...new Uint8Array(Int32Array.of(a, b, c, d).buffer));
  }
  v128And(): this {
    return this.simd(0x4e);
  }
  /** v128.bitselect(a, b, mask): bits of a where mask is 1, of b where it is 0. */
  v128Bitselect(): this {
    return this.simd(0x52);
  }
  /** Relaxed-SIMD f32x4.relaxed_madd(a, b, c) = a*b + c, fused or not (FMA where the CPU has it). Only valid where the
   * runtime ships relaxed SIMD (V8 >= 11.4, i.e. Node 22; Node 20 needs --experimental-wasm-relaxed-simd). */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }

  /** Encoded body: locals grouped by run of equal type, then the code and the final `end`. */
  body(): number[] {
    const groups: Array<[number, ValType]> = [];
    for (const l of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === l.type) last[0]++;
      else groups.push([1, l.type]);
    }
    const bytes = [...uleb(groups.length)];
    for (const [n, t] of groups) bytes.push(...uleb(n), t);
    bytes.push(...this.code, 0x0b);
    return [...uleb(bytes.length), ...bytes];
  }

  signature(): number[] {
    return [0x60, ...uleb(this.params.length), ...this.params.map((p) => p.type), ...uleb(this.results.length), ...this.results];
  }
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

/**
 * Builds a module that imports its memory as `env.memory` (so JS owns it and can grow it) and exports every function
 * under its name. One type per function keeps the emitter simple; duplicates are harmless. With sharedMaxPages the
 * import is a shared memory (for worker threads, wasm-threads.ts), which must declare that maximum.
 */
export function buildModule(functions: FunctionBuilder[], minMemoryPages = 1, sharedMaxPages?: number): Uint8Array<ArrayBuffer> {
  const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
  const types = section(1, vec(functions.map((f) => f.signature())));
  // Memory limits: 0x00 min (unshared, no maximum), or 0x03 min max (shared: threads proposal, which requires a maximum).
  const limits = sharedMaxPages === undefined ? [0x00, ...uleb(minMemoryPages)] : [0x03, ...uleb(minMemoryPages), ...uleb(sharedMaxPages)];
  const imports = section(2, vec([[...utf8Name('env'), ...utf8Name('memory'), 0x02, ...limits]]));
  const funcs = section(3, vec(functions.map((_, i) => uleb(i))));
  const exports = section(7, vec(functions.map((f, i) => [...utf8Name(f.name), 0x00, ...uleb(i)])));
  const code = section(10, vec(functions.map((f) => f.body())));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}
