// The compute backend as users see it: 'native' (the OpenBLAS addon, with fused C kernels), 'wasm' (WebAssembly
// SIMD sgemm plus the generated SIMD training kernels of wasm-kernels.ts) or 'js' (TypeScript only). Chosen once from BOARD_BACKEND, else the best
// available; every backend computes the same float32 results to within the oracle tolerances (tests run the suite
// on 'native' and 'wasm'). Thin names over kernels/index.ts, which owns the state.
import { gemmBackend, gemmInfo, nativeKernels, setGemmBackend, setWasmThreads, type GemmBackend } from './index.ts';
import { nativeAddon, nativeLoadError, openblasCoreChosenByBoard } from './native.ts';
import { wasmSimdSupported } from './wasm-sgemm.ts';

export type Backend = 'native' | 'wasm' | 'js';

const toGemm: Record<Backend, GemmBackend> = { native: 'native', wasm: 'wasm-simd', js: 'js' };
const fromGemm: Record<GemmBackend, Backend> = { native: 'native', 'wasm-simd': 'wasm', js: 'js' };

/** The backend in use. */
export function getBackend(): Backend {
  return fromGemm[gemmBackend()];
}

/** Switches backend; throws (saying why) if it cannot run here. */
export function setBackend(b: Backend): void {
  if (!(b in toGemm)) throw new Error(`setBackend: unknown backend '${String(b)}' (use 'native', 'wasm' or 'js')`);
  setGemmBackend(toGemm[b]);
}

/** Backends that can run in this process. */
export function availableBackends(): Backend[] {
  const out: Backend[] = [];
  if (nativeAddon()) out.push('native');
  if (wasmSimdSupported()) out.push('wasm');
  out.push('js');
  return out;
}

/** One line for logs and the demo: which backend runs, and why native is not used when it is not. */
export function describeBackend(): string {
  const b = getBackend();
  if (b === 'native') {
    const info = nativeKernels()!.blasInfo();
    const chosen = openblasCoreChosenByBoard() !== null ? ' from the CPU flags' : '';
    return `backend: native (OpenBLAS core ${info.core}${chosen}, ${getNumThreads()} thread${getNumThreads() === 1 ? '' : 's'})`;
  }
  const why = nativeAddon() ? 'selected by BOARD_BACKEND / setBackend' : nativeLoadError();
  const wasm = `wasm (WebAssembly SIMD${gemmInfo().fma ? ' with FMA' : ''})`;
  return `backend: ${b === 'wasm' ? wasm : 'js (TypeScript)'}; native not used: ${why}`;
}

let threads = 1;

/**
 * torch.set_num_threads: threads for intra-op parallelism. On the native backend this sizes the addon's thread pool:
 * convolutions (forward and backward), max pooling and ReLU split the batch across n threads (each calling OpenBLAS
 * single-threaded; weight gradients reduced in a fixed order, so a given thread count always gives the same bits),
 * and a large single sgemm (>= 8M multiply-adds, e.g. 512^3) uses n OpenBLAS threads. On the wasm backend, sgemm (so
 * the batched convolution GEMMs and Linear layers) splits large products over n - 1 worker threads plus the caller,
 * sharing one WebAssembly memory (wasm-threads.ts; results are bit-identical to 1 thread); the workers start with the
 * first such product and do not keep the process alive. The other kernels run on the calling thread.
 * The default is 1 (not the core count as in torch) because test workers and other processes share the cores.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
  threads = n;
  nativeAddon()?.setNumThreads(n);
  setWasmThreads(n);
}

/** torch.get_num_threads. */
export function getNumThreads(): number {
  return threads;
}
