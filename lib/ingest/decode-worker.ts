// Worker thread that reads and decodes event files for a big initial ingest, while the main
// thread writes the previous slice to SQLite (the store keeps its single writer). Slices stream
// back in order; at most MAX_AHEAD unacknowledged slices are in flight, which bounds memory.
import { parentPort } from 'node:worker_threads';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { RunNormalizer } from '../tfevents/normalize.ts';
import { decodeSlice, type DecodedSlice } from './slice.ts';

export interface ReadJob {
  file: number;
  run: string;
  path: string;
  rel: string;
  from: number;
}
export type ToWorker =
  | { type: 'read'; id: number; jobs: ReadJob[]; sliceBytes: number; seeds: Record<string, [string, string][]> }
  | { type: 'ack'; id: number }
  | { type: 'cancel'; id: number };
export type FromWorker =
  | { type: 'slice'; id: number; file: number; slice: DecodedSlice }
  | { type: 'file-done'; id: number; file: number; error?: string }
  | { type: 'end'; id: number };

const MAX_AHEAD = 2;

if (parentPort) {
  const port = parentPort;
  const normalizers = new Map<string, RunNormalizer>();
  let credit: (() => void) | null = null;
  const inflight = new Map<number, number>();
  const cancelled = new Set<number>();

  const waitCredit = async (id: number) => {
    while ((inflight.get(id) ?? 0) >= MAX_AHEAD && !cancelled.has(id))
      await new Promise<void>((res) => {
        credit = res;
      });
  };

  port.on('message', (m: ToWorker) => {
    if (m.type === 'ack') {
      inflight.set(m.id, (inflight.get(m.id) ?? 1) - 1);
      credit?.();
      credit = null;
      return;
    }
    if (m.type === 'cancel') {
      cancelled.add(m.id);
      credit?.();
      credit = null;
      return;
    }
    void run(m);
  });

  const run = async (m: Extract<ToWorker, { type: 'read' }>) => {
    inflight.set(m.id, 0);
    for (const job of m.jobs) {
      if (cancelled.has(m.id)) break;
      let n = normalizers.get(job.run);
      if (!n) {
        n = new RunNormalizer();
        for (const [tag, plugin] of m.seeds[job.run] ?? []) n.rememberPlugin(tag, plugin);
        normalizers.set(job.run, n);
      }
      try {
        await readFile(m.id, job, n, m.sliceBytes);
        port.postMessage({ type: 'file-done', id: m.id, file: job.file } satisfies FromWorker);
      } catch (err) {
        port.postMessage({ type: 'file-done', id: m.id, file: job.file, error: (err as Error).message } satisfies FromWorker);
      }
    }
    // Normalizer memory belongs to this request: the main thread re-seeds from the store later.
    normalizers.clear();
    inflight.delete(m.id);
    cancelled.delete(m.id);
    port.postMessage({ type: 'end', id: m.id } satisfies FromWorker);
  };

  const readFile = async (id: number, job: ReadJob, normalizer: RunNormalizer, sliceBytes: number) => {
    const fd = openSync(job.path, 'r');
    try {
      let pos = job.from;
      for (;;) {
        if (cancelled.has(id)) return;
        const st = fstatSync(fd);
        const want = Math.min(sliceBytes, st.size - pos);
        if (want <= 0) return;
        const buf = Buffer.allocUnsafe(want);
        let got = 0;
        while (got < want) {
          const k = readSync(fd, buf, got, want - got, pos + got);
          if (k === 0) break;
          got += k;
        }
        const slice = decodeSlice(buf.subarray(0, got), pos, job.rel, normalizer, st);
        const consumed = slice.endOffset - pos;
        if (consumed === 0) {
          // One record larger than the slice, all there: read exactly it (bounded by MAX_RECORD_BYTES).
          if (slice.needBytes > got && st.size - pos >= slice.needBytes) {
            sliceBytes = slice.needBytes;
            continue;
          }
          return; // truncated tail: the writer will finish it
        }
        await waitCredit(id);
        inflight.set(id, (inflight.get(id) ?? 0) + 1);
        port.postMessage({ type: 'slice', id, file: job.file, slice } satisfies FromWorker, [
          slice.tagIdx.buffer,
          slice.steps.buffer,
          slice.walls.buffer,
          slice.values.buffer,
        ] as ArrayBuffer[]);
        pos = slice.endOffset;
      }
    } finally {
      closeSync(fd);
    }
  };
}
