// Reader and ingest fuzz campaign (issue 10): mutated records (bit flips, truncations, length
// fields that lie in the framing and inside protobuf, huge declared shapes and counts, deep
// nesting, random protobuf bytes inside valid framing, garbage between records), each followed by
// an intact "marker" record, decoded and then ingested into SQLite files.
// Proven: no crash, no hang (a time bound per file), peak RSS under 500 MB, and every intact
// record after a corrupt one is read (each marker step is in the store).
// CI: 24,000 mutated records. BOARD_CAMPAIGN=full: 1,000,000.
import { afterAll, expect, test } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startIngest } from '../../lib/ingest/index.ts';
import { decodeEventBuffer, RunNormalizer, SummaryWriter } from '../../lib/tfevents/index.ts';
import { encodeRecord, scanRecords } from '../../lib/tfevents/record.ts';
import { maskedCrc32c } from '../../lib/tfevents/crc32c.ts';
import { Bytes, scalarRecord, simpleValue, tempDir, tensorValue, valuesRecord } from '../ingest/helpers.ts';
import { REPO_ROOT } from '../helpers/shared.ts';
import { campaignSize, reportFigures, rng } from './size.ts';

const MUTATED = campaignSize(24_000, 1_000_000);
const PER_FILE = 400;
const FILES_PER_BATCH = 25;
const SEED = Number(process.env.BOARD_FUZZ_SEED ?? 1205);
const FILE_TIME_BOUND_MS = 5000;
const RSS_LIMIT_MB = 500;

const { dir: root, cleanup } = tempDir('board-fuzz-');
afterAll(cleanup);

/** Valid event payloads of every kind the writers produce, plus TF2-style tensors. */
function seedPayloads(): Uint8Array[] {
  const logdir = join(root, 'seed');
  const w = new SummaryWriter(logdir, { flushSecs: 3600 });
  const r = rng(7);
  for (let s = 0; s < 3; s++) {
    w.addScalar('loss', r(), s);
    w.addHistogram(
      'weights',
      Array.from({ length: 200 }, () => r() * 4 - 2),
      s,
    );
    w.addImage(
      'img',
      Array.from({ length: 3 * 4 * 5 }, () => r()),
      s,
      { shape: [3, 4, 5] },
    );
    w.addText('notes', `step **${s}** | a | b |`, s);
    w.addPrCurve(
      'pr',
      Array.from({ length: 50 }, () => (r() < 0.5 ? 1 : 0)),
      Array.from({ length: 50 }, () => r()),
      s,
    );
    w.addAudio(
      'wave',
      Array.from({ length: 400 }, () => r() * 2 - 1),
      s,
    );
  }
  w.addHparams({ lr: 0.1, opt: 'adam', deep: true }, { 'hparam/acc': 0.9 });
  w.close();
  const out: Uint8Array[] = [];
  for (const d of walkFiles(logdir)) {
    const buf = new Uint8Array(readFileSync(d));
    scanRecords(buf, 0, d, { onRecord: (b, s, e) => out.push(b.slice(s, e)), onCorrupt: () => {} });
  }
  rmSync(logdir, { recursive: true, force: true });
  // TF2-style tensors by plugin, framed as events (their payloads are what the hot path walks).
  const tf2 = [
    tensorValue('t2/scalar', { dims: [], floats: [1.5], plugin: 'scalars' }),
    tensorValue('t2/hist', { dims: [4, 3], floats: Array.from({ length: 12 }, (_, i) => i), plugin: 'histograms' }),
    tensorValue('t2/text', { dtype: 7, dims: [2], strings: ['a', 'b'], plugin: 'text' }),
    tensorValue('t2/img', { dtype: 7, dims: [3], strings: ['2', '2', 'xx'], plugin: 'images' }),
    tensorValue('t2/raw', { dims: [2, 2], floats: [1, 2, 3, 4] }),
  ];
  for (const v of tf2) out.push(payloadOf(valuesRecord(3, [v])));
  return out;
}

function walkFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walkFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

function payloadOf(framed: Uint8Array): Uint8Array {
  return framed.slice(12, framed.length - 4);
}

