// Reader details: int64 steps, missing wall times, the onScalar fast path, plugin memory per tag.
import { expect, test } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from '../helpers/tfevents-corpus.ts';
import { decodeEventBuffer, isEventFileName, readEventFile, RunNormalizer, type NormalizedValue } from '../../lib/tfevents/index.ts';
import { encodeEvent, encodeScalarTensor, encodeSimpleValueSummary, encodeSummary } from '../../lib/tfevents/event-encode.ts';
import { encodeRecord } from '../../lib/tfevents/record.ts';
import { readFileSync } from 'node:fs';

function file(...events: Uint8Array[]): Uint8Array {
  const recs = events.map(encodeRecord);
  const out = new Uint8Array(recs.reduce((a, r) => a + r.length, 0));
  let o = 0;
  for (const r of recs) {
    out.set(r, o);
    o += r.length;
  }
  return out;
}

function values(buf: Uint8Array, normalizer = new RunNormalizer()): NormalizedValue[] {
  const out: NormalizedValue[] = [];
  decodeEventBuffer(buf, { file: 'f', baseOffset: 0, normalizer, onValue: (v) => out.push(v) });
  return out;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : isEventFileName(n) ? [p] : [];
  });
}

test('int64 steps: safe numbers, bigints beyond 2^53 either sign, 10-byte negative varints', () => {
  const steps = [0, 1, -1, -360, 2 ** 31, -(2 ** 31), 2 ** 53 - 1, -(2 ** 53 - 1), 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)];
  const buf = file(...steps.map((s) => encodeEvent({ wallTime: 1, step: s, summary: encodeSimpleValueSummary('s', 1) })));
  expect(values(buf).map((v) => v.step)).toEqual(steps);
});

test('a missing wall_time is null, a missing step is 0', () => {
  const buf = file(encodeEvent({ wallTime: 0, summary: encodeSimpleValueSummary('s', 2) }));
  expect(values(buf)).toEqual([{ tag: 's', step: 0, wallTime: null, kind: 'scalar', plugin: null, data: { kind: 'scalar', value: 2 } }]);
});

test("a TF2 tag's plugin is remembered from its first value with metadata, per run normalizer", () => {
  const withMeta = encodeSummary([{ tag: 't', tensor: encodeScalarTensor(0.5, false), metadata: { pluginName: 'scalars' } }]);
  const without = encodeSummary([{ tag: 't', tensor: encodeScalarTensor(0.25, true) }]);
  const n = new RunNormalizer();
  const first = values(file(encodeEvent({ wallTime: 1, summary: withMeta })), n);
  const later = values(file(encodeEvent({ wallTime: 2, step: 1, summary: without })), n);
  expect([...first, ...later].map((v) => [v.kind, v.plugin, v.data])).toEqual([
    ['scalar', 'scalars', { kind: 'scalar', value: 0.5 }],
    ['scalar', 'scalars', { kind: 'scalar', value: 0.25 }],
  ]);
  expect(n.pluginOf('t')).toBe('scalars');
  // A fresh normalizer has never seen the metadata: the bare tensor stays a tensor.
  expect(values(file(encodeEvent({ wallTime: 2, summary: without })))[0]!.kind).toBe('tensor');
});

test('onScalar receives exactly the scalars onValue would, for every corpus file', () => {
  for (const path of allFiles(CORPUS_DIR)) {
    const buf = new Uint8Array(readFileSync(path));
    const plain = values(buf)
      .filter((v) => v.kind === 'scalar' && !v.displayName && !v.description)
      .map((v) => [v.tag, v.step, v.wallTime, (v.data as { value: number }).value, v.plugin]);
    const fast: unknown[] = [];
    const others: NormalizedValue[] = [];
    decodeEventBuffer(buf, {
      file: path,
      baseOffset: 0,
      normalizer: new RunNormalizer(),
      onValue: (v) => others.push(v),
      onScalar: (tag, step, wallTime, value, plugin) => fast.push([tag, step, wallTime, value, plugin]),
    });
    expect(fast, path).toEqual(plain);
    expect(
      others.some((v) => v.kind === 'scalar' && !v.displayName && !v.description),
      path,
    ).toBe(false);
  }
});

