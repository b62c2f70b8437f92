// Loader for the native backend: the N-API addon native/build/Release/board_native.node that `npm install` builds
// with node-gyp (native/build.mjs; C source in native/src/board_native.c). It runs float32 products through
// OpenBLAS's cblas_sgemm and the memory-bound training passes (im2col/col2im, ReLU, max pooling, log-softmax +
// cross-entropy backward, SGD/Adam updates) as C loops over the typed arrays in place.
//
// Loading never throws: where the addon was not built (no compiler, no OpenBLAS, a browser bundle) nativeAddon()
// returns null and the engine uses its WebAssembly/TypeScript kernels. process.getBuiltinModule keeps this file free
// of static node: imports, so bundlers for the web UI can still include the engine.

import { defaultOpenblasCore } from './openblas-core.ts';

/** The addon's functions (argument order mirrors the TypeScript kernels they replace; see board_native.c). */
export interface NativeAddon {
  sgemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: Float32Array,
    aOff: number,
    lda: number,
    B: Float32Array,
    bOff: number,
    ldb: number,
    beta: number,
    C: Float32Array,
    cOff: number,
    ldc: number,
  ): void;
  /** The entry points' version (BOARD_NATIVE_ABI in board_native.c); the loader rejects any other. */
  abi: number;
  /**
   * Sizes the addon's thread pool (the calling thread plus n - 1 pthreads, started on the first parallel kernel): the
   * batch of a convolution, pooling and ReLU is split across it, and a large sgemm uses n OpenBLAS threads.
   */
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** Worker pthreads running now: 0 until a kernel runs in parallel, then getNumThreads() - 1. */
  poolThreads(): number;
  /** Since the start: parallel jobs run, times a worker slept and was woken, and tasks run by each thread (0: the caller). */
  poolStats(): { jobs: number; wakeups: number; tasks: number[] };
  blasInfo(): { config: string; core: string };
  /** Whether the addon raised glibc's mmap/trim thresholds (the caching allocator; BOARD_MALLOC_CACHE=0 disables). */
  mallocCache(): boolean;
  im2col(x: Float32Array, xOff: number, geom: Int32Array, col: Float32Array, colOff: number, ld: number): void;
  col2im(col: Float32Array, geom: Int32Array, dx: Float32Array, dxOff: number, colOff: number, ld: number): void;
  addStrided(a: Float32Array, aOff: number, b: Float32Array, bOff: number, rows: number, cols: number, rs: number, cs: number): void;
  reluForward(x: Float32Array, y: Float32Array): void;
  reluBackward(y: Float32Array, g: Float32Array, dx: Float32Array): void;
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
  ): void;
  /** gx += gy at the recorded positions; zeroFirst clears each plane of gx first (gx may be uninitialised). */
  scatterByIndex(
    gy: Float32Array,
    idx: Int32Array,
    gx: Float32Array,
    NC: number,
    outPlane: number,
    inPlane: number,
    zeroFirst: boolean,
  ): void;
  logSoftmax(x: Float32Array, lp: Float32Array, N: number, C: number, S: number): void;
  crossEntropyBackward(
    lp: Float32Array,
    target: Int32Array,
    weight: Float32Array | null,
    gFull: Float32Array | null,
    gs: number,
    ignoreIndex: number,
    dx: Float32Array,
    N: number,
    C: number,
    S: number,
    softmaxFirst: boolean,
  ): void;
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
  ): void;
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
  ): void;
  /**
   * A whole convolution, one sample at a time: y[N, Cout, L] = conv(x, w) + b. `geom` as for im2col with C = Cin/groups;
   * `shape` = [N, Cout, groups]. y is written in full.
   */
  convForward(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array, geom: Int32Array, shape: Int32Array): void;
  /** Its gradients: dx written in full; dw = dwBeta·dw + ∂w, db = dbBeta·db + ∂b (beta 1 accumulates into a .grad). */
  convBackward(
    gy: Float32Array,
    x: Float32Array,
    w: Float32Array,
    dx: Float32Array | null,
    dw: Float32Array | null,
    dwBeta: number,
    db: Float32Array | null,
    dbBeta: number,
    geom: Int32Array,
    shape: Int32Array,
  ): void;
  /** out[j] = beta·out[j] + Σ_i g[i·N + j] over an [M, N] matrix (a bias gradient). */
  sumRows(g: Float32Array, M: number, N: number, out: Float32Array, beta: number): void;
}

/** The BOARD_NATIVE_ABI this TypeScript expects (native/src/board_native.c). */
const ABI = 4;

const ADDON = 'native/build/Release/board_native.node';

let loaded: NativeAddon | null | undefined;
let loadError = '';
let openblasCoreDefaulted: string | null = null;

/** The OPENBLAS_CORETYPE the loader filled in from the CPU's flags (openblas-core.ts), or null if it set none. */
export function openblasCoreChosenByBoard(): string | null {
  nativeAddon();
  return openblasCoreDefaulted;
}

/** The addon, or null where it is not built or cannot load (the reason is in nativeLoadError()). */
export function nativeAddon(): NativeAddon | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    if (typeof process !== 'object' || typeof process.versions?.node !== 'string') {
      loadError = 'not running in Node';
      return null;
    }
    const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    const mod = getBuiltin?.('node:module') as { createRequire(url: string): (id: string) => unknown } | undefined;
    const fs = getBuiltin?.('node:fs') as { existsSync(p: string): boolean; readFileSync(p: string, enc: 'utf8'): string } | undefined;
    const url = getBuiltin?.('node:url') as { fileURLToPath(u: string | URL): string } | undefined;
    if (!mod || !fs || !url) {
      loadError = 'process.getBuiltinModule is unavailable (Node >= 20.16 needed)';
      return null;
    }
    // The package root is 3 levels up from lib/engine/kernels (sources) and 4 from dist/lib/engine/kernels (build).
    for (const up of ['../../../', '../../../../']) {
      let path: string;
      try {
        path = url.fileURLToPath(new URL(up + ADDON, import.meta.url));
      } catch {
        continue; // import.meta.url is not a file: URL (bundled)
      }
      if (!fs.existsSync(path)) continue;
      // Before the addon pulls in libopenblas: a core type from the CPU's flags where OpenBLAS would not know the
      // model (openblas-core.ts); a user's own OPENBLAS_CORETYPE is left as it is.
      openblasCoreDefaulted = defaultOpenblasCore(process.env, () => {
        try {
          return fs.readFileSync('/proc/cpuinfo', 'utf8');
        } catch {
          return null;
        }
      });
      const addon = mod.createRequire(import.meta.url)(path) as NativeAddon;
      if (addon.abi !== ABI) {
        loadError = `${ADDON} is a stale build (entry points version ${String(addon.abi ?? 1)}, this code needs ${ABI}): rebuild it with npm run build:native`;
        return null;
      }
      loaded = addon;
      return loaded;
    }
    loadError = `${ADDON} was not built (npm install builds it with node-gyp when a C compiler and libopenblas-dev are present)`;
  } catch (e) {
    loadError = `${ADDON} failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
  return null;
}

/** Why nativeAddon() returned null ('' when it loaded). */
export function nativeLoadError(): string {
  nativeAddon();
  return loadError;
}