/** A 12-byte header announcing `len` data bytes, with a valid length CRC. */
function header(len: number): Uint8Array {
  const h = new Uint8Array(12);
  const v = new DataView(h.buffer);
  v.setUint32(0, len >>> 0, true);
  v.setUint32(4, Math.floor(len / 2 ** 32), true);
  v.setUint32(8, maskedCrc32c(h, 0, 8), true);
  return h;
}

function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const deepCache = new Map<string, Uint8Array>();

/** Deeply nested messages: an unknown field holding itself, and an hparams Struct value (built once each). */
function deepValue(depth: number, r: () => number): Uint8Array {
  const kind = r() < 0.5 ? 'unknown' : 'hparams';
  const key = `${kind}:${depth}`;
  let v = deepCache.get(key);
  if (!v) {
    v = buildDeep(depth, kind === 'unknown');
    deepCache.set(key, v);
  }
  return v;
}

function buildDeep(depth: number, unknownField: boolean): Uint8Array {
  if (unknownField) {
    let inner: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < depth; i++) inner = new Bytes().bytes(15, inner).done();
    return new Bytes().string(1, 'deep').bytes(15, inner).done();
  }
  // google.protobuf.Value { list_value = 6 { values = 1 { ... } } } inside HParamsPluginData.experiment.hparam_infos.
  let v: Uint8Array = new Bytes().tag(1, 0).varint(0).done();
  for (let i = 0; i < depth; i++) v = new Bytes().bytes(6, new Bytes().bytes(1, v).done()).done();
  const domain = new Bytes().bytes(1, v).done(); // ListValue-ish domain_discrete
  const info = new Bytes().string(1, 'lr').bytes(5, domain).done();
  const experiment = new Bytes().bytes(4, info).done();
  const content = new Bytes().tag(1, 0).varint(0).bytes(2, experiment).done();
  const pd = new Bytes().string(1, 'hparams').bytes(2, content).done();
  return new Bytes().string(1, '_hparams_/experiment').bytes(9, new Bytes().bytes(1, pd).done()).done();
}

type Mutation = (r: () => number, seeds: Uint8Array[]) => Uint8Array;

const pick = <T>(r: () => number, a: T[]): T => a[Math.floor(r() * a.length)]!;
const int = (r: () => number, n: number) => Math.floor(r() * n);