test('readEventFile from an offset continues where a previous read stopped', () => {
  const path = allFiles(CORPUS_DIR).find((p) => p.includes('reducer-torch'))!;
  const whole = readEventFile(path);
  const n = new RunNormalizer();
  const head = decodeEventBuffer(new Uint8Array(readFileSync(path)).subarray(0, 2000), {
    file: path,
    baseOffset: 0,
    normalizer: n,
    onValue: () => {},
  });
  const rest = readEventFile(path, { fromOffset: head.endOffset, normalizer: n });
  expect(rest.endOffset).toBe(whole.endOffset);
  expect(rest.values).toEqual(whole.values.slice(whole.values.length - rest.values.length));
  expect(head.records + rest.records).toBe(whole.records);
});

test('isEventFileName: "tfevents" in the basename, as TensorBoard', () => {
  expect(isEventFileName('/a/tfevents.dir/events.out.tfevents.1.host')).toBe(true);
  expect(isEventFileName('events.out.tfevents')).toBe(true);
  expect(isEventFileName('/a/tfevents/notes.txt')).toBe(false);
});

test('scalars tensors in every layout: tensor_content, packed and unpacked *_val, ints, halves', async () => {
  const { ProtoWriter } = await import('../../lib/tfevents/wire.ts');
  const tensor = (build: (w: InstanceType<typeof ProtoWriter>) => void) => {
    const w = new ProtoWriter();
    build(w);
    return w.finish().slice();
  };
  const f32 = new Uint8Array(new Float32Array([1.5]).buffer);
  const f64 = new Uint8Array(new Float64Array([-2.25]).buffer);
  const cases: Array<[Uint8Array, number]> = [
    [
      tensor((w) => {
        w.uint32(1, 1);
        w.bytes(4, f32);
      }),
      1.5,
    ],
    [
      tensor((w) => {
        w.uint32(1, 2);
        w.bytes(4, f64);
      }),
      -2.25,
    ],
    [
      tensor((w) => {
        w.uint32(1, 1);
        w.packedFloats(5, [0.5]);
      }),
      0.5,
    ],
    [
      tensor((w) => {
        w.uint32(1, 1);
        w.float(5, 0.75);
      }),
      0.75,
    ],
    [
      tensor((w) => {
        w.uint32(1, 2);
        w.double(6, 0.1);
      }),
      0.1,
    ],
    [
      tensor((w) => {
        w.uint32(1, 3);
        w.int32(7, -7);
      }),
      -7,
    ],
    [
      tensor((w) => {
        w.uint32(1, 9);
        w.int64(10, 2 ** 40);
      }),
      2 ** 40,
    ],
    // DT_HALF in packed half_val: the varint 0x80 0x7c is 0x3e00, the half-precision bits of 1.5.
    [
      tensor((w) => {
        w.uint32(1, 19);
        w.bytes(13, Uint8Array.of(0x80, 0x7c));
      }),
      1.5,
    ],
  ];
  for (const [i, [t, want]] of cases.entries()) {
    const meta = { pluginName: 'scalars' };
    const buf = file(encodeEvent({ wallTime: 1, summary: encodeSummary([{ tag: 'x', tensor: t, metadata: meta }]) }));
    const viaValue = values(buf)[0]!.data;
    let viaScalar = NaN;
    decodeEventBuffer(buf, {
      file: 'f',
      baseOffset: 0,
      normalizer: new RunNormalizer(),
      onValue: () => {},
      onScalar: (_t, _s, _w, v) => {
        viaScalar = v;
      },
    });
    expect(viaValue, `case ${i}`).toEqual({ kind: 'scalar', value: want });
    expect(viaScalar, `case ${i}`).toBe(want);
  }
});

test('rememberPlugin seeds a tag whose metadata was in an earlier, already-ingested part of the file', () => {
  const bare = encodeSummary([{ tag: 't', tensor: encodeScalarTensor(0.25, false) }]);
  const n = new RunNormalizer();
  n.rememberPlugin('t', 'scalars');
  const got = values(file(encodeEvent({ wallTime: 1, step: 5, summary: bare })), n);
  expect(got.map((v) => [v.kind, v.plugin, v.data])).toEqual([['scalar', 'scalars', { kind: 'scalar', value: 0.25 }]]);
  // A plugin carried by the data itself is not overridden by a later seed.
  n.rememberPlugin('t', 'other');
  expect(n.pluginOf('t')).toBe('scalars');
});
