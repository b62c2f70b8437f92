// Runs oracle cases in a worker thread with a per-case time limit and memory guard, so that no case can stop
// the run: a case that loops forever or allocates without bound fails with a message saying which limit it hit,
// the worker is replaced, and the next case runs in a fresh one.
import { Worker } from 'node:worker_threads';
import type { OracleCase } from './compare.ts';

export interface SandboxLimits {
  /** Wall-clock time per case. */
  timeMs: number;
  /** V8 old-generation heap of the worker (exceeding it kills the worker, not the test process). */
  heapMb: number;
  /** Growth of the process's resident memory during one case (catches typed-array buffers outside the heap). */
  rssGrowthMb: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  timeMs: Number(process.env.ORACLE_CASE_TIME_MS ?? 30_000),
  heapMb: Number(process.env.ORACLE_CASE_HEAP_MB ?? 1024),
  rssGrowthMb: Number(process.env.ORACLE_CASE_RSS_MB ?? 2048),
};

type Pending = { id: number; worker: Worker; resolve: () => void; reject: (e: Error) => void };

export class CaseSandbox {
  private worker: Worker | null = null;
  /** Resolves when the current worker has loaded the runners (the time limit starts after that). */
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private pending: Pending | null = null;
  constructor(readonly limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS) {}

  private spawn(): Worker {
    const w = new Worker(new URL('./case-worker-boot.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb },
      stdout: false,
      stderr: false,
    });
    let markReady!: () => void, failReady!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      markReady = res;
      failReady = rej;
    });
    this.ready.catch(() => {});
    w.on('message', (m: { id: number; ok: boolean; ready?: boolean; name?: string; message?: string; stack?: string }) => {
      if (m.ready) {
        markReady();
        return;
      }
      const p = this.pending;
      if (!p || p.id !== m.id) return;
      this.pending = null;
      if (m.ok) p.resolve();
      else {
        const err = new Error(m.message ?? 'case failed');
        err.name = m.name ?? 'Error';
        if (m.stack) err.stack = m.stack;
        p.reject(err);
      }
    });
    const die = (why: string) => {
      failReady(new Error(why));
      if (this.worker === w) this.worker = null;
      const p = this.pending;
      if (!p || p.worker !== w) return;
      this.pending = null;
      p.reject(new Error(why));
    };
    w.on('error', (e: Error & { code?: string }) =>
      die(
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `the case exceeded the oracle's memory limit (${this.limits.heapMb} MB of heap); its worker was stopped`
          : `the case's worker crashed: ${e.message}`,
      ),
    );
    w.on('exit', (code) => die(`the case's worker exited (code ${code})`));
    w.unref();
    return w;
  }

  /** Run one case; rejects with the case's own error or with the limit it exceeded. */
  async run(c: OracleCase): Promise<void> {
    if (this.pending) throw new Error('sandbox: one case at a time');
    const w = (this.worker ??= this.spawn());
    await this.ready;
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const rss0 = process.memoryUsage.rss();
      const stop = (why: string) => {
        clearInterval(watch);
        clearTimeout(timer);
        this.pending = null;
        this.worker = null;
        void w.terminate();
        reject(new Error(why));
      };
      const timer = setTimeout(
        () => stop(`the case exceeded the oracle's time limit of ${this.limits.timeMs / 1000} s; its worker was stopped`),
        this.limits.timeMs,
      );
      const watch = setInterval(() => {
        const grown = (process.memoryUsage.rss() - rss0) / 2 ** 20;
        if (grown > this.limits.rssGrowthMb)
          stop(
            `the case exceeded the oracle's memory limit (resident memory grew by ${Math.round(grown)} MB > ${this.limits.rssGrowthMb} MB); its worker was stopped`,
          );
      }, 25);
      const done = () => {
        clearInterval(watch);
        clearTimeout(timer);
      };
      this.pending = {
        id,
        worker: w,
        resolve: () => {
          done();
          resolve();
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      w.postMessage({ id, c });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