/** Each returns the bytes to put between two markers (framed or not). */
const MUTATIONS: Record<string, Mutation> = {
  bitFlipPayload: (r, seeds) => {
    const p = pick(r, seeds).slice();
    for (let k = 1 + int(r, 4); k > 0; k--) p[int(r, p.length)]! ^= 1 << int(r, 8);
    return encodeRecord(p);
  },
  byteSetPayload: (r, seeds) => {
    const p = pick(r, seeds).slice();
    for (let k = 1 + int(r, 8); k > 0; k--) p[int(r, p.length)] = int(r, 256);
    return encodeRecord(p);
  },
  bitFlipFramed: (r, seeds) => {
    const f = encodeRecord(pick(r, seeds));
    for (let k = 1 + int(r, 3); k > 0; k--) f[int(r, f.length)]! ^= 1 << int(r, 8);
    return f;
  },
  truncatedPayload: (r, seeds) => {
    const p = pick(r, seeds);
    return encodeRecord(p.subarray(0, int(r, p.length)));
  },
  truncatedFramed: (r, seeds) => {
    const f = encodeRecord(pick(r, seeds));
    return f.subarray(0, 1 + int(r, f.length - 1));
  },
  lyingProtoLength: (r, seeds) => {
    const p = pick(r, seeds);
    const at = int(r, p.length);
    const big = pick(r, [2 ** 31 - 1, 2 ** 32 - 1, 2 ** 28, p.length + 1 + int(r, 100)]);
    return encodeRecord(new Uint8Array([...p.subarray(0, at), ...varint(big), ...p.subarray(at + 1)]));
  },
  lyingRecordLength: (r) => {
    // A header that promises more than follows (a writer killed mid-record), with some data.
    const len = pick(r, [100, 5000, 1 << 20, 300 << 20, 2 ** 31, 2 ** 40]);
    return new Uint8Array([...header(len), ...Array.from({ length: int(r, 64) }, () => int(r, 256))]);
  },
  hugeShape: (r) => {
    const dims = Array.from({ length: 1 + int(r, 4) }, () => pick(r, [0, 1, 3, 6, 1000, 2_000_000, 2 ** 31, 2 ** 40, 2 ** 53]));
    const plugin = pick(r, [undefined, 'histograms', 'pr_curves', 'scalars', 'text', 'images', 'custom']);
    const dtype = plugin === 'text' || plugin === 'images' ? 7 : pick(r, [1, 2, 3, 9, 19]);
    const v =
      dtype === 7
        ? tensorValue('h', { dtype, dims, strings: Array.from({ length: int(r, 4) }, (_, i) => `s${i}`), plugin })
        : tensorValue('h', {
            dtype,
            dims,
            floats: Array.from({ length: int(r, 5) }, () => r()),
            plugin,
            content: new Bytes()
              .tag(2, 0)
              .varint(pick(r, [2, 127, 2 ** 32 - 1]))
              .done(),
          });
    return valuesRecord(int(r, 1000), [simpleValue('before', 1), v, simpleValue('after', 2)]);
  },
  hugeCounts: (r) => {
    // HistogramProto with absurd num and buckets that lie; an image with absurd width/height.
    const histo = new Bytes()
      .double(1, -1)
      .double(2, 1)
      .double(3, 1e300)
      .bytes(6, new Uint8Array(8 * int(r, 3)))
      .bytes(7, new Uint8Array(int(r, 20)))
      .done();
    const image = new Bytes()
      .tag(1, 0)
      .varint(2 ** 31)
      .tag(2, 0)
      .varint(2 ** 31)
      .tag(3, 0)
      .varint(4)
      .bytes(4, new Uint8Array(int(r, 30)))
      .done();
    return valuesRecord(int(r, 1000), [
      new Bytes().string(1, 'hh').bytes(5, histo).done(),
      new Bytes().string(1, 'ii').bytes(4, image).done(),
    ]);
  },
  deepNesting: (r) => valuesRecord(int(r, 1000), [deepValue(pick(r, [50, 500, 5000]), r)]),
  randomProtobuf: (r) => encodeRecord(Uint8Array.from({ length: int(r, 400) }, () => int(r, 256))),
  randomValueBytes: (r) => {
    // A well-formed Event and Summary around one Summary.Value of random bytes.
    const junk = Uint8Array.from({ length: int(r, 200) }, () => int(r, 256));
    return valuesRecord(int(r, 1000), [junk, simpleValue('ok', 1)]);
  },
  garbageBetween: (r) => Uint8Array.from({ length: 1 + int(r, 300) }, () => int(r, 256)),
};

const NAMES = Object.keys(MUTATIONS);

function markerRecord(step: number): Uint8Array {
  return scalarRecord(step, { marker: step });
}

/** One file: marker, mutation, marker, mutation, ..., marker. Returns bytes and marker steps. */
function buildFile(
  r: () => number,
  seeds: Uint8Array[],
  first: number,
  counts: Record<string, number>,
): { bytes: Buffer; markers: number[] } {
  const parts: Uint8Array[] = [];
  const markers: number[] = [];
  for (let i = 0; i < PER_FILE; i++) {
    const step = first + i;
    parts.push(markerRecord(step));
    markers.push(step);
    const name = NAMES[int(r, NAMES.length)]!;
    counts[name] = (counts[name] ?? 0) + 1;
    parts.push(MUTATIONS[name]!(r, seeds));
  }
  const last = first + PER_FILE;
  parts.push(markerRecord(last));
  markers.push(last);
  return { bytes: Buffer.concat(parts), markers };
}

