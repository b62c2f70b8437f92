// Worker thread that reads and decodes event files for a big initial ingest, while the main
// thread writes the previous slices to SQLite (the store keeps its single writer). Slices stream
// back in order, in batches: one message carries the slices (and file ends) of up to BATCH_BYTES
// of input, so a sweep of thousands of small files costs a few hundred messages, not two per file
// and a round trip each (issue 16). At most MAX_AHEAD unacknowledged batches are in flight, which
// bounds memory.
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
/** One item of a batch, in file order: a decoded slice, or the end of a file (with its error, if any). */
export type BatchItem = { file: number; slice: DecodedSlice } | { file: number; done: true; error?: string };
export type FromWorker = { type: 'batch'; id: number; items: BatchItem[] } | { type: 'end'; id: number };

const MAX_AHEAD = 2;
/** Input bytes whose slices share one message (a slice larger than this goes alone). */
const BATCH_BYTES = 1 << 20;
/** Items per message at most (files with nothing new add an item each and no bytes). */
const BATCH_ITEMS = 512;
/** Read buffers up to this size are kept for the next file. */
const SPARE_BUFFER_BYTES = 1 << 20;

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

  /** The batch being filled for one request: its items, the buffers they transfer, their input bytes. */
  /** A read buffer kept from one file to the next: a sweep reads thousands of small files. */
  let spare: Buffer | null = null;
  let items: BatchItem[] = [];
  let transfer: ArrayBuffer[] = [];
  let batchBytes = 0;

  /** Send the open batch (after waiting for a free slot): the main thread acknowledges it when applied. */
  const flush = async (id: number) => {
    if (items.length === 0) return;
    await waitCredit(id);
    inflight.set(id, (inflight.get(id) ?? 0) + 1);
    port.postMessage({ type: 'batch', id, items } satisfies FromWorker, transfer);
    items = [];
    transfer = [];
    batchBytes = 0;
  };

  const add = async (id: number, item: BatchItem, bytes: number) => {
    items.push(item);
    batchBytes += bytes;
    if (batchBytes >= BATCH_BYTES || items.length >= BATCH_ITEMS) await flush(id);
  };

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
      let error: string | undefined;
      try {
        await readFile(m.id, job, n, m.sliceBytes);
      } catch (err) {
        error = (err as Error).message;
      }
      await add(m.id, error === undefined ? { file: job.file, done: true } : { file: job.file, done: true, error }, 0);
    }
    if (!cancelled.has(m.id)) await flush(m.id);
    items = [];
    transfer = [];
    batchBytes = 0;
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
        // The previous file's buffer when it is big enough (decodeSlice copies whatever it keeps).
        const buf = spare !== null && spare.length >= want ? spare : Buffer.allocUnsafe(want);
        if (buf.length <= SPARE_BUFFER_BYTES) spare = buf;
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
        transfer.push(
          slice.tagIdx.buffer as ArrayBuffer,
          slice.steps.buffer as ArrayBuffer,
          slice.walls.buffer as ArrayBuffer,
          slice.values.buffer as ArrayBuffer,
        );
        await add(id, { file: job.file, slice }, consumed);
        pos = slice.endOffset;
      }
    } finally {
      closeSync(fd);
    }
  };
}