test(`${MUTATED} mutated records through decode and ingest: no crash, no hang, RSS < ${RSS_LIMIT_MB} MB, every intact record after a corrupt one read`, async () => {
  const seeds = seedPayloads();
  expect(seeds.length).toBeGreaterThan(20);
  const r = rng(SEED);
  const files = Math.ceil(MUTATED / PER_FILE);
  const counts: Record<string, number> = {};
  let maxDecodeMs = 0,
    maxIngestMsPerFile = 0,
    corrupt = 0,
    markersChecked = 0,
    bytesTotal = 0;
  const t0 = performance.now();
  for (let b = 0; b * FILES_PER_BATCH < files; b++) {
    const logdir = join(root, `batch${b}`);
    const expected = new Map<string, number[]>();
    for (let f = b * FILES_PER_BATCH; f < Math.min(files, (b + 1) * FILES_PER_BATCH); f++) {
      const { bytes, markers } = buildFile(r, seeds, f * 1_000_000, counts);
      const run = `run${f}`;
      mkdirSync(join(logdir, run), { recursive: true });
      writeFileSync(join(logdir, run, `events.out.tfevents.${f}.fuzz`), bytes);
      expected.set(run, markers);
      bytesTotal += bytes.length;
      // Decode alone: time bound per file, every marker found.
      const d0 = performance.now();
      const seen = new Set<number>();
      const res = decodeEventBuffer(bytes, {
        file: run,
        baseOffset: 0,
        fileEnd: bytes.length,
        normalizer: new RunNormalizer(),
        onValue: (v) => {
          if (v.tag === 'marker') seen.add(Number(v.step));
        },
        onScalar: (tag, step) => {
          if (tag === 'marker') seen.add(Number(step));
        },
      });
      maxDecodeMs = Math.max(maxDecodeMs, performance.now() - d0);
      corrupt += res.corrupt.length;
      const missing = markers.filter((m) => !seen.has(m));
      if (missing.length) {
        // The seed payloads carry the wall time, so a failing file is kept to be replayed.
        const kept = join(REPO_ROOT, 'test/artifacts', `reader-fuzz-${run}-${Date.now()}.tfevents`);
        mkdirSync(dirname(kept), { recursive: true });
        writeFileSync(kept, bytes);
        expect.fail(`decode of ${run} (seed ${SEED}) lost markers ${missing.slice(0, 5).join(', ')} (file kept: ${kept})`);
      }
    }
    // Ingest the batch into a fresh SQLite store.
    const db = join(root, `batch${b}.sqlite`);
    const i0 = performance.now();
    const ing = await startIngest({ logdir, db, watch: false, decodeWorker: b % 2 === 1 });
    try {
      await ing.initialScan;
      maxIngestMsPerFile = Math.max(maxIngestMsPerFile, (performance.now() - i0) / expected.size);
      for (const [run, markers] of expected) {
        const got = new Set(((await ing.queries.scalars([run], 'marker', { maxPoints: 1e9 }))[0]?.points ?? []).map((p) => p.step));
        const missing = markers.filter((m) => !got.has(m));
        if (missing.length) expect.fail(`ingest of ${run} (seed ${SEED}) lost markers ${missing.slice(0, 5).join(', ')}`);
        markersChecked += markers.length;
      }
    } finally {
      await ing.close();
    }
    rmSync(logdir, { recursive: true, force: true });
    for (const suffix of ['', '-wal', '-shm', '.lock']) rmSync(db + suffix, { force: true });
    expect(performance.now() - i0).toBeLessThan(FILE_TIME_BOUND_MS * FILES_PER_BATCH);
    if (b % 20 === 19)
      console.error(
        `reader-fuzz: ${(b + 1) * FILES_PER_BATCH * PER_FILE} records, ${((performance.now() - t0) / 1000).toFixed(0)} s, max decode ${maxDecodeMs.toFixed(0)} ms/file, RSS peak ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
      );
  }
  const seconds = (performance.now() - t0) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  expect(maxDecodeMs).toBeLessThan(FILE_TIME_BOUND_MS);
  expect(maxIngestMsPerFile).toBeLessThan(FILE_TIME_BOUND_MS);
  expect(peakRssMb).toBeLessThan(RSS_LIMIT_MB);
  reportFigures('reader-fuzz', {
    mutatedRecords: files * PER_FILE,
    files,
    markersChecked,
    corruptReports: corrupt,
    megabytes: +(bytesTotal / 2 ** 20).toFixed(1),
    maxDecodeMsPerFile: +maxDecodeMs.toFixed(1),
    maxIngestMsPerFile: +maxIngestMsPerFile.toFixed(1),
    peakRssMb: Math.round(peakRssMb),
    seconds: +seconds.toFixed(1),
    seed: SEED,
    mutations: counts,
  });
}, 3_600_000);
